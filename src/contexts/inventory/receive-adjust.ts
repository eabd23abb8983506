import { fail, ok, type Result } from '../../kernel/result.js';
import type { Actor } from '../deps.js';
import { appendEvents } from '../messaging/index.js';
import { type AdjustReason, deltas } from './domain/ledger.js';
import type { InventoryDeps } from './hooks.js';
import { assertDistinctSkus, resolveLocation, resolveStockLines } from './resolve.js';
import { StockBook } from './stock-book.js';
import { lockLevels } from './store.js';

export interface ReceiptInput {
  readonly location: string;
  readonly reference?: string | undefined;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

export interface StockLineView {
  readonly sku: string;
  readonly quantity: number;
  readonly on_hand: number;
  readonly reserved: number;
  readonly available: number;
}

export interface StockChangeView {
  readonly id: string;
  readonly location: string;
  readonly reference: string | null;
  readonly lines: readonly StockLineView[];
  readonly backorders_allocated: number;
}

/** Receives stock at a location; newly available units serve backorders first-in-first-out. */
export async function receiveStock(deps: InventoryDeps, input: ReceiptInput, actor: Actor): Promise<Result<StockChangeView>> {
  assertDistinctSkus(input.lines);
  const id = deps.ids.next('receipt');
  return deps.db.transaction(async (tx) => {
    const location = await resolveLocation(tx, input.location, '/location');
    if (!location.ok) return location;
    const lines = await resolveStockLines(tx, input.lines);
    if (!lines.ok) return lines;
    const now = deps.clock.now().toISOString();
    const book = new StockBook(
      await lockLevels(
        tx,
        deps.db.dialect,
        lines.value.map((l) => l.item.id),
        location.value.id,
      ),
    );
    const ref = { refType: 'receipt', refId: id, reason: input.reference ?? null, actor };
    for (const { line, item } of lines.value) book.apply(item.id, location.value.id, 'receive', deltas.receive(line.quantity), ref);
    const pairs = lines.value.map(({ item }) => ({ itemId: item.id, locationId: location.value.id }));
    const allocated =
      location.value.active === 1 && deps.onStockAvailable
        ? await deps.onStockAvailable({ tx, deps, book, pairs, actor, now })
        : { allocated: 0 };
    await book.flush(tx, now);
    await appendEvents(tx, [
      {
        id: deps.ids.next('event'),
        type: 'inventory.received',
        aggregateType: 'inventory',
        aggregateId: id,
        aggregateSeq: 1,
        orderId: null,
        actor,
        data: { location: location.value.code, reference: input.reference ?? null, lines: input.lines },
        createdAt: now,
      },
    ]);
    return ok({
      id,
      location: location.value.code,
      reference: input.reference ?? null,
      lines: lines.value.map(({ line, item }) => {
        const level = book.level(item.id, location.value.id);
        return {
          sku: line.sku,
          quantity: line.quantity,
          on_hand: level.onHand,
          reserved: level.reserved,
          available: level.onHand - level.reserved,
        };
      }),
      backorders_allocated: allocated.allocated,
    });
  });
}

export interface AdjustmentInput {
  readonly location: string;
  readonly reason: AdjustReason;
  readonly note?: string | undefined;
  /** Each line gives either a signed `delta` or the counted `on_hand` (a cycle count). */
  readonly lines: readonly { readonly sku: string; readonly delta?: number | undefined; readonly on_hand?: number | undefined }[];
}

/**
 * Adjusts on-hand stock with a reason. A decrease may not take on_hand below what is reserved: those
 * units are promised to orders, and are released by cancelling or re-sourcing the orders first.
 */
export async function adjustStock(deps: InventoryDeps, input: AdjustmentInput, actor: Actor): Promise<Result<StockChangeView>> {
  assertDistinctSkus(input.lines.map((l) => ({ sku: l.sku, quantity: 0 })));
  const id = deps.ids.next('adjustment');
  return deps.db.transaction(async (tx) => {
    const location = await resolveLocation(tx, input.location, '/location');
    if (!location.ok) return location;
    const lines = await resolveStockLines(
      tx,
      input.lines.map((l) => ({ ...l, quantity: 0 })),
    );
    if (!lines.ok) return lines;
    const now = deps.clock.now().toISOString();
    const book = new StockBook(
      await lockLevels(
        tx,
        deps.db.dialect,
        lines.value.map((l) => l.item.id),
        location.value.id,
      ),
    );
    const ref = { refType: 'adjustment', refId: id, reason: input.note ? `${input.reason}: ${input.note}` : input.reason, actor };
    const changes: { sku: string; delta: number; itemId: string }[] = [];
    for (const [i, { line, item }] of lines.value.entries()) {
      const level = book.level(item.id, location.value.id);
      const delta = line.on_hand !== undefined ? line.on_hand - level.onHand : (line.delta ?? 0);
      if (level.onHand + delta < level.reserved) {
        return fail(
          'insufficient_stock',
          `${line.sku} at ${input.location}: ${level.reserved} units are reserved, on hand cannot go to ${level.onHand + delta}`,
          {
            errors: [{ pointer: `/lines/${i}`, detail: `at least ${level.reserved} units must stay on hand` }],
          },
        );
      }
      if (delta !== 0) book.apply(item.id, location.value.id, 'adjust', deltas.adjust(delta), ref);
      changes.push({ sku: line.sku, delta, itemId: item.id });
    }
    const increased = changes.filter((c) => c.delta > 0).map((c) => ({ itemId: c.itemId, locationId: location.value.id }));
    const allocated =
      increased.length > 0 && location.value.active === 1 && deps.onStockAvailable
        ? await deps.onStockAvailable({ tx, deps, book, pairs: increased, actor, now })
        : { allocated: 0 };
    await book.flush(tx, now);
    await appendEvents(tx, [
      {
        id: deps.ids.next('event'),
        type: 'inventory.adjusted',
        aggregateType: 'inventory',
        aggregateId: id,
        aggregateSeq: 1,
        orderId: null,
        actor,
        data: {
          location: location.value.code,
          reason: input.reason,
          note: input.note ?? null,
          changes: changes.map(({ sku, delta }) => ({ sku, delta })),
        },
        createdAt: now,
      },
    ]);
    return ok({
      id,
      location: location.value.code,
      reference: input.note ?? null,
      lines: changes.map((c) => {
        const level = book.level(c.itemId, location.value.id);
        return { sku: c.sku, quantity: c.delta, on_hand: level.onHand, reserved: level.reserved, available: level.onHand - level.reserved };
      }),
      backorders_allocated: allocated.allocated,
    });
  });
}
