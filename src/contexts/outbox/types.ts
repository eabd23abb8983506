import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';

/**
 * The transactional outbox, in two stages (docs/outbox.md):
 *
 * 1. Business code appends domain events (`appendEvents`) in its own transaction. The router claims
 *    undispatched events in order and hands them to the subscribers, which turn them into jobs (an e-mail to
 *    send, a webhook to deliver, a lead to forward) in the same transaction that marks the events dispatched.
 * 2. The runner claims due jobs, runs their handler outside any transaction (network I/O), and records the
 *    outcome: success, a retry at a later time, or a final failure ("dead", replayable by hand).
 *
 * On PostgreSQL both stages claim rows with `FOR UPDATE SKIP LOCKED`, so several processes can run them at
 * once and never work on the same row; on SQLite one dispatcher runs in the server process. A job is
 * delivered at least once: a crash between the send and the record makes it run again, with the same job id
 * (webhooks send it as `webhook-id`, so receivers deduplicate).
 */

/** An event as the router hands it to subscribers. */
export interface OutboxEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly aggregateSeq: number;
  readonly orderId: string | null;
  readonly actor: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
}

/**
 * Turns events into jobs (and any other rows it needs) inside the router's transaction. It must only touch
 * the database through `tx`: no network, no files. Throwing rolls the batch back; the router then retries
 * the events one by one, so one bad event delays only itself.
 */
export interface EventSubscriber {
  readonly name: string;
  /** Event types this subscriber wants; `*` for all. */
  readonly types: readonly string[] | '*';
  handle(tx: Tx, events: readonly OutboxEvent[], deps: Deps): Promise<void>;
}

/** Work done on a timer by the dispatcher (polling carriers, flagging late parcels). Must be idempotent: on
 * PostgreSQL every server process runs it. */
export interface Ticker {
  readonly name: string;
  readonly everyMs: number;
  run(deps: Deps): Promise<void>;
}

/** What a capability plugs into the outbox. */
export interface OutboxModule {
  readonly subscribers?: readonly EventSubscriber[];
  readonly handlers?: readonly JobHandler[];
  readonly tickers?: readonly Ticker[];
}

/** A job to enqueue. `dedupeKey` is unique: enqueueing the same key twice keeps the first job. */
export interface NewJob {
  readonly kind: string;
  readonly dedupeKey: string;
  readonly payload: Record<string, unknown>;
  /** ISO time before which the job does not run; now by default. */
  readonly runAt?: string;
  /** Attempts before the job is dead; `defaultMaxAttempts` unless said. */
  readonly maxAttempts?: number;
  /** An order, lead, endpoint... the job belongs to, for listing. */
  readonly subjectId?: string | null;
}

export interface ClaimedJob {
  readonly id: string;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly payload: Record<string, unknown>;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly subjectId: string | null;
  readonly createdAt: string;
}

export type JobOutcome =
  | { readonly status: 'succeeded'; readonly result?: Record<string, unknown> }
  /** Try again later. `retryAfterMs` (a server's Retry-After) overrides the schedule when it is later. */
  | { readonly status: 'retry'; readonly error: string; readonly retryAfterMs?: number; readonly result?: Record<string, unknown> }
  /** Never try again (for example HTTP 410, or an address that can never be valid). */
  | { readonly status: 'failed'; readonly error: string; readonly result?: Record<string, unknown> };

/** The outcome as recorded: `retry` became `scheduled` or `dead` when attempts ran out. */
export interface RecordedOutcome {
  readonly status: 'succeeded' | 'scheduled' | 'dead';
  readonly outcome: JobOutcome;
  readonly nextAttemptAt: string | null;
  readonly durationMs: number;
}

export interface JobHandler {
  readonly kind: string;
  /** Delays in ms before attempt 2, 3, ...; the last one repeats until `maxAttempts`. Jitter is added. */
  readonly retryScheduleMs: readonly number[];
  /** Runs outside any transaction. Throwing counts as a retry with the error's message. */
  run(job: ClaimedJob, deps: Deps): Promise<JobOutcome>;
  /** Records domain effects of an outcome (e-mail status, delivery log) in the transaction that completes the job. */
  record?(tx: Tx, job: ClaimedJob, outcome: RecordedOutcome, deps: Deps): Promise<void>;
  /** Like `record`, for all of a round's jobs of this kind at once (fewer statements); used instead of it. */
  recordBatch?(tx: Tx, items: readonly { job: ClaimedJob; outcome: RecordedOutcome }[], deps: Deps): Promise<void>;
}
