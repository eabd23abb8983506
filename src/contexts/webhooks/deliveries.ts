import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { WebhookAttemptTable } from '../../storage/schema-webhooks.js';
import type { PlatformDeps } from '../deps.js';
import { enqueueJobs, replayJob } from '../outbox/index.js';
import { webhookLimits } from './config.js';
import { testEventType } from './domain/event-types.js';
import { deliveryKey, type WebhookJobPayload, type WebhookMessage, webhookJobKind } from './subscriber.js';

export interface AttemptView {
  readonly id: string;
  readonly delivery_id: string;
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly attempt: number;
  readonly outcome: string;
  readonly requested_at: string;
  readonly response_status: number | null;
  readonly duration_ms: number;
  readonly response_body: string | null;
  readonly error: string | null;
  readonly created_at: string;
}

export interface DeliveryView {
  /** The job id: sent as `webhook-id` on every attempt and replay. */
  readonly id: string;
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly status: 'pending' | 'running' | 'succeeded' | 'dead';
  readonly attempts: number;
  readonly max_attempts: number;
  readonly next_attempt_at: string | null;
  readonly last_error: string | null;
  readonly message: WebhookMessage;
  readonly created_at: string;
  readonly updated_at: string;
  readonly completed_at: string | null;
  readonly attempt_log: readonly AttemptView[];
}

const toAttemptView = (row: WebhookAttemptTable): AttemptView => ({
  id: row.id,
  delivery_id: row.job_id,
  endpoint_id: row.endpoint_id,
  event_id: row.event_id,
  event_type: row.event_type,
  attempt: Number(row.attempt),
  outcome: row.outcome,
  requested_at: row.requested_at,
  response_status: row.response_status === null ? null : Number(row.response_status),
  duration_ms: Number(row.duration_ms),
  response_body: row.response_body,
  error: row.error,
  created_at: row.created_at,
});

async function endpointExists(deps: PlatformDeps, id: string): Promise<{ status: string } | undefined> {
  return deps.db.read.selectFrom('webhook_endpoints').select('status').where('id', '=', id).executeTakeFirst();
}

/** The endpoint's delivery log: every attempt, newest first. */
export async function listAttempts(
  deps: PlatformDeps,
  endpointId: string,
  query: {
    outcome?: 'succeeded' | 'retry' | 'failed' | undefined;
    event_type?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<Result<Page<AttemptView>>> {
  if (!(await endpointExists(deps, endpointId))) return fail('not_found', `no webhook endpoint ${endpointId}`);
  const size = pageSize(query.limit);
  const before = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(size + 1);
  if (query.outcome) q = q.where('outcome', '=', query.outcome);
  if (query.event_type) q = q.where('event_type', '=', query.event_type);
  if (before !== undefined) q = q.where('id', '<', before);
  return ok(toPage(await q.execute(), size, (r) => r.id, toAttemptView));
}

export async function getDelivery(deps: PlatformDeps, jobId: string): Promise<Result<DeliveryView>> {
  const job = await deps.db.read
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', jobId)
    .where('kind', '=', webhookJobKind)
    .executeTakeFirst();
  if (!job) return fail('not_found', `no webhook delivery ${jobId}`);
  const payload = JSON.parse(job.payload) as WebhookJobPayload;
  const attempts = await deps.db.read.selectFrom('webhook_attempts').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
  const done = job.status === 'succeeded' || job.status === 'dead';
  return ok({
    id: job.id,
    endpoint_id: payload.endpoint_id,
    event_id: payload.event_id,
    event_type: payload.event_type,
    status: job.status,
    attempts: Number(job.attempts),
    max_attempts: Number(job.max_attempts),
    next_attempt_at: done ? null : job.next_attempt_at,
    last_error: job.last_error,
    message: payload.message,
    created_at: job.created_at,
    updated_at: job.updated_at,
    completed_at: job.completed_at,
    attempt_log: attempts.map(toAttemptView),
  });
}

/** Sends a finished delivery once more, with the same `webhook-id`. */
export async function replayDelivery(deps: PlatformDeps, jobId: string): Promise<Result<DeliveryView>> {
  const job = await deps.db.read
    .selectFrom('jobs')
    .select(['status', 'subject_id'])
    .where('id', '=', jobId)
    .where('kind', '=', webhookJobKind)
    .executeTakeFirst();
  if (!job) return fail('not_found', `no webhook delivery ${jobId}`);
  const endpoint = await endpointExists(deps, job.subject_id ?? '');
  if (!endpoint) return fail('not_found', `the endpoint of delivery ${jobId} was deleted`);
  if (endpoint.status !== 'enabled')
    return fail('webhook_endpoint_disabled', `enable endpoint ${job.subject_id} first (PATCH status "enabled")`);
  const replayed = await deps.db.transaction((tx) => replayJob(tx, deps, jobId));
  if (!replayed) return fail('delivery_in_progress', `delivery ${jobId} is ${job.status}: it will be attempted again on its own`);
  return getDelivery(deps, jobId);
}

/** Replays the endpoint's dead deliveries created in [since, until): after an outage, or after re-enabling it. */
export async function replayEndpoint(
  deps: PlatformDeps,
  endpointId: string,
  period: { since: string; until?: string | undefined },
): Promise<Result<{ replayed: number; delivery_ids: string[]; more: boolean }>> {
  const endpoint = await endpointExists(deps, endpointId);
  if (!endpoint) return fail('not_found', `no webhook endpoint ${endpointId}`);
  if (endpoint.status !== 'enabled')
    return fail('webhook_endpoint_disabled', `enable endpoint ${endpointId} first (PATCH status "enabled")`);
  const since = new Date(period.since).toISOString();
  return deps.db.transaction(async (tx) => {
    let q = tx
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', webhookJobKind)
      .where('subject_id', '=', endpointId)
      .where('status', '=', 'dead')
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .orderBy('id')
      .limit(webhookLimits.replayJobsMax + 1);
    if (period.until) q = q.where('created_at', '<', new Date(period.until).toISOString());
    const rows = await q.execute();
    const ids = rows.slice(0, webhookLimits.replayJobsMax).map((r) => r.id);
    for (const id of ids) await replayJob(tx, deps, id);
    return ok({ replayed: ids.length, delivery_ids: ids, more: rows.length > ids.length });
  });
}

/** Queues a `webhook.test` ping to the endpoint (one attempt, logged like any delivery). */
export async function sendTestEvent(deps: PlatformDeps, endpointId: string, actor: string): Promise<Result<{ delivery_id: string }>> {
  const endpoint = await endpointExists(deps, endpointId);
  if (!endpoint) return fail('not_found', `no webhook endpoint ${endpointId}`);
  if (endpoint.status !== 'enabled')
    return fail('webhook_endpoint_disabled', `enable endpoint ${endpointId} first (PATCH status "enabled")`);
  const eventId = deps.ids.next('event');
  const now = deps.clock.now().toISOString();
  const payload: WebhookJobPayload = {
    endpoint_id: endpointId,
    event_id: eventId,
    event_type: testEventType,
    message: { type: testEventType, timestamp: now, data: { id: eventId, endpoint_id: endpointId, requested_by: actor } },
    test: true,
  };
  const key = deliveryKey(endpointId, eventId);
  return deps.db.transaction(async (tx) => {
    await enqueueJobs(tx, deps, [
      {
        kind: webhookJobKind,
        dedupeKey: key,
        payload: payload as unknown as Record<string, unknown>,
        maxAttempts: 1,
        subjectId: endpointId,
      },
    ]);
    const job = await tx.selectFrom('jobs').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow();
    return ok({ delivery_id: job.id });
  });
}
