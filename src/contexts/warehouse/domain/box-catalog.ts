import { assert } from '../../../kernel/assert.js';
import { type DimensionsMm, isKnownSize } from './geometry.js';

/** A box (or mailer) a warehouse packs into. */
export interface Box {
  /** Stable code, unique within a catalog (printed on the shelf and scanned at the packing station). */
  readonly code: string;
  readonly kind: 'box' | 'mailer';
  /** The space inside: what the units must fit. */
  readonly innerMm: DimensionsMm;
  /** The size outside: what a carrier measures for dimensional weight. */
  readonly outerMm: DimensionsMm;
  /** The empty box's own weight, part of the parcel's actual weight. */
  readonly boxWeightG: number;
  /** The heaviest parcel (contents plus box) the board is rated for (its box maker's certificate). */
  readonly maxWeightG: number;
  /** What one box costs, in minor units of the warehouse's currency. */
  readonly costMinor: number;
}

/** Bounds the work of one cartonization: every box is tried for every parcel. */
export const boxCatalogBoxesMax = 200;

/** Corrugated board grades: thickness of a wall and the heaviest parcel the grade is rated for. */
const board = {
  /** E flute, the thin board of die-cut mailer boxes (FEFCO 0427). */
  eFlute: { wallMm: 2, maxWeightG: 9_000 },
  /** Single wall C flute, 32 ECT: 65 lb (29.5 kg) up to 75 united inches. */
  singleWall: { wallMm: 4, maxWeightG: 29_000 },
  /** Double wall BC flute, 48 ECT: 80 lb (36 kg) up to 105 united inches. */
  doubleWall: { wallMm: 7, maxWeightG: 36_000 },
} as const;

type Grade = keyof typeof board;

function catalogBox(
  code: string,
  kind: Box['kind'],
  grade: Grade,
  sidesMm: readonly [number, number, number],
  boxWeightG: number,
  costMinor: number,
): Box {
  const [length, width, height] = sidesMm;
  const wall = board[grade].wallMm * 2;
  return {
    code,
    kind,
    innerMm: { length, width, height },
    outerMm: { length: length + wall, width: width + wall, height: height + wall },
    boxWeightG,
    maxWeightG: board[grade].maxWeightG,
    costMinor,
  };
}

/**
 * A standard catalog of common stock sizes: the inch series sold by North American packaging
 * suppliers (6x4x2 in is 152x102x51 mm), die-cut mailers for flat goods, cubes for bulky ones, long
 * boxes for rods and rolled goods, a flat box for mirrors and frames. Box weights are the blank's
 * area times the board's grammage (E flute about 420 g/m², single wall 540, double wall 950). Costs
 * are indicative bulk prices in cents: a warehouse replaces them with its own catalog. The largest
 * sizes stay within common parcel limits (length plus girth under 165 in); anything bigger ships as
 * freight, not as a parcel.
 */
export const standardBoxCatalog: readonly Box[] = [
  catalogBox('MAILER-6x4x2', 'mailer', 'eFlute', [152, 102, 51], 59, 35),
  catalogBox('MAILER-9x6x3', 'mailer', 'eFlute', [229, 152, 76], 128, 55),
  catalogBox('MAILER-12x9x4', 'mailer', 'eFlute', [305, 229, 102], 242, 85),
  catalogBox('MAILER-15x12x4', 'mailer', 'eFlute', [381, 305, 102], 319, 120),
  catalogBox('MAILER-20x12x4', 'mailer', 'eFlute', [508, 305, 102], 368, 140),
  catalogBox('BOX-6x6x6', 'box', 'singleWall', [152, 152, 152], 106, 60),
  catalogBox('BOX-8x6x4', 'box', 'singleWall', [203, 152, 102], 102, 45),
  catalogBox('BOX-8x8x8', 'box', 'singleWall', [203, 203, 203], 186, 80),
  catalogBox('BOX-10x8x6', 'box', 'singleWall', [254, 203, 152], 182, 75),
  catalogBox('BOX-10x10x10', 'box', 'singleWall', [254, 254, 254], 288, 100),
  catalogBox('BOX-12x9x6', 'box', 'singleWall', [305, 229, 152], 227, 90),
  catalogBox('BOX-14x10x4', 'box', 'singleWall', [356, 254, 102], 241, 85),
  catalogBox('BOX-12x12x8', 'box', 'singleWall', [305, 305, 203], 344, 120),
  catalogBox('BOX-12x12x12', 'box', 'singleWall', [305, 305, 305], 413, 150),
  catalogBox('BOX-16x12x8', 'box', 'singleWall', [406, 305, 203], 400, 140),
  catalogBox('BOX-14x14x14', 'box', 'singleWall', [356, 356, 356], 561, 190),
  catalogBox('BOX-22x14x6', 'box', 'singleWall', [559, 356, 152], 512, 170),
  catalogBox('BOX-18x12x12', 'box', 'singleWall', [457, 305, 305], 514, 210),
  catalogBox('BOX-16x16x16', 'box', 'singleWall', [406, 406, 406], 727, 260),
  catalogBox('BOX-20x14x10', 'box', 'singleWall', [508, 356, 254], 581, 230),
  catalogBox('BOX-18x18x18', 'box', 'singleWall', [457, 457, 457], 920, 320),
  catalogBox('BOX-20x20x20', 'box', 'singleWall', [508, 508, 508], 1_134, 400),
  catalogBox('LONG-36x8x8', 'box', 'singleWall', [914, 203, 203], 497, 180),
  catalogBox('BOX-24x18x18', 'box', 'doubleWall', [610, 457, 457], 1_883, 550),
  catalogBox('BOX-24x24x24', 'box', 'doubleWall', [610, 610, 610], 2_869, 750),
  catalogBox('BOX-30x20x16', 'box', 'doubleWall', [762, 508, 406], 2_236, 650),
  catalogBox('LONG-48x12x12', 'box', 'doubleWall', [1_219, 305, 305], 1_787, 650),
  catalogBox('BOX-36x24x24', 'box', 'doubleWall', [914, 610, 610], 3_573, 950),
  catalogBox('FLAT-36x36x6', 'box', 'doubleWall', [914, 914, 152], 3_735, 800),
];

/** Checks a catalog a warehouse configured: the lead validates input with it before cartonizing. */
export function boxCatalogProblems(catalog: readonly Box[]): string[] {
  const problems: string[] = [];
  if (catalog.length === 0) problems.push('the catalog has no boxes');
  if (catalog.length > boxCatalogBoxesMax) problems.push(`the catalog has more than ${boxCatalogBoxesMax} boxes`);
  const codes = new Set<string>();
  for (const box of catalog) {
    if (codes.has(box.code)) problems.push(`${box.code}: the code appears twice`);
    codes.add(box.code);
    if (!isKnownSize(box.innerMm) || !isKnownSize(box.outerMm)) problems.push(`${box.code}: sizes must be positive whole millimetres`);
    const whole = [box.boxWeightG, box.maxWeightG, box.costMinor].every((n) => Number.isSafeInteger(n) && n >= 0);
    if (!whole) problems.push(`${box.code}: weights and cost must be non-negative whole numbers`);
    if (box.maxWeightG < box.boxWeightG) problems.push(`${box.code}: the box weighs more than it may carry`);
  }
  return problems;
}

export function assertBoxCatalog(catalog: readonly Box[]): void {
  const problems = boxCatalogProblems(catalog);
  assert(problems.length === 0, `box catalog: ${problems.join('; ')}`);
}
