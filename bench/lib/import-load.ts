import { performance } from 'node:perf_hooks';
import { type ImportRow, importOrders } from '../../src/cli/import.js';
import { compose } from '../../src/compose.js';
import type { BenchDatabase } from './databases.js';
import { benchAdminKey, benchOrder } from './workload.js';

export interface ImportResult {
  readonly throughput: number;
  readonly orders: number;
  readonly seconds: number;
  readonly rejected: number;
  readonly existed: number;
}

/** Orders for `seconds`, then the end of the file: the importer reads them like lines of an NDJSON file. */
async function* rowsFor(seconds: number, prefix: string, skuCount: number, start: { n: number }): AsyncGenerator<ImportRow> {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    // Check the clock once per importer batch, not per row.
    if (start.n % 1_000 === 0 && performance.now() >= deadline) return;
    start.n += 1;
    yield { row: start.n, order: benchOrder(start.n, { prefix, skuCount }) };
  }
}

/**
 * Bulk import with src/cli/import.ts importOrders() (what `fulfill import` runs): each order validated as the
 * API validates it, 1,000 orders per transaction, in this process, for a fixed time after a warm-up.
 */
export async function importLoad(
  db: BenchDatabase,
  options: { warmupS: number; durationS: number; prefix: string; skuCount: number },
): Promise<ImportResult> {
  const app = await compose({ ...db.composeOptions, adminKey: benchAdminKey });
  try {
    const counter = { n: 0 };
    if (options.warmupS > 0)
      await importOrders(app, rowsFor(options.warmupS, options.prefix, options.skuCount, counter), { batchSize: 1_000 });
    const summary = await importOrders(app, rowsFor(options.durationS, options.prefix, options.skuCount, counter), { batchSize: 1_000 });
    return {
      throughput: summary.created / summary.seconds,
      orders: summary.created,
      seconds: summary.seconds,
      rejected: summary.rejected,
      existed: summary.existed,
    };
  } finally {
    await app.close();
  }
}

export interface BatchHttpResult extends ImportResult {
  readonly requests: number;
  readonly failedRequests: number;
}

/**
 * POST /v1/orders/batch with 1,000 orders per request from `clients` concurrent clients for a fixed time. Each
 * client builds its next body while its request is in flight.
 */
export async function batchHttpLoad(
  baseUrl: string,
  options: { warmupS: number; durationS: number; prefix: string; clients: number; ordersPerRequest: number; skuCount: number },
): Promise<BatchHttpResult> {
  let n = 0;
  const nextBody = () => {
    const orders = [];
    for (let i = 0; i < options.ordersPerRequest; i += 1) {
      n += 1;
      orders.push(benchOrder(n, { prefix: options.prefix, skuCount: options.skuCount }));
    }
    return JSON.stringify({ orders });
  };
  const runFor = async (seconds: number) => {
    let created = 0;
    let rejected = 0;
    let requests = 0;
    let failedRequests = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        let body = nextBody();
        while (performance.now() < deadline) {
          const pending = fetch(`${baseUrl}/v1/orders/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${benchAdminKey}` },
            body,
          });
          body = nextBody();
          const res = await pending;
          const text = await res.text();
          requests += 1;
          if (res.status !== 200) {
            failedRequests += 1;
            continue;
          }
          const result = JSON.parse(text) as { created: number; rejected: number };
          created += result.created;
          rejected += result.rejected;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { throughput: created / elapsed, orders: created, seconds: elapsed, rejected, existed: 0, requests, failedRequests };
  };
  if (options.warmupS > 0) await runFor(options.warmupS);
  return runFor(options.durationS);
}
