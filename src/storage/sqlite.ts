import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

type Sqlite = SqliteDatabase.Database;
type Statement = SqliteDatabase.Statement;

/** Prepared statements cached per SQL text: Kysely's driver would otherwise prepare on every query. */
const statementCacheEntriesMax = 2_000;

function cachingDatabase(db: Sqlite) {
  const cache = new Map<string, Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string): Statement {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        if (cache.size >= statementCacheEntriesMax) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Opens the embedded database. WAL with synchronous=FULL: an acknowledged write survives power loss;
 * throughput comes from group commit (see src/contexts/orders/intake-queue.ts), not from relaxing fsync.
 */
export function openSqlite(file: string, options: { readonly?: boolean } = {}): { raw: Sqlite; kysely: Kysely<Database> } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new SqliteDatabase(file, { readonly: options.readonly ?? false });
  raw.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
  }
  raw.pragma('cache_size = -65536');
  raw.defaultSafeIntegers(false);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });
  return { raw, kysely };
}
