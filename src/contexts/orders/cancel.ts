import { fail, ok, type Result } from '../../kernel/result.js';
import type { Deps } from '../deps.js';
import { deltas, lockLevels, StockBook } from '../inventory/index.js';
import type { FulfillmentOrderLineRow, OrderAggregate } from './domain/rows.js';
import type { OrderView } from './domain/types.js';
import { changeOrder, moveFulfillmentOrder, moveOrder } from './order-change.js';

export interface CancelInput {
  readonly reason?: string | undefined;
  /** Quantities to cancel per line; without it the whole order is cancelled. */
  readonly lines?: readonly { readonly line_id: string; readonly quantity: number }[] | undefined;
}

const cancellableStatuses = new Set(['open', 'on_hold']);

interface Take {
  readonly foLine: FulfillmentOrderLineRow;
  readonly quantity: number;
}

/** Decides where each cancelled unit comes from: backorders first, then not-yet-released work, newest first. */
function planCancellation(
  a: OrderAggregate,
  input: CancelInput,
): Result<{ backorders: Map<string, number>; takes: Take[]; perLine: Map<string, number> }> {
  const foStatus = new Map(a.fulfillmentOrders.map((fo) => [fo.id, fo.status]));
  const requested = input.lines ?? a.lines.map((l) => ({ line_id: l.id, quantity: l.quantity - l.cancelled_quantity }));
  const backorders = new Map<string, number>();
  const takes: Take[] = [];
  const perLine = new Map<string, number>();
  for (const [i, want] of requested.entries()) {
    const line = a.lines.find((l) => l.id === want.line_id);
    if (!line)
      return fail('validation_failed', `order has no line ${want.line_id}`, {
        errors: [{ pointer: `/lines/${i}/line_id`, detail: 'unknown line' }],
      });
    if (perLine.has(line.id))
      return fail('validation_failed', `line ${line.id} appears twice`, {
        errors: [{ pointer: `/lines/${i}/line_id`, detail: 'duplicate line' }],
      });
    let left = want.quantity;
    for (const bo of a.backorders.filter((b) => b.order_line_id === line.id && b.quantity > 0)) {
      const q = Math.min(left, bo.quantity);
      if (q > 0) backorders.set(bo.id, q);
      left -= q;
    }
    const open = a.fulfillmentOrderLines
      .filter((l) => l.order_line_id === line.id && l.quantity > 0 && cancellableStatuses.has(foStatus.get(l.fulfillment_order_id) ?? ''))
      .sort((x, y) => (x.id < y.id ? 1 : -1));
    for (const foLine of open) {
      const q = Math.min(left, foLine.quantity);
      if (q > 0) takes.push({ foLine, quantity: q });
      left -= q;
    }
    if (left > 0) {
      return fail(
        'not_cancellable',
        `line ${line.line_no} (${line.sku}): ${want.quantity - left} of ${want.quantity} units can be cancelled; the rest is in progress, shipped or already cancelled`,
        {
          errors: [{ pointer: input.lines ? `/lines/${i}/quantity` : '/', detail: `only ${want.quantity - left} cancellable` }],
        },
      );
    }
    perLine.set(line.id, want.quantity);
  }
  return ok({ backorders, takes, perLine });
}

/**
 * Cancels a whole order or some line quantities. Reservations are released in the same transaction;
 * fulfillment orders left empty are cancelled, and a cancelled fulfillment order never ships. Work already
 * released to the warehouse or shipped cannot be cancelled here: the request is refused and nothing changes.
 */
