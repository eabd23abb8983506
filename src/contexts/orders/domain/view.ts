import type { Address } from '../../catalog/index.js';
import type { FulfillmentOrderStatus, HoldReason, OrderStatus } from './machines.js';
import type { FulfillmentOrderRow, HoldRow, OrderAggregate } from './rows.js';
import type { FulfillmentOrderView, HoldView, OrderInput, OrderView } from './types.js';

export function toHoldView(h: HoldRow): HoldView {
  return {
    id: h.id,
    reason: h.reason as HoldReason,
    note: h.note,
    status: h.status as 'active' | 'released',
    fulfillment_order_id: h.fulfillment_order_id,
    created_by: h.created_by,
    created_at: h.created_at,
    released_by: h.released_by,
    released_at: h.released_at,
  };
}

export function toFulfillmentOrderView(
  fo: FulfillmentOrderRow,
  lines: OrderAggregate['fulfillmentOrderLines'],
  skuOfLine: (lineId: string) => string,
  locationCode: (locationId: string) => string,
): FulfillmentOrderView {
  return {
    id: fo.id,
    order_id: fo.order_id,
    location: fo.location_id === null ? null : locationCode(fo.location_id),
    path: fo.path,
    status: fo.status as FulfillmentOrderStatus,
    lines: lines
      .filter((l) => l.fulfillment_order_id === fo.id)
      .map((l) => ({
        id: l.id,
        line_id: l.order_line_id,
        sku: skuOfLine(l.order_line_id),
        quantity: l.quantity,
        cancelled_quantity: l.cancelled_quantity,
      })),
    created_at: fo.created_at,
    updated_at: fo.updated_at,
  };
}

/** Assembles the public view of an order from its rows. Pure: intake and reads share it. */
export function toOrderView(a: OrderAggregate, locationCode: (locationId: string) => string): OrderView {
  const { order } = a;
  const backordered = new Map<string, number>();
  for (const b of a.backorders) backordered.set(b.order_line_id, (backordered.get(b.order_line_id) ?? 0) + b.quantity);
  const skus = new Map(a.lines.map((l) => [l.id, l.sku]));
  const lines = [...a.lines].sort((x, y) => x.line_no - y.line_no);
  return {
    id: order.id,
    channel: order.channel,
    external_id: order.external_id,
    status: order.status as OrderStatus,
    on_hold: a.holds.some((h) => h.status === 'active'),
    currency: order.currency,
    customer: JSON.parse(order.customer) as OrderInput['customer'],
    shipping_address: JSON.parse(order.shipping_address) as Address | null,
    service_level: order.service_level,
    promise_date: order.promise_date,
    note: order.note,
    locale: order.locale,
    subtotal: order.subtotal,
    unit_count: order.unit_count,
    cancel_reason: order.cancel_reason,
    lines: lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      sku: l.sku,
      kind: l.kind,
      quantity: l.quantity,
      cancelled_quantity: l.cancelled_quantity,
      backordered_quantity: backordered.get(l.id) ?? 0,
      unit_price: l.unit_price,
      total: l.unit_price * (l.quantity - l.cancelled_quantity),
    })),
    fulfillment_orders: [...a.fulfillmentOrders]
      .sort((x, y) => (x.id < y.id ? -1 : 1))
      .map((fo) => toFulfillmentOrderView(fo, a.fulfillmentOrderLines, (id) => skus.get(id) ?? '', locationCode)),
    holds: a.holds.map(toHoldView),
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}
