import { assert } from '../../../kernel/assert.js';
import { err, ok, type Result } from '../../../kernel/result.js';

/**
 * Pick lists: the lines to pick, in the order of the bins' pick sequence. The sequence numbers
 * already encode the walk (serpentine aisles, see `serpentinePickSequence`), so ordering by them is
 * the walk; ties keep the order the lines came in. Lines of the same bin and SKU become one stop
 * with the total quantity and, per line, how many units go into which order's tote.
 */

export interface PickLine {
  readonly orderId: string;
  /** The tote this order's units go into; required when orders are batched into one walk. */
  readonly tote: string | null;
  readonly binCode: string;
  readonly pickSequence: number;
  readonly sku: string;
  readonly quantity: number;
}

/** The share of one pick line in a stop. */
export interface PickAllocation {
  /** Index of the line in the input, so every line can be traced to exactly one stop. */
  readonly lineIndex: number;
  readonly orderId: string;
  readonly tote: string | null;
  readonly quantity: number;
}

/** One stop of the walk: take `quantity` of `sku` from `binCode`, then share it out by allocation. */
export interface PickStop {
  readonly binCode: string;
  readonly pickSequence: number;
  readonly sku: string;
  readonly quantity: number;
  readonly allocations: readonly PickAllocation[];
}

/** `single`: one order per pick list. `batch`: all the orders in one walk, a tote per order. */
export type PickStrategy = 'single' | 'batch';

export interface PickList {
  readonly strategy: PickStrategy;
  /** The orders of this list, in the order they first appear in the lines. */
  readonly orderIds: readonly string[];
  readonly stops: readonly PickStop[];
  readonly unitCount: number;
}

/** Lines in one planning call: a wave, not a day. */
export const pickLinesMax = 20_000;

export type PickPathFailure =
  | { readonly code: 'too_many_lines'; readonly detail: string; readonly lineCount: number; readonly linesMax: number }
  | { readonly code: 'bin_sequence_conflict'; readonly detail: string; readonly binCode: string; readonly sequences: readonly number[] }
  | { readonly code: 'tote_missing'; readonly detail: string; readonly orderId: string }
  | { readonly code: 'tote_mixed'; readonly detail: string; readonly orderId: string; readonly totes: readonly string[] }
  | { readonly code: 'tote_shared'; readonly detail: string; readonly tote: string; readonly orderIds: readonly string[] };

/** Pick lists for the lines by strategy: `single` gives one list per order, `batch` one list for all. */
export function planPickLists(lines: readonly PickLine[], strategy: PickStrategy): Result<PickList[], PickPathFailure> {
  if (lines.length > pickLinesMax) {
    return err({
      code: 'too_many_lines',
      detail: `${lines.length} lines exceed ${pickLinesMax}`,
      lineCount: lines.length,
      linesMax: pickLinesMax,
    });
  }
  if (strategy === 'batch') {
    const totes = checkTotes(lines);
    if (!totes.ok) return totes;
  }
  const stops = sequencePickLines(lines);
  if (!stops.ok) return stops;
  const orderIds = [...new Set(lines.map((line) => line.orderId))];
  if (strategy === 'batch') return ok(lines.length === 0 ? [] : [listOf('batch', orderIds, stops.value)]);
  return ok(
    orderIds.map((orderId) => {
      const own = stops.value.flatMap((stop) => {
        const allocations = stop.allocations.filter((a) => a.orderId === orderId);
        if (allocations.length === 0) return [];
        return [{ ...stop, allocations, quantity: allocations.reduce((sum, a) => sum + a.quantity, 0) }];
      });
      return listOf('single', [orderId], own);
    }),
  );
}

function listOf(strategy: PickStrategy, orderIds: readonly string[], stops: readonly PickStop[]): PickList {
  return { strategy, orderIds, stops, unitCount: stops.reduce((sum, stop) => sum + stop.quantity, 0) };
}

interface Group {
  readonly binCode: string;
  readonly pickSequence: number;
  readonly sku: string;
  readonly binFirstLine: number;
  readonly firstLine: number;
  readonly allocations: PickAllocation[];
}

/**
 * The stops of a walk through all the lines: sorted by pick sequence, then by the first line of the
 * bin (so a bin with two SKUs is one visit), then by the first line of the SKU (a stable sort).
 */
export function sequencePickLines(lines: readonly PickLine[]): Result<PickStop[], PickPathFailure> {
  const binSequence = new Map<string, number>();
  const binFirstLine = new Map<string, number>();
  const groups = new Map<string, Group>();
  for (const [lineIndex, line] of lines.entries()) {
    assert(Number.isSafeInteger(line.quantity) && line.quantity > 0, `line ${lineIndex}: quantity is a positive whole number`);
    assert(Number.isSafeInteger(line.pickSequence), `line ${lineIndex}: pick sequence is a whole number`);
    const known = binSequence.get(line.binCode);
    if (known !== undefined && known !== line.pickSequence) {
      const detail = `bin ${line.binCode} has pick sequences ${known} and ${line.pickSequence}`;
      return err({ code: 'bin_sequence_conflict', detail, binCode: line.binCode, sequences: [known, line.pickSequence] });
    }
    binSequence.set(line.binCode, line.pickSequence);
    if (!binFirstLine.has(line.binCode)) binFirstLine.set(line.binCode, lineIndex);
    const key = `${line.binCode}\u0000${line.sku}`;
    let group = groups.get(key);
    if (group === undefined) {
      const first = binFirstLine.get(line.binCode) ?? lineIndex;
      group = {
        binCode: line.binCode,
        pickSequence: line.pickSequence,
        sku: line.sku,
        binFirstLine: first,
        firstLine: lineIndex,
        allocations: [],
      };
      groups.set(key, group);
    }
    group.allocations.push({ lineIndex, orderId: line.orderId, tote: line.tote, quantity: line.quantity });
  }
  const sorted = [...groups.values()].sort(
    (a, b) => a.pickSequence - b.pickSequence || a.binFirstLine - b.binFirstLine || a.firstLine - b.firstLine,
  );
  return ok(
    sorted.map((g) => ({
      binCode: g.binCode,
      pickSequence: g.pickSequence,
      sku: g.sku,
      quantity: g.allocations.reduce((sum, a) => sum + a.quantity, 0),
      allocations: g.allocations,
    })),
  );
}

/** Batching needs exactly one tote per order and never one tote for two orders. */
function checkTotes(lines: readonly PickLine[]): Result<void, PickPathFailure> {
  const toteOf = new Map<string, string>();
  const orderOf = new Map<string, string>();
  for (const line of lines) {
    if (line.tote === null || line.tote === '') {
      return err({ code: 'tote_missing', detail: `order ${line.orderId} has no tote for a batch pick`, orderId: line.orderId });
    }
    const tote = toteOf.get(line.orderId);
    if (tote !== undefined && tote !== line.tote) {
      const detail = `order ${line.orderId} names totes ${tote} and ${line.tote}`;
      return err({ code: 'tote_mixed', detail, orderId: line.orderId, totes: [tote, line.tote] });
    }
    const owner = orderOf.get(line.tote);
    if (owner !== undefined && owner !== line.orderId) {
      const detail = `tote ${line.tote} is given to orders ${owner} and ${line.orderId}`;
      return err({ code: 'tote_shared', detail, tote: line.tote, orderIds: [owner, line.orderId] });
    }
    toteOf.set(line.orderId, line.tote);
    orderOf.set(line.tote, line.orderId);
  }
  return ok(undefined);
}