export function cancelOrder(deps: Deps, orderId: string, input: CancelInput, actor: string): Promise<Result<OrderView>> {
  return changeOrder(deps, orderId, actor, async ({ tx, aggregate, now }) => {
    const whole = input.lines === undefined;
    if (whole && aggregate.order.status === 'cancelled') return fail('illegal_transition', 'the order is already cancelled');
    if (whole && aggregate.fulfillmentOrders.some((fo) => fo.status === 'in_progress' || fo.status === 'fulfilled')) {
      return fail('not_cancellable', 'part of the order is in progress or fulfilled; cancel the remaining line quantities instead');
    }
    const plan = planCancellation(aggregate, input);
    if (!plan.ok) return plan;
    const { backorders, takes, perLine } = plan.value;
    const physical = takes.filter(
      (t) => aggregate.fulfillmentOrders.find((fo) => fo.id === t.foLine.fulfillment_order_id)?.path === 'physical',
    );
    const book = new StockBook(
      await lockLevels(
        tx,
        deps.db.dialect,
        physical.map((t) => t.foLine.item_id),
      ),
    );
    const foOf = new Map(aggregate.fulfillmentOrders.map((fo) => [fo.id, fo]));
    for (const t of takes) {
      const fo = foOf.get(t.foLine.fulfillment_order_id);
      if (fo?.path === 'physical' && fo.location_id) {
        book.apply(t.foLine.item_id, fo.location_id, 'release', deltas.release(t.quantity), {
          refType: 'fulfillment_order',
          refId: fo.id,
          reason: 'cancel',
          actor,
        });
      }
      await tx
        .updateTable('fulfillment_order_lines')
        .set((eb) => ({ quantity: eb('quantity', '-', t.quantity), cancelled_quantity: eb('cancelled_quantity', '+', t.quantity) }))
        .where('id', '=', t.foLine.id)
        .execute();
    }
    for (const [id, q] of backorders)
      await tx
        .updateTable('backorders')
        .set((eb) => ({ quantity: eb('quantity', '-', q) }))
        .where('id', '=', id)
        .execute();
    for (const [lineId, q] of perLine) {
      if (q > 0)
        await tx
          .updateTable('order_lines')
          .set((eb) => ({ cancelled_quantity: eb('cancelled_quantity', '+', q) }))
          .where('id', '=', lineId)
          .execute();
    }
    await book.flush(tx, now);
    const taken = new Map<string, number>();
    for (const t of takes) taken.set(t.foLine.id, t.quantity);
    for (const fo of aggregate.fulfillmentOrders) {
      if (!cancellableStatuses.has(fo.status)) continue;
      const left = aggregate.fulfillmentOrderLines
        .filter((l) => l.fulfillment_order_id === fo.id)
        .reduce((sum, l) => sum + l.quantity - (taken.get(l.id) ?? 0), 0);
      if (left === 0) {
        const moved = await moveFulfillmentOrder(tx, fo, 'cancel', now);
        if (!moved.ok) return moved;
      }
    }
    const remainingUnits = aggregate.lines.reduce((sum, l) => sum + l.quantity - l.cancelled_quantity - (perLine.get(l.id) ?? 0), 0);
    const remainingBackorder = aggregate.backorders.reduce((sum, b) => sum + b.quantity - (backorders.get(b.id) ?? 0), 0);
    const reason = input.reason ?? null;
    if (remainingUnits === 0) {
      const moved = await moveOrder(tx, aggregate.order, 'cancel', now, { cancel_reason: reason });
      if (!moved.ok) return moved;
      // Nothing is left to hold: standing holds are released with the cancellation.
      await tx
        .updateTable('holds')
        .set({ status: 'released', released_by: actor, released_at: now })
        .where('order_id', '=', orderId)
        .where('status', '=', 'active')
        .execute();
    } else if (aggregate.order.status === 'backordered' && remainingBackorder === 0) {
      const moved = await moveOrder(tx, aggregate.order, 'clear_backorder', now);
      if (!moved.ok) return moved;
    }
    const cancelled = [...perLine].filter(([, q]) => q > 0).map(([line_id, quantity]) => ({ line_id, quantity }));
    return ok([{ type: remainingUnits === 0 ? 'order.cancelled' : 'order.lines_cancelled', data: { reason, lines: cancelled } }]);
  });
}
