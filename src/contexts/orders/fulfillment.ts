import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { findLocationsByIds } from '../catalog/index.js';
import type { Deps } from '../deps.js';
import { deltas, type StockBook } from '../inventory/index.js';
import { appendEvents } from '../messaging/index.js';
import type { SourcingLocation, SourcingStrategy } from '../sourcing/index.js';
import { type OrderStatus, orderMachine } from './domain/machines.js';
import { moveFulfillmentOrder } from './order-change.js';
import { nextEventSeq } from './store.js';

/** Appends one event to an order's timeline inside the caller's transaction. */
export async function recordOrderEvent(
  tx: Tx,
  deps: Deps,
  orderId: string,
  type: string,
  data: Record<string, unknown>,
  actor: string,
  now: string,
): Promise<void> {
  const seq = await nextEventSeq(tx, orderId, 1, now);
  await appendEvents(tx, [
    {
      id: deps.ids.next('event'),
      type,
      aggregateType: 'order',
      aggregateId: orderId,
      aggregateSeq: seq,
      orderId,
      actor,
      data: { order_id: orderId, ...data },
      createdAt: now,
    },
  ]);
}

/** Releases open fulfillment orders to the floor (open -> in_progress). Held or cancelled work is refused. */
export async function startFulfillmentOrders(
  tx: Tx,
  deps: Deps,
  fulfillmentOrders: readonly { id: string; order_id: string; status: string }[],
  context: { waveId: string; actor: string; now: string },
): Promise<Result<void>> {
  for (const fo of fulfillmentOrders) {
    const moved = await moveFulfillmentOrder(tx, fo, 'start', context.now);
    if (!moved.ok) return moved;
    await recordOrderEvent(
      tx,
      deps,
      fo.order_id,
      'fulfillment_order.released',
      { fulfillment_order_id: fo.id, wave_id: context.waveId },
      context.actor,
      context.now,
    );
  }
  return ok(undefined);
}

/** Sets the order's status from its lines: fulfilled, partially fulfilled or backordered, through the machine. */
export async function refreshOrderStatus(tx: Tx, orderId: string, now: string): Promise<void> {
  await refreshOrderStatuses(tx, [orderId], now);
}

/** Orders per statement of `refreshOrderStatuses` (the ids go into `IN` lists). */
const refreshChunk = 500;

/**
 * `refreshOrderStatus` for many orders in four queries and one update per new status: an order whose every
 * remaining unit is in a fulfilled fulfillment order becomes `fulfilled`, one with some `partially_fulfilled`
 * (or `backordered` while a backorder waits), through the order machine's allowed transitions.
 */
export async function refreshOrderStatuses(tx: Tx, orderIds: readonly string[], now: string): Promise<void> {
  for (let at = 0; at < orderIds.length; at += refreshChunk) {
    const chunk = orderIds.slice(at, at + refreshChunk);
    const orders = await tx.selectFrom('orders').select(['id', 'status']).where('id', 'in', chunk).execute();
    const lines = await tx
      .selectFrom('order_lines')
      .select(['id', 'order_id', 'quantity', 'cancelled_quantity'])
      .where('order_id', 'in', chunk)
      .execute();
    const shipped = await tx
      .selectFrom('fulfillment_order_lines as l')
      .innerJoin('fulfillment_orders as fo', 'fo.id', 'l.fulfillment_order_id')
      .select(['l.order_line_id', 'l.quantity'])
      .where('fo.order_id', 'in', chunk)
      .where('fo.status', '=', 'fulfilled')
      .execute();
    const waiting = await tx.selectFrom('backorders').select('order_id').where('order_id', 'in', chunk).where('quantity', '>', 0).execute();
    const done = new Map<string, number>();
    for (const s of shipped) done.set(s.order_line_id, (done.get(s.order_line_id) ?? 0) + s.quantity);
    const linesOf = new Map<string, typeof lines>();
    for (const line of lines) linesOf.set(line.order_id, [...(linesOf.get(line.order_id) ?? []), line]);
    const waitingOrders = new Set(waiting.map((w) => w.order_id));
    const moves = new Map<OrderStatus, string[]>();
    for (const order of orders) {
      const own = linesOf.get(order.id) ?? [];
      const wanted = own.reduce((sum, l) => sum + l.quantity - l.cancelled_quantity, 0);
      const fulfilled = own.reduce((sum, l) => sum + Math.min(done.get(l.id) ?? 0, l.quantity - l.cancelled_quantity), 0);
      const isWaiting = waitingOrders.has(order.id);
      const current = order.status as OrderStatus;
      let next: OrderStatus = current;
      if (wanted > 0 && fulfilled === wanted) next = 'fulfilled';
      else if (fulfilled > 0) next = isWaiting ? 'backordered' : 'partially_fulfilled';
      else if (isWaiting) next = 'backordered';
      else if (current === 'backordered') next = 'open';
      if (next === current) continue;
      const action =
        next === 'fulfilled'
          ? 'fulfill'
          : next === 'partially_fulfilled'
            ? 'fulfill_part'
            : next === 'backordered'
              ? 'backorder'
              : 'clear_backorder';
      if (!orderMachine.transitions[action].from.includes(current)) continue;
      moves.set(next, [...(moves.get(next) ?? []), order.id]);
    }
    for (const [status, ids] of moves) await tx.updateTable('orders').set({ status, updated_at: now }).where('id', 'in', ids).execute();
  }
}

