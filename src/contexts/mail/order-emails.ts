import { type Locale, pickLocale } from '../../kernel/locale.js';
import type { Tx } from '../../storage/index.js';
import type { EventSubscriber, OutboxEvent } from '../outbox/index.js';
import { type EmailRequest, queueEmails } from './queue.js';
import { formatMoney, registerSampleData, registerTemplates } from './render.js';
import type { MailDeps } from './send.js';
import { orderSampleData, orderTemplateNames, orderTemplates } from './templates.js';

registerTemplates(orderTemplates);
for (const [name, data] of Object.entries(orderSampleData)) registerSampleData(name, data);

/** The order events that e-mail the customer. */
export const orderEmailEvents = ['order.created', 'order.backordered', 'order.cancelled', 'order.lines_cancelled'] as const;

interface OrderFacts {
  id: string;
  external_id: string;
  currency: string;
  customer: string;
  customer_email: string;
  shipping_address: string;
  locale: string | null;
  subtotal: number;
  unit_count: number;
  created_at: string;
}

interface LineFacts {
  id: string;
  order_id: string;
  line_no: number;
  sku: string;
  quantity: number;
  unit_price: number;
  name: string | null;
}

interface ShippingAddress {
  name?: string;
  company?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code: string;
  country: string;
}

const countryName = (code: string, locale: Locale): string => {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
};

const lineQuantities = (event: OutboxEvent): { line_id: string; quantity: number }[] => {
  const lines = event.data.lines;
  if (!Array.isArray(lines)) return [];
  return lines
    .filter(
      (l): l is { line_id: string; quantity: number } => typeof l?.line_id === 'string' && Number.isInteger(l?.quantity) && l.quantity > 0,
    )
    .map((l) => ({ line_id: l.line_id, quantity: l.quantity }));
};

/** Loads what the e-mails of these orders need: one query for the orders, one for their lines and names. */
async function loadOrders(
  tx: Tx,
  orderIds: readonly string[],
): Promise<{ orders: Map<string, OrderFacts>; lines: Map<string, LineFacts[]> }> {
  const orders = new Map<string, OrderFacts>();
  const lines = new Map<string, LineFacts[]>();
  for (let i = 0; i < orderIds.length; i += 500) {
    const ids = orderIds.slice(i, i + 500);
    const rows = await tx
      .selectFrom('orders')
      .select([
        'id',
        'external_id',
        'currency',
        'customer',
        'customer_email',
        'shipping_address',
        'locale',
        'subtotal',
        'unit_count',
        'created_at',
      ])
      .where('id', 'in', ids)
      .execute();
    for (const row of rows) orders.set(row.id, row);
    const lineRows = await tx
      .selectFrom('order_lines')
      .leftJoin('items', 'items.id', 'order_lines.item_id')
      .select([
        'order_lines.id as id',
        'order_lines.order_id as order_id',
        'order_lines.line_no as line_no',
        'order_lines.sku as sku',
        'order_lines.quantity as quantity',
        'order_lines.unit_price as unit_price',
        'items.name as name',
      ])
      .where('order_lines.order_id', 'in', ids)
      .orderBy('order_lines.order_id')
      .orderBy('order_lines.line_no')
      .execute();
    for (const line of lineRows) {
      const list = lines.get(line.order_id) ?? [];
      list.push({ ...line, line_no: Number(line.line_no), quantity: Number(line.quantity), unit_price: Number(line.unit_price) });
      lines.set(line.order_id, list);
    }
  }
  return { orders, lines };
}

