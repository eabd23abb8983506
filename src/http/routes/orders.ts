import { createHash } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../compose.js';
import {
  cancelOrder,
  type FulfillmentOrderListQuery,
  fulfillmentOrderStatuses,
  getFulfillmentOrder,
  getOrder,
  type IntakeOutcome,
  listFulfillmentOrders,
  listOrderEvents,
  listOrders,
  type OrderInput,
  type OrderListQuery as OrderListQueryType,
  placeHold,
  releaseHold,
} from '../../contexts/orders/index.js';
import { limits } from '../../kernel/limits.js';
import { ProblemError, problem } from '../../kernel/problem.js';
import { actorOf } from '../auth.js';
import { problemContentType, unwrap } from '../errors.js';
import { Id, PageQuery, page, problemResponses } from '../schemas/common.js';
import {
  BatchResult,
  CancelBody,
  Event,
  FulfillmentOrder,
  HoldBody,
  Order,
  OrderBatch,
  OrderCreate,
  OrderListQuery,
} from '../schemas/orders.js';

const tags = ['orders'];
const idempotencyKeyPattern = /^[\x21-\x7e]+$/;

/** The Idempotency-Key header, checked: printable ASCII, at most `idempotencyKeyLengthMax` characters. */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > limits.idempotencyKeyLengthMax || !idempotencyKeyPattern.test(key)) {
    throw new ProblemError('validation_failed', 'Idempotency-Key must be 1 to 255 printable ASCII characters', {
      errors: [{ pointer: '/headers/idempotency-key', detail: 'invalid' }],
    });
  }
  return key;
}

function sendOutcome(reply: FastifyReply, outcome: IntakeOutcome): FastifyReply {
  switch (outcome.kind) {
    case 'created':
      return reply.code(201).header('location', `/v1/orders/${outcome.orderId}`).type('application/json').send(outcome.body);
    case 'replayed':
      return reply
        .code(outcome.statusCode)
        .header('idempotent-replayed', 'true')
        .header('location', `/v1/orders/${(JSON.parse(outcome.body) as { id: string }).id}`)
        .type('application/json')
        .send(outcome.body);
    case 'failed': {
      const p = problem(outcome.failure.code, outcome.failure.detail, outcome.failure.extra ?? {});
      return reply
        .code(p.status)
        .type(problemContentType)
        .send(JSON.stringify({ ...p, instance: reply.request.url }));
    }
  }
}

