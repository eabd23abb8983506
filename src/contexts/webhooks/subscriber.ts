import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import type { EventSubscriber, NewJob, OutboxEvent } from '../outbox/index.js';
import { enqueueJobs } from '../outbox/index.js';
import { webhookAttemptsMax } from './config.js';
import { isPublishedEventType, subscribes } from './domain/event-types.js';

export const webhookJobKind = 'webhook';

/** The Standard Webhooks message: what the receiver gets as the body. */
export interface WebhookMessage {
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

/** A delivery job's payload. The URL and secret are read when it runs, so an edit or a rotation applies to retries. */
export interface WebhookJobPayload {
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly message: WebhookMessage;
  /** A `webhook.test` ping: logged, but it does not change the endpoint's health. */
  readonly test?: boolean;
}

export const deliveryKey = (endpointId: string, eventId: string): string => `webhook:${endpointId}:${eventId}`;

export function messageOf(event: OutboxEvent): WebhookMessage {
  return {
    type: event.type,
    timestamp: event.createdAt,
    data: {
      ...event.data,
      id: event.id,
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      sequence: event.aggregateSeq,
    },
  };
}

/**
 * One delivery job per (enabled endpoint subscribed to the type, published event). Endpoints are read once
 * per routed batch; an endpoint only gets the events that happened after it was created.
 */
export const webhookSubscriber: EventSubscriber = {
  name: 'webhooks',
  types: '*',
  async handle(tx: Tx, events: readonly OutboxEvent[], deps: Deps): Promise<void> {
    const published = events.filter((e) => isPublishedEventType(e.type));
    if (published.length === 0) return;
    const endpoints = (
      await tx.selectFrom('webhook_endpoints').select(['id', 'event_types', 'created_at']).where('status', '=', 'enabled').execute()
    ).map((row) => ({ id: row.id, createdAt: row.created_at, types: JSON.parse(row.event_types) as string[] }));
    if (endpoints.length === 0) return;
    const jobs: NewJob[] = [];
    for (const event of published) {
      for (const endpoint of endpoints) {
        if (endpoint.createdAt > event.createdAt || !subscribes(endpoint.types, event.type)) continue;
        const payload: WebhookJobPayload = {
          endpoint_id: endpoint.id,
          event_id: event.id,
          event_type: event.type,
          message: messageOf(event),
        };
        jobs.push({
          kind: webhookJobKind,
          dedupeKey: deliveryKey(endpoint.id, event.id),
          payload: payload as unknown as Record<string, unknown>,
          maxAttempts: webhookAttemptsMax,
          subjectId: endpoint.id,
        });
      }
    }
    await enqueueJobs(tx, deps, jobs);
  },
};
