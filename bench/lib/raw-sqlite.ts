import { performance } from 'node:perf_hooks';
import { openSqlite } from '../../src/storage/sqlite.js';
import { type RawCatalog, rawColumns, rawOrderRows } from './raw-rows.js';
import { benchOrder } from './workload.js';

export interface RawResult {
  readonly throughput: number;
  readonly orders: number;
  readonly seconds: number;
  readonly transactions: number;
  readonly retries?: number;
}

export interface RawOptions {
  readonly warmupS: number;
  readonly durationS: number;
  readonly ordersPerTransaction: number;
  readonly hot: boolean;
  /** Also store an idempotency row per order (the HTTP runs send Idempotency-Key; the importer does not). */
  readonly idempotency: boolean;
  readonly prefix: string;
  readonly skuCount: number;
}

const insertSql = (table: keyof typeof rawColumns) =>
  `insert into ${table} (${rawColumns[table].join(', ')}) values (${rawColumns[table].map(() => '?').join(', ')})`;

/**
 * The SQLite ceiling: better-sqlite3 prepared statements on the migrated schema, opened by src/storage/sqlite.ts
 * (WAL, synchronous=FULL), BEGIN IMMEDIATE, `ordersPerTransaction` orders per commit, for a fixed time.
 * Synchronous by nature: nothing else runs in this process meanwhile.
 */
export function rawSqlite(file: string, catalog: RawCatalog, options: RawOptions): RawResult {
  // Opened exactly as the app opens its writer (WAL, synchronous=FULL, checkpoint interval, cache, foreign keys).
  const db = openSqlite(file).raw;
  try {
    const statements = {
      order: db.prepare(insertSql('orders')),
      line: db.prepare(insertSql('order_lines')),
      fo: db.prepare(insertSql('fulfillment_orders')),
      foLine: db.prepare(insertSql('fulfillment_order_lines')),
      movement: db.prepare(insertSql('inventory_movements')),
      event: db.prepare(insertSql('events')),
      idempotency: db.prepare(insertSql('idempotency_keys')),
      level: db.prepare('update inventory_levels set reserved = reserved + ?, updated_at = ? where item_id = ? and location_id = ?'),
    };
    const write = db.transaction((batch: ReturnType<typeof rawOrderRows>[]) => {
      for (const rows of batch) {
        statements.order.run(rows.order);
        for (const r of rows.lines) statements.line.run(r);
        statements.fo.run(rows.fulfillmentOrder);
        for (const r of rows.fulfillmentOrderLines) statements.foLine.run(r);
        for (const r of rows.movements) statements.movement.run(r);
        const now = rows.order[16];
        for (const [itemId, locationId, quantity] of rows.levelUpdates) {
          // The CHECK (reserved <= on_hand) refuses an oversell and aborts the transaction, as in the app.
          const { changes } = statements.level.run(quantity, now, itemId, locationId);
          if (changes !== 1) throw new Error(`raw sqlite: no level for ${itemId}`);
        }
        statements.event.run(rows.event);
        if (rows.idempotency) statements.idempotency.run(rows.idempotency);
      }
    });
    let n = 0;
    const runFor = (seconds: number) => {
      let orders = 0;
      let transactions = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      while (performance.now() < deadline) {
        const batch = [];
        for (let i = 0; i < options.ordersPerTransaction; i += 1) {
          n += 1;
          const input = benchOrder(n, { prefix: options.prefix, hot: options.hot, skuCount: options.skuCount });
          batch.push(
            rawOrderRows(input, catalog, { actor: 'bench', ...(options.idempotency ? { idempotencyKey: `${options.prefix}-${n}` } : {}) }),
          );
        }
        write.immediate(batch);
        orders += batch.length;
        transactions += 1;
      }
      const elapsed = (performance.now() - started) / 1000;
      return { throughput: orders / elapsed, orders, seconds: elapsed, transactions };
    };
    if (options.warmupS > 0) runFor(options.warmupS);
    return runFor(options.durationS);
  } finally {
    db.close();
  }
}
