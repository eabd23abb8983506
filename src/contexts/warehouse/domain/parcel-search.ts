import { assert } from '../../../kernel/assert.js';
import type { Box } from './box-catalog.js';
import { type BoxFill, fillBox, type PackItem, searchFill } from './extreme-points.js';
import { fitsInSomeRotation, volumeMm3 } from './geometry.js';
import { makeParcel, type Parcel, type Pricing, type UnitCopy } from './parcel.js';

/**
 * The search for cheap parcels, over the extreme-point packer:
 *
 * 1. every box alone, holding everything;
 * 2. a greedy split for each set of the k smallest boxes: while units remain, close with the cheapest
 *    box that takes all of them, else fill the box with the lowest cost per packed volume; then each
 *    parcel moves to the cheapest box that still holds its units (a smaller box may suit what is left);
 * 3. the cheapest of all these plans wins (ties: fewer parcels, then the earlier plan).
 *
 * Restricting the split to small boxes is what finds the plans where two small parcels cost less than
 * one big one (dimensional weight grows with the box, not with the contents).
 */

/** Bounds the greedy runs per cartonization: with a longer catalog, evenly spaced box sets are tried. */
export const splitRunsMax = 24;

const byVolume = (a: PackItem, b: PackItem): number => b.volumeMm3 - a.volumeMm3 || longest(b) - longest(a) || a.key - b.key;
const byLongestSide = (a: PackItem, b: PackItem): number => longest(b) - longest(a) || b.volumeMm3 - a.volumeMm3 || a.key - b.key;
const longest = (item: PackItem): number => Math.max(item.size.length, item.size.width, item.size.height);

/**
 * Fills a box trying the units largest volume first, then longest side first, and keeps the fuller
 * fill. When neither holds them all and they are few, a backtracking search looks for a fuller one.
 */
export function fillBoxBest(items: readonly PackItem[], box: Box): BoxFill {
  const capacityG = box.maxWeightG - box.boxWeightG;
  let best: BoxFill | null = null;
  for (const order of [byVolume, byLongestSide]) {
    const fill = fillBox([...items].sort(order), box.innerMm, capacityG);
    if (best === null || fill.volumeMm3 > best.volumeMm3) best = fill;
    if (fill.rest.length === 0 || items.length === 1) break;
  }
  assert(best !== null, 'at least one fill was tried');
  if (best.rest.length === 0) return best;
  const searched = searchFill(items, box.innerMm, capacityG);
  return searched !== null && searched.volumeMm3 > best.volumeMm3 ? searched : best;
}

/** Whether one unit alone fits a box, by size and by weight. */
export function fitsAlone(item: PackItem, box: Box): boolean {
  return fitsInSomeRotation(item.size, box.innerMm) && item.weightG + box.boxWeightG <= box.maxWeightG;
}

/** The cheapest plan found, or null when the rate refused every parcel the packer could make. */
export function searchParcels(copies: readonly UnitCopy[], boxes: readonly Box[], pricing: Pricing): readonly Parcel[] | null {
  assert(copies.length > 0, 'there is something to pack');
  const search = new Search(copies, boxes, pricing);
  const items = copies.map((copy) => copy.item);
  const plans: (readonly Parcel[])[] = [];
  const single = cheapest(boxes.map((_, index) => search.option(items, index)).filter((o) => o !== null && o.rest.length === 0));
  if (single !== null) plans.push([single.parcel]);
  const bySize = boxes
    .map((box, index) => ({ box, index }))
    .sort((a, b) => volumeMm3(a.box.innerMm) - volumeMm3(b.box.innerMm) || a.index - b.index);
  for (const size of splitSizes(
    items,
    bySize.map((entry) => entry.box),
  )) {
    const split = search.greedySplit(
      items,
      bySize.slice(0, size).map((entry) => entry.index),
    );
    if (split !== null) plans.push(split.map((o) => search.downsize(o)));
  }
  let best: readonly Parcel[] | null = null;
  for (const plan of plans) {
    if (best === null || total(plan) < total(best) || (total(plan) === total(best) && plan.length < best.length)) best = plan;
  }
  return best;
}

const total = (parcels: readonly Parcel[]): number => parcels.reduce((sum, parcel) => sum + parcel.costMinor, 0);

