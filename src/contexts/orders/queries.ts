import { decodeCursor, decodeSeqCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Deps } from '../deps.js';
import { type EventView, toEventView } from '../messaging/index.js';
import type { FulfillmentOrderStatus, OrderStatus } from './domain/machines.js';
import type { FulfillmentOrderView, OrderView } from './domain/types.js';
import { toFulfillmentOrderView, toOrderView } from './domain/view.js';
import { loadAggregate, loadAggregates, locationCodesFor } from './store.js';

export async function getOrder(deps: Deps, id: string): Promise<Result<OrderView>> {
  const aggregate = await loadAggregate(deps.db.read, id);
  if (!aggregate) return fail('not_found', `no order ${id}`);
  const codes = await locationCodesFor(deps.db.read, [aggregate]);
  return ok(toOrderView(aggregate, (l) => codes.get(l) ?? l));
}

export interface OrderListQuery {
  readonly status?: OrderStatus | undefined;
  readonly channel?: string | undefined;
  readonly external_id?: string | undefined;
  readonly email?: string | undefined;
  readonly created_after?: string | undefined;
  readonly created_before?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/** Orders, newest first, filtered; a page costs a fixed number of queries whatever its size. */
export async function listOrders(deps: Deps, query: OrderListQuery): Promise<Page<OrderView>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('orders')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(size + 1);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.channel) q = q.where('channel', '=', query.channel);
  if (query.external_id) q = q.where('external_id', '=', query.external_id);
  if (query.email) q = q.where('customer_email', '=', query.email.toLowerCase());
  if (query.created_after) q = q.where('created_at', '>=', new Date(query.created_after).toISOString());
  if (query.created_before) q = q.where('created_at', '<', new Date(query.created_before).toISOString());
  if (after !== undefined) q = q.where('id', '<', after);
  const rows = await q.execute();
  const aggregates = await loadAggregates(deps.db.read, rows.slice(0, size));
  const codes = await locationCodesFor(deps.db.read, aggregates);
  const views = new Map(aggregates.map((a) => [a.order.id, toOrderView(a, (l) => codes.get(l) ?? l)]));
  return toPage(
    rows,
    size,
    (r) => r.id,
    (r) => views.get(r.id) as OrderView,
  );
}

/** The order's timeline: every event of the order and its fulfillment orders, oldest first. */
export async function listOrderEvents(
  deps: Deps,
  id: string,
  query: { cursor?: string | undefined; limit?: number | undefined },
): Promise<Result<Page<EventView>>> {
  const exists = await deps.db.read.selectFrom('orders').select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) return fail('not_found', `no order ${id}`);
  const size = pageSize(query.limit);
  const after = decodeSeqCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('events')
    .selectAll()
    .where('order_id', '=', id)
    .orderBy('seq')
    .limit(size + 1);
  if (after !== undefined) q = q.where('seq', '>', after);
  return ok(toPage(await q.execute(), size, (r) => String(r.seq), toEventView));
}

export async function getFulfillmentOrder(deps: Deps, id: string): Promise<Result<FulfillmentOrderView>> {
  const fo = await deps.db.read.selectFrom('fulfillment_orders').select('order_id').where('id', '=', id).executeTakeFirst();
  if (!fo) return fail('not_found', `no fulfillment order ${id}`);
  const order = await getOrder(deps, fo.order_id);
  if (!order.ok) return order;
  const view = order.value.fulfillment_orders.find((f) => f.id === id);
  return view ? ok(view) : fail('not_found', `no fulfillment order ${id}`);
}

export interface FulfillmentOrderListQuery {
  readonly location?: string | undefined;
  readonly status?: FulfillmentOrderStatus | undefined;
  readonly path?: 'physical' | 'digital' | 'service' | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/** Fulfillment orders, oldest first (the order work should be done in). */
export async function listFulfillmentOrders(deps: Deps, query: FulfillmentOrderListQuery): Promise<Result<Page<FulfillmentOrderView>>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('fulfillment_orders')
    .selectAll()
    .orderBy('id')
    .limit(size + 1);
  if (query.location) {
    const location = await deps.db.read.selectFrom('locations').select('id').where('code', '=', query.location).executeTakeFirst();
    if (!location) return fail('not_found', `no location with code ${query.location}`);
    q = q.where('location_id', '=', location.id);
  }
  if (query.status) q = q.where('status', '=', query.status);
  if (query.path) q = q.where('path', '=', query.path);
  if (after !== undefined) q = q.where('id', '>', after);
  const rows = await q.execute();
  const shown = rows.slice(0, size);
  const ids = shown.map((r) => r.id);
  const lines =
    ids.length === 0
      ? []
      : await deps.db.read
          .selectFrom('fulfillment_order_lines as l')
          .innerJoin('order_lines as ol', 'ol.id', 'l.order_line_id')
          .selectAll('l')
          .select('ol.sku')
          .where('l.fulfillment_order_id', 'in', ids)
          .execute();
  const skus = new Map(lines.map((l) => [l.order_line_id, l.sku]));
  const locationIds = [...new Set(shown.map((r) => r.location_id).filter((x): x is string => x !== null))];
  const codes = new Map(
    locationIds.length === 0
      ? []
      : (await deps.db.read.selectFrom('locations').select(['id', 'code']).where('id', 'in', locationIds).execute()).map((l) => [
          l.id,
          l.code,
        ]),
  );
  return ok(
    toPage(
      rows,
      size,
      (r) => r.id,
      (r) =>
        toFulfillmentOrderView(
          r,
          lines,
          (id) => skus.get(id) ?? '',
          (id) => codes.get(id) ?? id,
        ),
    ),
  );
}
