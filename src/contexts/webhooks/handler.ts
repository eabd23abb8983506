import type { Clock } from '../../kernel/clock.js';
import { chunkRows, type Tx } from '../../storage/index.js';
import type { Deps, PlatformDeps } from '../deps.js';
import type { ClaimedJob, JobHandler, JobOutcome, RecordedOutcome } from '../outbox/index.js';
import { type WebhookConfig, webhookLimits, webhookRetryScheduleMs } from './config.js';
import { testEventType } from './domain/event-types.js';
import { secretKey, signWebhook } from './domain/signature.js';
import { disableEndpoint } from './endpoints.js';
import { DeliveryRefused, postJson } from './http-client.js';
import { openSecret } from './secret-box.js';
import { type WebhookJobPayload, webhookJobKind } from './subscriber.js';

/** What one attempt left in `jobs.result`, and what the delivery log records. */
export interface AttemptResult {
  /** Whether a request went out (false: refused by the SSRF guard, endpoint disabled or deleted). */
  readonly sent: boolean;
  readonly requested_at: string;
  readonly response_status: number | null;
  readonly response_body: string | null;
  readonly error: string | null;
  /** The receiver answered 410 Gone: the endpoint is disabled at once. */
  readonly gone?: boolean;
  /** The endpoint was in a failure streak when the attempt began (a success then ends it). */
  readonly failing?: boolean;
  /** The endpoint no longer exists: nothing to log against. */
  readonly deleted?: boolean;
}

interface LoadedEndpoint {
  readonly url: URL;
  readonly key: Buffer;
  /** The key of the secret before the last rotation, and when it stops signing (ms, app clock); null outside an overlap. */
  readonly previous: { readonly key: Buffer; readonly expiresAt: number } | null;
  readonly status: 'enabled' | 'disabled';
  readonly failing: boolean;
}

/**
 * Loads the endpoints of one round of jobs in one query: the runner starts every job's `run` in the same
 * tick, so the first `load` schedules a microtask that fetches all the ids asked for by then.
 */
class EndpointLoader {
  #waiting: Map<string, ((e: LoadedEndpoint | null | Error) => void)[]> | null = null;
  constructor(private readonly deps: PlatformDeps) {}

  load(id: string): Promise<LoadedEndpoint | null> {
    return new Promise((resolve, reject) => {
      if (this.#waiting === null) {
        this.#waiting = new Map();
        queueMicrotask(() => void this.#flush());
      }
      const list = this.#waiting.get(id) ?? [];
      list.push((e) => (e instanceof Error ? reject(e) : resolve(e)));
      this.#waiting.set(id, list);
    });
  }

  async #flush(): Promise<void> {
    const waiting = this.#waiting as Map<string, ((e: LoadedEndpoint | null | Error) => void)[]>;
    this.#waiting = null;
    try {
      const rows = await this.deps.db.read
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'secret', 'previous_secret', 'previous_secret_expires_at', 'status', 'failing_since'])
        .where('id', 'in', [...waiting.keys()])
        .execute();
      const found = new Map(rows.map((r) => [r.id, r]));
      for (const [id, callbacks] of waiting) {
        const row = found.get(id);
        let value: LoadedEndpoint | null | Error = null;
        try {
          if (row) {
            const key = secretKey(openSecret(this.deps.secret, id, row.secret));
            const previous =
              row.previous_secret !== null && row.previous_secret_expires_at !== null
                ? {
                    key: secretKey(openSecret(this.deps.secret, id, row.previous_secret)),
                    expiresAt: Date.parse(row.previous_secret_expires_at),
                  }
                : null;
            value = { url: new URL(row.url), key, previous, status: row.status, failing: row.failing_since !== null };
          }
        } catch (error) {
          value = error instanceof Error ? error : new Error(String(error));
        }
        for (const callback of callbacks) callback(value);
      }
    } catch (error) {
      for (const callbacks of waiting.values())
        for (const callback of callbacks) callback(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 section 10.2.3), in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: Date): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const ms = /^\d{1,10}$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now.getTime();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), webhookLimits.retryAfterMsMax);
}

