import { fail, ok, type Result } from '../../kernel/result.js';
import type { Deps } from '../deps.js';
import {
  createDbTableRateStore,
  labelContentTypes,
  renderManifestPdf,
  renderPackingSlipPdf,
  renderPickListPdf,
  renderShippingLabelPdf,
  type ShippingAddress,
  TableRateCarrier,
  tableRateLabelInput,
} from '../shipping/index.js';
import type { ShippingDeps } from './labels.js';
import { shippingContext } from './labels.js';
import { getPickList } from './picking.js';
import { getManifest } from './ship.js';

export interface DocumentFile {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

const today = (deps: Deps) => deps.clock.now().toISOString().slice(0, 10);

/** A parcel's label as the carrier issued it (PDF or ZPL II). */
export async function parcelLabelFile(deps: ShippingDeps, parcelId: string, format: 'pdf' | 'zpl'): Promise<Result<DocumentFile>> {
  const doc = await deps.db.read
    .selectFrom('parcel_documents')
    .select('content')
    .where('parcel_id', '=', parcelId)
    .where('format', '=', format)
    .executeTakeFirst();
  const bytes = doc ? new Uint8Array(doc.content) : format === 'pdf' ? await tableRateLabelPdf(deps, parcelId) : undefined;
  if (!bytes) return fail('not_found', `parcel ${parcelId} has no ${format.toUpperCase()} label`);
  return ok({ filename: `label-${parcelId}.${format}`, contentType: labelContentTypes[format], bytes });
}

/**
 * The PDF of a label the built-in table-rate carrier issued, rendered now from the record the carrier keeps
 * (only its ZPL is stored when the label is bought, see labels.ts): the same input the carrier renders its
 * label files from, so the same bytes it would have returned. A voided label has no record left on the parcel.
 */
async function tableRateLabelPdf(deps: ShippingDeps, parcelId: string): Promise<Uint8Array | undefined> {
  const parcel = await deps.db.read
    .selectFrom('parcels')
    .select(['carrier', 'carrier_shipment_id'])
    .where('id', '=', parcelId)
    .executeTakeFirst();
  const carrier = parcel?.carrier ? deps.carriers.get(parcel.carrier) : undefined;
  if (!parcel?.carrier_shipment_id || !(carrier instanceof TableRateCarrier)) return undefined;
  const record = await createDbTableRateStore(deps.db, carrier.id).findLabelByRef(parcel.carrier_shipment_id);
  if (record?.status !== 'active') return undefined;
  return renderShippingLabelPdf(tableRateLabelInput(record, carrier.name));
}

/** The packing slip of a fulfillment order: its lines, ship-to, and the tracking numbers once labelled. */
export async function packingSlipFile(deps: ShippingDeps, foId: string): Promise<Result<DocumentFile>> {
  const ctx = await shippingContext(deps.db.read, foId);
  if (!ctx.ok) return ctx;
  const lines = await deps.db.read
    .selectFrom('fulfillment_order_lines as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['i.sku', 'i.name', 'i.barcode', 'l.quantity'])
    .where('l.fulfillment_order_id', '=', foId)
    .where('l.quantity', '>', 0)
    .execute();
  const parcels = await deps.db.read
    .selectFrom('parcels')
    .select(['tracking_number', 'carrier'])
    .where('fulfillment_order_id', '=', foId)
    .where('tracking_number', 'is not', null)
    .execute();
  const bytes = await renderPackingSlipPdf({
    orderNumber: ctx.value.reference,
    fulfillmentOrderId: foId,
    from: ctx.value.from,
    to: ctx.value.to as ShippingAddress,
    date: today(deps),
    lines: lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, ...(l.barcode ? { barcode: l.barcode } : {}) })),
    parcels: parcels.map((p) => ({ trackingNumber: p.tracking_number ?? '', carrierName: p.carrier ?? '' })),
  });
  return ok({ filename: `packing-slip-${foId}.pdf`, contentType: 'application/pdf', bytes });
}

/** A pick list as the picker's paper: bins in walking order, what to scan, which tote. */
export async function pickListFile(deps: ShippingDeps, id: string): Promise<Result<DocumentFile>> {
  const list = await getPickList(deps, id);
  if (!list.ok) return list;
  const location = await deps.db.read
    .selectFrom('locations')
    .select('name')
    .where('code', '=', list.value.location)
    .executeTakeFirstOrThrow();
  const bytes = await renderPickListPdf({
    pickListId: id,
    waveId: list.value.wave_id,
    locationName: location.name,
    date: today(deps),
    // A task shorted to nothing has nothing to pick: it is not printed (the renderer refuses zero lines).
    lines: list.value.tasks
      .filter((t) => t.quantity > t.short_quantity)
      .map((t) => ({
        bin: t.bin ?? 'UNSLOTTED',
        sku: t.sku,
        name: t.name,
        barcode: t.barcode ?? t.sku,
        quantity: t.quantity - t.short_quantity,
        tote: t.tote,
      })),
  });
  return ok({ filename: `pick-list-${id}.pdf`, contentType: 'application/pdf', bytes });
}

/** The end-of-day manifest sheet the driver signs. */
export async function manifestFile(deps: ShippingDeps, id: string): Promise<Result<DocumentFile>> {
  const manifest = await getManifest(deps, id);
  if (!manifest.ok) return manifest;
  const m = manifest.value;
  const location = await deps.db.read
    .selectFrom('locations')
    .select(['id', 'name'])
    .where('code', '=', m.location)
    .executeTakeFirstOrThrow();
  const parcels = await deps.db.read
    .selectFrom('parcels')
    .select(['id', 'label_cost', 'label_currency'])
    .where('manifest_id', '=', id)
    .execute();
  const cost = new Map(parcels.map((p) => [p.id, { amountMinor: p.label_cost ?? 0, currency: p.label_currency ?? 'USD' }]));
  const currency = parcels[0]?.label_currency ?? 'USD';
  const bytes = await renderManifestPdf({
    locationName: location.name,
    manifest: {
      id,
      carrierId: m.carrier,
      carrierName: deps.carriers.get(m.carrier)?.name ?? m.carrier,
      locationId: location.id,
      shipDate: m.ship_date,
      createdAt: m.created_at,
      entries: m.parcels.map((p) => ({
        parcelId: p.id,
        trackingNumber: p.tracking_number ?? '',
        sscc: p.sscc,
        serviceCode: p.service ?? '',
        weightG: p.weight_g,
        amount: cost.get(p.id) ?? { amountMinor: 0, currency },
      })),
      totalWeightG: m.parcels.reduce((sum, p) => sum + p.weight_g, 0),
      totalAmount: { amountMinor: parcels.reduce((sum, p) => sum + (p.label_cost ?? 0), 0), currency },
    },
  });
  return ok({ filename: `manifest-${id}.pdf`, contentType: 'application/pdf', bytes });
}
