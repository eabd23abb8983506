import { limits } from '../../kernel/limits.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { forUpdate } from '../../storage/index.js';
import { findLocationByCode } from '../catalog/index.js';
import type { Actor } from '../deps.js';
import { type OrdersDeps, startFulfillmentOrders } from '../orders/index.js';
import {
  defaultAisleLayout,
  type PickLine,
  parseBinCode,
  planPickLists,
  type WalkModel,
  type WalkStop,
  walkLengthMm,
} from './domain/index.js';
import { loadPickLists, type PickListRow, type WaveView } from './store.js';

export interface WaveInput {
  readonly location: string;
  readonly strategy: 'single' | 'batch';
  readonly service_level?: string | undefined;
  readonly promise_date_before?: string | undefined;
  readonly max_orders?: number | undefined;
  readonly max_units?: number | undefined;
  readonly orders_per_pick_list?: number | undefined;
}

const waveOrdersDefault = 50;
const totesPerCartDefault = 12;
/** Where pick tasks of items without a bin go: after every slotted bin. */
const unslottedSequence = 2_000_000_000;
const unslottedBin = 'UNSLOTTED';

interface Candidate {
  readonly id: string;
  readonly order_id: string;
  readonly status: string;
  readonly units: number;
}

/** Open, unheld physical work at the location that matches the filters, earliest promise first, then oldest. */
async function candidates(tx: Tx, deps: OrdersDeps, locationId: string, input: WaveInput): Promise<Candidate[]> {
  let q = tx
    .selectFrom('fulfillment_orders as fo')
    .innerJoin('orders as o', 'o.id', 'fo.order_id')
    .select(['fo.id', 'fo.order_id', 'fo.status', 'o.promise_date'])
    .where('fo.location_id', '=', locationId)
    .where('fo.path', '=', 'physical')
    .where('fo.status', '=', 'open')
    .orderBy('fo.id')
    .limit(limits.pageSizeMax * 4);
  if (input.service_level) q = q.where('o.service_level', '=', input.service_level);
  if (input.promise_date_before) q = q.where('o.promise_date', '<=', input.promise_date_before);
  const rows = await q.execute();
  rows.sort((a, b) => (a.promise_date ?? '9999').localeCompare(b.promise_date ?? '9999') || (a.id < b.id ? -1 : 1));
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const locked = new Set(
    (
      await forUpdate(
        tx.selectFrom('fulfillment_orders').select('id').where('id', 'in', ids).where('status', '=', 'open').orderBy('id'),
        deps.db.dialect,
      ).execute()
    ).map((r) => r.id),
  );
  const units = new Map<string, number>();
  for (const l of await tx
    .selectFrom('fulfillment_order_lines')
    .select(['fulfillment_order_id', 'quantity'])
    .where('fulfillment_order_id', 'in', ids)
    .execute()) {
    units.set(l.fulfillment_order_id, (units.get(l.fulfillment_order_id) ?? 0) + l.quantity);
  }
  const picked: Candidate[] = [];
  let total = 0;
  for (const r of rows) {
    const u = units.get(r.id) ?? 0;
    if (!locked.has(r.id) || u === 0) continue;
    if (picked.length >= (input.max_orders ?? waveOrdersDefault)) break;
    if (input.max_units !== undefined && total + u > input.max_units) continue;
    picked.push({ id: r.id, order_id: r.order_id, status: r.status, units: u });
    total += u;
  }
  return picked;
}

/**
 * The walk in mm over the slotted stops (unslotted items are fetched from wherever they are and are not on
 * the map): the distance along the serpentine route through the aisles when every bin code reads as
 * aisle-position-level (up aisle A, down aisle B...: the route serpentine pick sequences number, on which
 * walking in pick-sequence order is never longer than any other order), else along the pick sequence.
 */
function walkLength(all: readonly WalkStop[]): number {
  const stops = all.filter((s) => s.binCode !== unslottedBin);
  const model: WalkModel = stops.every((s) => parseBinCode(s.binCode) !== null)
    ? { kind: 'route', layout: defaultAisleLayout }
    : { kind: 'sequence', stepMm: 1_000 };
  const length = walkLengthMm(stops, model);
  return length.ok ? length.value : 0;
}

/**
 * Releases a wave: matching open work at a warehouse is started (open -> in_progress, held or cancelled
 * work never qualifies) and cut into pick lists ordered along the bins' pick sequence: one order per list
 * (`single`), or several orders per walk with a tote each (`batch`).
 */
