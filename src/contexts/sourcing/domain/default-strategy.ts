import { assert } from '../../../kernel/assert.js';
import { rankLocations } from './rank.js';
import type { Allocation, SourcingInput, SourcingLine, SourcingLocation, SourcingPlan, SourcingStrategy } from './types.js';

/** Availability that this plan has not used yet, keyed by item and location. */
class Remaining {
  readonly #used = new Map<string, number>();
  constructor(private readonly available: SourcingInput['available']) {}
  get(itemId: string, locationId: string): number {
    return this.available(itemId, locationId) - (this.#used.get(`${itemId}\u0000${locationId}`) ?? 0);
  }
  take(itemId: string, locationId: string, quantity: number): void {
    assert(quantity > 0 && quantity <= this.get(itemId, locationId), 'take within availability');
    const key = `${itemId}\u0000${locationId}`;
    this.#used.set(key, (this.#used.get(key) ?? 0) + quantity);
  }
}

/** True when `location` can fill every line of `lines` in full, counting lines of the same item together. */
function canFillAll(lines: readonly SourcingLine[], location: SourcingLocation, remaining: Remaining): boolean {
  const need = new Map<string, number>();
  for (const line of lines) need.set(line.itemId, (need.get(line.itemId) ?? 0) + line.quantity);
  for (const [itemId, quantity] of need) if (remaining.get(itemId, location.id) < quantity) return false;
  return true;
}

/** Lines (in order) that `location` can fill in full, one after another. */
function fillableLines(lines: readonly SourcingLine[], location: SourcingLocation, remaining: Remaining): SourcingLine[] {
  const used = new Map<string, number>();
  const result: SourcingLine[] = [];
  for (const line of lines) {
    const already = used.get(line.itemId) ?? 0;
    if (remaining.get(line.itemId, location.id) - already >= line.quantity) {
      used.set(line.itemId, already + line.quantity);
      result.push(line);
    }
  }
  return result;
}

/**
 * The default strategy, in the order of its rules:
 * 1. If one location can fill every line, use the best-ranked such location (one shipment).
 * 2. Otherwise cover lines whole, fewest locations first: repeatedly take the location that fills the most
 *    remaining lines in full (ties: more units, then rank).
 * 3. Lines no single location can fill are split across locations: locations already used first, then rank.
 * 4. What is still missing is backordered for `continue` items and a shortfall for `deny` items.
 * It never allocates more than a location has available, and never to a location without stock.
 */
export const defaultSourcingStrategy: SourcingStrategy = (input) => {
  const ranked = rankLocations(input.locations, input.destination);
  const remaining = new Remaining(input.available);
  const allocations: Allocation[] = [];
  const allocate = (line: SourcingLine, location: SourcingLocation, quantity: number) => {
    remaining.take(line.itemId, location.id, quantity);
    allocations.push({ lineIndex: line.index, locationId: location.id, quantity });
  };

  const single = ranked.find((location) => canFillAll(input.lines, location, remaining));
  if (single !== undefined) {
    for (const line of input.lines) allocate(line, single, line.quantity);
    return { allocations, backorders: [], shortfalls: [] };
  }

  const used = new Set<string>();
  let open = [...input.lines];
  for (;;) {
    let best: { location: SourcingLocation; lines: SourcingLine[]; units: number } | undefined;
    for (const location of ranked) {
      const lines = fillableLines(open, location, remaining);
      if (lines.length === 0) continue;
      const units = lines.reduce((sum, l) => sum + l.quantity, 0);
      if (best === undefined || lines.length > best.lines.length || (lines.length === best.lines.length && units > best.units)) {
        best = { location, lines, units };
      }
    }
    if (best === undefined) break;
    for (const line of best.lines) allocate(line, best.location, line.quantity);
    used.add(best.location.id);
    const done = new Set(best.lines.map((l) => l.index));
    open = open.filter((l) => !done.has(l.index));
  }

  const splitOrder = [...ranked.filter((l) => used.has(l.id)), ...ranked.filter((l) => !used.has(l.id))];
  const backorders: { lineIndex: number; quantity: number }[] = [];
  const shortfalls: SourcingPlan['shortfalls'][number][] = [];
  for (const line of open) {
    let missing = line.quantity;
    const before = ranked.reduce((sum, l) => sum + Math.max(0, remaining.get(line.itemId, l.id)), 0);
    if (line.policy === 'deny' && before < missing) {
      shortfalls.push({ lineIndex: line.index, sku: line.sku, requested: line.quantity, available: before });
      continue;
    }
    for (const location of splitOrder) {
      if (missing === 0) break;
      const quantity = Math.min(missing, remaining.get(line.itemId, location.id));
      if (quantity <= 0) continue;
      allocate(line, location, quantity);
      missing -= quantity;
    }
    if (missing > 0) backorders.push({ lineIndex: line.index, quantity: missing });
  }
  return { allocations, backorders, shortfalls };
};
