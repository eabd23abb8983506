import path from 'node:path';
import { type Kysely, type Transaction as KyselyTransaction, sql } from 'kysely';
import type { DialectName } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres } from './postgres.js';
import type { Database } from './schema.js';
import { isTransient } from './sql-helpers.js';
import { openSqlite } from './sqlite.js';
import { BackgroundCheckpointer, WalSync } from './sqlite-durability.js';

/** A query handle inside a transaction. Stores take this, never a pool. */
export type Tx = Kysely<Database>;

/**
 * The storage port every context uses. `read` may be a separate connection (SQLite reader in WAL mode);
 * `transaction` runs a function in one transaction on the writer and commits, or rolls back on throw.
 */
export interface Db {
  readonly dialect: DialectName;
  readonly read: Kysely<Database>;
  /** The writer outside a transaction: for migrations and maintenance only. */
  readonly write: Kysely<Database>;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** How commits are made durable, read from the live connection (the bench checks it). */
  durability(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function firstValue(kysely: Kysely<Database>, query: string): Promise<string> {
  const { rows } = await sql.raw<Record<string, unknown>>(query).execute(kysely);
  return String(Object.values(rows[0] ?? {})[0]);
}

export interface OpenOptions {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string;
  readonly sqliteFile?: string;
  readonly searchPath?: string;
  readonly poolSize?: number;
  readonly migrate?: boolean;
}

export const sqliteFileName = 'fulfill.sqlite';

/** Runs of one PostgreSQL transaction after deadlocks or serialization failures. */
const transactionAttemptsMax = 5;

export async function openDb(options: OpenOptions): Promise<Db> {
  const db = options.databaseUrl ? postgresDb(options) : sqliteDb(options);
  if (options.migrate ?? true) await migrateToLatest(db);
  return db;
}

/** Logical transactions that may share one SQLite commit (one fsync). */
export const sqliteGroupCommitMax = 64;

interface QueuedTransaction {
  readonly fn: (tx: Tx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

function sqliteDb(options: OpenOptions): Db {
  const file = options.sqliteFile ?? path.join(options.dataDir ?? './data', sqliteFileName);
  const inMemory = file === ':memory:';
  const writer = openSqlite(file, { sync: inMemory ? 'full' : 'deferred-sync' });
  const reader = inMemory ? writer : openSqlite(file, { readonly: true });
  // Commits are made durable by an fdatasync of the WAL off the event loop, and most checkpointing happens in
  // a worker thread (ADR 0011).
  const walSync = inMemory ? undefined : new WalSync(file);
  const durable = walSync ? () => walSync.afterCommit() : () => Promise.resolve();
  let checkpointer: BackgroundCheckpointer | undefined;
  const queue: QueuedTransaction[] = [];
  let draining: Promise<void> | null = null;
  const drain = async () => {
    if (!inMemory) checkpointer ??= new BackgroundCheckpointer(file);
    while (queue.length > 0) {
      // Let the event loop read what has arrived (the poll phase) before the group starts: a group runs entirely
      // in microtasks on the synchronous driver, so requests read meanwhile join the next group.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await runGroup(writer.kysely, writer.raw, queue.splice(0, sqliteGroupCommitMax), durable);
    }
    draining = null;
  };
  return {
    dialect: 'sqlite',
    read: reader.kysely,
    write: writer.kysely,
    // One writer: transactions run one after another on the single connection. Those that arrive while
    // one commits are run together in the next (group commit, see runGroup).
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        draining ??= drain();
      });
    },
    async durability() {
      return {
        journal_mode: await firstValue(writer.kysely, 'pragma journal_mode'),
        // 1 is NORMAL (the COMMIT does not fsync), 2 is FULL.
        synchronous: await firstValue(writer.kysely, 'pragma synchronous'),
        acknowledged_after: walSync ? 'wal fdatasync' : 'commit',
        wal_fdatasyncs: String(walSync?.syncs ?? 0),
      };
    },
    async close() {
      await draining;
      await walSync?.settled();
      await checkpointer?.close();
      walSync?.close();
      if (reader !== writer) await reader.kysely.destroy();
      await writer.kysely.destroy();
    },
  };
}

/**
 * Runs queued logical transactions in one SQLite transaction, each inside its own savepoint: one that throws
 * is rolled back to its savepoint and fails alone, the others commit together with one fsync. Callers hear
 * "done" only after the COMMIT returned and `durable()` (the WAL's fdatasync) resolved, so an acknowledged
 * write is durable; if the commit fails, every one of them fails. The writer does not wait for the fsync: the
 * next group runs while it is under way. BEGIN IMMEDIATE makes a second process (the CLI) wait instead of
 * failing midway. See docs/adr/0010-sqlite-group-commit.md and 0011-sqlite-sync-off-the-event-loop.md.
 */
async function runGroup(
  kysely: Kysely<Database>,
  raw: { inTransaction: boolean },
  group: QueuedTransaction[],
  durable: () => Promise<void>,
): Promise<void> {
  await kysely.connection().execute(async (conn) => {
    let rest = group;
    while (rest.length > 0) {
      const done: { entry: QueuedTransaction; value: unknown }[] = [];
      let index = 0;
      try {
        await sql`begin immediate`.execute(conn);
      } catch (error) {
        for (const entry of rest) entry.reject(error);
        return;
      }
      let aborted = false;
      for (; index < rest.length; index += 1) {
        const entry = rest[index] as QueuedTransaction;
        try {
          await sql`savepoint fulfill_tx`.execute(conn);
          const value = await entry.fn(conn);
          await sql`release fulfill_tx`.execute(conn);
          done.push({ entry, value });
        } catch (error) {
          if (!raw.inTransaction) {
            // SQLite rolled the whole transaction back (disk full, I/O error): the group's work is gone.
            entry.reject(error);
            for (const d of done) d.entry.reject(error);
            aborted = true;
            index += 1;
            break;
          }
          try {
            await sql`rollback to fulfill_tx`.execute(conn);
            await sql`release fulfill_tx`.execute(conn);
          } catch (rollbackError) {
            entry.reject(error);
            for (const d of done) d.entry.reject(rollbackError);
            await sql`rollback`.execute(conn).catch(() => undefined);
            aborted = true;
            index += 1;
            break;
          }
          entry.reject(error);
        }
      }
      if (!aborted) {
        try {
          await sql`commit`.execute(conn);
          if (done.length > 0) {
            durable().then(
              () => {
                for (const d of done) d.entry.resolve(d.value);
              },
              (error: unknown) => {
                for (const d of done) d.entry.reject(error ?? new Error('the WAL fdatasync failed'));
              },
            );
          }
        } catch (error) {
          if (raw.inTransaction) await sql`rollback`.execute(conn).catch(() => undefined);
          for (const d of done) d.entry.reject(error);
        }
      }
      rest = rest.slice(index);
    }
  });
}

function postgresDb(options: OpenOptions): Db {
  const { kysely } = openPostgres(options.databaseUrl as string, {
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  return {
    dialect: 'postgres',
    read: kysely,
    write: kysely,
    // A deadlock or serialization failure aborts the whole transaction, which is then simply run again:
    // transaction bodies only touch the database, so a rerun is safe.
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await kysely.transaction().execute((trx: KyselyTransaction<Database>) => fn(trx));
        } catch (error) {
          if (attempt >= transactionAttemptsMax || !isTransient(error)) throw error;
        }
      }
    },
    async durability() {
      return { fsync: await firstValue(kysely, 'show fsync'), synchronous_commit: await firstValue(kysely, 'show synchronous_commit') };
    },
    close: () => kysely.destroy(),
  };
}
