import type { Selectable } from 'kysely';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { forUpdate } from '../../storage/index.js';
import type { Database } from '../../storage/schema.js';
import { findLocationsByIds } from '../catalog/index.js';
import type { Actor } from '../deps.js';
import { appendEvents } from '../messaging/index.js';
import { deltas } from './domain/ledger.js';
import type { InventoryDeps } from './hooks.js';
import { assertDistinctSkus, resolveLocation, resolveStockLines } from './resolve.js';
import { StockBook } from './stock-book.js';
import { lockLevels } from './store.js';

export const transferStatuses = ['in_transit', 'received', 'cancelled'] as const;
export type TransferStatus = (typeof transferStatuses)[number];

export interface TransferInput {
  readonly from: string;
  readonly to: string;
  readonly reference?: string | undefined;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  /** Receive at the destination at once (a move inside one site). */
  readonly receive?: boolean | undefined;
}

interface TransferLine {
  readonly sku: string;
  readonly item_id: string;
  readonly quantity: number;
}

export interface TransferView {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly status: TransferStatus;
  readonly reference: string | null;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly created_at: string;
  readonly updated_at: string;
}

type TransferRow = Selectable<Database['transfers']>;

function toView(row: TransferRow, codes: Map<string, string>): TransferView {
  const lines = JSON.parse(row.lines) as TransferLine[];
  return {
    id: row.id,
    from: codes.get(row.from_location_id) ?? row.from_location_id,
    to: codes.get(row.to_location_id) ?? row.to_location_id,
    status: row.status as TransferStatus,
    reference: row.reference,
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

async function locationCodes(tx: Tx, rows: readonly TransferRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.from_location_id, r.to_location_id]))];
  return new Map((await findLocationsByIds(tx, ids)).map((l) => [l.id, l.code]));
}

/** Sends stock from one location to another: it leaves `from` now and is `incoming` at `to` until received. */
export async function createTransfer(deps: InventoryDeps, input: TransferInput, actor: Actor): Promise<Result<TransferView>> {
  assertDistinctSkus(input.lines);
  if (input.from === input.to)
    return fail('validation_failed', 'a transfer needs two different locations', { errors: [{ pointer: '/to', detail: 'same as from' }] });
  const id = deps.ids.next('transfer');
  const created = await deps.db.transaction(async (tx) => {
    const from = await resolveLocation(tx, input.from, '/from');
    if (!from.ok) return from;
    const to = await resolveLocation(tx, input.to, '/to');
    if (!to.ok) return to;
    const lines = await resolveStockLines(tx, input.lines);
    if (!lines.ok) return lines;
    const now = deps.clock.now().toISOString();
    const itemIds = lines.value.map((l) => l.item.id);
    const book = new StockBook(await lockLevels(tx, deps.db.dialect, itemIds));
    const ref = { refType: 'transfer', refId: id, reason: input.reference ?? null, actor };
    for (const [i, { line, item }] of lines.value.entries()) {
      const free = book.available(item.id, from.value.id);
      if (free < line.quantity) {
        return fail('insufficient_stock', `${line.sku}: ${free} available at ${input.from}, ${line.quantity} requested`, {
          errors: [{ pointer: `/lines/${i}/quantity`, detail: `only ${free} available` }],
        });
      }
      book.apply(item.id, from.value.id, 'transfer_out', deltas.transferOut(line.quantity), ref);
      book.apply(item.id, to.value.id, 'transfer_in_transit', deltas.transferInTransit(line.quantity), ref);
    }
    const row: TransferRow = {
      id,
      from_location_id: from.value.id,
      to_location_id: to.value.id,
      status: 'in_transit',
      lines: JSON.stringify(lines.value.map(({ line, item }) => ({ sku: line.sku, item_id: item.id, quantity: line.quantity }))),
      reference: input.reference ?? null,
      created_at: now,
      updated_at: now,
    };
    await tx.insertInto('transfers').values(row).execute();
    await book.flush(tx, now);
    await appendEvents(tx, [
      {
        id: deps.ids.next('event'),
        type: 'transfer.created',
        aggregateType: 'transfer',
        aggregateId: id,
        aggregateSeq: 1,
        orderId: null,
        actor,
        data: { from: input.from, to: input.to, lines: input.lines },
        createdAt: now,
      },
    ]);
    return ok(
      toView(
        row,
        new Map([
          [from.value.id, from.value.code],
          [to.value.id, to.value.code],
        ]),
      ),
    );
  });
  if (!created.ok || !input.receive) return created;
  return receiveTransfer(deps, id, actor);
}

