import type { DialectName, Tx } from '../../storage/index.js';
import { forUpdate, insertRows } from '../../storage/index.js';
import type { IdempotencyRow, OrderAggregate, OrderRow } from './domain/rows.js';

async function insertChunked<T extends object>(
  tx: Tx,
  table: 'orders' | 'order_lines' | 'fulfillment_orders' | 'fulfillment_order_lines' | 'backorders' | 'holds' | 'idempotency_keys',
  rows: readonly T[],
): Promise<void> {
  await insertRows(tx, table, rows);
}

/** Writes many orders with one multi-row insert per table. */
export async function insertAggregates(
  tx: Tx,
  aggregates: readonly OrderAggregate[],
  idempotency: readonly IdempotencyRow[],
): Promise<void> {
  await insertChunked(
    tx,
    'orders',
    aggregates.map((a) => a.order),
  );
  await insertChunked(
    tx,
    'order_lines',
    aggregates.flatMap((a) => a.lines),
  );
  await insertChunked(
    tx,
    'fulfillment_orders',
    aggregates.flatMap((a) => a.fulfillmentOrders),
  );
  await insertChunked(
    tx,
    'fulfillment_order_lines',
    aggregates.flatMap((a) => a.fulfillmentOrderLines),
  );
  await insertChunked(
    tx,
    'backorders',
    aggregates.flatMap((a) => a.backorders),
  );
  await insertChunked(
    tx,
    'holds',
    aggregates.flatMap((a) => a.holds),
  );
  await insertChunked(tx, 'idempotency_keys', idempotency);
}

/** Reads one order with everything it is made of; on PostgreSQL with `lock` the order row is locked. */
export async function loadAggregate(tx: Tx, orderId: string, options: { lock?: DialectName } = {}): Promise<OrderAggregate | undefined> {
  const base = tx.selectFrom('orders').selectAll().where('id', '=', orderId);
  const order = await (options.lock ? forUpdate(base, options.lock) : base).executeTakeFirst();
  if (!order) return undefined;
  const [aggregate] = await loadAggregates(tx, [order]);
  return aggregate;
}

/** Completes order rows into aggregates with one query per table, whatever the number of orders. */
export async function loadAggregates(tx: Tx, orders: readonly OrderRow[]): Promise<OrderAggregate[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.id);
  const [lines, fulfillmentOrders, fulfillmentOrderLines, backorders, holds] = await Promise.all([
    tx.selectFrom('order_lines').selectAll().where('order_id', 'in', ids).execute(),
    tx.selectFrom('fulfillment_orders').selectAll().where('order_id', 'in', ids).execute(),
    tx
      .selectFrom('fulfillment_order_lines as l')
      .innerJoin('fulfillment_orders as fo', 'fo.id', 'l.fulfillment_order_id')
      .selectAll('l')
      .select('fo.order_id')
      .where('fo.order_id', 'in', ids)
      .execute(),
    tx.selectFrom('backorders').selectAll().where('order_id', 'in', ids).where('quantity', '>', 0).execute(),
    tx.selectFrom('holds').selectAll().where('order_id', 'in', ids).orderBy('created_at').orderBy('id').execute(),
  ]);
  const group = <T extends { order_id: string }>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(row.order_id);
      if (list) list.push(row);
      else map.set(row.order_id, [row]);
    }
    return (id: string) => map.get(id) ?? [];
  };
  const [l, f, fl, b, h] = [group(lines), group(fulfillmentOrders), group(fulfillmentOrderLines), group(backorders), group(holds)];
  return orders.map((order) => ({
    order,
    lines: l(order.id),
    fulfillmentOrders: f(order.id),
    fulfillmentOrderLines: fl(order.id).map(({ order_id: _, ...line }) => line),
    backorders: b(order.id),
    holds: h(order.id),
  }));
}

export async function locationCodesFor(tx: Tx, aggregates: readonly OrderAggregate[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(aggregates.flatMap((a) => a.fulfillmentOrders.map((fo) => fo.location_id)).filter((id): id is string => id !== null)),
  ];
  if (ids.length === 0) return new Map();
  const rows = await tx.selectFrom('locations').select(['id', 'code']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.code]));
}

/** Takes the next per-order event sequence numbers and bumps the order's version. */
export async function nextEventSeq(tx: Tx, orderId: string, count: number, now: string): Promise<number> {
  const row = await tx
    .updateTable('orders')
    .set((eb) => ({ event_seq: eb('event_seq', '+', count), version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', orderId)
    .returning('event_seq')
    .executeTakeFirstOrThrow();
  return row.event_seq - count + 1;
}
