import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { forUpdate } from '../../storage/index.js';
import type { Actor } from '../deps.js';
import { lockLevels, StockBook } from '../inventory/index.js';
import { moveFulfillmentOrder, type OrdersDeps, reallocateShortPick } from '../orders/index.js';
import { loadPickLists, type PickListView, type PickTaskRow } from './store.js';

export interface ScanInput {
  readonly bin: string;
  /** The item's GTIN/barcode or its SKU. */
  readonly barcode: string;
  readonly quantity?: number | undefined;
}

export interface ScanResult {
  readonly task_id: string;
  readonly sku: string;
  readonly tote: string;
  readonly picked_quantity: number;
  readonly remaining_quantity: number;
  readonly pick_list: PickListView;
}

async function lockPickList(tx: Tx, deps: OrdersDeps, id: string) {
  const list = await forUpdate(tx.selectFrom('pick_lists').selectAll().where('id', '=', id), deps.db.dialect).executeTakeFirst();
  if (!list) return fail('not_found', `no pick list ${id}`);
  if (list.status === 'completed') return fail('illegal_transition', `pick list ${id} is completed`);
  return ok(list);
}

/** A pick list with no open task left is completed. */
export async function finishIfDone(tx: Tx, listId: string, now: string): Promise<void> {
  const open = await tx
    .selectFrom('pick_tasks')
    .select('id')
    .where('pick_list_id', '=', listId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  await tx
    .updateTable('pick_lists')
    .set({ status: open ? 'in_progress' : 'completed', updated_at: now })
    .where('id', '=', listId)
    .execute();
}

/**
 * Confirms picked units by scanning the bin and the item (GTIN or SKU). The scan must match an open task at
 * that bin; too many units are refused. Each confirmed pick is a `pick` movement in the ledger (bin to tote;
 * stock stays on hand and reserved until it ships).
 */
export async function scanPick(deps: OrdersDeps, pickListId: string, input: ScanInput, actor: Actor): Promise<Result<ScanResult>> {
  const quantity = input.quantity ?? 1;
  return deps.db.transaction(async (tx) => {
    const list = await lockPickList(tx, deps, pickListId);
    if (!list.ok) return list;
    const tasks = await tx
      .selectFrom('pick_tasks as t')
      .innerJoin('items as i', 'i.id', 't.item_id')
      .selectAll('t')
      .select(['i.sku', 'i.barcode'])
      .where('t.pick_list_id', '=', pickListId)
      .where('t.status', '=', 'open')
      .orderBy('t.position')
      .execute();
    const atBin = tasks.filter((t) => (t.bin_code ?? '') === input.bin);
    if (atBin.length === 0) {
      const next = tasks[0];
      return fail(
        'wrong_bin',
        `nothing left to pick at bin ${input.bin}${next ? `; next is ${next.sku} at ${next.bin_code ?? 'an unslotted location'}` : ''}`,
        {
          errors: [{ pointer: '/bin', detail: 'no open pick at this bin' }],
        },
      );
    }
    const matching = atBin.filter((t) => t.sku === input.barcode || (t.barcode !== null && t.barcode === input.barcode));
    if (matching.length === 0) {
      return fail(
        'wrong_item',
        `scanned ${input.barcode} at bin ${input.bin}, expected ${[...new Set(atBin.map((t) => t.sku))].join(' or ')}`,
        {
          errors: [{ pointer: '/barcode', detail: 'not the item to pick at this bin' }],
        },
      );
    }
    const task = matching[0] as PickTaskRow & { sku: string };
    const remaining = task.quantity - task.picked_quantity - task.short_quantity;
    if (quantity > remaining) {
      return fail('over_pick', `only ${remaining} more of ${task.sku} to pick into tote ${task.tote}`, {
        errors: [{ pointer: '/quantity', detail: `at most ${remaining}` }],
      });
    }
    const now = deps.clock.now().toISOString();
    const picked = task.picked_quantity + quantity;
    const done = picked + task.short_quantity === task.quantity;
    await tx
      .updateTable('pick_tasks')
      .set({ picked_quantity: picked, status: done ? 'picked' : 'open' })
      .where('id', '=', task.id)
      .execute();
    const book = new StockBook(await lockLevels(tx, deps.db.dialect, [task.item_id], list.value.location_id));
    book.apply(
      task.item_id,
      list.value.location_id,
      'pick',
      { onHand: 0, reserved: 0, incoming: 0 },
      {
        refType: 'pick_task',
        refId: task.id,
        reason: `${quantity} from bin ${task.bin_code ?? 'unslotted'} to tote ${task.tote}`,
        actor,
      },
    );
    await book.flush(tx, now);
    const left = await tx
      .selectFrom('fulfillment_order_lines')
      .select('quantity')
      .where('fulfillment_order_id', '=', task.fulfillment_order_id)
      .where('quantity', '>', 0)
      .executeTakeFirst();
    if (!left) {
      const fo = await tx
        .selectFrom('fulfillment_orders')
        .select(['id', 'status'])
        .where('id', '=', task.fulfillment_order_id)
        .executeTakeFirstOrThrow();
      if (fo.status === 'in_progress') await moveFulfillmentOrder(tx, fo, 'close_empty', now);
    }
    await finishIfDone(tx, pickListId, now);
    const [view] = await loadPickLists(tx, [
      await tx.selectFrom('pick_lists').selectAll().where('id', '=', pickListId).executeTakeFirstOrThrow(),
    ]);
    return ok({
      task_id: task.id,
      sku: task.sku,
      tote: task.tote,
      picked_quantity: picked,
      remaining_quantity: remaining - quantity,
      pick_list: view as PickListView,
    });
  });
}

export interface ShortInput {
  readonly task_id: string;
  /** Units that are not in the bin. */
  readonly quantity: number;
}

/**
 * Records a short pick: the missing units leave the ledger (an adjustment that also releases their
 * reservation), and the quantity goes back to sourcing (another location, or a backorder) instead of
 * blocking the order.
 */
export async function shortPick(deps: OrdersDeps, pickListId: string, input: ShortInput, actor: Actor) {
  return deps.db.transaction(async (tx) => {
    const list = await lockPickList(tx, deps, pickListId);
    if (!list.ok) return list;
    const task = await tx
      .selectFrom('pick_tasks')
      .selectAll()
      .where('id', '=', input.task_id)
      .where('pick_list_id', '=', pickListId)
      .executeTakeFirst();
    if (!task) return fail('not_found', `pick list ${pickListId} has no task ${input.task_id}`);
    const remaining = task.quantity - task.picked_quantity - task.short_quantity;
    if (task.status !== 'open' || input.quantity > remaining) {
      return fail('over_pick', `only ${remaining} units of this task are still to pick`, {
        errors: [{ pointer: '/quantity', detail: `at most ${remaining}` }],
      });
    }
    const now = deps.clock.now().toISOString();
    const short = task.short_quantity + input.quantity;
    await tx
      .updateTable('pick_tasks')
      .set({ short_quantity: short, status: task.picked_quantity + short === task.quantity ? 'short' : 'open' })
      .where('id', '=', task.id)
      .execute();
    const levels = await lockLevels(tx, deps.db.dialect, [task.item_id]);
    const book = new StockBook(levels);
    book.apply(
      task.item_id,
      list.value.location_id,
      'adjust',
      { onHand: -input.quantity, reserved: -input.quantity, incoming: 0 },
      {
        refType: 'pick_task',
        refId: task.id,
        reason: `short_pick: ${input.quantity} missing at bin ${task.bin_code ?? 'unslotted'}`,
        actor,
      },
    );
    const outcome = await reallocateShortPick(
      tx,
      deps,
      book,
      { fulfillmentOrderLineId: task.fulfillment_order_line_id, quantity: input.quantity, locationId: list.value.location_id },
      { actor, now },
    );
    await book.flush(tx, now);
    await finishIfDone(tx, pickListId, now);
    const [view] = await loadPickLists(tx, [
      await tx.selectFrom('pick_lists').selectAll().where('id', '=', pickListId).executeTakeFirstOrThrow(),
    ]);
    return ok({ ...outcome, pick_list: view as PickListView });
  });
}

export async function getPickList(deps: OrdersDeps, id: string): Promise<Result<PickListView>> {
  const list = await deps.db.read.selectFrom('pick_lists').selectAll().where('id', '=', id).executeTakeFirst();
  if (!list) return fail('not_found', `no pick list ${id}`);
  const [view] = await loadPickLists(deps.db.read, [list]);
  return ok(view as PickListView);
}
