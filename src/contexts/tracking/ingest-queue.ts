import { GroupCommitQueue } from '../../storage/group-commit-queue.js';
import type { PlatformDeps } from '../deps.js';
import { ingestUpdates, type TrackerUpdate, type UpdateOutcome } from './ingest.js';
import { trackingLimits } from './limits.js';

/** How many waiting webhook requests the next batch takes: up to a number of requests and of scans. */
function takeRequests(waiting: readonly (readonly TrackerUpdate[])[]): number {
  let taken = 0;
  let scans = 0;
  for (const updates of waiting) {
    if (taken >= trackingLimits.groupCommitRequestsMax) break;
    const size = updates.reduce((n, u) => n + u.scans.length, 0);
    if (taken > 0 && scans + size > trackingLimits.groupCommitScansMax) break;
    taken += 1;
    scans += size;
  }
  return taken;
}

/**
 * Group commit for carrier scans (GroupCommitQueue, like order intake): webhook requests that arrive while a
 * batch is written are stored together in the next transaction (one fsync on SQLite, a fixed number of
 * statements on PostgreSQL). Each caller is answered after its transaction is durable, so a 200 to the carrier
 * means stored. When a batch fails on a conflict with another process, its requests are retried one by one.
 */
export class TrackingIngestQueue {
  readonly #queue: GroupCommitQueue<readonly TrackerUpdate[], UpdateOutcome[]>;

  constructor(deps: PlatformDeps) {
    this.#queue = new GroupCommitQueue(deps.db, {
      async run(tx, requests) {
        const outcomes = await ingestUpdates(tx, deps, requests.flat());
        let at = 0;
        return requests.map((updates) => {
          at += updates.length;
          return outcomes.slice(at - updates.length, at);
        });
      },
      take: takeRequests,
      retriesAlone: trackingLimits.ingestRetriesMax,
    });
  }

  submit(updates: readonly TrackerUpdate[]): Promise<UpdateOutcome[]> {
    return this.#queue.submit(updates);
  }

  /** Resolves when every submitted request has been answered. */
  settled(): Promise<void> {
    return this.#queue.settled();
  }
}
