import type { Db, Tx } from './db.js';
import { isTransient, isUniqueViolation } from './sql-helpers.js';

export interface GroupCommitQueueOptions<Req, Out> {
  /** Writes a batch in the caller's transaction and returns one outcome per request, in order. */
  readonly run: (tx: Tx, requests: readonly Req[]) => Promise<Out[]>;
  /** How many of the waiting requests (oldest first, at least one) go into the next batch. */
  readonly take: (waiting: readonly Req[]) => number;
  /** Transactions a request that conflicted is retried in on its own. */
  readonly retriesAlone: number;
}

interface Pending<Req, Out> {
  readonly request: Req;
  readonly resolve: (outcome: Out) => void;
  readonly reject: (error: unknown) => void;
}

/** The plain "at most `max` per batch" rule. */
export const takeUpTo =
  (max: number) =>
  <T>(waiting: readonly T[]): number =>
    Math.min(max, waiting.length);

/**
 * Group commit for a hot write path (order intake, carrier scans): requests that arrive
 * while the database is busy are written together in one transaction, so many requests share one commit,
 * one fsync and one statement per table. Each caller is answered only when its transaction is durable.
 *
 * The batch is bound late: the queue asks the database for a transaction as soon as a request waits and none
 * of its batches is being written, and the transaction takes whatever is waiting when it actually starts. One
 * batch at a time per process: on PostgreSQL the next one would only wait for the same row locks; on SQLite
 * the next one forms while this one's COMMIT is fsynced beside the event loop (ADR 0011), which makes batches
 * half again as large as starting one the moment the writer is free (intake throughput was the same within
 * the bench's run-to-run variation).
 * If a batch fails on a conflict with another process (a unique key inserted meanwhile, a deadlock), its
 * requests are retried one by one, so one bad apple never fails its neighbours.
 */
export class GroupCommitQueue<Req, Out> {
  readonly #db: Db;
  readonly #options: GroupCommitQueueOptions<Req, Out>;
  readonly #pending: Pending<Req, Out>[] = [];
  /** Batches started by this queue and not yet answered. */
  #outstanding = 0;
  #idleWaiters: (() => void)[] = [];
  /** Called with each batch's size when its transaction starts (the bench reports batch sizes). */
  onBatch: ((size: number) => void) | undefined;

  constructor(db: Db, options: GroupCommitQueueOptions<Req, Out>) {
    this.#db = db;
    this.#options = options;
  }

  submit(request: Req): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      this.#claim();
    });
  }

  /** Resolves when every request submitted so far has been answered. */
  settled(): Promise<void> {
    if (this.#outstanding === 0 && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #claim(): void {
    if (this.#pending.length === 0) return;
    // One batch at a time per process: the next one forms while this one commits and syncs.
    if (this.#outstanding > 0) return;
    this.#outstanding += 1;
    let batch: Pending<Req, Out>[] | undefined;
    this.#db
      .transaction((tx) => {
        // A PostgreSQL transaction that hit a deadlock runs this again: it keeps the batch it took.
        if (batch === undefined) {
          batch = this.#pending.splice(0, Math.max(1, this.#options.take(this.#pending.map((p) => p.request))));
          this.onBatch?.(batch.length);
        }
        const requests = batch.map((p) => p.request);
        return this.#options.run(tx, requests);
      })
      .then(
        (outcomes) => {
          for (const [i, p] of (batch ?? []).entries()) p.resolve(outcomes[i] as Out);
        },
        (error: unknown) => {
          if (batch !== undefined) return this.#failed(batch, error);
          // The transaction never started (BEGIN failed): what it would have taken fails with it, instead
          // of asking again and again for a transaction that cannot start.
          const lost = this.#pending.splice(0, Math.max(1, this.#options.take(this.#pending.map((p) => p.request))));
          for (const p of lost) p.reject(error);
          return undefined;
        },
      )
      .finally(() => {
        this.#outstanding -= 1;
        this.#claim();
        if (this.#outstanding === 0 && this.#pending.length === 0) {
          for (const resolve of this.#idleWaiters.splice(0)) resolve();
        }
      });
  }

  #retryable(error: unknown): boolean {
    return isUniqueViolation(error) || isTransient(error);
  }

  async #failed(batch: readonly Pending<Req, Out>[], error: unknown): Promise<void> {
    if (!this.#retryable(error)) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) await this.#alone(p);
  }

  async #alone(pending: Pending<Req, Out>): Promise<void> {
    let error: unknown;
    for (let attempt = 0; attempt < this.#options.retriesAlone; attempt += 1) {
      try {
        const [outcome] = await this.#db.transaction((tx) => this.#options.run(tx, [pending.request]));
        pending.resolve(outcome as Out);
        return;
      } catch (retryError) {
        error = retryError;
        if (!this.#retryable(error)) break;
      }
    }
    pending.reject(error);
  }
}
