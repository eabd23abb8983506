import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { benchPostgresUrl } from './databases.js';
import { type RawCatalog, type RawOrderRows, rawColumns, rawOrderRows } from './raw-rows.js';
import type { RawOptions, RawResult } from './raw-sqlite.js';
import { benchOrder } from './workload.js';

type Table = keyof typeof rawColumns;

/** PostgreSQL types of every column the raw path writes (unnest needs typed arrays). */
const columnTypes: Record<Table, readonly string[]> = {
  orders: [
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'bigint',
    'int',
    'text',
    'text',
    'int',
    'int',
    'text',
    'text',
  ],
  order_lines: ['text', 'text', 'int', 'text', 'text', 'text', 'int', 'int', 'bigint'],
  fulfillment_orders: ['text', 'text', 'text', 'text', 'text', 'int', 'text', 'text'],
  fulfillment_order_lines: ['text', 'text', 'text', 'text', 'int', 'int'],
  inventory_movements: ['text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text'],
  events: ['text', 'text', 'text', 'text', 'int', 'text', 'text', 'text', 'text'],
  idempotency_keys: ['text', 'text', 'text', 'int', 'text', 'text'],
};

const tables = (idempotency: boolean): Table[] => [
  'orders',
  'order_lines',
  'fulfillment_orders',
  'fulfillment_order_lines',
  'inventory_movements',
  'events',
  ...(idempotency ? (['idempotency_keys'] as const) : []),
];

/**
 * One statement that writes any number of orders: a data-modifying CTE per table, each inserting from unnest()
 * of one array per column, plus the level update (the no-oversell CHECK guards it). Foreign keys are checked
 * at the end of the statement, so parents and children go in together. In autocommit this is one round trip
 * and one transaction, whatever the number of orders.
 */
export function writeStatement(idempotency: boolean): string {
  let p = 0;
  const ctes = tables(idempotency).map((table, t) => {
    const arrays = rawColumns[table].map((_, i) => `$${++p}::${columnTypes[table][i]}[]`);
    return `t${t} as (insert into ${table} (${rawColumns[table].join(', ')}) select * from unnest(${arrays.join(', ')}))`;
  });
  const [items, locations, quantities, now] = [++p, ++p, ++p, ++p];
  // Lock the levels in key order first (the InitPlan over `lk` runs before any row is updated), as the app's
  // lockLevels does: without it, orders on the same hot SKUs deadlock and wait out deadlock_timeout.
  ctes.push(
    `lk as (select l.item_id from inventory_levels l
      join unnest($${items}::text[], $${locations}::text[]) as k(item_id, location_id)
        on l.item_id = k.item_id and l.location_id = k.location_id
      order by l.item_id, l.location_id for update of l)`,
    `lv as (update inventory_levels set reserved = inventory_levels.reserved + u.q, updated_at = $${now}::text
      from unnest($${items}::text[], $${locations}::text[], $${quantities}::bigint[]) as u(item_id, location_id, q)
      where inventory_levels.item_id = u.item_id and inventory_levels.location_id = u.location_id
        and (select count(*) from lk) > 0
      returning 1)`,
  );
  return `with ${ctes.join(',\n')} select count(*)::int as levels from lv`;
}

/** Column arrays of all rows, in the statement's parameter order; level updates summed per level, in key order. */
export function writeParams(orders: readonly RawOrderRows[], idempotency: boolean): { params: unknown[]; levels: number } {
  const rowsOf: Record<Table, (o: RawOrderRows) => readonly (readonly unknown[])[]> = {
    orders: (o) => [o.order],
    order_lines: (o) => o.lines,
    fulfillment_orders: (o) => [o.fulfillmentOrder],
    fulfillment_order_lines: (o) => o.fulfillmentOrderLines,
    inventory_movements: (o) => o.movements,
    events: (o) => [o.event],
    idempotency_keys: (o) => (o.idempotency ? [o.idempotency] : []),
  };
  const params: unknown[] = [];
  for (const table of tables(idempotency)) {
    const rows = orders.flatMap(rowsOf[table]);
    for (let c = 0; c < rawColumns[table].length; c += 1) params.push(rows.map((r) => r[c]));
  }
  const merged = new Map<string, [string, string, number]>();
  for (const o of orders) {
    for (const [itemId, locationId, q] of o.levelUpdates) {
      const key = `${itemId}\u0000${locationId}`;
      const seen = merged.get(key);
      if (seen) seen[2] += q;
      else merged.set(key, [itemId, locationId, q]);
    }
  }
  const levels = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  params.push(
    levels.map((l) => l[0]),
    levels.map((l) => l[1]),
    levels.map((l) => l[2]),
    orders[0]?.order[16],
  );
  return { params, levels: levels.length };
}

export interface RawPostgresOptions extends RawOptions {
  readonly searchPath: string;
  /** Clients writing at the same time (each its own connection). */
  readonly clients: number;
}

const isDeadlock = (error: unknown) => (error as { code?: string }).code === '40P01' || (error as { code?: string }).code === '40001';

/**
 * The PostgreSQL ceiling with the pg driver alone: `clients` connections each write `ordersPerTransaction`
 * orders per statement (one round trip, one transaction) in a loop, for a fixed time. With one order per
 * statement this is the "one round trip per order" ceiling; with 1,000 it is the batched one.
 */
export async function rawPostgres(catalog: RawCatalog, options: RawPostgresOptions): Promise<RawResult> {
  const text = writeStatement(options.idempotency);
  const name = `raw_write_${options.idempotency ? 'k' : 'n'}`;
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new pg.Client({ connectionString: benchPostgresUrl, options: `-c search_path=${options.searchPath}` });
      await client.connect();
      return client;
    }),
  );
  let n = 0;
  let retries = 0;
  const writeOne = async (client: pg.Client) => {
    const batch: RawOrderRows[] = [];
    for (let i = 0; i < options.ordersPerTransaction; i += 1) {
      n += 1;
      const input = benchOrder(n, { prefix: options.prefix, hot: options.hot, skuCount: options.skuCount });
      batch.push(
        rawOrderRows(input, catalog, { actor: 'bench', ...(options.idempotency ? { idempotencyKey: `${options.prefix}-${n}` } : {}) }),
      );
    }
    const { params, levels } = writeParams(batch, options.idempotency);
    for (;;) {
      try {
        const result = await client.query<{ levels: number }>({ name, text, values: params });
        if (result.rows[0]?.levels !== levels) throw new Error(`raw postgres: updated ${result.rows[0]?.levels} of ${levels} levels`);
        return batch.length;
      } catch (error) {
        if (!isDeadlock(error)) throw error;
        retries += 1;
      }
    }
  };
  const runFor = async (seconds: number): Promise<RawResult> => {
    let orders = 0;
    let transactions = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          // Not `orders += await ...`: that reads `orders` before the await and loses the other clients' counts.
          const written = await writeOne(client);
          orders += written;
          transactions += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { throughput: orders / elapsed, orders, seconds: elapsed, transactions, retries };
  };
  try {
    if (options.warmupS > 0) await runFor(options.warmupS);
    retries = 0;
    return await runFor(options.durationS);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
