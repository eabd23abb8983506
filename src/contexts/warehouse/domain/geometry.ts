/**
 * Boxes in space. Sizes are whole millimetres and weights whole grams, the units of the catalog
 * (`dimensions_mm`, `weight_g`). A box's axes: x along its length, y along its width, z up (height).
 */

/** The same shape as the catalog's `dimensions_mm`. */
export interface DimensionsMm {
  readonly length: number;
  readonly width: number;
  readonly height: number;
}

/** The corner of a placed unit nearest the box's origin (its back-left-bottom inner corner). */
export interface PositionMm {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * The six axis-aligned orientations of a unit. The letters say which of the unit's own dimensions
 * (length, width, height) lies along the box's x, y and z: `hlw` stands the unit's height along the
 * box's length, its length across the box and its width upright.
 */
export const rotations = ['lwh', 'lhw', 'wlh', 'whl', 'hlw', 'hwl'] as const;
export type Rotation = (typeof rotations)[number];

/** A unit's size in a box, in the box's axes: `length` along x, `width` along y, `height` along z. */
export function rotate(size: DimensionsMm, rotation: Rotation): DimensionsMm {
  const pick = (letter: string | undefined): number => {
    if (letter === 'l') return size.length;
    if (letter === 'w') return size.width;
    return size.height;
  };
  return { length: pick(rotation[0]), width: pick(rotation[1]), height: pick(rotation[2]) };
}

export function volumeMm3(size: DimensionsMm): number {
  return size.length * size.width * size.height;
}

/** Positive whole millimetres on all three axes: anything else is a size we do not know. */
export function isKnownSize(size: DimensionsMm | null | undefined): size is DimensionsMm {
  if (size === null || size === undefined) return false;
  return [size.length, size.width, size.height].every((side) => Number.isSafeInteger(side) && side > 0);
}

/** A whole, non-negative number of grams (zero is allowed: the catalog allows it). */
export function isKnownWeight(weightG: number | null | undefined): weightG is number {
  return typeof weightG === 'number' && Number.isSafeInteger(weightG) && weightG >= 0;
}

/**
 * The distinct orientations of a unit (a cube has one, a square rod three), ordered by preference:
 * lowest height first (a unit lies flat, the stable way), then its longest side along the box's length.
 */
export function orientations(size: DimensionsMm): { readonly rotation: Rotation; readonly extent: DimensionsMm }[] {
  const seen = new Set<string>();
  const result: { rotation: Rotation; extent: DimensionsMm }[] = [];
  for (const rotation of rotations) {
    const extent = rotate(size, rotation);
    const key = `${extent.length}x${extent.width}x${extent.height}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ rotation, extent });
  }
  result.sort((a, b) => a.extent.height - b.extent.height || b.extent.length - a.extent.length);
  return result;
}

/** Whether a unit fits a space in at least one orientation: its sorted sides fit the sorted sides. */
export function fitsInSomeRotation(size: DimensionsMm, space: DimensionsMm): boolean {
  const a = [size.length, size.width, size.height].sort((p, q) => p - q);
  const b = [space.length, space.width, space.height].sort((p, q) => p - q);
  return a.every((side, i) => side <= (b[i] ?? 0));
}

/** Two axis-aligned boxes overlap when their open intervals intersect on all three axes (touching is fine). */
export function overlaps(aAt: PositionMm, a: DimensionsMm, bAt: PositionMm, b: DimensionsMm): boolean {
  return (
    aAt.x < bAt.x + b.length &&
    bAt.x < aAt.x + a.length &&
    aAt.y < bAt.y + b.width &&
    bAt.y < aAt.y + a.width &&
    aAt.z < bAt.z + b.height &&
    bAt.z < aAt.z + a.height
  );
}

/** Whether a unit at a position lies inside a space whose corner is the origin. */
export function liesWithin(at: PositionMm, extent: DimensionsMm, space: DimensionsMm): boolean {
  return (
    at.x >= 0 &&
    at.y >= 0 &&
    at.z >= 0 &&
    at.x + extent.length <= space.length &&
    at.y + extent.width <= space.width &&
    at.z + extent.height <= space.height
  );
}
