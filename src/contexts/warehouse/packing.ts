import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { forUpdate } from '../../storage/index.js';
import type { Actor } from '../deps.js';
import { type OrdersDeps, recordOrderEvent } from '../orders/index.js';
import { buildSscc } from '../shipping/index.js';
import { boxCatalogFor } from './boxes.js';
import { nextCounter } from './counters.js';
import { type CartonizationFailure, type CartonizationPlan, cartonize, type PackUnit, type Pricing, packIntoBox } from './domain/index.js';
import { loadParcels, type ParcelView } from './parcels.js';

export interface PackingDeps extends OrdersDeps {
  /** GS1 company prefix for SSCCs (FULFILL_GS1_PREFIX); the default is GS1's documented example prefix. */
  readonly gs1CompanyPrefix: string;
  /** Prices a parcel for box choice: the cheapest table rate to the destination. */
  readonly parcelPricing: (context: {
    from: { country: string; postalCode: string };
    to: { country: string; postalCode: string };
  }) => Pricing;
}

export const gs1ExamplePrefix = '0614141';

interface PackableLine {
  readonly lineId: string;
  readonly itemId: string;
  readonly sku: string;
  readonly barcode: string | null;
  readonly dimensionsMm: { length: number; width: number; height: number } | null;
  readonly weightG: number | null;
  /** Picked and not yet in a parcel. */
  packable: number;
}

