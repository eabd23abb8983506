import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../compose.js';
import {
  canonicalScan,
  canonicalStatuses,
  easyPostSignatureHeader,
  getTracking,
  listFlagged,
  parseEasyPostEvent,
  publicTracking,
  renderNotFoundPage,
  renderTrackingPage,
  type TrackerUpdate,
  TrackingIngestQueue,
  trackingLimits,
  type UpdateOutcome,
  verifyEasyPostSignature,
} from '../../contexts/tracking/index.js';
import { limits } from '../../kernel/limits.js';
import { pickLocale } from '../../kernel/locale.js';
import { type FieldError, ProblemError, problem, validationProblem } from '../../kernel/problem.js';
import { actorOf } from '../auth.js';
import { sendProblem, unwrap } from '../errors.js';
import { Id, Nullable, problemResponses } from '../schemas/common.js';

const tags = ['tracking'];

const Status = Type.Union(canonicalStatuses.map((s) => Type.Literal(s)));
const Place = Type.Object({ city: Nullable(Type.String()), state: Nullable(Type.String()), country: Nullable(Type.String()) });
const TimelineEntry = Type.Object({
  occurred_at: Type.String(),
  status: Status,
  reason: Type.String(),
  message: Type.String(),
  location: Place,
});
const Tracking = Type.Object({
  shipment_id: Type.String(),
  order_id: Type.String(),
  carrier: Type.String(),
  carrier_name: Type.String(),
  service: Type.String(),
  tracking_numbers: Type.Array(Type.String()),
  status: Status,
  status_reason: Type.String(),
  shipped_at: Type.String(),
  expected_delivery_date: Nullable(Type.String()),
  expected_source: Nullable(Type.String()),
  last_event_at: Nullable(Type.String()),
  delivered_at: Nullable(Type.String()),
  late: Type.Boolean(),
  stuck: Type.Boolean(),
  flagged_at: Nullable(Type.String()),
  public_url: Type.String({ description: 'The public tracking page (the link in the customer e-mails)' }),
});
const TrackingWithTimeline = Type.Composite([Tracking, Type.Object({ timeline: Type.Array(TimelineEntry) })]);
const Ingested = Type.Object({
  shipment_id: Nullable(Type.String()),
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  status: Nullable(Status),
  outcome: Type.Union([Type.Literal('stored'), Type.Literal('unknown_tracking_code'), Type.Literal('ignored')]),
});
const ScanBody = Type.Object(
  {
    status: Status,
    reason: Type.Optional(Type.String({ maxLength: 48, description: 'snake_case reason, e.g. weather_delay' })),
    message: Type.Optional(Type.String({ maxLength: trackingLimits.messageLengthMax })),
    occurred_at: Type.String({ format: 'date-time' }),
    location: Type.Optional(
      Type.Object(
        {
          city: Type.Optional(Type.String({ maxLength: trackingLimits.locationPartLengthMax })),
          state: Type.Optional(Type.String({ maxLength: trackingLimits.locationPartLengthMax })),
          country: Type.Optional(Type.String({ maxLength: trackingLimits.locationPartLengthMax })),
        },
        { additionalProperties: false },
      ),
    ),
    raw_status: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: "The carrier's own status code (dedupe key part)" })),
  },
  { additionalProperties: false },
);
const EventsBody = Type.Object(
  {
    tracking_number: Type.Optional(Type.String({ minLength: 1, maxLength: trackingLimits.trackingCodeLengthMax })),
    estimated_delivery_date: Type.Optional(Type.String({ format: 'date' })),
    events: Type.Array(ScanBody, { minItems: 1, maxItems: trackingLimits.scansPerRequestMax }),
  },
  { additionalProperties: false },
);

const publicHeaders = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function outcomeBody(o: UpdateOutcome) {
  return o.kind === 'stored'
    ? { shipment_id: o.shipmentId, stored: o.stored, duplicates: o.duplicates, status: o.status, outcome: 'stored' as const }
    : { shipment_id: null, stored: 0, duplicates: 0, status: null, outcome: 'unknown_tracking_code' as const };
}

/** The EasyPost webhook lives in its own plugin: its JSON parser keeps the raw bytes, which the signature covers. */
function easyPostWebhook(app: FastifyInstance, deps: App, queue: TrackingIngestQueue): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: trackingLimits.webhookBodyBytesMax },
      (_req, body, done) => done(null, body),
    );
    scope.post('/webhooks/easypost', {
      config: { public: true },
      bodyLimit: trackingLimits.webhookBodyBytesMax,
      schema: {
        tags,
        summary: 'EasyPost tracker events (signed webhook)',
        description:
          'EasyPost posts an Event (`tracker.created` / `tracker.updated`) whose `result` is a Tracker. The `X-Hmac-Signature: hmac-sha256-hex=<hex>` header must be the HMAC-SHA256 of the raw body under `EASYPOST_WEBHOOK_SECRET`; otherwise 401 and nothing is stored. Duplicate and out-of-order scans are harmless. Other event kinds are acknowledged and ignored.',
        security: [],
        response: { 200: Ingested, ...problemResponses, 503: problemResponses[409] },
      },
      handler: async (request, reply) => {
        const secret = deps.easypostWebhookSecret;
        if (!secret) return sendProblem(reply, problem('unavailable', 'EasyPost webhooks are not configured: set EASYPOST_WEBHOOK_SECRET'));
        const raw = request.body;
        const header = request.headers[easyPostSignatureHeader];
        if (!Buffer.isBuffer(raw) || !verifyEasyPostSignature(secret, raw, Array.isArray(header) ? header[0] : header)) {
          return sendProblem(reply, problem('webhook_signature_invalid', 'the X-Hmac-Signature header does not match the body'));
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendProblem(reply, problem('malformed_json', 'the request body is not valid JSON'));
        }
        const parsed = parseEasyPostEvent(body);
        if (parsed.kind === 'invalid') throw validationProblem(parsed.errors);
        if (parsed.kind === 'ignored') return { shipment_id: null, stored: 0, duplicates: 0, status: null, outcome: 'ignored' as const };
        const [outcome] = await queue.submit([parsed.update]);
        return outcomeBody(outcome as UpdateOutcome);
      },
    });
  });
}

