import type { Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { queueEmails } from '../mail/index.js';
import type { EventSubscriber, OutboxEvent } from '../outbox/index.js';
import { addBusinessDays } from '../shipping/index.js';
import { initialCodeState, type ShipmentCodes } from './domain/status.js';
import { loadCustomerFacts, milestoneEmail, serviceFacts } from './facts.js';
import type { TrackingRow } from './store.js';
import { lockTracking } from './store.js';
import { tokenHash, trackingToken } from './token.js';

/** The expected delivery day from the service: ship day plus the quoted business days in transit. */
export function serviceExpectedDate(
  shippedAt: string,
  facts: { transitDays: number | null; estimatedDelivery: string | null },
): string | null {
  if (facts.transitDays !== null) return addBusinessDays(shippedAt.slice(0, 10), facts.transitDays);
  return facts.estimatedDelivery;
}

/**
 * The tracking rows of these shipments, created for the ones that have none yet (the `shipped` subscriber
 * does it, but a carrier scan can arrive first). Locked on PostgreSQL, in id order.
 */
export async function ensureTracking(tx: Tx, deps: PlatformDeps, shipmentIds: readonly string[]): Promise<Map<string, TrackingRow>> {
  const ids = [...new Set(shipmentIds)].sort();
  const found = await lockTracking(tx, deps.db.dialect, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const now = deps.clock.now().toISOString();
  for (let i = 0; i < missing.length; i += 500) {
    const shipments = await tx
      .selectFrom('shipments')
      .select(['id', 'order_id', 'carrier', 'service', 'tracking_numbers', 'rate_choice', 'shipped_at'])
      .where('id', 'in', missing.slice(i, i + 500))
      .execute();
    const rows: TrackingRow[] = shipments.map((s) => {
      const codes = (JSON.parse(s.tracking_numbers) as string[]).filter((c) => c !== '');
      const state: Record<string, typeof initialCodeState> = {};
      for (const c of codes) state[c] = initialCodeState;
      const expected = serviceExpectedDate(s.shipped_at, serviceFacts(s.rate_choice, s));
      return {
        shipment_id: s.id,
        order_id: s.order_id,
        carrier: s.carrier,
        token_hash: tokenHash(trackingToken(deps.secret, s.id)),
        tracking_codes: JSON.stringify(codes),
        status: 'pre_transit',
        status_reason: 'label_created',
        codes: JSON.stringify(state satisfies ShipmentCodes),
        shipped_at: s.shipped_at,
        expected_delivery_date: expected,
        expected_source: expected === null ? null : 'service',
        last_event_at: null,
        delivered_at: null,
        late: 0,
        stuck: 0,
        flagged_at: null,
        polled_at: null,
        event_seq: 0,
        created_at: now,
        updated_at: now,
      };
    });
    if (rows.length === 0) continue;
    await tx
      .insertInto('shipment_tracking')
      .values(rows)
      .onConflict((oc) => oc.column('shipment_id').doNothing())
      .execute();
  }
  // Read back (a concurrent process may have inserted first) with the lock.
  const again = await lockTracking(tx, deps.db.dialect, missing);
  for (const [id, row] of again) found.set(id, row);
  return found;
}

/** Items of each shipment for the shipped e-mail: name, SKU and quantity, in one query. */
async function shippedItems(
  tx: Tx,
  shipmentIds: readonly string[],
): Promise<Map<string, { name: string; sku: string; quantity: number }[]>> {
  const rows = await tx
    .selectFrom('parcels as p')
    .innerJoin('parcel_items as pi', 'pi.parcel_id', 'p.id')
    .innerJoin('items as i', 'i.id', 'pi.item_id')
    .select(['p.shipment_id', 'i.name', 'i.sku', 'pi.quantity'])
    .where('p.shipment_id', 'in', shipmentIds)
    .orderBy('i.sku')
    .execute();
  const out = new Map<string, { name: string; sku: string; quantity: number }[]>();
  for (const r of rows) {
    if (r.shipment_id === null) continue;
    const list = out.get(r.shipment_id) ?? [];
    const same = list.find((l) => l.sku === r.sku);
    if (same) same.quantity += r.quantity;
    else list.push({ name: r.name, sku: r.sku, quantity: r.quantity });
    out.set(r.shipment_id, list);
  }
  return out;
}

/**
 * On `fulfillment_order.shipped`: the shipment's tracking state (status pre_transit, expected delivery
 * date, public token) and the "shipped" e-mail with carrier, tracking link and items, in the router's
 * transaction. Idempotent: the row is created once and the e-mail's dedupe key is `shipment:<id>:shipped`.
 */
export function shippedSubscriber(deps: PlatformDeps): EventSubscriber {
  return {
    name: 'tracking.shipped',
    types: ['fulfillment_order.shipped'],
    async handle(tx: Tx, events: readonly OutboxEvent[]) {
      const ids = events.flatMap((e) => (typeof e.data.shipment_id === 'string' ? [e.data.shipment_id] : []));
      if (ids.length === 0) return;
      const tracking = await ensureTracking(tx, deps, ids);
      const facts = await loadCustomerFacts(tx, ids);
      const items = await shippedItems(tx, ids);
      const emails = ids.flatMap((id) => {
        const f = facts.get(id);
        if (!f) return [];
        return [
          milestoneEmail(deps, f, 'shipped', {
            expected_delivery_date: tracking.get(id)?.expected_delivery_date ?? null,
            items: items.get(id) ?? [],
          }),
        ];
      });
      await queueEmails(tx, deps, emails);
    },
  };
}
