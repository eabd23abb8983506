import {
  type Box,
  billableWeight,
  type DimensionsMm,
  type Pricing,
  rotate,
  rotations,
  volumeMm3,
} from '../../src/contexts/warehouse/domain/index.js';

/**
 * Exact answers for small instances, to measure the heuristic against. A set of units fits a box
 * exactly when some rotation of each unit and some positions make a packing. It is enough to try
 * "normal" positions (Christofides and Whitlock 1977; Herz 1972): on each axis a unit can be pushed
 * toward the origin until it touches a wall or another unit, so its coordinate is a sum of the sides
 * of some of the other units. The search tries every rotation of every unit and every normal position,
 * with an explicit stack (no recursion). Exponential: meant for four units or fewer.
 */

export interface BruteUnit {
  readonly size: DimensionsMm;
  readonly weightG: number;
}

export const bruteForceUnitsMax = 4;

type Triple = readonly [number, number, number];

const sides = (d: DimensionsMm): Triple => [d.length, d.width, d.height];

function distinctRotations(size: DimensionsMm, space: Triple): Triple[] {
  const seen = new Set<string>();
  const result: Triple[] = [];
  for (const rotation of rotations) {
    const e = sides(rotate(size, rotation));
    const key = e.join('x');
    if (seen.has(key) || e[0] > space[0] || e[1] > space[1] || e[2] > space[2]) continue;
    seen.add(key);
    result.push(e);
  }
  return result;
}

/** Whether the units fit the box together (and within its weight limit), by exhaustive search. */
export function exactFit(units: readonly BruteUnit[], box: Box): boolean {
  if (units.length === 0) return true;
  if (units.length > bruteForceUnitsMax) throw new Error('brute force is for small instances');
  const space = sides(box.innerMm);
  const weightG = units.reduce((sum, unit) => sum + unit.weightG, 0);
  if (weightG + box.boxWeightG > box.maxWeightG) return false;
  if (units.reduce((sum, unit) => sum + volumeMm3(unit.size), 0) > volumeMm3(box.innerMm)) return false;
  const options = units.map((unit) => distinctRotations(unit.size, space));
  if (options.some((o) => o.length === 0)) return false;
  const choice = units.map(() => 0);
  for (;;) {
    const extents = choice.map((c, i) => options[i]?.[c] as Triple);
    if (placeAll(extents, space)) return true;
    let i = 0;
    while (i < choice.length && (choice[i] ?? 0) + 1 >= (options[i]?.length ?? 0)) {
      choice[i] = 0;
      i += 1;
    }
    if (i === choice.length) return false;
    choice[i] = (choice[i] ?? 0) + 1;
  }
}

/** Normal positions of unit `i` on one axis: sums of other units' sides that leave room for it. */
function normalCoordinates(extents: readonly Triple[], i: number, axis: 0 | 1 | 2, room: number): number[] {
  let sums = new Set<number>([0]);
  for (const [j, e] of extents.entries()) {
    if (j === i) continue;
    const next = new Set(sums);
    for (const s of sums) if (s + e[axis] <= room) next.add(s + e[axis]);
    sums = next;
  }
  return [...sums].sort((a, b) => a - b);
}

function placeAll(extents: readonly Triple[], space: Triple): boolean {
  const positions = extents.map((e, i) => {
    const [xs, ys, zs] = ([0, 1, 2] as const).map((axis) => normalCoordinates(extents, i, axis, space[axis] - e[axis])) as [
      number[],
      number[],
      number[],
    ];
    const all: Triple[] = [];
    for (const x of xs) for (const y of ys) for (const z of zs) all.push([x, y, z]);
    // Mirror symmetry: a packing mirrored on an axis is a packing, so the first unit may keep to the lower half.
    return i === 0 ? all.filter((p) => p.every((c, axis) => 2 * c <= (space[axis as 0] ?? 0) - (e[axis as 0] ?? 0))) : all;
  });
  const at = extents.map(() => -1);
  let level = 0;
  while (level >= 0) {
    at[level] = (at[level] ?? -1) + 1;
    const candidates = positions[level] ?? [];
    const p = candidates[at[level] ?? 0];
    if (p === undefined) {
      at[level] = -1;
      level -= 1;
      continue;
    }
    const e = extents[level] as Triple;
    let clash = false;
    for (let j = 0; j < level && !clash; j += 1) {
      const q = positions[j]?.[at[j] ?? 0] as Triple;
      const f = extents[j] as Triple;
      clash = p.every((c, axis) => c < (q[axis] ?? 0) + (f[axis] ?? 0) && (q[axis] ?? 0) < c + (e[axis] ?? 0));
    }
    if (clash) continue;
    if (level === extents.length - 1) return true;
    level += 1;
  }
  return false;
}

/** The cost of one parcel of this weight of contents in this box, or null when the rate refuses it. */
export function parcelCost(box: Box, contentWeightG: number, pricing: Pricing): number | null {
  const actualWeightG = contentWeightG + box.boxWeightG;
  const rate = pricing.rate({ box, actualWeightG, billable: billableWeight(actualWeightG, box.outerMm, pricing.dimensionalRule) });
  return rate === null ? null : box.costMinor + rate;
}

/** The cheapest box that holds all the units by exact fit, and its cost; null when none does. */
export function bestSingleBox(units: readonly BruteUnit[], boxes: readonly Box[], pricing: Pricing): { box: Box; cost: number } | null {
  const weightG = units.reduce((sum, unit) => sum + unit.weightG, 0);
  let best: { box: Box; cost: number } | null = null;
  for (const box of boxes) {
    const cost = parcelCost(box, weightG, pricing);
    if (cost === null || (best !== null && cost >= best.cost) || !exactFit(units, box)) continue;
    best = { box, cost };
  }
  return best;
}

/**
 * The optimum over every way of splitting the units into parcels and every box for each parcel:
 * best[S] = min over parcels P in S holding S's first unit of single[P] + best[S \ P].
 */
export function optimalCost(units: readonly BruteUnit[], boxes: readonly Box[], pricing: Pricing): number | null {
  const n = units.length;
  if (n > bruteForceUnitsMax) throw new Error('brute force is for small instances');
  const full = (1 << n) - 1;
  const single: (number | null)[] = [null];
  for (let mask = 1; mask <= full; mask += 1) {
    single.push(
      bestSingleBox(
        units.filter((_, i) => (mask >> i) & 1),
        boxes,
        pricing,
      )?.cost ?? null,
    );
  }
  const best: (number | null)[] = [0];
  for (let mask = 1; mask <= full; mask += 1) {
    const low = mask & -mask;
    let value: number | null = null;
    for (let part = mask; part > 0; part = (part - 1) & mask) {
      if ((part & low) === 0) continue;
      const a = single[part] ?? null;
      const b = best[mask ^ part] ?? null;
      if (a !== null && b !== null && (value === null || a + b < value)) value = a + b;
    }
    best.push(value);
  }
  return best[full] ?? null;
}
