/**
 * The Fulfill API as `fulfill serve` runs it (compose + buildHttpApp, request logging off), on the database the
 * bench chose: BENCH_SQLITE_FILE, or DATABASE_URL (its schema in `?options=-c search_path=...`). It also counts,
 * for the bench, how the intake queue groups orders into transactions (each batch's size as it starts) and how
 * long transactions take from request to durable answer. With BENCH_SQL_TIMING=1 it also times every statement by kind (see sql-timing.ts).
 */
import { performance } from 'node:perf_hooks';
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
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

let stats = {
  transactions: 0,
  intakeBatches: 0,
  ordersSubmitted: 0,
  transactionMs: 0,
  batchSizes: {} as Record<string, number>,
  since: performance.now(),
};
app.intake.onBatch = (taken) => {
  const bucket = taken <= 1 ? '1' : taken <= 4 ? '2-4' : taken <= 16 ? '5-16' : taken <= 64 ? '17-64' : taken <= 255 ? '65-255' : '256';
  stats.batchSizes[bucket] = (stats.batchSizes[bucket] ?? 0) + 1;
  stats.intakeBatches += 1;
  stats.ordersSubmitted += taken;
};
const transaction = app.db.transaction.bind(app.db);
(app.db as { transaction: typeof transaction }).transaction = async (fn) => {
  const started = performance.now();
  try {
    return await transaction(fn);
  } finally {
    stats.transactions += 1;
    stats.transactionMs += performance.now() - started;
  }
};

await serveBenchChild(
  http,
  app,
  {
    reset() {
      stats = { transactions: 0, intakeBatches: 0, ordersSubmitted: 0, transactionMs: 0, batchSizes: {}, since: performance.now() };
      resetSqlTimes();
    },
    async read() {
      const { since, ...rest } = stats;
      return { ...rest, windowMs: performance.now() - since, sql: sqlTimes(), durability: await app.db.durability() };
    },
  },
  { durability: await app.db.durability() },
);
