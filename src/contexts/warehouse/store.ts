import type { Selectable } from 'kysely';
import type { Tx } from '../../storage/index.js';
import type { Database } from '../../storage/schema.js';

export type PickListRow = Selectable<Database['pick_lists']>;
export type PickTaskRow = Selectable<Database['pick_tasks']>;
export type WaveRow = Selectable<Database['waves']>;

export interface PickTaskView {
  readonly id: string;
  readonly position: number;
  readonly bin: string | null;
  readonly pick_sequence: number;
  readonly sku: string;
  readonly barcode: string | null;
  readonly name: string;
  readonly quantity: number;
  readonly picked_quantity: number;
  readonly short_quantity: number;
  readonly tote: string;
  readonly fulfillment_order_id: string;
  readonly status: string;
}

export interface PickListView {
  readonly id: string;
  readonly wave_id: string;
  readonly location: string;
  readonly status: string;
  readonly walk_length: number;
  readonly naive_walk_length: number;
  readonly tasks: readonly PickTaskView[];
  readonly created_at: string;
  readonly updated_at: string;
}

export interface WaveView {
  readonly id: string;
  readonly location: string;
  readonly strategy: string;
  readonly status: string;
  readonly filters: Record<string, unknown>;
  readonly fulfillment_order_ids: readonly string[];
  readonly pick_lists: readonly PickListView[];
  readonly created_at: string;
}

/** Pick lists with their tasks (in walk order) and item details, in a fixed number of queries. */
export async function loadPickLists(tx: Tx, lists: readonly PickListRow[]): Promise<PickListView[]> {
  if (lists.length === 0) return [];
  const tasks = await tx
    .selectFrom('pick_tasks as t')
    .innerJoin('items as i', 'i.id', 't.item_id')
    .selectAll('t')
    .select(['i.sku', 'i.barcode', 'i.name'])
    .where(
      't.pick_list_id',
      'in',
      lists.map((l) => l.id),
    )
    .orderBy('t.pick_list_id')
    .orderBy('t.position')
    .execute();
  const codes = new Map(
    (
      await tx
        .selectFrom('locations')
        .select(['id', 'code'])
        .where('id', 'in', [...new Set(lists.map((l) => l.location_id))])
        .execute()
    ).map((l) => [l.id, l.code]),
  );
  return lists.map((l) => ({
    id: l.id,
    wave_id: l.wave_id,
    location: codes.get(l.location_id) ?? l.location_id,
    status: l.status,
    walk_length: l.walk_length,
    naive_walk_length: l.naive_walk_length,
    tasks: tasks
      .filter((t) => t.pick_list_id === l.id)
      .map((t) => ({
        id: t.id,
        position: t.position,
        bin: t.bin_code,
        pick_sequence: t.pick_sequence,
        sku: t.sku,
        barcode: t.barcode,
        name: t.name,
        quantity: t.quantity,
        picked_quantity: t.picked_quantity,
        short_quantity: t.short_quantity,
        tote: t.tote,
        fulfillment_order_id: t.fulfillment_order_id,
        status: t.status,
      })),
    created_at: l.created_at,
    updated_at: l.updated_at,
  }));
}
