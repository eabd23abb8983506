import type { PackItem, PlacedItem } from './extreme-points.js';
import type { DimensionsMm } from './geometry.js';

/** Bounds the work per unit: a box rarely holds more than a few hundred useful points. */
export const extremePointsMax = 2_048;

type Axis = 0 | 1 | 2;
const axes: readonly Axis[] = [0, 1, 2];

/**
 * The placed units of one box as flat coordinate arrays (start and end on each axis) and the extreme
 * points kept sorted lowest, then back, then left: the packer's inner loops run over plain numbers.
 */
export class Occupancy {
  readonly #space: readonly [number, number, number];
  /** Per placed unit: x0, y0, z0, x1, y1, z1. */
  readonly #boxes: number[] = [];
  /** Per extreme point: x, y, z, sorted by z, then y, then x. */
  #points: number[] = [0, 0, 0];

  constructor(space: DimensionsMm) {
    this.#space = [space.length, space.width, space.height];
  }

  /** The first extreme point (lowest, then back, then left) and orientation where the unit fits now. */
  findSpot(item: PackItem): PlacedItem | null {
    return this.spots(item, 1)[0] ?? null;
  }

  /** Up to `limit` extreme points and orientations where the unit fits now, in preference order. */
  spots(item: PackItem, limit = Number.POSITIVE_INFINITY): PlacedItem[] {
    const found: PlacedItem[] = [];
    const points = this.#points;
    const [sx, sy, sz] = this.#space;
    for (let p = 0; p < points.length && found.length < limit; p += 3) {
      const x = points[p] ?? 0;
      const y = points[p + 1] ?? 0;
      const z = points[p + 2] ?? 0;
      for (const { rotation, extent } of item.orientations) {
        if (x + extent.length > sx || y + extent.width > sy || z + extent.height > sz) continue;
        if (this.#collides(x, y, z, x + extent.length, y + extent.width, z + extent.height)) continue;
        found.push({ key: item.key, position: { x, y, z }, rotation, extent });
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  clone(): Occupancy {
    const copy = new Occupancy({ length: this.#space[0], width: this.#space[1], height: this.#space[2] });
    copy.#boxes.push(...this.#boxes);
    copy.#points = [...this.#points];
    return copy;
  }

  add(spot: PlacedItem): void {
    const { x, y, z } = spot.position;
    const x1 = x + spot.extent.length;
    const y1 = y + spot.extent.width;
    const z1 = z + spot.extent.height;
    const kept: number[] = [];
    const old = this.#points;
    for (let p = 0; p < old.length; p += 3) {
      const px = old[p] ?? 0;
      const py = old[p + 1] ?? 0;
      const pz = old[p + 2] ?? 0;
      const inside = x <= px && px < x1 && y <= py && py < y1 && z <= pz && pz < z1;
      if (!inside) kept.push(px, py, pz);
    }
    this.#points = kept;
    this.#boxes.push(x, y, z, x1, y1, z1);
    const corners: [number, number, number][] = [
      [x1, y, z],
      [x, y1, z],
      [x, y, z1],
    ];
    for (const [axis, corner] of corners.entries()) {
      this.#insert(corner);
      for (const along of axes) if (along !== axis) this.#insert(this.#project(corner, along));
    }
    if (this.#points.length > extremePointsMax * 3) this.#points.length = extremePointsMax * 3;
  }

  #collides(x0: number, y0: number, z0: number, x1: number, y1: number, z1: number): boolean {
    const b = this.#boxes;
    for (let i = 0; i < b.length; i += 6) {
      if (
        x0 < (b[i + 3] ?? 0) &&
        (b[i] ?? 0) < x1 &&
        y0 < (b[i + 4] ?? 0) &&
        (b[i + 1] ?? 0) < y1 &&
        z0 < (b[i + 5] ?? 0) &&
        (b[i + 2] ?? 0) < z1
      ) {
        return true;
      }
    }
    return false;
  }

  /** Whether a point lies in a placed unit (a half-open box: its far faces are free). */
  #occupied(point: readonly number[]): boolean {
    const [x, y, z] = point as [number, number, number];
    const b = this.#boxes;
    for (let i = 0; i < b.length; i += 6) {
      if (
        (b[i] ?? 0) <= x &&
        x < (b[i + 3] ?? 0) &&
        (b[i + 1] ?? 0) <= y &&
        y < (b[i + 4] ?? 0) &&
        (b[i + 2] ?? 0) <= z &&
        z < (b[i + 5] ?? 0)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Slides a point toward the origin along one axis until it meets a wall or the far face of a placed unit. */
  #project(point: readonly [number, number, number], axis: Axis): [number, number, number] {
    const a: Axis = axis === 0 ? 1 : 0;
    const c: Axis = axis === 2 ? 1 : 2;
    const b = this.#boxes;
    let reach = 0;
    for (let i = 0; i < b.length; i += 6) {
      const far = b[i + 3 + axis] ?? 0;
      if (far > point[axis] || far <= reach) continue;
      const inA = (b[i + a] ?? 0) <= point[a] && point[a] < (b[i + 3 + a] ?? 0);
      const inC = (b[i + c] ?? 0) <= point[c] && point[c] < (b[i + 3 + c] ?? 0);
      if (inA && inC) reach = far;
    }
    const projected: [number, number, number] = [point[0], point[1], point[2]];
    projected[axis] = reach;
    return projected;
  }

  /** Adds a point in sorted place unless it is outside the box, inside a unit, or already known. */
  #insert(point: readonly [number, number, number]): void {
    const [x, y, z] = point;
    const [sx, sy, sz] = this.#space;
    if (x >= sx || y >= sy || z >= sz || this.#occupied(point)) return;
    const points = this.#points;
    let low = 0;
    let high = points.length / 3;
    while (low < high) {
      const mid = (low + high) >> 1;
      const m = mid * 3;
      const order = (points[m + 2] ?? 0) - z || (points[m + 1] ?? 0) - y || (points[m] ?? 0) - x;
      if (order === 0) return;
      if (order < 0) low = mid + 1;
      else high = mid;
    }
    points.splice(low * 3, 0, x, y, z);
  }
}
