import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Makes SQLite commits durable off the event loop (ADR 0011).
 *
 * The writer runs with synchronous=NORMAL, so its COMMIT only writes the transaction's WAL frames into the
 * page cache and returns. `WalSync.afterCommit()` then fdatasyncs the WAL file on libuv's thread pool and
 * resolves when a sync that started after the call has finished: that commit's frames, and every frame before
 * them, are on disk. Callers are acknowledged only then, so an acknowledged write survives power loss exactly
 * as with synchronous=FULL, but the event loop keeps serving requests (and running the next group of
 * transactions) during the fsync instead of blocking in it. Syncs are coalesced: while one runs, later
 * commits wait for the next one, so there is at most one fdatasync in flight.
 */
export class WalSync {
  readonly #walFile: string;
  #fd: number | undefined;
  #running = false;
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => undefined;
  /** fdatasync calls made so far (tests check that acknowledgements wait for one). */
  syncs = 0;

  constructor(databaseFile: string) {
    this.#walFile = `${databaseFile}-wal`;
  }

  /** Resolves once everything committed before this call is on disk. */
  afterCommit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (!this.#running) this.#start();
    });
  }

  /** Resolves when no sync is running or waiting. */
  settled(): Promise<void> {
    return this.#idle;
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  #start(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (!this.#running) {
      this.#running = true;
      this.#idle = new Promise((done) => {
        this.#markIdle = done;
      });
    }
    let fd: number;
    try {
      // The WAL exists once the first transaction committed; it keeps its inode for the life of the
      // connection (SQLite rewrites it from the start after a checkpoint, it does not replace it).
      this.#fd ??= fs.openSync(this.#walFile, 'r+');
      fd = this.#fd;
    } catch (error) {
      this.#finish(batch, error);
      return;
    }
    this.syncs += 1;
    fs.fdatasync(fd, (error) => this.#finish(batch, error ?? undefined));
  }

  #finish(batch: readonly { resolve: () => void; reject: (error: unknown) => void }[], error: unknown): void {
    for (const waiter of batch) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
    if (this.#waiting.length > 0) {
      this.#start();
    } else {
      this.#running = false;
      this.#markIdle();
    }
  }
}

/**
 * Checkpoints the WAL into the database file from a worker thread with its own connection, so most of the page
 * copying and the database fsyncs of checkpoints happen off the event loop. PASSIVE checkpoints never block the
 * writer; once one has copied every frame, the writer's next transaction starts the WAL again from its
 * beginning. Under continuous writes that moment may not come: the writer's own automatic checkpoint (every
 * 10,000 pages) then finds most pages already copied, and restarts the WAL, so the file stays bounded.
 */
export class BackgroundCheckpointer {
  readonly #worker: Worker;
  #closed = false;

  constructor(databaseFile: string, intervalMs = 100) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // Plain JavaScript evaluated in the worker: no TypeScript loader is needed there, under tsx or from dist.
    this.#worker = new Worker(checkpointerSource, { eval: true, workerData: { driver, file: databaseFile, intervalMs } });
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#worker.terminate();
  }
}

const checkpointerSource = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again.
  }
};
setInterval(tick, workerData.intervalMs);
`;