export interface ShortPick {
  readonly fulfillmentOrderLineId: string;
  readonly quantity: number;
  /** The location that came up short: it is not asked again for these units. */
  readonly locationId: string;
}

/**
 * Sends a short-picked quantity back to sourcing: the fulfillment order line shrinks (its reservation was
 * already released by the caller's adjustment), other active locations are tried with the order's strategy,
 * and what no location can fill is backordered whatever the item's policy (the order was already accepted).
 */
export async function reallocateShortPick(
  tx: Tx,
  deps: Deps & { readonly sourcing: SourcingStrategy },
  book: StockBook,
  short: ShortPick,
  context: { actor: string; now: string },
): Promise<{ reallocated: { location: string; quantity: number }[]; backordered: number }> {
  const line = await tx
    .selectFrom('fulfillment_order_lines as l')
    .innerJoin('fulfillment_orders as fo', 'fo.id', 'l.fulfillment_order_id')
    .innerJoin('orders as o', 'o.id', 'fo.order_id')
    .innerJoin('order_lines as ol', 'ol.id', 'l.order_line_id')
    .select(['l.id', 'l.item_id', 'l.order_line_id', 'fo.order_id', 'o.shipping_address', 'ol.sku'])
    .where('l.id', '=', short.fulfillmentOrderLineId)
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('fulfillment_order_lines')
    .set((eb) => ({ quantity: eb('quantity', '-', short.quantity) }))
    .where('id', '=', line.id)
    .execute();
  const candidates = (
    await tx
      .selectFrom('inventory_levels')
      .select('location_id')
      .where('item_id', '=', line.item_id)
      .where('location_id', '!=', short.locationId)
      .execute()
  ).map((r) => r.location_id);
  const locations: SourcingLocation[] = (await findLocationsByIds(tx, candidates))
    .filter((l) => l.active === 1)
    .map((l) => ({ id: l.id, code: l.code, priority: l.priority, country: l.country, postalCode: l.postal_code }));
  const address = JSON.parse(line.shipping_address) as { country?: string; postal_code?: string } | null;
  const plan = deps.sourcing({
    lines: [{ index: 0, itemId: line.item_id, sku: line.sku, quantity: short.quantity, policy: 'continue' }],
    locations,
    available: (itemId, locationId) => book.available(itemId, locationId),
    destination: { country: address?.country ?? '', postalCode: address?.postal_code ?? '' },
  });
  const codes = new Map(locations.map((l) => [l.id, l.code]));
  const reallocated: { location: string; quantity: number }[] = [];
  for (const a of plan.allocations) {
    const foId = await openFulfillmentOrder(tx, deps, line.order_id, a.locationId, context.now);
    book.apply(line.item_id, a.locationId, 'reserve', deltas.reserve(a.quantity), {
      refType: 'fulfillment_order',
      refId: foId,
      reason: 'short_pick',
      actor: context.actor,
    });
    await tx
      .insertInto('fulfillment_order_lines')
      .values({
        id: deps.ids.next('fulfillmentOrderLine'),
        fulfillment_order_id: foId,
        order_line_id: line.order_line_id,
        item_id: line.item_id,
        quantity: a.quantity,
        cancelled_quantity: 0,
      })
      .execute();
    reallocated.push({ location: codes.get(a.locationId) ?? a.locationId, quantity: a.quantity });
  }
  const backordered = plan.backorders.reduce((sum, b) => sum + b.quantity, 0);
  if (backordered > 0) {
    await tx
      .insertInto('backorders')
      .values({
        id: deps.ids.next('backorder'),
        order_id: line.order_id,
        order_line_id: line.order_line_id,
        item_id: line.item_id,
        quantity: backordered,
        created_at: context.now,
      })
      .execute();
  }
  await recordOrderEvent(
    tx,
    deps,
    line.order_id,
    'order.short_picked',
    { line_id: line.order_line_id, quantity: short.quantity, reallocated, backordered },
    context.actor,
    context.now,
  );
  await refreshOrderStatus(tx, line.order_id, context.now);
  return { reallocated, backordered };
}

