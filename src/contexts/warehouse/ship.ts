import { fail, ok, type Result } from '../../kernel/result.js';
import { forUpdate, type Tx } from '../../storage/index.js';
import type { Actor } from '../deps.js';
import { deltas, lockLevels, StockBook } from '../inventory/index.js';
import { activeHoldOn, fulfillShipped } from '../orders/index.js';
import { carrierProblem, type ShippingDeps } from './labels.js';
import { loadParcels, type ParcelView } from './parcels.js';
import { finishIfDone } from './picking.js';

export interface ShipmentView {
  readonly id: string;
  readonly fulfillment_order_id: string;
  readonly order_id: string;
  readonly carrier: string;
  readonly service: string;
  readonly status: string;
  readonly tracking_numbers: readonly string[];
  readonly cost: number;
  readonly currency: string;
  readonly shipped_at: string;
  readonly remainder_fulfillment_order_id: string | null;
  readonly parcels: readonly ParcelView[];
}

/**
 * The units of a shipped fulfillment order that were never picked moved to its remainder (which is waved
 * again): its open pick tasks close, so that nobody picks them a second time on the old pick list.
 */
async function closeOpenPicks(tx: Tx, foId: string, now: string): Promise<void> {
  const open = await tx
    .selectFrom('pick_tasks')
    .select('pick_list_id')
    .where('fulfillment_order_id', '=', foId)
    .where('status', '=', 'open')
    .execute();
  if (open.length === 0) return;
  await tx
    .updateTable('pick_tasks')
    .set({ status: 'cancelled' })
    .where('fulfillment_order_id', '=', foId)
    .where('status', '=', 'open')
    .execute();
  for (const listId of new Set(open.map((t) => t.pick_list_id))) await finishIfDone(tx, listId, now);
}

/**
 * Hands the labelled parcels of a fulfillment order to the carrier: their units leave stock through the
 * ledger (`ship`: on hand and reserved both go down), a shipment records carrier, service, tracking numbers
 * and cost, and `fulfillment_order.shipped` is emitted. Units not in a labelled parcel stay open on a new
 * fulfillment order. A parcel ships once: shipping again finds nothing labelled.
 */
export async function shipFulfillmentOrder(deps: ShippingDeps, foId: string, actor: Actor): Promise<Result<ShipmentView>> {
  return deps.db.transaction(async (tx) => {
    const fo = await forUpdate(tx.selectFrom('fulfillment_orders').selectAll().where('id', '=', foId), deps.db.dialect).executeTakeFirst();
    if (!fo) return fail('not_found', `no fulfillment order ${foId}`);
    if (fo.status !== 'in_progress' || fo.location_id === null)
      return fail('illegal_transition', `cannot ship a fulfillment order that is ${fo.status.replace('_', ' ')}`);
    const hold = await activeHoldOn(tx, fo.order_id, foId);
    if (hold)
      return fail('illegal_transition', `the order is on hold (${hold.reason}); release the hold before shipping`, { hold_id: hold.id });
    const parcels = await tx
      .selectFrom('parcels')
      .selectAll()
      .where('fulfillment_order_id', '=', foId)
      .where('status', 'in', ['packed', 'labelled'])
      .orderBy('id')
      .execute();
    const waiting = parcels.filter((p) => p.status === 'packed');
    if (waiting.length > 0)
      return fail('illegal_transition', `parcel ${waiting.map((p) => p.id).join(', ')} has no label yet; label or unpack it first`);
    if (parcels.length === 0) return fail('illegal_transition', 'no labelled parcel to ship');
    const items = await tx
      .selectFrom('parcel_items')
      .selectAll()
      .where(
        'parcel_id',
        'in',
        parcels.map((p) => p.id),
      )
      .execute();
    const byLine = new Map<string, number>();
    const byItem = new Map<string, number>();
    for (const i of items) {
      byLine.set(i.fulfillment_order_line_id, (byLine.get(i.fulfillment_order_line_id) ?? 0) + i.quantity);
      byItem.set(i.item_id, (byItem.get(i.item_id) ?? 0) + i.quantity);
    }
    const now = deps.clock.now().toISOString();
    const shipmentId = deps.ids.next('shipment');
    const book = new StockBook(await lockLevels(tx, deps.db.dialect, [...byItem.keys()], fo.location_id));
    for (const [itemId, quantity] of [...byItem].sort(([a], [b]) => (a < b ? -1 : 1))) {
      book.apply(itemId, fo.location_id, 'ship', deltas.ship(quantity), { refType: 'shipment', refId: shipmentId, actor });
    }
    await book.flush(tx, now);
    const first = parcels[0] as (typeof parcels)[number];
    const trackingNumbers = parcels.map((p) => p.tracking_number ?? '');
    const cost = parcels.reduce((sum, p) => sum + (p.label_cost ?? 0), 0);
    const currency = first.label_currency ?? 'USD';
    await tx
      .insertInto('shipments')
      .values({
        id: shipmentId,
        fulfillment_order_id: foId,
        order_id: fo.order_id,
        location_id: fo.location_id,
        carrier: first.carrier ?? '',
        service: first.service ?? '',
        status: 'shipped',
        tracking_numbers: JSON.stringify(trackingNumbers),
        cost,
        currency,
        rate_choice: first.rate_choice ?? '{}',
        shipped_at: now,
        created_by: actor,
      })
      .execute();
    await tx
      .updateTable('parcels')
      .set({ status: 'shipped', shipment_id: shipmentId, updated_at: now })
      .where(
        'id',
        'in',
        parcels.map((p) => p.id),
      )
      .where('status', '=', 'labelled')
      .execute();
    const done = await fulfillShipped(
      tx,
      deps,
      { id: fo.id, order_id: fo.order_id, location_id: fo.location_id, status: fo.status },
      byLine,
      {
        actor,
        now,
        shipmentId,
        eventData: {
          carrier: first.carrier,
          service: first.service,
          tracking_numbers: trackingNumbers,
          cost,
          currency,
          parcels: parcels.map((p) => p.id),
        },
      },
    );
    if (!done.ok) return done;
    await closeOpenPicks(tx, foId, now);
    return ok({
      id: shipmentId,
      fulfillment_order_id: foId,
      order_id: fo.order_id,
      carrier: first.carrier ?? '',
      service: first.service ?? '',
      status: 'shipped',
      tracking_numbers: trackingNumbers,
      cost,
      currency,
      shipped_at: now,
      remainder_fulfillment_order_id: done.value.remainderFulfillmentOrderId,
      parcels: await loadParcels(
        tx,
        parcels.map((p) => p.id),
      ),
    });
  });
}

