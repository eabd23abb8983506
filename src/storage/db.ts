import path from 'node:path';
import { type Kysely, type Transaction as KyselyTransaction, sql } from 'kysely';
import type { DialectName } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres } from './postgres.js';
import type { Database } from './schema.js';
import { isTransient } from './sql-helpers.js';
import { openSqlite } from './sqlite.js';

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
  close(): Promise<void>;
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
  const writer = openSqlite(file);
  const reader = file === ':memory:' ? writer : openSqlite(file, { readonly: true });
  const queue: QueuedTransaction[] = [];
  let draining: Promise<void> | null = null;
  const drain = async () => {
    while (queue.length > 0) await runGroup(writer.kysely, writer.raw, queue.splice(0, sqliteGroupCommitMax));
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
    async close() {
      await draining;
      if (reader !== writer) await reader.kysely.destroy();
      await writer.kysely.destroy();
    },
  };
}

/**
 * Runs queued logical transactions in one SQLite transaction, each inside its own savepoint: one that throws
 * is rolled back to its savepoint and fails alone, the others commit together with one fsync. Callers hear
 * "done" only after the COMMIT returned (synchronous=FULL), so an acknowledged write is durable; if the commit
 * fails, every one of them fails. BEGIN IMMEDIATE makes a second process (the CLI) wait instead of failing
 * midway. See docs/adr/0010-sqlite-group-commit.md.
 */
async function runGroup(kysely: Kysely<Database>, raw: { inTransaction: boolean }, group: QueuedTransaction[]): Promise<void> {
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
          for (const d of done) d.entry.resolve(d.value);
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
    close: () => kysely.destroy(),
  };
}
