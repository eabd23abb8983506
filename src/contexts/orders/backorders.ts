import { forUpdate } from '../../storage/index.js';
import { deltas, type StockAvailableHook } from '../inventory/index.js';
import { appendEvents } from '../messaging/index.js';
import { openFulfillmentOrder } from './fulfillment.js';
import { moveOrder } from './order-change.js';
import { nextEventSeq } from './store.js';

/** Backorders of one item, oldest first, at most this many per stock event (the rest wait for the next). */
const backordersPerItemMax = 10_000;

/**
 * Serves waiting demand when stock becomes available: backorders of each item are filled first-in-first-out
 * from the locations that just gained stock, in the same transaction. Each allocation reserves stock, adds
 * the quantity to the order's open fulfillment order at that location (or opens one, on hold if the order
 * is held), and clears the order's backordered status once nothing waits.
 */
export const allocateBackorders: StockAvailableHook = async ({ tx, deps, book, pairs, actor, now }) => {
  const locationsByItem = new Map<string, string[]>();
  for (const p of pairs) locationsByItem.set(p.itemId, [...new Set([...(locationsByItem.get(p.itemId) ?? []), p.locationId])]);
  let allocated = 0;
  for (const itemId of [...locationsByItem.keys()].sort()) {
    const locations = locationsByItem.get(itemId) ?? [];
    const waiting = await forUpdate(
      tx
        .selectFrom('backorders as b')
        .innerJoin('orders as o', 'o.id', 'b.order_id')
        .select(['b.id', 'b.order_id', 'b.order_line_id', 'b.quantity', 'o.status'])
        .where('b.item_id', '=', itemId)
        .where('b.quantity', '>', 0)
        .orderBy('b.created_at')
        .orderBy('b.id')
        .limit(backordersPerItemMax),
      deps.db.dialect,
    ).execute();
    for (const bo of waiting) {
      let left = bo.quantity;
      for (const locationId of locations) {
        const quantity = Math.min(left, book.available(itemId, locationId));
        if (quantity <= 0) continue;
        const foId = await openFulfillmentOrder(tx, deps, bo.order_id, locationId, now);
        book.apply(itemId, locationId, 'reserve', deltas.reserve(quantity), {
          refType: 'fulfillment_order',
          refId: foId,
          reason: 'backorder',
          actor,
        });
        const existing = await tx
          .selectFrom('fulfillment_order_lines')
          .select('id')
          .where('fulfillment_order_id', '=', foId)
          .where('order_line_id', '=', bo.order_line_id)
          .executeTakeFirst();
        if (existing) {
          await tx
            .updateTable('fulfillment_order_lines')
            .set((eb) => ({ quantity: eb('quantity', '+', quantity) }))
            .where('id', '=', existing.id)
            .execute();
        } else {
          await tx
            .insertInto('fulfillment_order_lines')
            .values({
              id: deps.ids.next('fulfillmentOrderLine'),
              fulfillment_order_id: foId,
              order_line_id: bo.order_line_id,
              item_id: itemId,
              quantity,
              cancelled_quantity: 0,
            })
            .execute();
        }
        await tx
          .updateTable('backorders')
          .set((eb) => ({ quantity: eb('quantity', '-', quantity) }))
          .where('id', '=', bo.id)
          .execute();
        left -= quantity;
        allocated += quantity;
        const seq = await nextEventSeq(tx, bo.order_id, 1, now);
        await appendEvents(tx, [
          {
            id: deps.ids.next('event'),
            type: 'order.backorder_allocated',
            aggregateType: 'order',
            aggregateId: bo.order_id,
            aggregateSeq: seq,
            orderId: bo.order_id,
            actor,
            data: { order_id: bo.order_id, line_id: bo.order_line_id, fulfillment_order_id: foId, quantity },
            createdAt: now,
          },
        ]);
      }
      if (left === 0) {
        const others = await tx
          .selectFrom('backorders')
          .select('id')
          .where('order_id', '=', bo.order_id)
          .where('quantity', '>', 0)
          .executeTakeFirst();
        if (!others && bo.status === 'backordered') await moveOrder(tx, { id: bo.order_id, status: bo.status }, 'clear_backorder', now);
      }
    }
  }
  return { allocated };
};
