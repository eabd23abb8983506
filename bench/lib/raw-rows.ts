import { createHash } from 'node:crypto';
import { uuidV7Ids } from '../../src/kernel/ids.js';
import type { BenchOrder } from './workload.js';

/**
 * The rows our intake writes for one accepted order (src/contexts/orders/intake.ts, plan-order.ts, store.ts,
 * inventory/stock-book.ts, messaging/events.ts): the order, its lines, one fulfillment order at the chosen
 * location with its lines, one `reserve` movement and one level update per line, the `order.created` event,
 * and, when the client sent an Idempotency-Key, the stored response. The raw-driver ceilings write exactly
 * these, with the same id format and JSON documents of the same shape, but no reads, no Kysely and no HTTP.
 */
export interface RawOrderRows {
  readonly order: readonly unknown[];
  readonly lines: readonly (readonly unknown[])[];
  readonly fulfillmentOrder: readonly unknown[];
  readonly fulfillmentOrderLines: readonly (readonly unknown[])[];
  readonly movements: readonly (readonly unknown[])[];
  /** [item_id, location_id, reserved delta]: `reserved = reserved + delta`, guarded by the no-oversell CHECK. */
  readonly levelUpdates: readonly (readonly [string, string, number])[];
  readonly event: readonly unknown[];
  readonly idempotency: readonly unknown[] | undefined;
}

/** Column lists in the order of the row arrays above. */
export const rawColumns = {
  orders: [
    'id',
    'channel',
    'external_id',
    'status',
    'currency',
    'customer',
    'customer_email',
    'shipping_address',
    'service_level',
    'promise_date',
    'subtotal',
    'unit_count',
    'note',
    'cancel_reason',
    'event_seq',
    'version',
    'created_at',
    'updated_at',
  ],
  order_lines: ['id', 'order_id', 'line_no', 'item_id', 'sku', 'kind', 'quantity', 'cancelled_quantity', 'unit_price'],
  fulfillment_orders: ['id', 'order_id', 'location_id', 'path', 'status', 'version', 'created_at', 'updated_at'],
  fulfillment_order_lines: ['id', 'fulfillment_order_id', 'order_line_id', 'item_id', 'quantity', 'cancelled_quantity'],
  inventory_movements: [
    'item_id',
    'location_id',
    'kind',
    'on_hand_delta',
    'reserved_delta',
    'incoming_delta',
    'reason',
    'ref_type',
    'ref_id',
    'actor',
    'created_at',
  ],
  events: ['id', 'type', 'aggregate_type', 'aggregate_id', 'aggregate_seq', 'order_id', 'actor', 'data', 'created_at'],
  idempotency_keys: ['principal', 'key', 'fingerprint', 'status_code', 'response', 'created_at'],
} as const;

export interface RawCatalog {
  readonly itemIds: ReadonlyMap<string, string>;
  readonly locationId: string;
  readonly locationCode: string;
}

const ids = uuidV7Ids;

export function rawOrderRows(input: BenchOrder, catalog: RawCatalog, options: { actor: string; idempotencyKey?: string }): RawOrderRows {
  const now = new Date().toISOString();
  const orderId = ids.next('order');
  const foId = ids.next('fulfillmentOrder');
  const location = catalog.locationId;
  const lines = input.lines.map((l, i) => {
    const itemId = catalog.itemIds.get(l.sku);
    if (itemId === undefined) throw new Error(`raw bench: unknown SKU ${l.sku}`);
    return { id: ids.next('orderLine'), folId: ids.next('fulfillmentOrderLine'), itemId, lineNo: i + 1, ...l };
  });
  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unit_price, 0);
  const units = lines.reduce((sum, l) => sum + l.quantity, 0);
  const foView = {
    id: foId,
    order_id: orderId,
    location: catalog.locationCode,
    path: 'physical',
    status: 'open',
    lines: lines.map((l) => ({ id: l.folId, line_id: l.id, sku: l.sku, quantity: l.quantity, cancelled_quantity: 0 })),
    created_at: now,
    updated_at: now,
  };
  const eventData = {
    order_id: orderId,
    channel: input.channel,
    external_id: input.external_id,
    status: 'open',
    holds: [],
    fulfillment_orders: [
      { id: foId, path: 'physical', location: catalog.locationCode, lines: lines.map((l) => ({ line_id: l.id, quantity: l.quantity })) },
    ],
  };
  const response = {
    id: orderId,
    channel: input.channel,
    external_id: input.external_id,
    status: 'open',
    on_hold: false,
    currency: input.currency,
    customer: input.customer,
    shipping_address: input.shipping_address,
    service_level: input.service_level,
    promise_date: null,
    note: null,
    subtotal,
    lines: lines.map((l) => ({
      id: l.id,
      line_no: l.lineNo,
      sku: l.sku,
      kind: 'physical',
      quantity: l.quantity,
      cancelled_quantity: 0,
      backordered_quantity: 0,
      unit_price: l.unit_price,
    })),
    fulfillment_orders: [foView],
    holds: [],
    created_at: now,
    updated_at: now,
  };
  return {
    order: [
      orderId,
      input.channel,
      input.external_id,
      'open',
      input.currency,
      JSON.stringify(input.customer),
      input.customer.email.toLowerCase(),
      JSON.stringify(input.shipping_address),
      input.service_level,
      null,
      subtotal,
      units,
      null,
      null,
      1,
      1,
      now,
      now,
    ],
    lines: lines.map((l) => [l.id, orderId, l.lineNo, l.itemId, l.sku, 'physical', l.quantity, 0, l.unit_price]),
    fulfillmentOrder: [foId, orderId, location, 'physical', 'open', 1, now, now],
    fulfillmentOrderLines: lines.map((l) => [l.folId, foId, l.id, l.itemId, l.quantity, 0]),
    movements: lines.map((l) => [l.itemId, location, 'reserve', 0, l.quantity, 0, null, 'fulfillment_order', foId, options.actor, now]),
    levelUpdates: lines.map((l) => [l.itemId, location, l.quantity] as const),
    event: [ids.next('event'), 'order.created', 'order', orderId, 1, orderId, options.actor, JSON.stringify(eventData), now],
    idempotency:
      options.idempotencyKey === undefined
        ? undefined
        : [options.actor, options.idempotencyKey, fingerprintLike(input), 201, JSON.stringify(response), now],
  };
}

/** The same fingerprint the route computes: sha256 of the method, path and body. */
function fingerprintLike(input: BenchOrder): string {
  return createHash('sha256')
    .update(`POST /v1/orders\n${JSON.stringify(input)}`)
    .digest('hex');
}
