import { limits } from '../../kernel/limits.js';
import { GroupCommitQueue, takeUpTo } from '../../storage/group-commit-queue.js';
import { type IntakeOutcome, type IntakeRequest, type OrdersDeps, placeOrders } from './intake.js';

/**
 * Group commit for order intake (see GroupCommitQueue): orders that arrive while the database is busy are
 * placed together in one transaction, each decided on its own. A request whose Idempotency-Key is already
 * waiting or being written is answered 409 at once (the IETF draft's "concurrent request").
 */
export class IntakeQueue {
  readonly #queue: GroupCommitQueue<IntakeRequest, IntakeOutcome>;
  readonly #inFlight = new Set<string>();

  constructor(deps: OrdersDeps) {
    this.#queue = new GroupCommitQueue(deps.db, {
      run: (tx, requests) => placeOrders(tx, deps, requests),
      take: takeUpTo(limits.groupCommitOrdersMax),
      retriesAlone: limits.intakeRetriesMax + 1,
    });
  }

  submit(request: IntakeRequest): Promise<IntakeOutcome> {
    const claim = request.idempotency;
    if (claim === undefined) return this.#queue.submit(request);
    const claimKey = `${claim.principal}\u0000${claim.key}`;
    if (this.#inFlight.has(claimKey)) {
      return Promise.resolve({
        kind: 'failed',
        failure: { code: 'idempotency_in_progress', detail: 'a request with this Idempotency-Key is being processed' },
      });
    }
    this.#inFlight.add(claimKey);
    return this.#queue.submit(request).finally(() => this.#inFlight.delete(claimKey));
  }

  /** Called with each batch's size when its transaction starts (the bench reports batch sizes). */
  set onBatch(observer: ((size: number) => void) | undefined) {
    this.#queue.onBatch = observer;
  }

  /** Resolves when every request submitted so far has been answered. */
  settled(): Promise<void> {
    return this.#queue.settled();
  }
}
