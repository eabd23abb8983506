import { isTransient, isUniqueViolation } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { ingestUpdates, type TrackerUpdate, type UpdateOutcome } from './ingest.js';
import { trackingLimits } from './limits.js';

interface Pending {
  readonly updates: readonly TrackerUpdate[];
  readonly resolve: (outcomes: UpdateOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for carrier scans, like the order intake queue: webhook requests that arrive while a commit
 * runs are stored together in the next transaction (one fsync on SQLite, a fixed number of statements on
 * PostgreSQL). Each caller is answered after its transaction committed, so a 200 to the carrier means stored.
 * When a batch fails on a conflict with another process, its requests are retried one by one.
 */
export class TrackingIngestQueue {
  readonly #deps: PlatformDeps;
  readonly #pending: Pending[] = [];
  #running = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(deps: PlatformDeps) {
    this.#deps = deps;
  }

  submit(updates: readonly TrackerUpdate[]): Promise<UpdateOutcome[]> {
    return new Promise<UpdateOutcome[]>((resolve, reject) => {
      this.#pending.push({ updates, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        this.#idle = new Promise((done) => setImmediate(() => void this.#drain().finally(done)));
      }
    });
  }

  /** Resolves when every submitted request has been answered. */
  async settled(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  #take(): Pending[] {
    const batch: Pending[] = [];
    let scans = 0;
    while (this.#pending.length > 0 && batch.length < trackingLimits.groupCommitRequestsMax) {
      const next = this.#pending[0] as Pending;
      const size = next.updates.reduce((n, u) => n + u.scans.length, 0);
      if (batch.length > 0 && scans + size > trackingLimits.groupCommitScansMax) break;
      batch.push(this.#pending.shift() as Pending);
      scans += size;
    }
    return batch;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) await this.#commit(this.#take());
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.#deps.db.transaction((tx) =>
        ingestUpdates(
          tx,
          this.#deps,
          batch.flatMap((p) => p.updates),
        ),
      );
      let at = 0;
      for (const p of batch) {
        p.resolve(outcomes.slice(at, at + p.updates.length));
        at += p.updates.length;
      }
    } catch (error) {
      if (batch.length > 1 && (isUniqueViolation(error) || isTransient(error))) {
        for (const p of batch) await this.#commitAlone(p);
      } else if (batch.length === 1 && (isUniqueViolation(error) || isTransient(error))) {
        await this.#commitAlone(batch[0] as Pending);
      } else {
        for (const p of batch) p.reject(error);
      }
    }
  }

  async #commitAlone(pending: Pending): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < trackingLimits.ingestRetriesMax; attempt += 1) {
      try {
        pending.resolve(await this.#deps.db.transaction((tx) => ingestUpdates(tx, this.#deps, pending.updates)));
        return;
      } catch (error) {
        last = error;
        if (!isUniqueViolation(error) && !isTransient(error)) break;
      }
    }
    pending.reject(last);
  }
}
