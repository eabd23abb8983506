import { assert } from '../../../kernel/assert.js';
import { type DimensionsMm, orientations, type PositionMm, type Rotation, volumeMm3 } from './geometry.js';
import { Occupancy } from './occupancy.js';

/**
 * One box filled by the extreme-point heuristic (Crainic, Perboli and Tadei, "Extreme point-based
 * heuristics for three-dimensional bin packing", INFORMS Journal on Computing 20(3), 2008).
 *
 * Units are tried in the caller's order (first-fit decreasing when the caller sorts them largest
 * first). Each unit goes to the first extreme point, lowest then nearest the back and the left, where
 * one of its six orientations lies inside the box without overlapping a placed unit. Placing a unit
 * creates new extreme points: its three far corners and their projections back onto the walls or the
 * faces of placed units, so units are pushed into corners instead of floating.
 */

/** A unit ready to pack: its orientations are precomputed once, since every box tries them. */
export interface PackItem {
  /** The caller's identifier for this unit (its index in the caller's list). */
  readonly key: number;
  readonly size: DimensionsMm;
  readonly orientations: readonly { readonly rotation: Rotation; readonly extent: DimensionsMm }[];
  readonly weightG: number;
  readonly volumeMm3: number;
}

export interface PlacedItem {
  readonly key: number;
  readonly position: PositionMm;
  readonly rotation: Rotation;
  /** The unit's size along the box's x, y and z in that rotation. */
  readonly extent: DimensionsMm;
}

export interface BoxFill {
  readonly placed: readonly PlacedItem[];
  /** Units that found no place, in the order they were tried. */
  readonly rest: readonly PackItem[];
  readonly weightG: number;
  readonly volumeMm3: number;
}

export function packItem(key: number, size: DimensionsMm, weightG: number): PackItem {
  return { key, size, orientations: orientations(size), weightG, volumeMm3: volumeMm3(size) };
}

/** Fills one box with as many of the items as fit, in order; the others come back in `rest`. */
export function fillBox(items: readonly PackItem[], space: DimensionsMm, weightCapacityG: number): BoxFill {
  assert(weightCapacityG >= 0, 'a box carries a non-negative weight');
  const spaceVolume = volumeMm3(space);
  const placed: PlacedItem[] = [];
  const occupancy = new Occupancy(space);
  const rest: PackItem[] = [];
  let weightG = 0;
  let volume = 0;
  for (const item of items) {
    const affordable = weightG + item.weightG <= weightCapacityG && volume + item.volumeMm3 <= spaceVolume;
    const spot = affordable ? occupancy.findSpot(item) : null;
    if (spot === null) {
      rest.push(item);
      continue;
    }
    placed.push(spot);
    occupancy.add(spot);
    weightG += item.weightG;
    volume += item.volumeMm3;
  }
  assert(placed.length + rest.length === items.length, 'every unit is either placed or left');
  return { placed, rest, weightG, volumeMm3: volume };
}

/** Bounds the backtracking search of `searchFill`: placements tried before it settles for the best so far. */
export const fitSearchNodesMax = 4_000;

/** Units up to which `searchFill` backtracks; beyond, first fit alone decides (the search would rarely finish). */
export const fitSearchUnitsMax = 8;

interface Frame {
  readonly occupancy: Occupancy;
  readonly spots: readonly PlacedItem[];
  next: number;
  readonly weightG: number;
  readonly volumeMm3: number;
}

/**
 * The fullest fill it finds, by backtracking: each unit (largest first) goes to one of its extreme
 * points and orientations, or is left out, within `fitSearchNodesMax` placements, stopping as soon as
 * everything fits. First fit commits to the first place it finds for each unit; this search takes a
 * place back when that leaves a later unit out, so it finds the arrangements first fit misses (a
 * unit turned to leave room beside it). A branch that cannot beat the best fill by volume is cut.
 */
export function searchFill(items: readonly PackItem[], space: DimensionsMm, weightCapacityG: number): BoxFill | null {
  if (items.length === 0 || items.length > fitSearchUnitsMax) return null;
  const order = [...items].sort((a, b) => b.volumeMm3 - a.volumeMm3 || a.key - b.key);
  const left = order.map((_, d) => order.slice(d).reduce((sum, item) => sum + item.volumeMm3, 0));
  const spaceVolume = volumeMm3(space);
  const spotsFor = (occupancy: Occupancy, d: number, weightG: number, volume: number): PlacedItem[] => {
    const item = order[d] as PackItem;
    const affordable = weightG + item.weightG <= weightCapacityG && volume + item.volumeMm3 <= spaceVolume;
    return affordable ? occupancy.spots(item) : [];
  };
  const root = new Occupancy(space);
  const stack: Frame[] = [{ occupancy: root, spots: spotsFor(root, 0, 0, 0), next: 0, weightG: 0, volumeMm3: 0 }];
  const chosen: (PlacedItem | null)[] = [];
  let best = { placed: [] as PlacedItem[], weightG: 0, volumeMm3: 0 };
  for (let nodes = 0; stack.length > 0 && nodes < fitSearchNodesMax && best.volumeMm3 < (left[0] ?? 0); nodes += 1) {
    const d = stack.length - 1;
    const top = stack[d] as Frame;
    if (Math.min(top.volumeMm3 + (left[d] ?? 0), spaceVolume) <= best.volumeMm3 || top.next > top.spots.length) {
      stack.pop();
      continue;
    }
    const spot = top.spots[top.next] ?? null; // past the last spot: leave the unit out
    top.next += 1;
    chosen.length = d;
    chosen.push(spot);
    const item = order[d] as PackItem;
    const weightG = top.weightG + (spot === null ? 0 : item.weightG);
    const volume = top.volumeMm3 + (spot === null ? 0 : item.volumeMm3);
    const occupancy = spot === null ? top.occupancy : top.occupancy.clone();
    if (spot !== null) occupancy.add(spot);
    if (d + 1 < order.length) {
      stack.push({ occupancy, spots: spotsFor(occupancy, d + 1, weightG, volume), next: 0, weightG, volumeMm3: volume });
    } else if (volume > best.volumeMm3) {
      best = { placed: chosen.filter((c): c is PlacedItem => c !== null), weightG, volumeMm3: volume };
    }
  }
  const placedKeys = new Set(best.placed.map((p) => p.key));
  return { placed: best.placed, rest: order.filter((item) => !placedKeys.has(item.key)), weightG: best.weightG, volumeMm3: best.volumeMm3 };
}