export async function releaseWave(deps: OrdersDeps, input: WaveInput, actor: Actor): Promise<Result<WaveView>> {
  return deps.db.transaction(async (tx) => {
    const location = await findLocationByCode(tx, input.location);
    if (!location)
      return fail('unknown_location', `no location with code ${input.location}`, {
        errors: [{ pointer: '/location', detail: 'unknown location' }],
      });
    if (location.kind !== 'warehouse' && location.kind !== 'store')
      return fail('validation_failed', `waves are for warehouses and stores; ${input.location} is a ${location.kind}`);
    const chosen = await candidates(tx, deps, location.id, input);
    if (chosen.length === 0) return fail('nothing_to_release', `no open, unheld work at ${input.location} matches the filters`);
    const now = deps.clock.now().toISOString();
    const waveId = deps.ids.next('wave');
    const filters = Object.fromEntries(Object.entries(input).filter(([k, v]) => k !== 'location' && v !== undefined));
    await tx
      .insertInto('waves')
      .values({
        id: waveId,
        location_id: location.id,
        strategy: input.strategy,
        status: 'released',
        filters: JSON.stringify(filters),
        created_by: actor,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const lines = await tx
      .selectFrom('fulfillment_order_lines as l')
      .innerJoin('items as i', 'i.id', 'l.item_id')
      .leftJoin('item_bins as s', (join) => join.onRef('s.item_id', '=', 'l.item_id').on('s.location_id', '=', location.id))
      .leftJoin('bins as b', 'b.id', 's.bin_id')
      .select(['l.id', 'l.fulfillment_order_id', 'l.item_id', 'l.quantity', 'i.sku', 'b.code as bin_code', 'b.pick_sequence'])
      .where(
        'l.fulfillment_order_id',
        'in',
        chosen.map((c) => c.id),
      )
      .where('l.quantity', '>', 0)
      .orderBy('l.fulfillment_order_id')
      .orderBy('l.id')
      .execute();
    const groups = input.strategy === 'single' ? chosen.map((c) => [c]) : chunk(chosen, input.orders_per_pick_list ?? totesPerCartDefault);
    const lists: PickListRow[] = [];
    for (const group of groups) {
      const own = lines.filter((l) => group.some((c) => c.id === l.fulfillment_order_id));
      const totes = new Map(group.map((c, i) => [c.id, `T${i + 1}`]));
      const pickLines: PickLine[] = own.map((l) => ({
        orderId: l.fulfillment_order_id,
        tote: totes.get(l.fulfillment_order_id) ?? 'T1',
        binCode: l.bin_code ?? unslottedBin,
        pickSequence: l.pick_sequence ?? unslottedSequence,
        sku: l.sku,
        quantity: l.quantity,
      }));
      const planned = planPickLists(pickLines, 'batch');
      if (!planned.ok) return fail('validation_failed', planned.error.detail);
      const [plan] = planned.value;
      if (!plan) continue;
      const listId = deps.ids.next('pickList');
      const row: PickListRow = {
        id: listId,
        wave_id: waveId,
        location_id: location.id,
        status: 'open',
        walk_length: walkLength(plan.stops),
        naive_walk_length: walkLength(pickLines),
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto('pick_lists').values(row).execute();
      let position = 0;
      const tasks = plan.stops.flatMap((stop) =>
        stop.allocations.map((a) => {
          const line = own[a.lineIndex] as (typeof own)[number];
          position += 1;
          return {
            id: deps.ids.next('pickTask'),
            pick_list_id: listId,
            position,
            fulfillment_order_id: line.fulfillment_order_id,
            fulfillment_order_line_id: line.id,
            item_id: line.item_id,
            bin_code: line.bin_code,
            pick_sequence: stop.pickSequence,
            tote: a.tote ?? 'T1',
            quantity: a.quantity,
            picked_quantity: 0,
            short_quantity: 0,
            status: 'open',
          };
        }),
      );
      if (tasks.length > 0) await tx.insertInto('pick_tasks').values(tasks).execute();
      lists.push(row);
    }
    const started = await startFulfillmentOrders(tx, deps, chosen, { waveId, actor, now });
    if (!started.ok) return started;
    return ok({
      id: waveId,
      location: location.code,
      strategy: input.strategy,
      status: 'released',
      filters,
      fulfillment_order_ids: chosen.map((c) => c.id),
      pick_lists: await loadPickLists(tx, lists),
      created_at: now,
    });
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export async function getWave(deps: OrdersDeps, id: string): Promise<Result<WaveView>> {
  const wave = await deps.db.read.selectFrom('waves').selectAll().where('id', '=', id).executeTakeFirst();
  if (!wave) return fail('not_found', `no wave ${id}`);
  const lists = await deps.db.read.selectFrom('pick_lists').selectAll().where('wave_id', '=', id).orderBy('id').execute();
  const views = await loadPickLists(deps.db.read, lists);
  const location = await deps.db.read.selectFrom('locations').select('code').where('id', '=', wave.location_id).executeTakeFirstOrThrow();
  return ok({
    id: wave.id,
    location: location.code,
    strategy: wave.strategy,
    status: wave.status,
    filters: JSON.parse(wave.filters) as Record<string, unknown>,
    fulfillment_order_ids: [...new Set(views.flatMap((v) => v.tasks.map((t) => t.fulfillment_order_id)))],
    pick_lists: views,
    created_at: wave.created_at,
  });
}
