import type { Deps } from '../deps.js';
import { routeEvents } from './router.js';
import { type RunOptions, runDueJobs } from './runner.js';
import type { EventSubscriber, JobHandler, OutboxEvent, OutboxModule, Ticker } from './types.js';

export interface DispatcherOptions extends Partial<RunOptions> {
  /** How long the loop sleeps when it found nothing to do. */
  readonly idleMs?: number;
  readonly onError?: (error: unknown, context: string) => void;
}

/**
 * Runs the outbox: routes events to subscribers, runs due jobs, and fires tickers. `start()` runs it in the
 * background (the server does); tests call `drain()` to run it to quiescence at the current clock time.
 */
export class Dispatcher {
  readonly #deps: Deps;
  readonly #subscribers: EventSubscriber[] = [];
  readonly #handlers = new Map<string, JobHandler>();
  readonly #tickers: Ticker[] = [];
  readonly #options: RunOptions;
  readonly #idleMs: number;
  readonly #onError: (error: unknown, context: string) => void;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #lastTick = new Map<string, number>();

  constructor(deps: Deps, modules: readonly OutboxModule[], options: DispatcherOptions = {}) {
    this.#deps = deps;
    for (const m of modules) {
      this.#subscribers.push(...(m.subscribers ?? []));
      for (const h of m.handlers ?? []) {
        if (this.#handlers.has(h.kind)) throw new Error(`two job handlers for kind ${h.kind}`);
        this.#handlers.set(h.kind, h);
      }
      this.#tickers.push(...(m.tickers ?? []));
    }
    this.#options = { batchSize: options.batchSize ?? 256, leaseMs: options.leaseMs ?? 60_000, random: options.random ?? Math.random };
    this.#idleMs = options.idleMs ?? 100;
    this.#onError = options.onError ?? ((error, context) => console.error(`outbox ${context}:`, error));
  }

  get handlerKinds(): readonly string[] {
    return [...this.#handlers.keys()];
  }

  /** Routes one batch of events; returns how many were dispatched. */
  route(): Promise<number> {
    return routeEvents(this.#deps, this.#subscribers, (event: OutboxEvent, error) =>
      this.#onError(error, `event ${event.type} ${event.id}`),
    );
  }

  /** Runs one batch of due jobs; returns how many ran. */
  runJobs(): Promise<number> {
    return runDueJobs(this.#deps, this.#handlers, this.#options);
  }

  /** Fires the tickers that are due (all of them with `force`). */
  async tick(force = false): Promise<void> {
    const now = this.#deps.clock.now().getTime();
    for (const ticker of this.#tickers) {
      const last = this.#lastTick.get(ticker.name);
      if (!force && last !== undefined && now - last < ticker.everyMs) continue;
      this.#lastTick.set(ticker.name, now);
      try {
        await ticker.run(this.#deps);
      } catch (error) {
        this.#onError(error, `ticker ${ticker.name}`);
      }
    }
  }

  /** Routes and runs until nothing is left that is due now. For tests and the CLI. */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const routed = await this.route();
      const ran = await this.runJobs();
      if (routed === 0 && ran === 0) return;
    }
    throw new Error('outbox did not drain');
  }

  /** Asks a sleeping loop to look for work now (after a commit that made some). */
  notify(): void {
    this.#wake?.();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.notify();
    await this.#loop;
    this.#loop = null;
  }

  /**
   * On SQLite only this process dispatches, so a job still marked running was claimed by a process that
   * died: it is due again now rather than when its lease ends. (On PostgreSQL other processes may be
   * running their jobs; the lease decides.)
   */
  async #recoverOrphans(): Promise<void> {
    if (this.#deps.db.dialect !== 'sqlite') return;
    await this.#deps.db.transaction((tx) =>
      tx.updateTable('jobs').set({ status: 'pending', locked_until: null }).where('status', '=', 'running').execute(),
    );
  }

  async #run(): Promise<void> {
    try {
      await this.#recoverOrphans();
    } catch (error) {
      this.#onError(error, 'recovery');
    }
    while (this.#running) {
      let busy = false;
      try {
        await this.tick();
        // Routing and running overlap: jobs already queued go out while new events are routed.
        const [routed, ran] = await Promise.all([this.route(), this.runJobs()]);
        busy = routed > 0 || ran > 0;
      } catch (error) {
        this.#onError(error, 'loop');
      }
      if (!busy && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#idleMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }
}
