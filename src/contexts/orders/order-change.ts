import { type Err, type Failure, fail, ok, type Result } from '../../kernel/result.js';
import { transition } from '../../kernel/state-machine.js';
import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import {
  type FulfillmentOrderAction,
  type FulfillmentOrderStatus,
  fulfillmentOrderMachine,
  type OrderAction,
  type OrderStatus,
  orderMachine,
} from './domain/machines.js';
import type { OrderAggregate } from './domain/rows.js';
import type { OrderView } from './domain/types.js';
import { toOrderView } from './domain/view.js';
import { loadAggregate, locationCodesFor, nextEventSeq } from './store.js';

/** Applies a fulfillment-order action through its state machine and writes the new status. */
export async function moveFulfillmentOrder(
  tx: Tx,
  fo: { id: string; status: string },
  action: FulfillmentOrderAction,
  now: string,
): Promise<Result<FulfillmentOrderStatus>> {
  const next = transition(fulfillmentOrderMachine, fo.status as FulfillmentOrderStatus, action);
  if (!next.ok) return next;
  await tx
    .updateTable('fulfillment_orders')
    .set((eb) => ({ status: next.value, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', fo.id)
    .execute();
  return next;
}

export async function moveOrder(
  tx: Tx,
  order: { id: string; status: string },
  action: OrderAction,
  now: string,
  extra: { cancel_reason?: string | null } = {},
): Promise<Result<OrderStatus>> {
  const next = transition(orderMachine, order.status as OrderStatus, action);
  if (!next.ok) return next;
  await tx
    .updateTable('orders')
    .set({ status: next.value, updated_at: now, ...extra })
    .where('id', '=', order.id)
    .execute();
  return next;
}

export interface ChangeContext {
  readonly tx: Tx;
  readonly aggregate: OrderAggregate;
  readonly now: string;
}

/**
 * Runs a change to one order in a transaction: the order is locked, the change decides and writes,
 * its events are numbered in the order's sequence, and the fresh view is returned. A change that
 * returns a failure is rolled back whole, whatever it wrote before it failed.
 */
export async function changeOrder(
  deps: Deps,
  orderId: string,
  actor: string,
  change: (ctx: ChangeContext) => Promise<Result<{ type: string; data: Record<string, unknown> }[]>>,
): Promise<Result<OrderView>> {
  try {
    return await deps.db.transaction(async (tx) => {
      const aggregate = await loadAggregate(tx, orderId, { lock: deps.db.dialect });
      if (!aggregate) return fail('not_found', `no order ${orderId}`);
      const now = deps.clock.now().toISOString();
      const outcome = await change({ tx, aggregate, now });
      if (!outcome.ok) throw new RolledBack(outcome);
      const first = await nextEventSeq(tx, orderId, outcome.value.length, now);
      const events: DomainEvent[] = outcome.value.map((e, i) => ({
        id: deps.ids.next('event'),
        type: e.type,
        aggregateType: 'order',
        aggregateId: orderId,
        aggregateSeq: first + i,
        orderId,
        actor,
        data: { order_id: orderId, ...e.data },
        createdAt: now,
      }));
      await appendEvents(tx, events);
      const fresh = (await loadAggregate(tx, orderId)) as OrderAggregate;
      const codes = await locationCodesFor(tx, [fresh]);
      return ok(toOrderView(fresh, (l) => codes.get(l) ?? l));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.result;
    throw error;
  }
}

/** Carries a failure out of a transaction so that the transaction rolls back. */
class RolledBack extends Error {
  constructor(readonly result: Err<Failure>) {
    super(result.error.detail);
  }
}
