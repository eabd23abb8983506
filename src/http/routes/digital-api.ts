import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../compose.js';
import {
  activateLicense,
  addPoolCodes,
  authorizeDownload,
  deactivateLicense,
  deliveryViews,
  entitlementAdminView,
  extendEntitlement,
  findEntitlementByToken,
  getDigitalProduct,
  listOrderLicenses,
  orderEntitlements,
  parsePoolCsv,
  putDigitalProduct,
  RateLimiter,
  type Refusal,
  refundOrder,
  resendDelivery,
  revokeEntitlement,
  setLicenseStatus,
  validateLicense,
  validationCodes,
} from '../../contexts/digital/index.js';
import { deliveryPage, refusalPage } from '../../contexts/digital/pages.js';
import { parseRange, sendStoredFile } from '../../contexts/files/index.js';
import { ConfigError } from '../../kernel/config.js';
import { type Locale, pickLocale } from '../../kernel/locale.js';
import { ProblemError, problem } from '../../kernel/problem.js';
import { actorOf } from '../auth.js';
import { sendProblem } from '../errors.js';
import { Id, Nullable, Problem, problemResponses, Sku } from '../schemas/common.js';

const tags = ['digital'];
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Key = Type.String({ minLength: 1, maxLength: 300, description: 'A license key or pool code' });
const Fingerprint = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'A stable id of the machine or instance',
});

const ProductBody = Type.Object(
  {
    files: Type.Optional(Type.Array(Id, { maxItems: 20, description: 'File ids (POST /v1/files), in the order shown to the buyer' })),
    download_limit: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Counted downloads per link; null for no limit (default 5)' })),
    ),
    access_days: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: 36_500, description: 'Days the link works after delivery; null for ever' })),
    ),
    distinct_ip_limit: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: 1_000, description: 'Distinct client IPs per link; null for no limit' })),
    ),
    license: Type.Optional(
      Nullable(
        Type.Object(
          {
            source: Type.Union([Type.Literal('generated'), Type.Literal('pool')]),
            max_activations: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10_000 }))),
            valid_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 36_500 }))),
            prefix: Type.Optional(Nullable(Type.String({ pattern: '^[A-Z0-9]{1,10}$' }))),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

/** Accept prefers JSON (a storefront or script) over HTML (a browser). */
function wantsJson(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  if (!/application\/(problem\+)?json/.test(accept)) return false;
  return !/text\/html/.test(accept) || accept.indexOf('json') < accept.indexOf('text/html');
}

const requestLocale = (request: FastifyRequest): Locale =>
  pickLocale(String(request.headers['accept-language'] ?? '').split(',')[0] ?? null);

/** A refused link: a friendly HTML page for people, a problem document for programs; same status. */
function refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): FastifyReply {
  const p = problem(refusal, problem(refusal, '').title);
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (wantsJson(request)) return sendProblem(reply, { ...p, detail: p.title });
  return reply
    .code(p.status)
    .type('text/html; charset=utf-8')
    .send(refusalPage(refusal, requestLocale(request)));
}

/** A whole-number setting from the environment; a bad value stops the server with a clear message. */
function positiveSetting(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new ConfigError(`${name} must be a whole number from 1 to 1000000`);
  return value;
}

/** A JSON object answer; its fields are listed in docs/digital.md. */
const Json = Type.Object({}, { additionalProperties: true });