function cheapest(options: readonly (Option | null)[]): Option | null {
  let best: Option | null = null;
  for (const o of options) if (o !== null && (best === null || o.parcel.costMinor < best.parcel.costMinor)) best = o;
  return best;
}

/** The sizes k of the box sets to split over: from the smallest set every unit fits alone, up to all boxes. */
function splitSizes(items: readonly PackItem[], bySize: readonly Box[]): number[] {
  let smallest = 1;
  for (const item of items) {
    const first = bySize.findIndex((box) => fitsAlone(item, box));
    assert(first >= 0, 'every unit fits some box alone before the search starts');
    smallest = Math.max(smallest, first + 1);
  }
  const count = bySize.length - smallest + 1;
  const sizes: number[] = [];
  for (let i = 0; i < Math.min(count, splitRunsMax); i += 1) {
    const size = count <= splitRunsMax ? smallest + i : smallest + Math.round((i * (count - 1)) / (splitRunsMax - 1));
    if (sizes[sizes.length - 1] !== size) sizes.push(size);
  }
  return sizes;
}

/** A box filled from a set of units and priced: the parcel, the units in it, the units left. */
interface Option {
  readonly parcel: Parcel;
  readonly packed: readonly PackItem[];
  readonly rest: readonly PackItem[];
}

/** One search: its fills are remembered by box and set of units, since the greedy runs share most of them. */
class Search {
  readonly #memo = new Map<string, Option | null>();

  constructor(
    readonly copies: readonly UnitCopy[],
    readonly boxes: readonly Box[],
    readonly pricing: Pricing,
  ) {}

  /** The units of `items` that fit box `boxIndex`, priced; null when none fits or the rate refuses. */
  option(items: readonly PackItem[], boxIndex: number): Option | null {
    const key = `${boxIndex}:${items
      .map((item) => item.key)
      .sort((a, b) => a - b)
      .join(',')}`;
    const known = this.#memo.get(key);
    if (known !== undefined) return known;
    const box = this.boxes[boxIndex];
    assert(box !== undefined, 'the box is in the catalog');
    const fill = fillBoxBest(items, box);
    const parcel = fill.placed.length === 0 ? null : makeParcel(box, fill, this.copies, this.pricing);
    const byKey = new Map(items.map((item) => [item.key, item]));
    const packed = fill.placed.map((placed) => byKey.get(placed.key)).filter((item): item is PackItem => item !== undefined);
    const found = parcel === null ? null : { parcel, packed, rest: fill.rest };
    this.#memo.set(key, found);
    return found;
  }

  /** Greedy over the allowed boxes; null when its first parcel already holds everything (a single-box plan). */
  greedySplit(items: readonly PackItem[], allowed: readonly number[]): Option[] | null {
    const parcels: Option[] = [];
    let remaining = items;
    for (let step = 0; step < items.length && remaining.length > 0; step += 1) {
      let closing: Option | null = null;
      let densest: { readonly o: Option; readonly score: number } | null = null;
      for (const index of allowed) {
        const o = this.option(remaining, index);
        if (o === null) continue;
        if (o.rest.length === 0) {
          if (closing === null || o.parcel.costMinor < closing.parcel.costMinor) closing = o;
          continue;
        }
        const score = o.parcel.costMinor / o.parcel.contentVolumeMm3;
        if (densest === null || score < densest.score) densest = { o, score };
      }
      if (step === 0 && closing !== null) return null;
      const chosen = closing ?? densest?.o ?? null;
      if (chosen === null) return null;
      parcels.push(chosen);
      remaining = chosen.rest;
    }
    assert(remaining.length === 0, 'each step packs at least one unit, so the split ends with nothing left');
    return parcels;
  }

  /** The same units in the cheapest box of the whole catalog that holds them all. */
  downsize(o: Option): Parcel {
    let best = o.parcel;
    for (const [index, box] of this.boxes.entries()) {
      if (box.costMinor >= best.costMinor) continue;
      const other = this.option(o.packed, index);
      if (other !== null && other.rest.length === 0 && other.parcel.costMinor < best.costMinor) best = other.parcel;
    }
    return best;
  }
}