export function orderRoutes(app: FastifyInstance, deps: App): void {
  app.post('/v1/orders', {
    config: { scope: 'orders:write' },
    schema: {
      tags,
      summary: 'Place an order',
      description:
        'Sources every line to locations and reserves stock in one transaction. Send an Idempotency-Key header: a replay returns the stored response (with Idempotent-Replayed: true), the same key with another body is 422, a concurrent duplicate is 409. The same channel and external_id never make two orders (409 order_exists).',
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: limits.idempotencyKeyLengthMax })) }),
      body: OrderCreate,
      response: { 201: Order, ...problemResponses },
    },
    handler: async (request, reply) => {
      const key = idempotencyKey(request);
      const actor = actorOf(request);
      const fingerprint = key
        ? createHash('sha256')
            .update(`POST /v1/orders\n${JSON.stringify(request.body)}`)
            .digest('hex')
        : '';
      const outcome = await deps.intake.submit({
        input: request.body as OrderInput,
        actor,
        idempotency: key ? { principal: actor, key, fingerprint } : undefined,
      });
      return sendOutcome(reply, outcome);
    },
  });

  app.post('/v1/orders/batch', {
    config: { scope: 'orders:write' },
    bodyLimit: limits.batchBodyBytesMax,
    schema: {
      tags,
      summary: `Place up to ${limits.batchOrdersMax} orders in one request`,
      description:
        'The body is validated as a whole first (a malformed order makes the request 400, with pointers such as /orders/3/lines/0/quantity). Then each order is decided on its own: the response lists, in request order, the created order or the problem, and the response is sent once every created order has committed. Orders whose channel and external_id already exist are reported as 409 order_exists with their id, so a retried batch is safe.',
      body: OrderBatch,
      response: { 200: BatchResult, ...problemResponses },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const orders = (request.body as Static<typeof OrderBatch>).orders as OrderInput[];
      // Through the intake queue: the batch is group-committed like single orders, with the same retry rules.
      const outcomes = await Promise.all(orders.map((input) => deps.intake.submit({ input, actor })));
      let created = 0;
      const results = outcomes.map((o, index) => {
        if (o.kind === 'failed') {
          const p = problem(o.failure.code, o.failure.detail, o.failure.extra ?? {});
          return { index, status: p.status, problem: p };
        }
        created += 1;
        return { index, status: 201, order: JSON.parse(o.body) };
      });
      return { results, created, rejected: results.length - created };
    },
  });

  app.get('/v1/orders', {
    config: { scope: 'orders:read' },
    schema: {
      tags,
      summary: 'List orders, newest first',
      querystring: OrderListQuery,
      response: { 200: page(Order), ...problemResponses },
    },
    handler: async (request) => listOrders(deps, request.query as OrderListQueryType),
  });
  app.get('/v1/orders/:id', {
    config: { scope: 'orders:read' },
    schema: { tags, summary: 'Get an order', params: Type.Object({ id: Id }), response: { 200: Order, ...problemResponses } },
    handler: async (request) => unwrap(await getOrder(deps, (request.params as { id: string }).id)),
  });
  app.get('/v1/orders/:id/events', {
    config: { scope: 'orders:read' },
    schema: {
      tags,
      summary: 'The order timeline: every change, who made it and when',
      params: Type.Object({ id: Id }),
      querystring: Type.Object(PageQuery),
      response: { 200: page(Event), ...problemResponses },
    },
    handler: async (request) =>
      unwrap(await listOrderEvents(deps, (request.params as { id: string }).id, request.query as { cursor?: string; limit?: number })),
  });
  app.post('/v1/orders/:id/cancel', {
    config: { scope: 'orders:write' },
    schema: {
      tags,
      summary: 'Cancel an order or some line quantities; reservations are released',
      params: Type.Object({ id: Id }),
      body: Type.Optional(CancelBody),
      response: { 200: Order, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(
        await cancelOrder(deps, (request.params as { id: string }).id, (request.body as Static<typeof CancelBody>) ?? {}, actorOf(request)),
      ),
  });
  app.post('/v1/orders/:id/holds', {
    config: { scope: 'orders:write' },
    schema: {
      tags,
      summary: 'Place a hold on an order or one fulfillment order',
      params: Type.Object({ id: Id }),
      body: HoldBody,
      response: { 201: Order, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply
        .code(201)
        .send(
          unwrap(await placeHold(deps, (request.params as { id: string }).id, request.body as Static<typeof HoldBody>, actorOf(request))),
        ),
  });
  app.delete('/v1/orders/:id/holds/:hold_id', {
    config: { scope: 'orders:write' },
    schema: {
      tags,
      summary: 'Release a hold',
      params: Type.Object({ id: Id, hold_id: Id }),
      response: { 200: Order, ...problemResponses },
    },
    handler: async (request) => {
      const { id, hold_id } = request.params as { id: string; hold_id: string };
      return unwrap(await releaseHold(deps, id, hold_id, actorOf(request)));
    },
  });

  app.get('/v1/fulfillment-orders', {
    config: { scope: 'orders:read' },
    schema: {
      tags,
      summary: 'List fulfillment orders, oldest first',
      querystring: Type.Object({
        location: Type.Optional(Type.String({ maxLength: 32 })),
        status: Type.Optional(Type.Union(fulfillmentOrderStatuses.map((s) => Type.Literal(s)))),
        path: Type.Optional(Type.Union([Type.Literal('physical'), Type.Literal('digital'), Type.Literal('service')])),
        ...PageQuery,
      }),
      response: { 200: page(FulfillmentOrder), ...problemResponses },
    },
    handler: async (request) => unwrap(await listFulfillmentOrders(deps, request.query as FulfillmentOrderListQuery)),
  });
  app.get('/v1/fulfillment-orders/:id', {
    config: { scope: 'orders:read' },
    schema: {
      tags,
      summary: 'Get a fulfillment order',
      params: Type.Object({ id: Id }),
      response: { 200: FulfillmentOrder, ...problemResponses },
    },
    handler: async (request) => unwrap(await getFulfillmentOrder(deps, (request.params as { id: string }).id)),
  });
}