/** The order's open (or held) fulfillment order at a location, or a new one (on hold if the order is held). */
export async function openFulfillmentOrder(tx: Tx, deps: Deps, orderId: string, locationId: string, now: string): Promise<string> {
  const open = await tx
    .selectFrom('fulfillment_orders')
    .select('id')
    .where('order_id', '=', orderId)
    .where('location_id', '=', locationId)
    .where('status', 'in', ['open', 'on_hold'])
    .orderBy('id')
    .executeTakeFirst();
  if (open) return open.id;
  const held = await tx
    .selectFrom('holds')
    .select('id')
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .where('fulfillment_order_id', 'is', null)
    .executeTakeFirst();
  const id = deps.ids.next('fulfillmentOrder');
  await tx
    .insertInto('fulfillment_orders')
    .values({
      id,
      order_id: orderId,
      location_id: locationId,
      path: 'physical',
      status: held ? 'on_hold' : 'open',
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * Marks shipped quantities of an in-progress fulfillment order. A full shipment fulfills it; a partial one
 * splits it: the shipped quantities stay on this (now fulfilled) fulfillment order and the rest moves, still
 * reserved, to a new open fulfillment order at the same location, so nothing unshipped is lost or closed.
 */
export async function fulfillShipped(
  tx: Tx,
  deps: Deps,
  fo: { id: string; order_id: string; location_id: string; status: string },
  shippedByLine: ReadonlyMap<string, number>,
  context: { actor: string; now: string; shipmentId: string; eventData?: Record<string, unknown> },
): Promise<Result<{ remainderFulfillmentOrderId: string | null }>> {
  const lines = await tx.selectFrom('fulfillment_order_lines').selectAll().where('fulfillment_order_id', '=', fo.id).execute();
  let remainderId: string | null = null;
  for (const line of lines) {
    const shipped = shippedByLine.get(line.id) ?? 0;
    if (shipped > line.quantity)
      return fail('invalid_quantity', `more units shipped than the fulfillment order holds for line ${line.order_line_id}`);
    const rest = line.quantity - shipped;
    if (rest === 0) continue;
    remainderId ??= await newFulfillmentOrder(tx, deps, fo, context.now);
    await tx.updateTable('fulfillment_order_lines').set({ quantity: shipped }).where('id', '=', line.id).execute();
    await tx
      .insertInto('fulfillment_order_lines')
      .values({
        id: deps.ids.next('fulfillmentOrderLine'),
        fulfillment_order_id: remainderId,
        order_line_id: line.order_line_id,
        item_id: line.item_id,
        quantity: rest,
        cancelled_quantity: 0,
      })
      .execute();
  }
  const moved = await moveFulfillmentOrder(tx, fo, 'fulfill', context.now);
  if (!moved.ok) return moved;
  await recordOrderEvent(
    tx,
    deps,
    fo.order_id,
    'fulfillment_order.shipped',
    {
      fulfillment_order_id: fo.id,
      shipment_id: context.shipmentId,
      remainder_fulfillment_order_id: remainderId,
      ...(context.eventData ?? {}),
    },
    context.actor,
    context.now,
  );
  await refreshOrderStatus(tx, fo.order_id, context.now);
  return ok({ remainderFulfillmentOrderId: remainderId });
}

/** A new fulfillment order for the unshipped remainder: open, or on hold while the order is held. */
async function newFulfillmentOrder(tx: Tx, deps: Deps, fo: { order_id: string; location_id: string }, now: string): Promise<string> {
  const held = await activeOrderHold(tx, fo.order_id);
  const id = deps.ids.next('fulfillmentOrder');
  await tx
    .insertInto('fulfillment_orders')
    .values({
      id,
      order_id: fo.order_id,
      location_id: fo.location_id,
      path: 'physical',
      status: held ? 'on_hold' : 'open',
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** The first active hold that covers the whole order, if any. */
export async function activeOrderHold(tx: Tx, orderId: string): Promise<{ id: string; reason: string } | undefined> {
  return tx
    .selectFrom('holds')
    .select(['id', 'reason'])
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .where('fulfillment_order_id', 'is', null)
    .executeTakeFirst();
}

/** The first active hold on the order or on this fulfillment order: held work is not labelled or shipped. */
export async function activeHoldOn(
  tx: Tx,
  orderId: string,
  fulfillmentOrderId: string,
): Promise<{ id: string; reason: string } | undefined> {
  return tx
    .selectFrom('holds')
    .select(['id', 'reason'])
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('fulfillment_order_id', 'is', null), eb('fulfillment_order_id', '=', fulfillmentOrderId)]))
    .executeTakeFirst();
}
