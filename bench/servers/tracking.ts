/**
 * The Fulfill API for the tracking bench: `fulfill serve` as configured by the environment (BENCH_SQLITE_FILE
 * or DATABASE_URL, EASYPOST_WEBHOOK_SECRET), the outbox dispatcher off so the figure is ingestion alone.
 */
import { performance } from 'node:perf_hooks';
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import { serveBenchChild } from './child.js';

const sqliteFile = process.env.BENCH_SQLITE_FILE;
const databaseUrl = process.env.DATABASE_URL;
if (!sqliteFile && !databaseUrl) throw new Error('set BENCH_SQLITE_FILE or DATABASE_URL');

const app = await compose({
  ...(sqliteFile ? { sqliteFile } : { databaseUrl }),
  adminKey: process.env.FULFILL_ADMIN_KEY,
  easypostWebhookSecret: process.env.EASYPOST_WEBHOOK_SECRET,
});
const http = await buildHttpApp(app, { logLevel: false });
if (process.env.BENCH_TRACE === '1') {
  const transaction = app.db.transaction.bind(app.db);
  let n = 0;
  let total = 0;
  (app.db as { transaction: typeof transaction }).transaction = async (fn) => {
    const started = performance.now();
    try {
      return await transaction(fn);
    } finally {
      n += 1;
      total += performance.now() - started;
      if (n % 20 === 0) console.error(`trace: ${n} transactions, mean ${(total / n).toFixed(1)} ms`);
    }
  };
}
await serveBenchChild(http, app);
