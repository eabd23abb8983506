import { limits } from '../../kernel/limits.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Deps } from '../deps.js';
import type { HoldReason } from './domain/machines.js';
import type { HoldRow } from './domain/rows.js';
import type { OrderView } from './domain/types.js';
import { changeOrder, moveFulfillmentOrder } from './order-change.js';

export interface HoldInput {
  readonly reason: HoldReason;
  readonly note?: string | undefined;
  /** Hold one fulfillment order only; without it the whole order (and any work created later) is held. */
  readonly fulfillment_order_id?: string | undefined;
}

/** Places a hold. Several holds may stand at once; open work goes on hold and is not released. */
export function placeHold(deps: Deps, orderId: string, input: HoldInput, actor: string): Promise<Result<OrderView>> {
  return changeOrder(deps, orderId, actor, async ({ tx, aggregate, now }) => {
    const { order } = aggregate;
    if (order.status === 'cancelled' || order.status === 'fulfilled') {
      return fail('illegal_transition', `cannot hold an order that is ${order.status}`);
    }
    if (aggregate.holds.filter((h) => h.status === 'active').length >= limits.holdsPerOrderMax) {
      return fail('limit_reached', `an order can have at most ${limits.holdsPerOrderMax} active holds`);
    }
    const targets = input.fulfillment_order_id
      ? aggregate.fulfillmentOrders.filter((fo) => fo.id === input.fulfillment_order_id)
      : aggregate.fulfillmentOrders.filter((fo) => fo.status === 'open');
    if (input.fulfillment_order_id && targets.length === 0) {
      return fail('not_found', `order ${orderId} has no fulfillment order ${input.fulfillment_order_id}`);
    }
    for (const fo of targets) {
      if (fo.status === 'on_hold') continue;
      const moved = await moveFulfillmentOrder(tx, fo, 'hold', now);
      if (!moved.ok) return moved;
    }
    const hold: HoldRow = {
      id: deps.ids.next('hold'),
      order_id: orderId,
      fulfillment_order_id: input.fulfillment_order_id ?? null,
      reason: input.reason,
      note: input.note ?? null,
      status: 'active',
      created_by: actor,
      created_at: now,
      released_by: null,
      released_at: null,
    };
    await tx.insertInto('holds').values(hold).execute();
    return ok([
      { type: 'order.hold_placed', data: { hold_id: hold.id, reason: hold.reason, fulfillment_order_id: hold.fulfillment_order_id } },
    ]);
  });
}

/** Releases a hold; work that no other active hold covers goes back to open. */
export function releaseHold(deps: Deps, orderId: string, holdId: string, actor: string): Promise<Result<OrderView>> {
  return changeOrder(deps, orderId, actor, async ({ tx, aggregate, now }) => {
    const hold = aggregate.holds.find((h) => h.id === holdId);
    if (!hold) return fail('not_found', `order ${orderId} has no hold ${holdId}`);
    if (hold.status !== 'active') return fail('hold_not_active', `hold ${holdId} was released at ${hold.released_at}`);
    await tx.updateTable('holds').set({ status: 'released', released_by: actor, released_at: now }).where('id', '=', holdId).execute();
    const remaining = aggregate.holds.filter((h) => h.status === 'active' && h.id !== holdId);
    const orderHeld = remaining.some((h) => h.fulfillment_order_id === null);
    const released: string[] = [];
    for (const fo of aggregate.fulfillmentOrders) {
      if (fo.status !== 'on_hold' || orderHeld || remaining.some((h) => h.fulfillment_order_id === fo.id)) continue;
      const moved = await moveFulfillmentOrder(tx, fo, 'release_hold', now);
      if (!moved.ok) return moved;
      released.push(fo.id);
    }
    return ok([{ type: 'order.hold_released', data: { hold_id: holdId, reason: hold.reason, released_fulfillment_orders: released } }]);
  });
}