/** What can be packed: units picked for the fulfillment order and not yet in a parcel. */
async function packable(tx: Tx, deps: PackingDeps, foId: string, lock: boolean) {
  const base = tx.selectFrom('fulfillment_orders').selectAll().where('id', '=', foId);
  const fo = await (lock ? forUpdate(base, deps.db.dialect) : base).executeTakeFirst();
  if (!fo) return fail('not_found', `no fulfillment order ${foId}`);
  if (fo.path !== 'physical' || fo.location_id === null)
    return fail('validation_failed', `fulfillment order ${foId} is ${fo.path}; only physical work is packed`);
  if (fo.status !== 'in_progress')
    return fail('illegal_transition', `cannot pack a fulfillment order that is ${fo.status.replace('_', ' ')}; release it in a wave first`);
  const lines = await tx
    .selectFrom('fulfillment_order_lines as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select(['l.id', 'l.item_id', 'l.quantity', 'i.sku', 'i.barcode', 'i.weight_g', 'i.length_mm', 'i.width_mm', 'i.height_mm'])
    .where('l.fulfillment_order_id', '=', foId)
    .execute();
  const picked = new Map<string, number>();
  for (const t of await tx
    .selectFrom('pick_tasks')
    .select(['fulfillment_order_line_id', 'picked_quantity'])
    .where('fulfillment_order_id', '=', foId)
    .execute()) {
    picked.set(t.fulfillment_order_line_id, (picked.get(t.fulfillment_order_line_id) ?? 0) + t.picked_quantity);
  }
  const packed = new Map<string, number>();
  for (const p of await tx
    .selectFrom('parcel_items as pi')
    .innerJoin('parcels as p', 'p.id', 'pi.parcel_id')
    .select(['pi.fulfillment_order_line_id', 'pi.quantity'])
    .where('p.fulfillment_order_id', '=', foId)
    .where('p.status', '!=', 'unpacked')
    .execute()) {
    packed.set(p.fulfillment_order_line_id, (packed.get(p.fulfillment_order_line_id) ?? 0) + p.quantity);
  }
  const result: PackableLine[] = lines.map((l) => ({
    lineId: l.id,
    itemId: l.item_id,
    sku: l.sku,
    barcode: l.barcode,
    dimensionsMm:
      l.length_mm !== null && l.width_mm !== null && l.height_mm !== null
        ? { length: l.length_mm, width: l.width_mm, height: l.height_mm }
        : null,
    weightG: l.weight_g,
    packable: Math.min(l.quantity, picked.get(l.id) ?? 0) - (packed.get(l.id) ?? 0),
  }));
  return ok({ fo: { ...fo, location_id: fo.location_id }, lines: result });
}

export interface PackInput {
  /** One scan per unit: GTIN/barcode or SKU. */
  readonly scans?: readonly string[] | undefined;
  /** Or quantities per SKU. Without scans or items, every packable unit is packed. */
  readonly items?: readonly { readonly sku: string; readonly quantity: number }[] | undefined;
  /** The packer's box (overrides the proposal); without it the proposal is used and may split into parcels. */
  readonly box?: string | undefined;
}

/** Verifies the units against what is packable; every wrong or surplus scan is reported. */
function unitsFor(lines: PackableLine[], input: PackInput): Result<Map<string, number>> {
  const take = new Map<string, number>();
  const left = new Map(lines.map((l) => [l.lineId, l.packable]));
  const claim = (pointer: string, code: string, quantity: number): Result<void> => {
    const candidates = lines.filter((l) => l.sku === code || (l.barcode !== null && l.barcode === code));
    if (candidates.length === 0)
      return fail('wrong_item', `${code} is not part of this fulfillment order`, {
        errors: [{ pointer, detail: 'not in this fulfillment order' }],
      });
    let need = quantity;
    for (const line of candidates) {
      const q = Math.min(need, left.get(line.lineId) ?? 0);
      if (q <= 0) continue;
      left.set(line.lineId, (left.get(line.lineId) ?? 0) - q);
      take.set(line.lineId, (take.get(line.lineId) ?? 0) + q);
      need -= q;
    }
    if (need > 0)
      return fail('over_pick', `${quantity - need} of ${quantity} units of ${code} are picked and not yet packed`, {
        errors: [{ pointer, detail: 'more units than were picked' }],
      });
    return ok(undefined);
  };
  if (input.scans) {
    for (const [i, scan] of input.scans.entries()) {
      const r = claim(`/scans/${i}`, scan, 1);
      if (!r.ok) return r;
    }
  } else if (input.items) {
    for (const [i, item] of input.items.entries()) {
      const r = claim(`/items/${i}`, item.sku, item.quantity);
      if (!r.ok) return r;
    }
  } else {
    for (const l of lines) if (l.packable > 0) take.set(l.lineId, l.packable);
  }
  if ([...take.values()].every((q) => q === 0)) return fail('not_picked', 'nothing picked is left to pack');
  return ok(take);
}

function cartonizationProblem(failure: CartonizationFailure, lines: PackableLine[]) {
  const sku = (id: string) => lines.find((l) => l.lineId === id)?.sku ?? id;
  if (failure.code === 'unit_unpackable') {
    return fail('wrong_box', `${failure.units.map((u) => `${sku(u.unitId)}: ${u.reason.replace('_', ' ')}`).join('; ')}`, {
      units: failure.units.map((u) => ({ sku: sku(u.unitId), reason: u.reason })),
    });
  }
  if (failure.code === 'too_many_units') return fail('limit_reached', failure.detail);
  return fail('wrong_box', failure.detail);
}

async function plan(
  tx: Tx,
  deps: PackingDeps,
  fo: { id: string; order_id: string; location_id: string },
  lines: PackableLine[],
  take: Map<string, number>,
  boxCode: string | undefined,
): Promise<Result<CartonizationPlan>> {
  const units: PackUnit[] = lines
    .filter((l) => (take.get(l.lineId) ?? 0) > 0)
    .map((l) => ({ id: l.lineId, dimensionsMm: l.dimensionsMm, weightG: l.weightG, quantity: take.get(l.lineId) ?? 0 }));
  const catalog = await boxCatalogFor(tx, fo.location_id);
  const location = await tx
    .selectFrom('locations')
    .select(['country', 'postal_code'])
    .where('id', '=', fo.location_id)
    .executeTakeFirstOrThrow();
  const order = await tx.selectFrom('orders').select('shipping_address').where('id', '=', fo.order_id).executeTakeFirstOrThrow();
  const to = JSON.parse(order.shipping_address) as { country: string; postal_code: string };
  const pricing = deps.parcelPricing({
    from: { country: location.country, postalCode: location.postal_code },
    to: { country: to.country, postalCode: to.postal_code },
  });
  if (boxCode !== undefined) {
    const box = catalog.boxes.find((b) => b.code === boxCode);
    if (!box)
      return fail('unknown_box', `no box ${boxCode} in this location's catalog`, { errors: [{ pointer: '/box', detail: 'unknown box' }] });
    const packedIn = packIntoBox(units, box, { pricing });
    return packedIn.ok ? packedIn : cartonizationProblem(packedIn.error, lines);
  }
  const proposed = cartonize(units, catalog.boxes, { pricing });
  return proposed.ok ? proposed : cartonizationProblem(proposed.error, lines);
}

export interface Proposal {
  readonly parcels: readonly {
    box: string;
    items: { sku: string; quantity: number }[];
    actual_weight_g: number;
    billable_weight_g: number;
    fill_ratio: number;
    box_cost: number;
    rate: number;
    cost: number;
  }[];
  readonly cost: number;
}

function toProposal(p: CartonizationPlan, lines: PackableLine[]): Proposal {
  return {
    cost: p.costMinor,
    parcels: p.parcels.map((parcel) => {
      const counts = new Map<string, number>();
      for (const placement of parcel.placements) counts.set(placement.unitId, (counts.get(placement.unitId) ?? 0) + 1);
      return {
        box: parcel.box.code,
        items: [...counts].map(([id, quantity]) => ({ sku: lines.find((l) => l.lineId === id)?.sku ?? id, quantity })),
        actual_weight_g: parcel.actualWeightG,
        billable_weight_g: parcel.billable.billableG,
        fill_ratio: Math.round(parcel.fillRatio * 1000) / 1000,
        box_cost: parcel.boxCostMinor,
        rate: parcel.rateMinor,
        cost: parcel.costMinor,
      };
    }),
  };
}

/** Proposes boxes for what is packable (or for the given units), without packing anything. */
export async function proposePacking(deps: PackingDeps, foId: string, input: PackInput): Promise<Result<Proposal>> {
  const state = await packable(deps.db.read, deps, foId, false);
  if (!state.ok) return state;
  const take = unitsFor(state.value.lines, input);
  if (!take.ok) return take;
  const planned = await plan(deps.db.read, deps, state.value.fo, state.value.lines, take.value, input.box);
  return planned.ok ? ok(toProposal(planned.value, state.value.lines)) : planned;
}

/**
 * Packs units into parcels: each unit is verified against the fulfillment order (scan by scan when scans are
 * given), the box is the packer's choice or the proposal's, and each parcel gets an SSCC-18.
 */
export async function packParcels(deps: PackingDeps, foId: string, input: PackInput, actor: Actor): Promise<Result<ParcelView[]>> {
  if (input.scans && input.items) throw validationProblem([{ pointer: '/items', detail: 'send scans or items, not both' }]);
  return deps.db.transaction(async (tx) => {
    const state = await packable(tx, deps, foId, true);
    if (!state.ok) return state;
    const take = unitsFor(state.value.lines, input);
    if (!take.ok) return take;
    const planned = await plan(tx, deps, state.value.fo, state.value.lines, take.value, input.box);
    if (!planned.ok) return planned;
    const now = deps.clock.now().toISOString();
    const ids: string[] = [];
    for (const parcel of planned.value.parcels) {
      const sscc = buildSscc({ extensionDigit: 0, companyPrefix: deps.gs1CompanyPrefix, serialReference: await nextCounter(tx, 'sscc') });
      if (!sscc.ok) return fail('validation_failed', `cannot build an SSCC: ${sscc.error.message}`);
      const id = deps.ids.next('parcel');
      ids.push(id);
      await tx
        .insertInto('parcels')
        .values({
          id,
          fulfillment_order_id: foId,
          location_id: state.value.fo.location_id,
          status: 'packed',
          box_code: parcel.box.code,
          length_mm: parcel.box.outerMm.length,
          width_mm: parcel.box.outerMm.width,
          height_mm: parcel.box.outerMm.height,
          weight_g: parcel.actualWeightG,
          sscc: sscc.value,
          label_state: 'none',
          carrier: null,
          service: null,
          tracking_number: null,
          carrier_shipment_id: null,
          billable_weight_g: parcel.billable.billableG,
          label_cost: null,
          label_currency: null,
          label_attempts: 0,
          label_error: null,
          rate_choice: null,
          shipment_id: null,
          manifest_id: null,
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const counts = new Map<string, number>();
      for (const p of parcel.placements) counts.set(p.unitId, (counts.get(p.unitId) ?? 0) + 1);
      await tx
        .insertInto('parcel_items')
        .values(
          [...counts].map(([lineId, quantity]) => ({
            parcel_id: id,
            fulfillment_order_line_id: lineId,
            item_id: state.value.lines.find((l) => l.lineId === lineId)?.itemId as string,
            quantity,
          })),
        )
        .execute();
    }
    await recordOrderEvent(
      tx,
      deps,
      state.value.fo.order_id,
      'fulfillment_order.packed',
      { fulfillment_order_id: foId, parcels: ids },
      actor,
      now,
    );
    return ok(await loadParcels(tx, ids));
  });
}