const notSent = (error: string, at: string): JobOutcome => {
  const result: AttemptResult = { sent: false, requested_at: at, response_status: null, response_body: null, error };
  return { status: 'failed', error, result: { ...result } };
};

function outcomeOf(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  excerpt: string,
  at: string,
  now: Date,
): JobOutcome {
  const base = { sent: true, requested_at: at, response_status: status, response_body: excerpt || null };
  if (status >= 200 && status < 300) return { status: 'succeeded', result: { ...base, error: null } };
  const error =
    status >= 300 && status < 400
      ? `HTTP ${status}: redirects are not followed (location: ${String(headers.location ?? '').slice(0, 200)})`
      : `HTTP ${status}`;
  if (status === 410) return { status: 'failed', error: 'HTTP 410 Gone', result: { ...base, error: 'HTTP 410 Gone', gone: true } };
  const after = status === 429 || status === 503 ? retryAfterMs(headers['retry-after'], now) : undefined;
  return { status: 'retry', error, ...(after !== undefined ? { retryAfterMs: after } : {}), result: { ...base, error } };
}

/**
 * The `webhook-signature` header: `v1,<new>`, or during a rotation's overlap `v1,<new> v1,<old>` (Standard
 * Webhooks allows several space-separated signatures; a receiver accepts the request when one matches).
 * Whether the overlap is over is read on the app clock, like every other deadline.
 */
function signatureHeader(endpoint: LoadedEndpoint, id: string, timestamp: number, body: string, appNow: Date): string {
  const current = signWebhook(endpoint.key, id, timestamp, body);
  if (endpoint.previous === null || endpoint.previous.expiresAt <= appNow.getTime()) return current;
  return `${current} ${signWebhook(endpoint.previous.key, id, timestamp, body)}`;
}

async function deliver(job: ClaimedJob, loader: EndpointLoader, config: WebhookConfig, clock: Clock, appClock: Clock): Promise<JobOutcome> {
  const payload = job.payload as unknown as WebhookJobPayload;
  const now = clock.now();
  const at = now.toISOString();
  const endpoint = await loader.load(payload.endpoint_id);
  if (!endpoint) {
    const gone = notSent('not sent: the endpoint was deleted', at);
    return { ...gone, result: { ...gone.result, deleted: true } } as JobOutcome;
  }
  if (endpoint.status === 'disabled') return notSent('not sent: the endpoint is disabled (replay after enabling it)', at);
  const timestamp = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify(payload.message);
  const headers = {
    'webhook-id': job.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(endpoint, job.id, timestamp, body, appClock.now()),
    'user-agent': 'Fulfill-Webhooks/1',
  };
  try {
    const response = await postJson(endpoint.url, body, headers, {
      timeoutMs: config.timeoutMs,
      allowPrivate: config.allowPrivate,
      excerptBytes: webhookLimits.responseExcerptBytes,
      readBytesMax: webhookLimits.responseReadBytesMax,
    });
    const outcome = outcomeOf(response.status, response.headers, response.excerpt, at, now);
    return endpoint.failing ? { ...outcome, result: { ...outcome.result, failing: true } } : outcome;
  } catch (error) {
    if (error instanceof DeliveryRefused) return notSent(error.message, at);
    const message = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : String(error);
    const result: AttemptResult = { sent: true, requested_at: at, response_status: null, response_body: null, error: message };
    return { status: 'retry', error: message, result: { ...result } };
  }
}

/** The delivery-log row of one attempt, or null when its endpoint was deleted (its log went with it). */
function attemptRow(deps: PlatformDeps, job: ClaimedJob, recorded: RecordedOutcome, now: string) {
  const payload = job.payload as unknown as WebhookJobPayload;
  const outcome = recorded.outcome;
  const result = (outcome.result ?? {}) as Partial<AttemptResult>;
  const error = outcome.status === 'succeeded' ? null : (result.error ?? outcome.error);
  if (result.deleted) return null;
  return {
    id: deps.ids.next('webhookAttempt'),
    job_id: job.id,
    endpoint_id: payload.endpoint_id,
    event_id: payload.event_id,
    event_type: payload.event_type,
    attempt: job.attempt,
    requested_at: result.requested_at ?? now,
    response_status: result.response_status ?? null,
    duration_ms: recorded.durationMs,
    response_body: result.response_body ?? null,
    error: error === null ? null : error.slice(0, 1000),
    outcome: outcome.status,
    created_at: now,
  };
}