export function digitalApiRoutes(app: FastifyInstance, deps: App): void {
  // ------------------------------------------------------------------ merchant: what an item delivers
  app.put('/v1/digital/items/:sku', {
    config: { scope: 'digital:write' },
    schema: {
      tags,
      summary: 'Set what a digital item delivers: files, download limits, license policy',
      params: Type.Object({ sku: Sku }),
      body: ProductBody,
      response: { 200: Json, ...problemResponses },
    },
    handler: async (request) => {
      const { sku } = request.params as { sku: string };
      return putDigitalProduct(deps, sku, request.body as never);
    },
  });

  app.get('/v1/digital/items/:sku', {
    config: { scope: 'digital:read' },
    schema: {
      tags,
      summary: "A digital item's deliverables and pool stock",
      params: Type.Object({ sku: Sku }),
      response: { 200: Json, ...problemResponses },
    },
    handler: async (request) => getDigitalProduct(deps, (request.params as { sku: string }).sku),
  });

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 }, (_r, body, done) =>
      done(null, body),
    );
    scope.post('/v1/digital/items/:sku/pool', {
      config: { scope: 'digital:write' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Upload license pool codes (CSV)',
        description:
          'The body is a CSV (text/csv): a `code` column, or one code per line. Codes are encrypted at rest and never returned again except in the buyer’s own delivery. Duplicates are skipped. Orders waiting on an inventory hold for this pool are released as far as the codes go.',
        params: Type.Object({ sku: Sku }),
        response: {
          200: Type.Object({
            added: Type.Integer(),
            duplicates: Type.Integer(),
            available: Type.Integer(),
            released_orders: Type.Array(Type.String()),
          }),
          ...problemResponses,
          413: Problem,
          415: Problem,
        },
      },
      handler: async (request) => {
        const { sku } = request.params as { sku: string };
        const codes = parsePoolCsv(String(request.body ?? ''));
        return addPoolCodes(deps, sku, codes, actorOf(request));
      },
    });
  });

  // ------------------------------------------------------------------ the buyer's delivery, for the storefront
  app.get('/v1/orders/:id/digital', {
    config: { scope: 'orders:read' },
    schema: {
      tags: ['orders', 'digital'],
      summary: "An order's digital delivery: links, files and keys, as the buyer sees them",
      description: 'For the storefront’s order confirmation page. Contains the buyer’s secrets (links, keys): show it only to the buyer.',
      params: Type.Object({ id: Id }),
      response: { 200: Json, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const order = await deps.db.read.selectFrom('orders').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
      if (!order) throw new ProblemError('not_found', `no order ${id}`);
      const holds = await deps.db.read
        .selectFrom('holds')
        .select(['id', 'reason', 'fulfillment_order_id'])
        .where('order_id', '=', id)
        .where('status', '=', 'active')
        .execute();
      const digitalFos = await deps.db.read
        .selectFrom('fulfillment_orders')
        .select(['id', 'status'])
        .where('order_id', '=', id)
        .where('path', '=', 'digital')
        .execute();
      const pending = digitalFos.some((fo) => fo.status === 'open' || fo.status === 'on_hold');
      return {
        order_id: id,
        status: digitalFos.length === 0 ? 'none' : pending ? (holds.length > 0 ? 'held' : 'pending') : 'delivered',
        entitlements: await deliveryViews(deps, await orderEntitlements(deps, id)),
      };
    },
  });

  // ------------------------------------------------------------------ merchant: after-sale
  app.get('/v1/orders/:id/entitlements', {
    config: { scope: 'digital:read' },
    schema: {
      tags,
      summary: "An order's entitlements (counts and state; no links or keys)",
      params: Type.Object({ id: Id }),
      response: { 200: Json, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const now = deps.clock.now().toISOString();
      return {
        data: (await orderEntitlements(deps, id)).map((r) => entitlementAdminView(r, now)),
        licenses: await listOrderLicenses(deps, id),
      };
    },
  });

  app.post('/v1/entitlements/:id/resend', {
    config: { scope: 'digital:write' },
    schema: {
      tags,
      summary: 'Send the delivery e-mail again',
      params: Type.Object({ id: Id }),
      body: Type.Optional(Type.Object({ reset_downloads: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
      response: { 202: Json, ...problemResponses, 410: Problem },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { reset_downloads?: boolean };
      const result = await resendDelivery(deps, id, { resetDownloads: body.reset_downloads ?? false }, actorOf(request));
      return reply.code(202).send(result);
    },
  });

  app.post('/v1/entitlements/:id/extend', {
    config: { scope: 'digital:write' },
    schema: {
      tags,
      summary: 'Move the expiry of a download link',
      params: Type.Object({ id: Id }),
      body: Type.Object(
        {
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500, description: 'New expiry: this many days from now' })),
          expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'New expiry; null for never' }))),
        },
        { additionalProperties: false, minProperties: 1, maxProperties: 1 },
      ),
      response: { 200: Json, ...problemResponses, 410: Problem },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { days?: number; expires_at?: string | null };
      const input =
        body.expires_at !== undefined
          ? { expires_at: body.expires_at === null ? null : new Date(body.expires_at).toISOString() }
          : { days: body.days };
      return entitlementAdminView(await extendEntitlement(deps, id, input, actorOf(request)), deps.clock.now().toISOString());
    },
  });

  app.post('/v1/entitlements/:id/revoke', {
    config: { scope: 'digital:write' },
    schema: {
      tags,
      summary: 'Revoke a download link and its license keys',
      params: Type.Object({ id: Id }),
      body: Type.Optional(Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false })),
      response: { 200: Json, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const reason = ((request.body ?? {}) as { reason?: string }).reason ?? 'revoked by the merchant';
      return entitlementAdminView(await revokeEntitlement(deps, id, reason, actorOf(request)), deps.clock.now().toISOString());
    },
  });

  app.post('/v1/orders/:id/refunds', {
    config: { scope: 'orders:write' },
    schema: {
      tags: ['orders', 'digital'],
      summary: 'Record a refund: digital access to the refunded lines is withdrawn',
      description:
        'Records `order.refunded` on the timeline (no money moves: payments are outside Fulfill) and, in the same transaction, revokes the entitlements of the refunded lines (all lines without `line_ids`) and suspends their license keys.',
      params: Type.Object({ id: Id }),
      body: Type.Optional(
        Type.Object(
          { reason: Type.Optional(Reason), line_ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true })) },
          { additionalProperties: false },
        ),
      ),
      response: { 201: Json, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { reason?: string; line_ids?: string[] };
      return reply.code(201).send(await refundOrder(deps, id, body, actorOf(request)));
    },
  });

  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    app.post(`/v1/licenses/:id/${action}`, {
      config: { scope: 'digital:write' },
      schema: {
        tags,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} a license`,
        params: Type.Object({ id: Id }),
        body: Type.Optional(Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false })),
        response: { 200: Json, ...problemResponses },
      },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        return setLicenseStatus(deps, id, action, ((request.body ?? {}) as { reason?: string }).reason, actorOf(request));
      },
    });
  }

  // ------------------------------------------------------------------ the license API (the merchant's software)
  const limiter = new RateLimiter(
    positiveSetting('FULFILL_LICENSE_RATE_BURST', 30),
    positiveSetting('FULFILL_LICENSE_RATE_PER_SECOND', 10),
  );
  const rateLimit = async (request: FastifyRequest, reply: FastifyReply) => {
    const wait = limiter.take(`${request.principal?.id ?? 'anonymous'}|${request.ip}`);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return sendProblem(reply, problem('rate_limited', `too many license calls; retry in ${wait} s`, { retry_after: wait }));
    }
  };
  const licenseTags = ['digital'];
  app.post('/v1/licenses/validate', {
    config: { scope: 'licenses' },
    preHandler: rateLimit,
    schema: {
      tags: licenseTags,
      summary: 'Validate a license key (and a machine)',
      description: `Always 200 with \`valid\` and a \`code\`: ${validationCodes.join(', ')}.`,
      body: Type.Object({ key: Key, fingerprint: Type.Optional(Fingerprint) }, { additionalProperties: false }),
      response: { 200: Json, ...problemResponses, 429: Problem },
    },
    handler: async (request) => validateLicense(deps, request.body as { key: string; fingerprint?: string }),
  });
  app.post('/v1/licenses/activate', {
    config: { scope: 'licenses' },
    preHandler: rateLimit,
    schema: {
      tags: licenseTags,
      summary: 'Activate a machine on a license',
      body: Type.Object(
        { key: Key, fingerprint: Fingerprint, label: Type.Optional(Type.String({ maxLength: 200 })) },
        { additionalProperties: false },
      ),
      response: { 200: Json, 201: Json, ...problemResponses, 429: Problem },
    },
    handler: async (request, reply) => {
      const result = await activateLicense(deps, request.body as { key: string; fingerprint: string; label?: string }, actorOf(request));
      return reply.code(result.created ? 201 : 200).send(result);
    },
  });
  app.post('/v1/licenses/deactivate', {
    config: { scope: 'licenses' },
    preHandler: rateLimit,
    schema: {
      tags: licenseTags,
      summary: 'Deactivate a machine',
      body: Type.Object({ key: Key, fingerprint: Fingerprint }, { additionalProperties: false }),
      response: { 200: Json, ...problemResponses, 429: Problem },
    },
    handler: async (request) => deactivateLicense(deps, request.body as { key: string; fingerprint: string }, actorOf(request)),
  });

  // ------------------------------------------------------------------ public: the buyer's page and downloads
  app.get('/d/:token', {
    config: { public: true },
    schema: { hide: true },
    handler: async (request, reply) => {
      const { token } = request.params as { token: string };
      const row = await findEntitlementByToken(deps, token);
      if (!row) return refuse(request, reply, 'entitlement_not_found');
      const [view] = await deliveryViews(deps, [row]);
      if (!view) return refuse(request, reply, 'entitlement_not_found');
      reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex');
      if (view.status !== 'active' && wantsJson(request))
        return refuse(request, reply, view.status === 'revoked' ? 'entitlement_revoked' : 'entitlement_expired');
      if (wantsJson(request)) return reply.send(view);
      const status = view.status === 'active' ? 200 : 410;
      return reply.code(status).type('text/html; charset=utf-8').send(deliveryPage(view));
    },
  });

  app.get('/d/:token/files/:fileId', {
    config: { public: true },
    schema: { hide: true },
    handler: async (request, reply) => {
      const { token, fileId } = request.params as { token: string; fileId: string };
      const rangeHeader = request.headers.range;
      // A resumed download (a range that does not start at byte 0) continues one already counted.
      const start = /^bytes=(\d+)-/.exec(rangeHeader ?? '')?.[1];
      const rangeStart = start === undefined ? null : Number(start);
      const counted = request.method !== 'HEAD' && (rangeStart === null || rangeStart === 0);
      const outcome = await authorizeDownload(deps, { token, fileId, ip: request.ip, counted, rangeStart });
      if (!outcome.ok) return refuse(request, reply, outcome.refusal);
      const { file } = outcome.grant;
      const etag = `"${file.sha256}"`;
      const range = parseRange(rangeHeader, file.size, request.headers['if-range'] as string | undefined, etag);
      reply.header('referrer-policy', 'no-referrer');
      return sendStoredFile(request, reply, file, { range, conditional: false });
    },
  });
}