async function shipmentCodes(deps: App, shipmentId: string): Promise<string[] | null> {
  const row = await deps.db.read.selectFrom('shipments').select('tracking_numbers').where('id', '=', shipmentId).executeTakeFirst();
  return row ? (JSON.parse(row.tracking_numbers) as string[]).filter((c) => c !== '') : null;
}

function postedUpdate(shipmentId: string, code: string, body: Static<typeof EventsBody>, actor: string): TrackerUpdate {
  const errors: FieldError[] = [];
  const scans = body.events.flatMap((e, i) => {
    const read = canonicalScan(e, `/events/${i}`);
    errors.push(...read.errors);
    return read.scan ? [read.scan] : [];
  });
  if (errors.length > 0) throw validationProblem(errors);
  return { shipmentId, trackingCode: code, estimatedDelivery: body.estimated_delivery_date ?? null, source: 'api', actor, scans };
}

async function trackPage(deps: App, token: string, acceptLanguage: string | undefined, reply: FastifyReply) {
  const json = token.endsWith('.json');
  const view = await publicTracking(deps, json ? token.slice(0, -5) : token, acceptLanguage ?? null);
  reply.headers(publicHeaders);
  if (json) {
    if (!view) return sendProblem(reply, problem('not_found', 'no shipment has this tracking link'));
    return reply.type('application/json').send(view);
  }
  if (!view)
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(renderNotFoundPage(pickLocale(acceptLanguage ?? null)));
  return reply.type('text/html; charset=utf-8').header('content-language', view.locale).send(renderTrackingPage(view));
}

export function trackingRoutes(app: FastifyInstance, deps: App): void {
  const queue = new TrackingIngestQueue(deps);
  app.addHook('onClose', async () => queue.settled());
  easyPostWebhook(app, deps, queue);

  app.post('/v1/shipments/:id/tracking-events', {
    config: { scope: 'tracking:write' },
    schema: {
      tags,
      summary: 'Post carrier scans for a shipment in canonical form',
      description:
        "For carriers and integrations that are not EasyPost. `tracking_number` defaults to the shipment's first one. A scan is a duplicate when (tracking number, occurred_at, raw_status — the status when not given) was stored before: it is skipped. The status never moves backwards: a late scan is kept in the timeline only.",
      params: Type.Object({ id: Id }),
      body: EventsBody,
      response: { 200: Ingested, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as Static<typeof EventsBody>;
      const codes = await shipmentCodes(deps, id);
      if (codes === null) throw new ProblemError('not_found', `no shipment ${id}`);
      const code = body.tracking_number ?? codes[0];
      if (code === undefined || !codes.includes(code)) {
        throw new ProblemError('unknown_tracking_code', `shipment ${id} has no tracking number ${body.tracking_number ?? ''}`.trim(), {
          errors: [{ pointer: '/tracking_number', detail: 'not a tracking number of this shipment' }],
        });
      }
      const [outcome] = await queue.submit([postedUpdate(id, code, body, actorOf(request))]);
      return outcomeBody(outcome as UpdateOutcome);
    },
  });

  app.get('/v1/shipments/:id/tracking', {
    config: { scope: 'tracking:read' },
    schema: {
      tags,
      summary: "A shipment's tracking status, expected delivery, flags and timeline (true order)",
      params: Type.Object({ id: Id }),
      response: { 200: TrackingWithTimeline, ...problemResponses },
    },
    handler: async (request) => unwrap(await getTracking(deps, (request.params as { id: string }).id)),
  });

  app.get('/v1/tracking/exceptions', {
    config: { scope: 'tracking:read' },
    schema: {
      tags,
      summary: 'Open shipments flagged late or stuck',
      description:
        'Late: the expected delivery day has passed. Stuck: no scan for TRACKING_STUCK_HOURS. Delivered, returned and cancelled shipments leave the list.',
      querystring: Type.Object(
        {
          flag: Type.Optional(Type.Union([Type.Literal('late'), Type.Literal('stuck')])),
          cursor: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageSizeMax })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ data: Type.Array(Tracking), next_cursor: Nullable(Type.String()) }), ...problemResponses },
    },
    handler: async (request) => {
      const q = request.query as { flag?: 'late' | 'stuck'; cursor?: string; limit?: number };
      return listFlagged(deps, { flag: q.flag, cursor: q.cursor, limit: q.limit ?? limits.pageSizeDefault });
    },
  });

  app.get('/track/:token', {
    config: { public: true },
    schema: {
      tags,
      summary: 'Public tracking page (HTML; append .json for JSON)',
      description:
        "The link in every shipment e-mail. Shows status, timeline, expected date, carrier and tracking number, and the destination city only: no name, e-mail, phone, street or postal code. In the customer's language unless Accept-Language asks for another. An unknown or forged token gives the same 404.",
      security: [],
      params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
    },
    handler: async (request, reply) =>
      trackPage(deps, (request.params as { token: string }).token, request.headers['accept-language'], reply),
  });

  app.get('/v1/public/track/:token', {
    config: { public: true },
    schema: {
      tags,
      summary: 'Public tracking as JSON (for a storefront)',
      security: [],
      params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
    },
    handler: async (request, reply) =>
      trackPage(deps, `${(request.params as { token: string }).token}.json`, request.headers['accept-language'], reply),
  });
}
