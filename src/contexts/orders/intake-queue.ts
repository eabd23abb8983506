import { limits } from '../../kernel/limits.js';
import { isTransient, isUniqueViolation } from '../../storage/index.js';
import { type IntakeOutcome, type IntakeRequest, type OrdersDeps, placeOrders } from './intake.js';

interface Pending {
  readonly request: IntakeRequest;
  readonly resolve: (outcome: IntakeOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for order intake. Requests that arrive while a commit is running (or in the same turn of
 * the event loop) are placed together in one transaction: one fsync on SQLite, a handful of round trips on
 * PostgreSQL, whatever the batch size. Each caller is answered only after its transaction committed.
 * If a batch fails on a database conflict (another process inserted the same order number or key), its
 * orders are retried one by one, so one bad apple never fails its neighbours.
 */
export class IntakeQueue {
  readonly #deps: OrdersDeps;
  readonly #pending: Pending[] = [];
  readonly #inFlight = new Set<string>();
  #running = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(deps: OrdersDeps) {
    this.#deps = deps;
  }

  submit(request: IntakeRequest): Promise<IntakeOutcome> {
    const claim = request.idempotency;
    const claimKey = claim ? `${claim.principal}\u0000${claim.key}` : undefined;
    if (claimKey !== undefined && this.#inFlight.has(claimKey)) {
      return Promise.resolve({
        kind: 'failed',
        failure: { code: 'idempotency_in_progress', detail: 'a request with this Idempotency-Key is being processed' },
      });
    }
    if (claimKey !== undefined) this.#inFlight.add(claimKey);
    return new Promise<IntakeOutcome>((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        this.#idle = new Promise((done) => setImmediate(() => void this.#drain().finally(done)));
      }
    }).finally(() => {
      if (claimKey !== undefined) this.#inFlight.delete(claimKey);
    });
  }

  /** Resolves when every request submitted so far has been answered. */
  async settled(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, limits.groupCommitOrdersMax);
        await this.#commit(batch);
      }
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.#deps.db.transaction((tx) =>
        placeOrders(
          tx,
          this.#deps,
          batch.map((p) => p.request),
        ),
      );
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i] as IntakeOutcome);
    } catch (error) {
      if (batch.length > 1 && (isUniqueViolation(error) || isTransient(error))) {
        for (const pending of batch) await this.#commitAlone(pending);
      } else if (batch.length === 1) {
        await this.#commitAlone(batch[0] as Pending, error);
      } else {
        for (const p of batch) p.reject(error);
      }
    }
  }

  async #commitAlone(pending: Pending, firstError?: unknown): Promise<void> {
    let error = firstError;
    for (let attempt = firstError === undefined ? 0 : 1; attempt <= limits.intakeRetriesMax; attempt += 1) {
      if (error !== undefined && !isUniqueViolation(error) && !isTransient(error)) break;
      try {
        const [outcome] = await this.#deps.db.transaction((tx) => placeOrders(tx, this.#deps, [pending.request]));
        pending.resolve(outcome as IntakeOutcome);
        return;
      } catch (retryError) {
        error = retryError;
      }
    }
    pending.reject(error);
  }
}