export interface ManifestInput {
  readonly location: string;
  readonly carrier: string;
  /** `YYYY-MM-DD`; today by default. Parcels shipped that day (UTC) and on no manifest yet. */
  readonly ship_date?: string | undefined;
}

export interface ManifestView {
  readonly id: string;
  readonly location: string;
  readonly carrier: string;
  readonly ship_date: string;
  readonly parcels: readonly {
    id: string;
    tracking_number: string | null;
    sscc: string;
    service: string | null;
    weight_g: number;
    fulfillment_order_id: string;
  }[];
  readonly created_at: string;
}

const nothingToManifest = (input: ManifestInput, shipDate: string) =>
  fail('nothing_to_release', `no parcel of ${input.carrier} shipped from ${input.location} on ${shipDate} is waiting for a manifest`);

/** The end-of-day manifest: every parcel of one carrier handed over at one location that day. */
export async function createManifest(deps: ShippingDeps, input: ManifestInput, actor: Actor): Promise<Result<ManifestView>> {
  const location = await deps.db.read.selectFrom('locations').select(['id', 'code']).where('code', '=', input.location).executeTakeFirst();
  if (!location)
    return fail('unknown_location', `no location with code ${input.location}`, {
      errors: [{ pointer: '/location', detail: 'unknown location' }],
    });
  const carrier = deps.carriers.get(input.carrier);
  if (!carrier)
    return fail('validation_failed', `no carrier ${input.carrier}`, { errors: [{ pointer: '/carrier', detail: 'unknown carrier' }] });
  const shipDate = input.ship_date ?? deps.clock.now().toISOString().slice(0, 10);
  const id = deps.ids.next('manifest');
  const waiting = (tx: Tx) =>
    tx
      .selectFrom('parcels')
      .selectAll()
      .where('location_id', '=', location.id)
      .where('carrier', '=', input.carrier)
      .where('status', '=', 'shipped')
      .where('manifest_id', 'is', null)
      .where('updated_at', '>=', `${shipDate}T00:00:00.000Z`)
      .where('updated_at', '<=', `${shipDate}T23:59:59.999Z`)
      .orderBy('id');
  const handedOver = await waiting(deps.db.read).execute();
  if (handedOver.length === 0) return nothingToManifest(input, shipDate);
  if (carrier.capabilities.has('manifest')) {
    // The carrier closes the labels of exactly these parcels (a label on a closed manifest can no longer be
    // voided there): labelled parcels that have not shipped yet stay open and voidable.
    const labelRefs = handedOver.flatMap((p) => (p.carrier_shipment_id === null ? [] : [p.carrier_shipment_id]));
    const closed = await carrier.manifest({ idempotencyKey: `manifest:${id}`, locationId: location.id, shipDate, labelRefs });
    if (!closed.ok && closed.error.code !== 'not_supported') return carrierProblem(closed.error);
  }
  return deps.db.transaction(async (tx) => {
    const parcels = await waiting(tx)
      .where(
        'id',
        'in',
        handedOver.map((p) => p.id),
      )
      .execute();
    if (parcels.length === 0) return nothingToManifest(input, shipDate);
    const now = deps.clock.now().toISOString();
    await tx
      .insertInto('manifests')
      .values({
        id,
        location_id: location.id,
        carrier: input.carrier,
        ship_date: shipDate,
        parcel_count: parcels.length,
        created_by: actor,
        created_at: now,
      })
      .execute();
    await tx
      .updateTable('parcels')
      .set({ manifest_id: id })
      .where(
        'id',
        'in',
        parcels.map((p) => p.id),
      )
      .execute();
    return ok({
      id,
      location: location.code,
      carrier: input.carrier,
      ship_date: shipDate,
      parcels: parcels.map((p) => ({
        id: p.id,
        tracking_number: p.tracking_number,
        sscc: p.sscc,
        service: p.service,
        weight_g: p.weight_g,
        fulfillment_order_id: p.fulfillment_order_id,
      })),
      created_at: now,
    });
  });
}

export async function getManifest(deps: ShippingDeps, id: string): Promise<Result<ManifestView>> {
  const m = await deps.db.read.selectFrom('manifests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!m) return fail('not_found', `no manifest ${id}`);
  const location = await deps.db.read.selectFrom('locations').select('code').where('id', '=', m.location_id).executeTakeFirstOrThrow();
  const parcels = await deps.db.read.selectFrom('parcels').selectAll().where('manifest_id', '=', id).orderBy('id').execute();
  return ok({
    id,
    location: location.code,
    carrier: m.carrier,
    ship_date: m.ship_date,
    parcels: parcels.map((p) => ({
      id: p.id,
      tracking_number: p.tracking_number,
      sscc: p.sscc,
      service: p.service,
      weight_g: p.weight_g,
      fulfillment_order_id: p.fulfillment_order_id,
    })),
    created_at: m.created_at,
  });
}
