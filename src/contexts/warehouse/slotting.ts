import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import { findItemsBySkus, findLocationByCode } from '../catalog/index.js';
import type { Actor, Deps } from '../deps.js';

export interface SlotView {
  readonly sku: string;
  readonly bin: string;
  readonly pick_sequence: number;
}

/** Assigns items to their pick bins at a location (one bin per item and location; a new assignment replaces the old). */
export async function assignSlots(
  deps: Deps,
  locationCode: string,
  slots: readonly { sku: string; bin: string }[],
  _actor: Actor,
): Promise<Result<SlotView[]>> {
  return deps.db.transaction(async (tx) => {
    const location = await findLocationByCode(tx, locationCode);
    if (!location) return fail('not_found', `no location with code ${locationCode}`);
    const items = new Map(
      (
        await findItemsBySkus(
          tx,
          slots.map((s) => s.sku),
        )
      ).map((i) => [i.sku, i]),
    );
    const bins = new Map(
      (
        await tx
          .selectFrom('bins')
          .selectAll()
          .where('location_id', '=', location.id)
          .where(
            'code',
            'in',
            slots.map((s) => s.bin),
          )
          .execute()
      ).map((b) => [b.code, b]),
    );
    const errors = slots.flatMap((s, i) => [
      ...(items.get(s.sku)?.kind === 'physical'
        ? []
        : [{ pointer: `/slots/${i}/sku`, detail: items.has(s.sku) ? 'not a physical item' : `unknown SKU ${s.sku}` }]),
      ...(bins.has(s.bin) ? [] : [{ pointer: `/slots/${i}/bin`, detail: `no bin ${s.bin} at ${locationCode}` }]),
    ]);
    if (errors.length > 0) throw validationProblem(errors);
    const now = deps.clock.now().toISOString();
    for (const s of slots) {
      const row = {
        location_id: location.id,
        item_id: items.get(s.sku)?.id as string,
        bin_id: bins.get(s.bin)?.id as string,
        updated_at: now,
      };
      await tx
        .insertInto('item_bins')
        .values(row)
        .onConflict((oc) => oc.columns(['location_id', 'item_id']).doUpdateSet({ bin_id: row.bin_id, updated_at: now }))
        .execute();
    }
    return ok(slots.map((s) => ({ sku: s.sku, bin: s.bin, pick_sequence: bins.get(s.bin)?.pick_sequence ?? 0 })));
  });
}

export async function listSlots(deps: Deps, locationCode: string): Promise<Result<SlotView[]>> {
  const location = await findLocationByCode(deps.db.read, locationCode);
  if (!location) return fail('not_found', `no location with code ${locationCode}`);
  const rows = await deps.db.read
    .selectFrom('item_bins as s')
    .innerJoin('items as i', 'i.id', 's.item_id')
    .innerJoin('bins as b', 'b.id', 's.bin_id')
    .select(['i.sku', 'b.code', 'b.pick_sequence'])
    .where('s.location_id', '=', location.id)
    .orderBy('b.pick_sequence')
    .orderBy('i.sku')
    .execute();
  return ok(rows.map((r) => ({ sku: r.sku, bin: r.code, pick_sequence: r.pick_sequence })));
}
