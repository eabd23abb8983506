import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listAttempts,
  listEndpoints,
  replayDelivery,
  replayEndpoint,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  webhookEventTypes,
} from '../../contexts/webhooks/index.js';
import { actorOf } from '../auth.js';
import { unwrap } from '../errors.js';
import { Id, PageQuery, page, problemResponses } from '../schemas/common.js';
import {
  Attempt,
  Delivery,
  Endpoint,
  EndpointCreate,
  EndpointPatch,
  EndpointWithSecret,
  EventTypeInfo,
  ReplayPeriod,
  ReplayResult,
  RotateSecret,
} from '../schemas/webhooks.js';

const tags = ['webhooks'];
const ById = Type.Object({ id: Id });
const ByJob = Type.Object({ jobId: Id });
const idOf = (params: unknown): string => (params as { id: string }).id;

export function webhooksRoutes(app: FastifyInstance, deps: App): void {
  app.get('/v1/webhooks/event-types', {
    config: { scope: 'webhooks:read' },
    schema: {
      tags,
      summary: 'The event types an endpoint can subscribe to',
      response: { 200: Type.Object({ data: Type.Array(EventTypeInfo) }), ...problemResponses },
    },
    handler: async () => ({ data: webhookEventTypes }),
  });

  app.post('/v1/webhooks/endpoints', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Register a webhook endpoint',
      description:
        'Deliveries follow Standard Webhooks: headers webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 with the secret). The secret is in this response only. The endpoint receives the events that happen after it was created.',
      body: EndpointCreate,
      response: { 201: EndpointWithSecret, ...problemResponses },
    },
    handler: async (request, reply) => {
      const created = unwrap(await createEndpoint(deps, request.body as Static<typeof EndpointCreate>));
      return reply.code(201).header('location', `/v1/webhooks/endpoints/${created.id}`).send(created);
    },
  });

  app.get('/v1/webhooks/endpoints', {
    config: { scope: 'webhooks:read' },
    schema: {
      tags,
      summary: 'List webhook endpoints (disabled ones say why)',
      querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])), ...PageQuery }),
      response: { 200: page(Endpoint), ...problemResponses },
    },
    handler: async (request) => listEndpoints(deps, request.query as Parameters<typeof listEndpoints>[1]),
  });

  app.get('/v1/webhooks/endpoints/:id', {
    config: { scope: 'webhooks:read' },
    schema: { tags, summary: 'Get a webhook endpoint', params: ById, response: { 200: Endpoint, ...problemResponses } },
    handler: async (request) => unwrap(await getEndpoint(deps, idOf(request.params))),
  });

  app.patch('/v1/webhooks/endpoints/:id', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Change an endpoint; {"status":"enabled"} re-enables a disabled one',
      description:
        'Re-enabling clears the failure streak. Deliveries that died while it was disabled are not resent by themselves: replay them with POST /v1/webhooks/endpoints/:id/replay.',
      params: ById,
      body: EndpointPatch,
      response: { 200: Endpoint, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(await updateEndpoint(deps, idOf(request.params), request.body as Static<typeof EndpointPatch>, actorOf(request))),
  });

  app.delete('/v1/webhooks/endpoints/:id', {
    config: { scope: 'webhooks:write' },
    schema: { tags, summary: 'Delete an endpoint and its delivery log', params: ById, response: { 204: Type.Null(), ...problemResponses } },
    handler: async (request, reply) => {
      unwrap(await deleteEndpoint(deps, idOf(request.params)));
      return reply.code(204).send();
    },
  });

  app.post('/v1/webhooks/endpoints/:id/rotate-secret', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Replace the signing secret, keeping the old one valid for an overlap (default 24 h)',
      description:
        'The new secret is in this response only. Until previous_secret_expires_at every attempt carries two signatures, webhook-signature: "v1,<new> v1,<old>", so receivers holding either secret verify it; then only the new one. The body is optional; {"expire_previous_in_hours":0} drops the old secret at once.',
      params: ById,
      body: Type.Optional(RotateSecret),
      response: { 200: EndpointWithSecret, ...problemResponses },
    },
    // The body is optional: no body at all means {} (the defaults; see the preValidation hook in app.ts).
    handler: async (request) =>
      unwrap(await rotateSecret(deps, idOf(request.params), (request.body as Static<typeof RotateSecret> | undefined) ?? {})),
  });

  app.post('/v1/webhooks/endpoints/:id/test', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Send a webhook.test ping (one attempt, in the delivery log)',
      params: ById,
      response: { 202: Type.Object({ delivery_id: Type.String() }), ...problemResponses },
    },
    handler: async (request, reply) => {
      const queued = unwrap(await sendTestEvent(deps, idOf(request.params), actorOf(request)));
      deps.dispatcher.notify();
      return reply.code(202).header('location', `/v1/webhooks/deliveries/${queued.delivery_id}`).send(queued);
    },
  });

  app.post('/v1/webhooks/endpoints/:id/replay', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Replay the dead deliveries of a period',
      description: 'Each replayed delivery gets one more attempt with its original webhook-id, so receivers can deduplicate.',
      params: ById,
      body: ReplayPeriod,
      response: { 200: ReplayResult, ...problemResponses },
    },
    handler: async (request) => {
      const result = unwrap(await replayEndpoint(deps, idOf(request.params), request.body as Static<typeof ReplayPeriod>));
      deps.dispatcher.notify();
      return result;
    },
  });

  app.get('/v1/webhooks/endpoints/:id/deliveries', {
    config: { scope: 'webhooks:read' },
    schema: {
      tags,
      summary: "The endpoint's delivery log: every attempt, newest first",
      params: ById,
      querystring: Type.Object({
        outcome: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('retry'), Type.Literal('failed')])),
        event_type: Type.Optional(Type.String({ maxLength: 100 })),
        ...PageQuery,
      }),
      response: { 200: page(Attempt), ...problemResponses },
    },
    handler: async (request) => unwrap(await listAttempts(deps, idOf(request.params), request.query as Parameters<typeof listAttempts>[2])),
  });

  app.get('/v1/webhooks/deliveries/:jobId', {
    config: { scope: 'webhooks:read' },
    schema: {
      tags,
      summary: 'A delivery: its state, message and every attempt',
      params: ByJob,
      response: { 200: Delivery, ...problemResponses },
    },
    handler: async (request) => unwrap(await getDelivery(deps, (request.params as { jobId: string }).jobId)),
  });

  app.post('/v1/webhooks/deliveries/:jobId/replay', {
    config: { scope: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Send a finished delivery again, with the same webhook-id',
      params: ByJob,
      response: { 202: Delivery, ...problemResponses },
    },
    handler: async (request, reply) => {
      const delivery = unwrap(await replayDelivery(deps, (request.params as { jobId: string }).jobId));
      deps.dispatcher.notify();
      return reply.code(202).send(delivery);
    },
  });
}
