import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Authenticator, allows, type Principal, type Scope } from '../contexts/access/index.js';
import { assert } from '../kernel/assert.js';
import { problem } from '../kernel/problem.js';
import { sendProblem } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; `public: true` for the few routes that need no key. */
    scope?: Scope;
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The auth scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `BEARER` are Bearer too. */
const bearer = /^Bearer ([\x21-\x7e]{1,200})$/i;

/** Every route states its scope; no key is 401, a key without the scope is 403. */
export function installAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public || request.routeOptions.url === undefined) return;
    assert(config.scope !== undefined, `route ${request.routeOptions.url} declares a scope or public`);
    const match = bearer.exec(request.headers.authorization ?? '');
    const principal = match?.[1] ? await authenticator.authenticate(match[1]) : null;
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="fulfill"');
      return sendProblem(
        reply,
        problem('unauthorized', match ? 'the API key is not valid or was revoked' : 'send an API key as "Authorization: Bearer <key>"'),
      );
    }
    if (!allows(principal.scopes, config.scope)) {
      return sendProblem(reply, problem('forbidden', `this route needs the ${config.scope} scope`, { required_scope: config.scope }));
    }
    request.principal = principal;
  });
}

export const actorOf = (request: FastifyRequest): string => request.principal?.id ?? 'anonymous';
