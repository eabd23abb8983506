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

function sqliteDb(options: OpenOptions): Db {
  const file = options.sqliteFile ?? path.join(options.dataDir ?? './data', sqliteFileName);
  const writer = openSqlite(file);
  const reader = file === ':memory:' ? writer : openSqlite(file, { readonly: true });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    dialect: 'sqlite',
    read: reader.kysely,
    write: writer.kysely,
    // One writer: transactions run one after another on the single connection (BEGIN IMMEDIATE so a
    // second process, such as the CLI, waits instead of failing midway).
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const run = queue.then(() => runTransaction(writer.kysely, 'begin immediate', fn));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      await queue;
      if (reader !== writer) await reader.kysely.destroy();
      await writer.kysely.destroy();
    },
  };
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

async function runTransaction<T>(kysely: Kysely<Database>, begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return kysely.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
