import { isCountry } from '../../../kernel/countries.js';
import type { IdGenerator } from '../../../kernel/ids.js';
import { isCurrency, lineTotal, sumAmounts } from '../../../kernel/money.js';
import type { FieldError } from '../../../kernel/problem.js';
import { fail, ok, type Result } from '../../../kernel/result.js';
import type { DomainEvent } from '../../messaging/index.js';
import type { Destination, SourcingLine, SourcingPlan } from '../../sourcing/index.js';
import type {
  BackorderRow,
  FulfillmentOrderLineRow,
  FulfillmentOrderRow,
  HoldRow,
  OrderAggregate,
  OrderLineRow,
  OrderRow,
} from './rows.js';
import { type IntakeItem, type OrderInput, serviceLevelDefault } from './types.js';

export interface Reservation {
  readonly itemId: string;
  readonly locationId: string;
  readonly quantity: number;
  readonly fulfillmentOrderId: string;
}

export interface PlannedOrder {
  readonly aggregate: OrderAggregate;
  readonly reservations: readonly Reservation[];
  readonly events: readonly DomainEvent[];
}

export interface PlanContext {
  readonly items: ReadonlyMap<string, IntakeItem>;
  /** Runs the sourcing strategy against the current availability. */
  readonly source: (lines: readonly SourcingLine[], destination: Destination) => SourcingPlan;
  readonly ids: IdGenerator;
  readonly now: string;
  readonly actor: string;
  readonly locationCode: (locationId: string) => string;
}

/** Codes the schema can only check for shape: the currency must be ISO 4217 money, the country ISO 3166-1. */
function codeErrors(input: OrderInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!isCurrency(input.currency)) errors.push({ pointer: '/currency', detail: `${input.currency} is not an ISO 4217 currency code` });
  const country = input.shipping_address?.country;
  if (country !== undefined && !isCountry(country)) {
    errors.push({ pointer: '/shipping_address/country', detail: `${country} is not an ISO 3166-1 alpha-2 country code` });
  }
  return errors;
}

function checkLines(input: OrderInput, items: ReadonlyMap<string, IntakeItem>): Result<number> {
  const unknown: FieldError[] = [];
  const totals: number[] = [];
  input.lines.forEach((line, i) => {
    if (!items.has(line.sku)) unknown.push({ pointer: `/lines/${i}/sku`, detail: `unknown SKU ${line.sku}` });
    const total = lineTotal(line.unit_price, line.quantity);
    totals.push(total ?? Number.NaN);
  });
  if (unknown.length > 0) return fail('unknown_sku', unknown.map((e) => e.detail).join('; '), { errors: unknown });
  const subtotal = totals.some(Number.isNaN) ? undefined : sumAmounts(totals);
  if (subtotal === undefined) {
    return fail('validation_failed', 'the order total is too large', {
      errors: [{ pointer: '/lines', detail: 'total exceeds the largest amount accepted' }],
    });
  }
  return ok(subtotal);
}

/**
 * Turns a valid order request into the rows to write: lines, one fulfillment order per location (and one
 * for digital and one for service lines), reservations and backorders from the sourcing plan, holds and
 * the events. Pure: the caller supplies availability, ids and time. A `deny` shortfall refuses the order.
 */
