/**
 * The Fulfill API as `fulfill serve` runs it (compose + buildHttpApp, request logging off), on the database the
 * bench chose: BENCH_SQLITE_FILE, or DATABASE_URL (its schema in `?options=-c search_path=...`). It also counts,
 * for the bench, how the intake queue groups orders into transactions: every intake transaction starts by taking
 * the waiting orders (at most limits.groupCommitOrdersMax), so orders submitted but not yet taken give each
 * batch's size. With BENCH_SQL_TIMING=1 it also times every statement by kind (see sql-timing.ts).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import { limits } from '../../src/kernel/limits.js';
import { serveBenchChild } from './child.js';
import { installSqlTiming, resetSqlTimes, sqlTimes } from './sql-timing.js';

const sqliteFile = process.env.BENCH_SQLITE_FILE;
const databaseUrl = process.env.DATABASE_URL;
if (!sqliteFile && !databaseUrl) throw new Error('set BENCH_SQLITE_FILE or DATABASE_URL');
if (process.env.BENCH_SQL_TIMING === '1') installSqlTiming();

const app = await compose({
  ...(sqliteFile ? { sqliteFile } : { databaseUrl }),
  adminKey: process.env.FULFILL_ADMIN_KEY,
});
const http = await buildHttpApp(app, { logLevel: false });

let stats = { transactions: 0, ordersSubmitted: 0, transactionMs: 0, batchSizes: {} as Record<string, number>, since: performance.now() };
let waiting = 0;
const submit = app.intake.submit.bind(app.intake);
app.intake.submit = (request) => {
  waiting += 1;
  stats.ordersSubmitted += 1;
  return submit(request);
};
const transaction = app.db.transaction.bind(app.db);
(app.db as { transaction: typeof transaction }).transaction = async (fn) => {
  const taken = Math.min(waiting, limits.groupCommitOrdersMax);
  waiting -= taken;
  const bucket = taken <= 1 ? '1' : taken <= 4 ? '2-4' : taken <= 16 ? '5-16' : taken <= 64 ? '17-64' : taken <= 255 ? '65-255' : '256';
  if (taken > 0) stats.batchSizes[bucket] = (stats.batchSizes[bucket] ?? 0) + 1;
  const started = performance.now();
  try {
    return await transaction(fn);
  } finally {
    stats.transactions += 1;
    stats.transactionMs += performance.now() - started;
  }
};

/** How this server commits, reported to the bench: a 201 must mean a durable commit. */
async function durability(): Promise<Record<string, string>> {
  const one = async (query: string) => {
    const { rows } = await sql.raw<Record<string, unknown>>(query).execute(app.db.write);
    return String(Object.values(rows[0] ?? {})[0]);
  };
  if (app.db.dialect === 'sqlite') {
    // synchronous: 2 is FULL, 3 is EXTRA.
    return { journal_mode: await one('pragma journal_mode'), synchronous: await one('pragma synchronous') };
  }
  return { fsync: await one('show fsync'), synchronous_commit: await one('show synchronous_commit') };
}

await serveBenchChild(
  http,
  app,
  {
    reset() {
      stats = { transactions: 0, ordersSubmitted: 0, transactionMs: 0, batchSizes: {}, since: performance.now() };
      resetSqlTimes();
    },
    read() {
      const { since, ...rest } = stats;
      return { ...rest, windowMs: performance.now() - since, sql: sqlTimes() };
    },
  },
  { durability: await durability() },
);
