import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type BenchDialect = 'sqlite' | 'postgres';

export const benchPostgresUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One measurement's empty database: a SQLite file in a temporary directory, or a fresh PostgreSQL schema. */
export interface BenchDatabase {
  readonly dialect: BenchDialect;
  readonly sqliteFile?: string;
  readonly databaseUrl?: string;
  readonly searchPath?: string;
  /** Environment for a server process on this database. */
  readonly serverEnv: Record<string, string>;
  /** compose() options for this database. */
  readonly composeOptions: { sqliteFile: string } | { databaseUrl: string; searchPath: string };
}

/**
 * Creates and drops the databases of one bench run. Every schema and file is named after the run, and all of
 * them are dropped by `dropAll` (called in a finally block), so a failed run leaves nothing behind.
 */
export class BenchDatabases {
  readonly #runId = randomBytes(4).toString('hex');
  readonly #dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-bench-'));
  readonly #schemas = new Set<string>();
  #count = 0;

  get runId(): string {
    return this.#runId;
  }

  async create(dialect: BenchDialect, label: string): Promise<BenchDatabase> {
    this.#count += 1;
    const name = `${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${this.#count}`;
    if (dialect === 'sqlite') {
      const sqliteFile = path.join(this.#dir, `${name}.sqlite`);
      return { dialect, sqliteFile, serverEnv: { BENCH_SQLITE_FILE: sqliteFile }, composeOptions: { sqliteFile } };
    }
    const schema = `bench_${this.#runId}_${name}`;
    await withClient((c) => c.query(`create schema ${schema}`));
    this.#schemas.add(schema);
    return {
      dialect,
      databaseUrl: benchPostgresUrl,
      searchPath: schema,
      // A server process gets its schema the way an operator would give it: libpq options in DATABASE_URL.
      serverEnv: { DATABASE_URL: `${benchPostgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}` },
      composeOptions: { databaseUrl: benchPostgresUrl, searchPath: schema },
    };
  }

  /** Drops one database now (keeps disk and catalog small during a long run). */
  async drop(db: BenchDatabase): Promise<void> {
    if (db.sqliteFile) {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${db.sqliteFile}${suffix}`, { force: true });
      return;
    }
    if (db.searchPath) {
      await withClient((c) => c.query(`drop schema if exists ${db.searchPath} cascade`));
      this.#schemas.delete(db.searchPath);
    }
  }

  async dropAll(): Promise<void> {
    fs.rmSync(this.#dir, { recursive: true, force: true });
    if (this.#schemas.size === 0) return;
    await withClient(async (c) => {
      for (const schema of this.#schemas) await c.query(`drop schema if exists ${schema} cascade`);
    });
    this.#schemas.clear();
  }
}

export async function withClient<T>(fn: (client: pg.Client) => Promise<T>, searchPath?: string): Promise<T> {
  const client = new pg.Client({
    connectionString: benchPostgresUrl,
    ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function postgresReachable(): Promise<boolean> {
  try {
    await withClient((c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}
