import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../../storage/schema.js';

export type OrderRow = Selectable<Database['orders']>;
export type OrderLineRow = Selectable<Database['order_lines']>;
export type FulfillmentOrderRow = Selectable<Database['fulfillment_orders']>;
export type FulfillmentOrderLineRow = Selectable<Database['fulfillment_order_lines']>;
export type BackorderRow = Selectable<Database['backorders']>;
export type HoldRow = Selectable<Database['holds']>;
export type IdempotencyRow = Insertable<Database['idempotency_keys']>;

/** Everything one order is made of, as rows: what intake writes and what reads assemble into a view. */
export interface OrderAggregate {
  readonly order: OrderRow;
  readonly lines: readonly OrderLineRow[];
  readonly fulfillmentOrders: readonly FulfillmentOrderRow[];
  readonly fulfillmentOrderLines: readonly FulfillmentOrderLineRow[];
  readonly backorders: readonly BackorderRow[];
  readonly holds: readonly HoldRow[];
}
