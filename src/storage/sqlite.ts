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
 * How the writer makes commits durable:
 * - `full`: synchronous=FULL, the COMMIT itself fsyncs the WAL. For one-off writers such as the raw-driver bench
 *   ceiling.
 * - `deferred-sync`: synchronous=NORMAL: the COMMIT only writes the WAL, and the caller must fdatasync the WAL
 *   before it acknowledges the commit (WalSync, ADR 0011). The app's writer runs this way, so the fsync happens
 *   on libuv's thread pool instead of stopping the event loop, and durability is unchanged.
 */
export type SqliteSyncMode = 'full' | 'deferred-sync';

/**
 * WAL pages between automatic checkpoints (SQLite's default is 1,000, 4 MB). The commit that crosses the mark
 * checkpoints on the event loop; a group commit of ~30 orders dirties ~200 pages, so the default checkpointed
 * every few commits, and pages rewritten by many commits (levels, index leaves) were copied again each time.
 * 10,000 pages (~40 MB of WAL) cut the mean intake commit from 4.5 to 3.1 ms in the bench. The app's writer
 * also has a background checkpointer (ADR 0011) that copies most pages before this mark is reached.
 */
const walCheckpointPages = 10_000;

/** Opens the embedded database in WAL mode; see SqliteSyncMode for how the writer's commits become durable. */
export function openSqlite(
  file: string,
  options: { readonly?: boolean; sync?: SqliteSyncMode } = {},
): { raw: Sqlite; kysely: Kysely<Database> } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new SqliteDatabase(file, { readonly: options.readonly ?? false });
  raw.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    raw.pragma('journal_mode = WAL');
    raw.pragma(options.sync === 'deferred-sync' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    raw.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
    raw.pragma('foreign_keys = ON');
  }
  raw.pragma('cache_size = -65536');
  raw.defaultSafeIntegers(false);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });
  return { raw, kysely };
}
