/**
 * Calls with the same key that overlap in time share one execution: a later caller waits for the first
 * one's promise instead of starting its own. This is how an adapter makes "buy twice at the same moment"
 * one purchase inside a process. It remembers nothing once the call settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** `joined` turns the shared result into what a caller who joined a running call sees (for example `replayed`). */
  run(key: string, call: () => Promise<T>, joined: (result: T) => T = (result) => result): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running.then(joined);
    const started = call().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
