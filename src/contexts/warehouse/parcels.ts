import type { Selectable } from 'kysely';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import type { Database } from '../../storage/schema.js';
import type { Actor, Deps } from '../deps.js';
import { recordOrderEvent } from '../orders/index.js';

export type ParcelRow = Selectable<Database['parcels']>;

export interface ParcelView {
  readonly id: string;
  readonly fulfillment_order_id: string;
  /** packed -> labelled -> shipped; unpacked when taken apart before labelling. */
  readonly status: string;
  readonly box: string;
  readonly dimensions_mm: { length: number; width: number; height: number };
  readonly weight_g: number;
  readonly billable_weight_g: number | null;
  readonly sscc: string;
  readonly items: readonly { sku: string; quantity: number }[];
  readonly label: {
    readonly state: string;
    readonly carrier: string | null;
    readonly service: string | null;
    readonly tracking_number: string | null;
    readonly cost: number | null;
    readonly currency: string | null;
    readonly attempts: number;
    readonly error: string | null;
    readonly formats: readonly string[];
  };
  readonly rate_choice: unknown;
  readonly shipment_id: string | null;
  readonly manifest_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export async function loadParcelRows(tx: Tx, ids: readonly string[]): Promise<ParcelRow[]> {
  if (ids.length === 0) return [];
  return tx.selectFrom('parcels').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

/**
 * The label formats of each parcel: the files stored with its label, and the PDF of a label the table-rate
 * carrier issued, which is rendered from the carrier's record when asked for (see documents.ts).
 */
async function labelFormats(
  tx: Tx,
  rows: readonly ParcelRow[],
  docs: readonly { parcel_id: string; format: string }[],
): Promise<Map<string, string[]>> {
  const formats = new Map<string, Set<string>>(rows.map((r) => [r.id, new Set<string>()]));
  for (const d of docs) formats.get(d.parcel_id)?.add(d.format);
  const refs = rows.flatMap((r) => (r.carrier_shipment_id === null ? [] : [r.carrier_shipment_id]));
  if (refs.length > 0) {
    const recorded = await tx
      .selectFrom('carrier_labels')
      .select(['label_ref', 'carrier_id'])
      .where('label_ref', 'in', refs)
      .where('status', '=', 'active')
      .execute();
    const byRef = new Map(recorded.map((l) => [l.label_ref, l.carrier_id]));
    for (const r of rows)
      if (r.carrier_shipment_id !== null && byRef.get(r.carrier_shipment_id) === r.carrier) formats.get(r.id)?.add('pdf');
  }
  return new Map([...formats].map(([id, set]) => [id, [...set].sort()]));
}

export async function toParcelViews(tx: Tx, rows: readonly ParcelRow[]): Promise<ParcelView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const items = await tx
    .selectFrom('parcel_items as pi')
    .innerJoin('items as i', 'i.id', 'pi.item_id')
    .select(['pi.parcel_id', 'i.sku', 'pi.quantity'])
    .where('pi.parcel_id', 'in', ids)
    .execute();
  const docs = await tx.selectFrom('parcel_documents').select(['parcel_id', 'format']).where('parcel_id', 'in', ids).execute();
  const formats = await labelFormats(tx, rows, docs);
  return rows.map((r) => ({
    id: r.id,
    fulfillment_order_id: r.fulfillment_order_id,
    status: r.status,
    box: r.box_code,
    dimensions_mm: { length: r.length_mm, width: r.width_mm, height: r.height_mm },
    weight_g: r.weight_g,
    billable_weight_g: r.billable_weight_g,
    sscc: r.sscc,
    items: items.filter((i) => i.parcel_id === r.id).map((i) => ({ sku: i.sku, quantity: i.quantity })),
    label: {
      state: r.label_state,
      carrier: r.carrier,
      service: r.service,
      tracking_number: r.tracking_number,
      cost: r.label_cost,
      currency: r.label_currency,
      attempts: r.label_attempts,
      error: r.label_error,
      formats: formats.get(r.id) ?? [],
    },
    rate_choice: r.rate_choice === null ? null : JSON.parse(r.rate_choice),
    shipment_id: r.shipment_id,
    manifest_id: r.manifest_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }));
}

export async function loadParcels(tx: Tx, ids: readonly string[]): Promise<ParcelView[]> {
  return toParcelViews(tx, await loadParcelRows(tx, ids));
}

export async function getParcel(deps: Deps, id: string): Promise<Result<ParcelView>> {
  const [view] = await loadParcels(deps.db.read, [id]);
  return view ? ok(view) : fail('not_found', `no parcel ${id}`);
}

export async function listParcels(deps: Deps, foId: string): Promise<Result<ParcelView[]>> {
  const fo = await deps.db.read.selectFrom('fulfillment_orders').select('id').where('id', '=', foId).executeTakeFirst();
  if (!fo) return fail('not_found', `no fulfillment order ${foId}`);
  const rows = await deps.db.read.selectFrom('parcels').selectAll().where('fulfillment_order_id', '=', foId).orderBy('id').execute();
  return ok(await toParcelViews(deps.db.read, rows));
}

/** Takes a packed, unlabelled parcel apart: its units become packable again. */
export async function unpackParcel(deps: Deps, id: string, actor: Actor): Promise<Result<ParcelView>> {
  return deps.db.transaction(async (tx) => {
    const parcel = await tx.selectFrom('parcels').selectAll().where('id', '=', id).executeTakeFirst();
    if (!parcel) return fail('not_found', `no parcel ${id}`);
    if (
      parcel.status !== 'packed' ||
      (parcel.label_state !== 'none' && parcel.label_state !== 'failed' && parcel.label_state !== 'voided')
    ) {
      return fail(
        'illegal_transition',
        `cannot unpack a parcel that is ${parcel.status} with label ${parcel.label_state}; void its label first`,
      );
    }
    const now = deps.clock.now().toISOString();
    await tx
      .updateTable('parcels')
      .set({ status: 'unpacked', updated_at: now, version: parcel.version + 1 })
      .where('id', '=', id)
      .execute();
    const fo = await tx
      .selectFrom('fulfillment_orders')
      .select('order_id')
      .where('id', '=', parcel.fulfillment_order_id)
      .executeTakeFirstOrThrow();
    await recordOrderEvent(
      tx,
      deps,
      fo.order_id,
      'parcel.unpacked',
      { parcel_id: id, fulfillment_order_id: parcel.fulfillment_order_id },
      actor,
      now,
    );
    const [view] = await loadParcels(tx, [id]);
    return ok(view as ParcelView);
  });
}