/**
 * Logs a round's attempts (one multi-row insert) and keeps each endpoint's health: a success ends a failure
 * streak; 410 or a long streak disables it.
 */
async function recordBatch(
  tx: Tx,
  deps: PlatformDeps,
  config: WebhookConfig,
  items: readonly { job: ClaimedJob; outcome: RecordedOutcome }[],
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const rows = items.map((i) => attemptRow(deps, i.job, i.outcome, now)).filter((r) => r !== null);
  for (const chunk of chunkRows(rows)) await tx.insertInto('webhook_attempts').values(chunk).execute();
  for (const { job, outcome } of items) await keepHealth(tx, deps, config, job, outcome, now);
}

async function keepHealth(
  tx: Tx,
  deps: PlatformDeps,
  config: WebhookConfig,
  job: ClaimedJob,
  recorded: RecordedOutcome,
  now: string,
): Promise<void> {
  const payload = job.payload as unknown as WebhookJobPayload;
  const outcome = recorded.outcome;
  const result = (outcome.result ?? {}) as Partial<AttemptResult>;
  if (result.deleted) return;
  if (payload.test || result.sent === false) return;
  const id = payload.endpoint_id;
  if (outcome.status === 'succeeded') {
    // Most deliveries succeed to a healthy endpoint: no write then. (A streak that began after the endpoint
    // was read ends at the next success.)
    if (!result.failing) return;
    await tx
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('id', '=', id)
      .where('failing_since', 'is not', null)
      .execute();
    return;
  }
  if (result.gone) {
    await disableEndpoint(tx, deps, id, `the endpoint answered 410 Gone (delivery ${job.id})`, 'system', now);
    return;
  }
  await tx
    .updateTable('webhook_endpoints')
    .set({ failing_since: now })
    .where('id', '=', id)
    .where('failing_since', 'is', null)
    .where('status', '=', 'enabled')
    .execute();
  const row = await tx.selectFrom('webhook_endpoints').select(['failing_since', 'status']).where('id', '=', id).executeTakeFirst();
  if (row?.status !== 'enabled' || row.failing_since === null) return;
  if (Date.parse(now) - Date.parse(row.failing_since) >= config.disableAfterFailingMs) {
    // A success recorded in the same round as the streak's first failure did not clear it: look before disabling.
    const success = await tx
      .selectFrom('webhook_attempts')
      .select('id')
      .where('endpoint_id', '=', id)
      .where('outcome', '=', 'succeeded')
      .where('event_type', '!=', testEventType)
      .where('created_at', '>=', row.failing_since)
      .limit(1)
      .executeTakeFirst();
    if (success) {
      await tx.updateTable('webhook_endpoints').set({ failing_since: now }).where('id', '=', id).execute();
      return;
    }
    const hours = Math.round(config.disableAfterFailingMs / 3_600_000);
    await disableEndpoint(tx, deps, id, `every delivery failed since ${row.failing_since} (${hours} h or more)`, 'system', now);
  }
}

export function webhookHandler(deps: PlatformDeps, config: WebhookConfig): JobHandler {
  const loader = new EndpointLoader(deps);
  const clock = config.signingClock ?? deps.clock;
  return {
    kind: webhookJobKind,
    retryScheduleMs: webhookRetryScheduleMs,
    run: (job: ClaimedJob, _deps: Deps) => deliver(job, loader, config, clock, deps.clock),
    recordBatch: (tx: Tx, items: readonly { job: ClaimedJob; outcome: RecordedOutcome }[]) => recordBatch(tx, deps, config, items),
  };
}