async function finishTransfer(deps: InventoryDeps, id: string, action: 'receive' | 'cancel', actor: Actor): Promise<Result<TransferView>> {
  return deps.db.transaction(async (tx) => {
    const row = await forUpdate(tx.selectFrom('transfers').selectAll().where('id', '=', id), deps.db.dialect).executeTakeFirst();
    if (!row) return fail('not_found', `no transfer ${id}`);
    if (row.status !== 'in_transit')
      return fail('illegal_transition', `cannot ${action} a transfer that is ${row.status.replace('_', ' ')}`);
    const lines = JSON.parse(row.lines) as TransferLine[];
    const now = deps.clock.now().toISOString();
    const book = new StockBook(
      await lockLevels(
        tx,
        deps.db.dialect,
        lines.map((l) => l.item_id),
      ),
    );
    const ref = { refType: 'transfer', refId: id, reason: row.reference, actor };
    for (const line of lines) {
      if (action === 'receive') {
        book.apply(line.item_id, row.to_location_id, 'transfer_receive', deltas.transferReceive(line.quantity), ref);
      } else {
        book.apply(line.item_id, row.to_location_id, 'transfer_cancel', { onHand: 0, reserved: 0, incoming: -line.quantity }, ref);
        book.apply(line.item_id, row.from_location_id, 'transfer_cancel', deltas.receive(line.quantity), ref);
      }
    }
    const target = action === 'receive' ? row.to_location_id : row.from_location_id;
    const [location] = await findLocationsByIds(tx, [target]);
    if (location?.active === 1 && deps.onStockAvailable) {
      const pairs = lines.map((l) => ({ itemId: l.item_id, locationId: target }));
      await deps.onStockAvailable({ tx, deps, book, pairs, actor, now });
    }
    const status: TransferStatus = action === 'receive' ? 'received' : 'cancelled';
    await tx.updateTable('transfers').set({ status, updated_at: now }).where('id', '=', id).execute();
    await book.flush(tx, now);
    await appendEvents(tx, [
      {
        id: deps.ids.next('event'),
        type: `transfer.${status}`,
        aggregateType: 'transfer',
        aggregateId: id,
        aggregateSeq: 2,
        orderId: null,
        actor,
        data: { transfer_id: id },
        createdAt: now,
      },
    ]);
    const updated = { ...row, status, updated_at: now };
    return ok(toView(updated, await locationCodes(tx, [updated])));
  });
}

export const receiveTransfer = (deps: InventoryDeps, id: string, actor: Actor) => finishTransfer(deps, id, 'receive', actor);
export const cancelTransfer = (deps: InventoryDeps, id: string, actor: Actor) => finishTransfer(deps, id, 'cancel', actor);

export async function getTransfer(deps: InventoryDeps, id: string): Promise<Result<TransferView>> {
  const row = await deps.db.read.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return fail('not_found', `no transfer ${id}`);
  return ok(toView(row, await locationCodes(deps.db.read, [row])));
}

export async function listTransfers(
  deps: InventoryDeps,
  query: { status?: TransferStatus | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<TransferView>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('transfers')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(size + 1);
  if (query.status) q = q.where('status', '=', query.status);
  if (after !== undefined) q = q.where('id', '<', after);
  const rows = await q.execute();
  const codes = await locationCodes(deps.db.read, rows);
  return toPage(
    rows,
    size,
    (r) => r.id,
    (r) => toView(r, codes),
  );
}
