import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { appendEvents } from '../../src/contexts/messaging/index.js';
import type { TestApp } from '../support/harness.js';
import type { Json } from '../support/problems.js';

/** What a test receiver got: the Standard Webhooks headers, the raw body, and whether the official library verified it. */
export interface Received {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  readonly json: Json;
  readonly verified: boolean;
  readonly verifyError: string | null;
  readonly path: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** `hang`: never answer (the sender must time out). */
export type Responder = (request: Received, n: number) => Reply | 'hang';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The endpoint's secret: set it after creating the endpoint so every request is verified. */
  secret: string | null;
  respond: Responder;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that verifies every request with the `standardwebhooks` library. */
export async function startReceiver(respond: Responder = () => ({ status: 204 })): Promise<Receiver> {
  const hanging: http.ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    secret: null,
    respond,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      let verified = false;
      let verifyError: string | null = 'no secret set';
      if (receiver.secret) {
        try {
          new Webhook(receiver.secret).verify(body, {
            'webhook-id': header('webhook-id'),
            'webhook-timestamp': header('webhook-timestamp'),
            'webhook-signature': header('webhook-signature'),
          });
          verified = true;
          verifyError = null;
        } catch (error) {
          verifyError = String(error);
        }
      }
      const received: Received = {
        id: header('webhook-id'),
        timestamp: header('webhook-timestamp'),
        signature: header('webhook-signature'),
        body,
        json: JSON.parse(body || 'null') as Json,
        verified,
        verifyError,
        path: req.url ?? '',
      };
      receiver.received.push(received);
      const reply = receiver.respond(received, receiver.received.length);
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...(reply.headers ?? {}) });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (receiver as { url: string }).url = `http://127.0.0.1:${port}/hooks`;
  return receiver;
}

/**
 * Verifies a request a receiver got with the official `standardwebhooks` library under `secret`, as a receiver
 * holding only that secret would: null when it verifies, else the library's error.
 */
export function verifyWith(secret: string, request: Received): string | null {
  try {
    new Webhook(secret).verify(request.body, {
      'webhook-id': request.id,
      'webhook-timestamp': request.timestamp,
      'webhook-signature': request.signature,
    });
    return null;
  } catch (error) {
    return String(error);
  }
}

/** Creates an endpoint through the API (201 expected) and gives the receiver its secret. */
export async function createEndpoint(t: TestApp, receiver: Receiver, eventTypes: string[] = ['*'], url = receiver.url): Promise<Json> {
  const res = await t.post('/v1/webhooks/endpoints', { url, event_types: eventTypes, description: 'test receiver' });
  assert.equal(res.statusCode, 201, res.body);
  const endpoint = res.json();
  assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.secret = endpoint.secret;
  return endpoint;
}

/** Appends published events straight to the outbox, as the business code does in its transactions. */
export async function appendOrderEvents(t: TestApp, count: number, type = 'order.created'): Promise<string[]> {
  const now = t.app.clock.now().toISOString();
  const events = Array.from({ length: count }, (_, i) => {
    const orderId = t.app.ids.next('order');
    return {
      id: t.app.ids.next('event'),
      type,
      aggregateType: 'order' as const,
      aggregateId: orderId,
      aggregateSeq: 1,
      orderId,
      actor: 'test',
      data: { order_id: orderId, n: i },
      createdAt: now,
    };
  });
  await t.app.db.transaction((tx) => appendEvents(tx, events));
  return events.map((e) => e.id);
}

export async function deliveryLog(t: TestApp, endpointId: string): Promise<Json[]> {
  const res = await t.get(`/v1/webhooks/endpoints/${endpointId}/deliveries?limit=500`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data;
}

export async function deleteEndpoint(t: TestApp, id: string): Promise<void> {
  const res = await t.request({ method: 'DELETE', url: `/v1/webhooks/endpoints/${id}` });
  assert.equal(res.statusCode, 204, res.body);
}