export function planOrder(input: OrderInput, ctx: PlanContext): Result<PlannedOrder> {
  const codes = codeErrors(input);
  if (codes.length > 0) return fail('validation_failed', codes.map((e) => e.detail).join('; '), { errors: codes });
  const subtotal = checkLines(input, ctx.items);
  if (!subtotal.ok) return subtotal;
  const physical = input.lines.some((l) => ctx.items.get(l.sku)?.kind === 'physical');
  if (physical && input.shipping_address === undefined) {
    return fail('validation_failed', 'an order with physical lines needs a shipping address', {
      errors: [{ pointer: '/shipping_address', detail: 'required when any line is physical' }],
    });
  }
  const orderId = ctx.ids.next('order');
  const lines: OrderLineRow[] = input.lines.map((line, i) => {
    const item = ctx.items.get(line.sku) as IntakeItem;
    return {
      id: ctx.ids.next('orderLine'),
      order_id: orderId,
      line_no: i + 1,
      item_id: item.id,
      sku: item.sku,
      kind: item.kind,
      quantity: line.quantity,
      cancelled_quantity: 0,
      unit_price: line.unit_price,
    };
  });
  const sourcingLines: SourcingLine[] = [];
  lines.forEach((l, i) => {
    const item = ctx.items.get(l.sku) as IntakeItem;
    if (item.kind === 'physical')
      sourcingLines.push({ index: i, itemId: item.id, sku: item.sku, quantity: l.quantity, policy: item.policy });
  });
  const destination = { country: input.shipping_address?.country ?? '', postalCode: input.shipping_address?.postal_code ?? '' };
  const plan: SourcingPlan =
    sourcingLines.length > 0 ? ctx.source(sourcingLines, destination) : { allocations: [], backorders: [], shortfalls: [] };
  if (plan.shortfalls.length > 0) {
    const shortfalls = plan.shortfalls.map((s) => ({ line: s.lineIndex + 1, sku: s.sku, requested: s.requested, available: s.available }));
    return fail('insufficient_stock', shortfalls.map((s) => `${s.sku}: ${s.requested} requested, ${s.available} available`).join('; '), {
      shortfalls,
      errors: plan.shortfalls.map((s) => ({ pointer: `/lines/${s.lineIndex}/quantity`, detail: `only ${s.available} available` })),
    });
  }
  const held = (input.holds?.length ?? 0) > 0;
  const foStatus = held ? 'on_hold' : 'open';
  const fulfillmentOrders: FulfillmentOrderRow[] = [];
  const fulfillmentOrderLines: FulfillmentOrderLineRow[] = [];
  const foByKey = new Map<string, FulfillmentOrderRow>();
  const foFor = (key: string, path: string, locationId: string | null) => {
    let fo = foByKey.get(key);
    if (!fo) {
      fo = {
        id: ctx.ids.next('fulfillmentOrder'),
        order_id: orderId,
        location_id: locationId,
        path,
        status: foStatus,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
      };
      foByKey.set(key, fo);
      fulfillmentOrders.push(fo);
    }
    return fo;
  };
  const reservations: Reservation[] = [];
  for (const a of plan.allocations) {
    const line = lines[a.lineIndex] as OrderLineRow;
    const fo = foFor(`loc:${a.locationId}`, 'physical', a.locationId);
    fulfillmentOrderLines.push({
      id: ctx.ids.next('fulfillmentOrderLine'),
      fulfillment_order_id: fo.id,
      order_line_id: line.id,
      item_id: line.item_id,
      quantity: a.quantity,
      cancelled_quantity: 0,
    });
    reservations.push({ itemId: line.item_id, locationId: a.locationId, quantity: a.quantity, fulfillmentOrderId: fo.id });
  }
  for (const line of lines) {
    if (line.kind === 'physical') continue;
    const fo = foFor(`path:${line.kind}`, line.kind, null);
    fulfillmentOrderLines.push({
      id: ctx.ids.next('fulfillmentOrderLine'),
      fulfillment_order_id: fo.id,
      order_line_id: line.id,
      item_id: line.item_id,
      quantity: line.quantity,
      cancelled_quantity: 0,
    });
  }
  const backorders: BackorderRow[] = plan.backorders.map((b) => {
    const line = lines[b.lineIndex] as OrderLineRow;
    return {
      id: ctx.ids.next('backorder'),
      order_id: orderId,
      order_line_id: line.id,
      item_id: line.item_id,
      quantity: b.quantity,
      created_at: ctx.now,
    };
  });
  const holds: HoldRow[] = (input.holds ?? []).map((h) => ({
    id: ctx.ids.next('hold'),
    order_id: orderId,
    fulfillment_order_id: null,
    reason: h.reason,
    note: h.note ?? null,
    status: 'active',
    created_by: ctx.actor,
    created_at: ctx.now,
    released_by: null,
    released_at: null,
  }));
  const order: OrderRow = {
    id: orderId,
    channel: input.channel,
    external_id: input.external_id,
    status: backorders.length > 0 ? 'backordered' : 'open',
    currency: input.currency,
    customer: JSON.stringify(input.customer),
    customer_email: input.customer.email.toLowerCase(),
    shipping_address: JSON.stringify(input.shipping_address ?? null),
    service_level: input.service_level ?? serviceLevelDefault,
    promise_date: input.promise_date ?? null,
    subtotal: subtotal.value,
    unit_count: input.lines.reduce((sum, l) => sum + l.quantity, 0),
    note: input.note ?? null,
    cancel_reason: null,
    locale: input.locale ?? null,
    event_seq: backorders.length > 0 ? 2 : 1,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const events: DomainEvent[] = [
    {
      id: ctx.ids.next('event'),
      type: 'order.created',
      aggregateType: 'order',
      aggregateId: orderId,
      aggregateSeq: 1,
      orderId,
      actor: ctx.actor,
      data: {
        order_id: orderId,
        channel: input.channel,
        external_id: input.external_id,
        status: order.status,
        holds: holds.map((h) => h.reason),
        fulfillment_orders: fulfillmentOrders.map((fo) => ({
          id: fo.id,
          path: fo.path,
          location: fo.location_id === null ? null : ctx.locationCode(fo.location_id),
          lines: fulfillmentOrderLines
            .filter((l) => l.fulfillment_order_id === fo.id)
            .map((l) => ({ line_id: l.order_line_id, quantity: l.quantity })),
        })),
      },
      createdAt: ctx.now,
    },
  ];
  if (backorders.length > 0) {
    events.push({
      id: ctx.ids.next('event'),
      type: 'order.backordered',
      aggregateType: 'order',
      aggregateId: orderId,
      aggregateSeq: 2,
      orderId,
      actor: ctx.actor,
      data: { order_id: orderId, lines: backorders.map((b) => ({ line_id: b.order_line_id, quantity: b.quantity })) },
      createdAt: ctx.now,
    });
  }
  return ok({ aggregate: { order, lines, fulfillmentOrders, fulfillmentOrderLines, backorders, holds }, reservations, events });
}
