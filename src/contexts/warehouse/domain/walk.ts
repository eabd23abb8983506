import { assert } from '../../../kernel/assert.js';
import { err, ok, type Result } from '../../../kernel/result.js';

/**
 * How far a picker walks. The warehouse model is the classic one: parallel aisles lettered A, B, C...
 * with numbered positions along each, a cross aisle at the front and one at the back, and the depot
 * (where pick lists start and totes are dropped) at the front of aisle A. A bin code `A-01-03` reads
 * aisle A, position 01, level 03; the level is vertical and costs no walking.
 */

export interface BinAddress {
  /** 0 for aisle A, 25 for Z, 26 for AA. */
  readonly aisle: number;
  /** From 1, counted from the front cross aisle. */
  readonly position: number;
  readonly level: number;
}

export interface AisleLayout {
  readonly positionsPerAisle: number;
  /** Walking distance between neighbouring positions of an aisle. */
  readonly bayWidthMm: number;
  /** Centre to centre distance between neighbouring aisles. */
  readonly aisleSpacingMm: number;
}

/** A shelving warehouse: 1 m bays, 3 m between aisle centres, 20 positions per aisle. */
export const defaultAisleLayout: AisleLayout = { positionsPerAisle: 20, bayWidthMm: 1_000, aisleSpacingMm: 3_000 };

/**
 * - `sequence`: the pick sequence is the position on the walk, `stepMm` apart (the depot is 0);
 * - `route`: the distance along the serpentine route through the aisles of a layout, up aisle A, down
 *   aisle B..., which is the walk that `serpentinePickSequence` numbers;
 * - `aisles`: the shortest way between two bins through the front or the back cross aisle.
 *
 * On the first two a walk in pick-sequence order is never longer than any other order of the same
 * stops (a walk along a line is at least twice its farthest point). On `aisles` the serpentine order
 * is a good heuristic (the S-shape policy), not always the shortest tour.
 */
export type WalkModel =
  | { readonly kind: 'sequence'; readonly stepMm: number }
  | { readonly kind: 'route'; readonly layout: AisleLayout }
  | { readonly kind: 'aisles'; readonly layout: AisleLayout };

export type WalkFailure =
  | { readonly code: 'bin_code_unreadable'; readonly detail: string; readonly binCode: string }
  | { readonly code: 'bin_outside_layout'; readonly detail: string; readonly binCode: string };

/** Where one stop is: its bin code and its pick sequence (a pick line and a pick stop both qualify). */
export interface WalkStop {
  readonly binCode: string;
  readonly pickSequence: number;
}

/** Levels per position in a serpentine pick sequence: the sequence is route index × 100 + level. */
export const levelsPerPositionMax = 100;

const binCodePattern = /^([A-Z]{1,2})-(\d{1,4})(?:-(\d{1,2}))?(?:-[A-Z0-9]{1,4})?$/i;

/** Reads `A-01-03` (aisle, position, level; an optional slot suffix is ignored), or null. */
export function parseBinCode(code: string): BinAddress | null {
  const match = binCodePattern.exec(code.trim());
  if (match === null) return null;
  const letters = (match[1] ?? '').toUpperCase();
  let aisle = 0;
  for (const letter of letters) aisle = aisle * 26 + (letter.charCodeAt(0) - 64);
  const position = Number(match[2]);
  const level = match[3] === undefined ? 0 : Number(match[3]);
  if (position < 1) return null;
  return { aisle: aisle - 1, position, level };
}

/** The pick sequence of a bin on the serpentine route: odd aisles (B, D...) are walked back to front. */
export function serpentinePickSequence(address: BinAddress, layout: AisleLayout = defaultAisleLayout): number {
  assert(address.position <= layout.positionsPerAisle && address.level < levelsPerPositionMax, 'the bin lies inside the layout');
  const along = address.aisle % 2 === 0 ? address.position - 1 : layout.positionsPerAisle - address.position;
  return (address.aisle * layout.positionsPerAisle + along) * levelsPerPositionMax + address.level;
}

/** The length of a walk from the depot through the stops in the given order and back to the depot. */
export function walkLengthMm(stops: readonly WalkStop[], model: WalkModel): Result<number, WalkFailure> {
  const points: Point[] = [];
  for (const stop of stops) {
    const point = locate(stop, model);
    if (!point.ok) return point;
    points.push(point.value);
  }
  const depot: Point = { x: 0, y: 0, route: 0 };
  let length = 0;
  let from = depot;
  for (const to of [...points, depot]) {
    length += distanceMm(from, to, model);
    from = to;
  }
  return ok(length);
}

interface Point {
  /** Across the aisles (mm). */
  readonly x: number;
  /** Along an aisle from the front cross aisle (mm). */
  readonly y: number;
  /** Along the walk: the serpentine route, or the pick sequence. */
  readonly route: number;
}

function locate(stop: WalkStop, model: WalkModel): Result<Point, WalkFailure> {
  if (model.kind === 'sequence') {
    assert(Number.isSafeInteger(stop.pickSequence) && stop.pickSequence >= 0, 'a pick sequence is a non-negative whole number');
    return ok({ x: 0, y: 0, route: stop.pickSequence * model.stepMm });
  }
  const address = parseBinCode(stop.binCode);
  if (address === null)
    return err({ code: 'bin_code_unreadable', detail: `bin code ${stop.binCode} is not aisle-position-level`, binCode: stop.binCode });
  const { layout } = model;
  if (address.position > layout.positionsPerAisle) {
    return err({
      code: 'bin_outside_layout',
      detail: `bin ${stop.binCode} is beyond position ${layout.positionsPerAisle}`,
      binCode: stop.binCode,
    });
  }
  const aisleLength = aisleLengthMm(layout);
  const y = address.position * layout.bayWidthMm;
  const start = address.aisle * (aisleLength + layout.aisleSpacingMm);
  const route = start + (address.aisle % 2 === 0 ? y : aisleLength - y);
  return ok({ x: address.aisle * layout.aisleSpacingMm, y, route });
}

/** From the front cross aisle to the back one. */
const aisleLengthMm = (layout: AisleLayout): number => (layout.positionsPerAisle + 1) * layout.bayWidthMm;

function distanceMm(from: Point, to: Point, model: WalkModel): number {
  if (model.kind !== 'aisles') return Math.abs(to.route - from.route);
  if (from.x === to.x) return Math.abs(to.y - from.y);
  const length = aisleLengthMm(model.layout);
  return Math.abs(to.x - from.x) + Math.min(from.y + to.y, 2 * length - from.y - to.y);
}
