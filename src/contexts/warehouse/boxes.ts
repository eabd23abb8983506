import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { isUniqueViolation } from '../../storage/index.js';
import { findLocationByCode } from '../catalog/index.js';
import type { Actor, Deps } from '../deps.js';
import { type Box, boxCatalogProblems, standardBoxCatalog } from './domain/index.js';

export interface BoxInput {
  readonly code: string;
  readonly kind?: 'box' | 'mailer' | undefined;
  readonly inner_mm: { readonly length: number; readonly width: number; readonly height: number };
  /** Defaults to the inner size plus 4 mm per wall on each side. */
  readonly outer_mm?: { readonly length: number; readonly width: number; readonly height: number } | undefined;
  readonly box_weight_g: number;
  readonly max_weight_g: number;
  readonly cost: number;
}

export interface BoxView {
  readonly code: string;
  readonly kind: 'box' | 'mailer';
  readonly inner_mm: { length: number; width: number; height: number };
  readonly outer_mm: { length: number; width: number; height: number };
  readonly box_weight_g: number;
  readonly max_weight_g: number;
  readonly cost: number;
  /** `location` for the warehouse's own catalog, `standard` for the built-in one used when it has none. */
  readonly source: 'location' | 'standard';
}

const defaultWallMm = 4;

export const toBoxView = (box: Box, source: BoxView['source']): BoxView => ({
  code: box.code,
  kind: box.kind,
  inner_mm: { ...box.innerMm },
  outer_mm: { ...box.outerMm },
  box_weight_g: box.boxWeightG,
  max_weight_g: box.maxWeightG,
  cost: box.costMinor,
  source,
});

/** The boxes a location packs into: its own catalog, or the standard catalog when it has defined none. */
export async function boxCatalogFor(tx: Tx, locationId: string): Promise<{ boxes: Box[]; source: BoxView['source'] }> {
  const rows = await tx
    .selectFrom('boxes')
    .selectAll()
    .where('location_id', '=', locationId)
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
  if (rows.length === 0) return { boxes: [...standardBoxCatalog], source: 'standard' };
  return {
    source: 'location',
    boxes: rows.map((r) => ({
      code: r.code,
      kind: r.kind as Box['kind'],
      innerMm: { length: r.length_mm, width: r.width_mm, height: r.height_mm },
      outerMm: { length: r.outer_length_mm, width: r.outer_width_mm, height: r.outer_height_mm },
      boxWeightG: r.box_weight_g,
      maxWeightG: r.max_weight_g,
      costMinor: r.cost,
    })),
  };
}

/** Defines boxes in a location's catalog. Once a location has boxes, only they are proposed there. */
export async function createBoxes(
  deps: Deps,
  locationCode: string,
  inputs: readonly BoxInput[],
  _actor: Actor,
): Promise<Result<BoxView[]>> {
  const boxes: Box[] = inputs.map((b) => ({
    code: b.code,
    kind: b.kind ?? 'box',
    innerMm: { ...b.inner_mm },
    outerMm: b.outer_mm
      ? { ...b.outer_mm }
      : {
          length: b.inner_mm.length + 2 * defaultWallMm,
          width: b.inner_mm.width + 2 * defaultWallMm,
          height: b.inner_mm.height + 2 * defaultWallMm,
        },
    boxWeightG: b.box_weight_g,
    maxWeightG: b.max_weight_g,
    costMinor: b.cost,
  }));
  const problems = boxCatalogProblems(boxes);
  if (problems.length > 0) throw validationProblem(problems.map((p) => ({ pointer: '/boxes', detail: p })));
  const location = await findLocationByCode(deps.db.read, locationCode);
  if (!location) return fail('not_found', `no location with code ${locationCode}`);
  const now = deps.clock.now().toISOString();
  try {
    await deps.db.transaction(async (tx) => {
      await tx
        .insertInto('boxes')
        .values(
          boxes.map((b) => ({
            id: deps.ids.next('box'),
            location_id: location.id,
            code: b.code,
            kind: b.kind,
            length_mm: b.innerMm.length,
            width_mm: b.innerMm.width,
            height_mm: b.innerMm.height,
            outer_length_mm: b.outerMm.length,
            outer_width_mm: b.outerMm.width,
            outer_height_mm: b.outerMm.height,
            max_weight_g: b.maxWeightG,
            box_weight_g: b.boxWeightG,
            cost: b.costMinor,
            active: 1,
            created_at: now,
          })),
        )
        .execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail('already_exists', `a box with one of these codes already exists at ${locationCode}`);
    throw error;
  }
  return ok(boxes.map((b) => toBoxView(b, 'location')));
}

export async function listBoxes(deps: Deps, locationCode: string): Promise<Result<BoxView[]>> {
  const location = await findLocationByCode(deps.db.read, locationCode);
  if (!location) return fail('not_found', `no location with code ${locationCode}`);
  const catalog = await boxCatalogFor(deps.db.read, location.id);
  return ok(catalog.boxes.map((b) => toBoxView(b, catalog.source)));
}
