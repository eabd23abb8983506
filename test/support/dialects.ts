import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DialectName } from '../../src/storage/index.js';

/** The PostgreSQL server the suite uses: CI starts it (see .ci/run); locally it is this machine's service. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** In CI (or with REQUIRE_POSTGRES=1) an unreachable PostgreSQL fails the run instead of skipping. */
const requirePostgres = process.env.CI === 'true' || process.env.REQUIRE_POSTGRES === '1';

let reachable: Promise<boolean> | undefined;
const reachAttemptsMax = 3;
const reachTimeoutMs = 10_000;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    // A loaded machine can be slow to accept a connection: try a few times before calling it unreachable.
    let lastError: unknown;
    for (let attempt = 1; attempt <= reachAttemptsMax; attempt += 1) {
      const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: reachTimeoutMs });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch (error) {
        lastError = error;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (requirePostgres) throw new Error(`PostgreSQL is required here but not reachable at ${testPostgresUrl}: ${String(lastError)}`);
    return false;
  })();
  return reachable;
}

/** The dialects this run covers: FULFILL_TEST_DIALECTS=sqlite narrows it (never in CI). */
export async function testDialects(): Promise<DialectName[]> {
  const wanted = (process.env.FULFILL_TEST_DIALECTS ?? 'sqlite,postgres').split(',');
  if (requirePostgres && !wanted.includes('postgres')) throw new Error('CI must run the PostgreSQL suite');
  const dialects: DialectName[] = [];
  if (wanted.includes('sqlite')) dialects.push('sqlite');
  if (wanted.includes('postgres')) {
    if (await postgresReachable()) dialects.push('postgres');
    else console.warn(`# PostgreSQL not reachable at ${testPostgresUrl}: PostgreSQL tests are SKIPPED on this machine`);
  }
  return dialects;
}

/** A place for one test's database: a temporary SQLite file, or a fresh PostgreSQL schema. */
export interface TestDatabase {
  readonly dialect: DialectName;
  readonly sqliteFile?: string;
  readonly databaseUrl?: string;
  readonly searchPath?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-test-'));
    return { dialect, sqliteFile: path.join(dir, 'test.sqlite'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    dialect,
    databaseUrl: testPostgresUrl,
    searchPath: schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
