import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import { createApiKey, listApiKeys, revokeApiKey, scopes } from '../../contexts/access/index.js';
import { unwrap } from '../errors.js';
import { Id, Name, Nullable, problemResponses, Timestamp } from '../schemas/common.js';

const tags = ['access'];
const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Timestamp,
  revoked_at: Nullable(Timestamp),
});
const KeyCreate = Type.Object(
  { name: Name, scopes: Type.Array(Type.Union(scopes.map((s) => Type.Literal(s))), { minItems: 1, maxItems: scopes.length }) },
  { additionalProperties: false },
);

export function accessRoutes(app: FastifyInstance, deps: App): void {
  app.post('/v1/api-keys', {
    config: { scope: 'admin' },
    schema: {
      tags,
      summary: 'Create an API key (the key is shown once)',
      body: KeyCreate,
      response: { 201: Type.Object({ key: Type.String(), api_key: ApiKey }), ...problemResponses },
    },
    handler: async (request, reply) => reply.code(201).send(unwrap(await createApiKey(deps, request.body as Static<typeof KeyCreate>))),
  });
  app.get('/v1/api-keys', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'List API keys', response: { 200: Type.Object({ data: Type.Array(ApiKey) }), ...problemResponses } },
    handler: async () => ({ data: await listApiKeys(deps) }),
  });
  app.delete('/v1/api-keys/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Revoke an API key', params: Type.Object({ id: Id }), response: { 200: ApiKey, ...problemResponses } },
    handler: async (request) => {
      const revoked = unwrap(await revokeApiKey(deps, (request.params as { id: string }).id));
      // This process forgets its cached keys at once; other processes within apiKeyCacheMs.
      deps.authenticator.forgetAll();
      return revoked;
    },
  });
}