/** The variables every order e-mail shares. */
function orderData(order: OrderFacts, lines: readonly LineFacts[], locale: Locale): Record<string, unknown> {
  const money = (minor: number) => formatMoney(minor, order.currency, locale);
  const customer = JSON.parse(order.customer) as { name?: string };
  const shipping = JSON.parse(order.shipping_address) as ShippingAddress | null;
  return {
    customer_name: customer.name ?? null,
    order: {
      id: order.id,
      number: order.external_id,
      created_at: order.created_at,
      currency: order.currency,
      subtotal: money(Number(order.subtotal)),
      subtotal_minor: Number(order.subtotal),
      unit_count: Number(order.unit_count),
    },
    lines: lines.map((l) => ({
      sku: l.sku,
      name: l.name ?? l.sku,
      quantity: l.quantity,
      unit_price: money(l.unit_price),
      unit_price_minor: l.unit_price,
      total: money(l.unit_price * l.quantity),
      total_minor: l.unit_price * l.quantity,
    })),
    shipping: shipping
      ? {
          name: shipping.name ?? null,
          company: shipping.company ?? null,
          line1: shipping.line1,
          line2: shipping.line2 ?? null,
          city: shipping.city,
          region: shipping.region ?? null,
          postal_code: shipping.postal_code,
          country: shipping.country,
          country_name: countryName(shipping.country, locale),
        }
      : null,
  };
}

/** The e-mail an order event asks for, or null (an event this subscriber does not answer). */
function emailFor(event: OutboxEvent, order: OrderFacts, lines: readonly LineFacts[]): EmailRequest | null {
  const shipping = JSON.parse(order.shipping_address) as ShippingAddress | null;
  const locale = pickLocale(order.locale, shipping?.country ?? null);
  const base = orderData(order, lines, locale);
  const byId = new Map(lines.map((l) => [l.id, l]));
  const common = { to: order.customer_email, locale, orderId: order.id };
  switch (event.type) {
    case 'order.created':
      return { ...common, template: orderTemplateNames.confirmation, data: base, dedupeKey: `order:${order.id}:confirmation` };
    case 'order.backordered': {
      const backordered = lineQuantities(event).map((q) => {
        const line = byId.get(q.line_id);
        return { sku: line?.sku ?? '', name: line?.name ?? line?.sku ?? '', quantity: q.quantity };
      });
      if (backordered.length === 0) return null;
      return {
        ...common,
        template: orderTemplateNames.backorder,
        data: { ...base, backordered },
        dedupeKey: `order:${order.id}:backorder`,
      };
    }
    case 'order.cancelled':
    case 'order.lines_cancelled': {
      const partial = event.type === 'order.lines_cancelled';
      const cancelled = lineQuantities(event).map((q) => {
        const line = byId.get(q.line_id);
        const price = line?.unit_price ?? 0;
        return {
          sku: line?.sku ?? '',
          name: line?.name ?? line?.sku ?? '',
          quantity: q.quantity,
          unit_price: formatMoney(price, order.currency, locale),
          unit_price_minor: price,
          total: formatMoney(price * q.quantity, order.currency, locale),
          total_minor: price * q.quantity,
        };
      });
      if (partial && cancelled.length === 0) return null;
      const totalMinor = cancelled.reduce((sum, c) => sum + c.total_minor, 0);
      return {
        ...common,
        template: orderTemplateNames.cancellation,
        data: {
          ...base,
          partial,
          reason: typeof event.data.reason === 'string' ? event.data.reason : null,
          cancelled,
          cancelled_total: formatMoney(totalMinor, order.currency, locale),
          cancelled_total_minor: totalMinor,
        },
        // A whole cancellation happens once; partial ones are one e-mail per cancellation event.
        dedupeKey: partial ? `order:${order.id}:cancellation:${event.id}` : `order:${order.id}:cancellation`,
      };
    }
    default:
      return null;
  }
}

/** Turns order events into customer e-mails, in the router's transaction. */
export function orderEmailSubscriber(deps: MailDeps): EventSubscriber {
  return {
    name: 'mail.order-emails',
    types: orderEmailEvents,
    async handle(tx, events) {
      const orderIds = [...new Set(events.map((e) => e.orderId ?? e.aggregateId))];
      const { orders, lines } = await loadOrders(tx, orderIds);
      const requests: EmailRequest[] = [];
      for (const event of events) {
        const order = orders.get(event.orderId ?? event.aggregateId);
        if (!order) continue;
        const request = emailFor(event, order, lines.get(order.id) ?? []);
        if (request) requests.push(request);
      }
      await queueEmails(tx, deps, requests);
    },
  };
}
