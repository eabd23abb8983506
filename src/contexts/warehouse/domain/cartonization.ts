import { assert } from '../../../kernel/assert.js';
import { err, ok, type Result } from '../../../kernel/result.js';
import { assertBoxCatalog, type Box } from './box-catalog.js';
import { packItem } from './extreme-points.js';
import { fitsInSomeRotation, isKnownSize, isKnownWeight } from './geometry.js';
import { type CartonizationPlan, defaultPricing, makeParcel, type PackUnit, type Pricing, planOf, type UnitCopy } from './parcel.js';
import { fillBoxBest, fitsAlone, searchParcels } from './parcel-search.js';

/**
 * Cartonization: which boxes a packing station should use for a set of units, and how the units go
 * in. Boxes are chosen by a real 3D fit (the extreme-point packer, with the six rotations of each
 * unit) and by total cost: each box's price plus the rate at the parcel's billable weight. The units
 * split into several parcels when no box holds them all or when that is cheaper.
 */

/** Units in one cartonization: a packing station's order, not a pallet. Bounds the packer's work. */
export const cartonizationUnitsMax = 300;

export type UnpackableReason = 'dimensions_missing' | 'weight_missing' | 'too_large' | 'too_heavy';

export interface UnpackableUnit {
  readonly unitId: string;
  readonly reason: UnpackableReason;
}

/** Expected outcomes that are not a plan. Each names what to fix; none is thrown. */
export type CartonizationFailure =
  /** Some units cannot go in any box of the catalog (or in the chosen box, for an override). */
  | { readonly code: 'unit_unpackable'; readonly detail: string; readonly units: readonly UnpackableUnit[] }
  | { readonly code: 'too_many_units'; readonly detail: string; readonly unitCount: number; readonly unitsMax: number }
  /** The rate function refused every parcel the packer could make. */
  | { readonly code: 'no_rate'; readonly detail: string }
  /** Override: the units and the box together weigh more than the box may carry. */
  | {
      readonly code: 'box_overweight';
      readonly detail: string;
      readonly boxCode: string;
      readonly weightG: number;
      readonly maxWeightG: number;
    }
  /** Override: each unit fits the box alone, but the packer found no arrangement of all of them. */
  | { readonly code: 'no_arrangement'; readonly detail: string; readonly boxCode: string; readonly unitIds: readonly string[] };

export interface CartonizationOptions {
  /** Rate and dimensional rule of the carrier service; defaults to `defaultPricing`. */
  readonly pricing?: Pricing;
}

/** Proposes the cheapest parcels found for the units, from the box catalog. */
export function cartonize(
  units: readonly PackUnit[],
  catalog: readonly Box[],
  options: CartonizationOptions = {},
): Result<CartonizationPlan, CartonizationFailure> {
  assertBoxCatalog(catalog);
  const checked = expandUnits(units);
  if (!checked.ok) return checked;
  const unpackable = units.flatMap((unit) => {
    const reason = unpackableReason(unit, catalog);
    return reason === null ? [] : [{ unitId: unit.id, reason }];
  });
  if (unpackable.length > 0) return err(unpackableFailure(unpackable, 'in any box of the catalog'));
  const parcels = searchParcels(checked.value, catalog, options.pricing ?? defaultPricing);
  if (parcels === null) return err({ code: 'no_rate', detail: 'the rate refused every parcel the packer could make' });
  const plan = planOf(parcels);
  assert(plan.unitCount === checked.value.length, 'every unit is placed exactly once');
  return ok(plan);
}

/**
 * Packer override: checks that the units go in the box the packer chose (each unit fits, the weight
 * holds, the packer finds an arrangement) and prices it. Same plan shape, one parcel.
 */
export function packIntoBox(
  units: readonly PackUnit[],
  box: Box,
  options: CartonizationOptions = {},
): Result<CartonizationPlan, CartonizationFailure> {
  assertBoxCatalog([box]);
  const checked = expandUnits(units);
  if (!checked.ok) return checked;
  const unpackable = units.flatMap((unit) => {
    const reason = unpackableReason(unit, [box]);
    return reason === null || reason === 'too_heavy' ? [] : [{ unitId: unit.id, reason }];
  });
  if (unpackable.length > 0) return err(unpackableFailure(unpackable, `in box ${box.code}`));
  const copies = checked.value;
  const weightG = box.boxWeightG + copies.reduce((sum, copy) => sum + copy.item.weightG, 0);
  if (weightG > box.maxWeightG) {
    const detail = `the units and box ${box.code} weigh ${weightG} g, more than its ${box.maxWeightG} g`;
    return err({ code: 'box_overweight', detail, boxCode: box.code, weightG, maxWeightG: box.maxWeightG });
  }
  const fill = fillBoxBest(
    copies.map((copy) => copy.item),
    box,
  );
  if (fill.rest.length > 0) {
    const unitIds = [...new Set(fill.rest.map((item) => copies[item.key]?.unitId ?? ''))];
    const detail = `no arrangement of the units in box ${box.code} was found; left over: ${unitIds.join(', ')}`;
    return err({ code: 'no_arrangement', detail, boxCode: box.code, unitIds });
  }
  const parcel = makeParcel(box, fill, copies, options.pricing ?? defaultPricing);
  if (parcel === null) return err({ code: 'no_rate', detail: `the rate refused a parcel in box ${box.code}` });
  return ok(planOf([parcel]));
}

/** Why a unit goes in none of the boxes, or null when it goes in at least one alone. */
export function unpackableReason(unit: PackUnit, boxes: readonly Box[]): UnpackableReason | null {
  if (!isKnownSize(unit.dimensionsMm)) return 'dimensions_missing';
  if (!isKnownWeight(unit.weightG)) return 'weight_missing';
  const size = unit.dimensionsMm;
  const bySize = boxes.filter((box) => fitsInSomeRotation(size, box.innerMm));
  if (bySize.length === 0) return 'too_large';
  const item = packItem(0, size, unit.weightG);
  return bySize.some((box) => fitsAlone(item, box)) ? null : 'too_heavy';
}

function unpackableFailure(units: readonly UnpackableUnit[], where: string): CartonizationFailure {
  const detail = `${units.map((u) => `${u.unitId} (${u.reason.replaceAll('_', ' ')})`).join(', ')} cannot be packed ${where}`;
  return { code: 'unit_unpackable', detail, units };
}

/** One copy per unit of quantity. Units of unknown size or weight are left out: the checks reject them before any packing. */
function expandUnits(units: readonly PackUnit[]): Result<UnitCopy[], CartonizationFailure> {
  assert(units.length > 0, 'there is something to pack');
  assert(new Set(units.map((unit) => unit.id)).size === units.length, 'unit ids are unique within one call');
  for (const unit of units)
    assert(Number.isSafeInteger(unit.quantity) && unit.quantity > 0, `unit ${unit.id}: quantity is a positive whole number`);
  const unitCount = units.reduce((sum, unit) => sum + unit.quantity, 0);
  if (unitCount > cartonizationUnitsMax) {
    const detail = `${unitCount} units exceed the ${cartonizationUnitsMax} one cartonization packs; split the work`;
    return err({ code: 'too_many_units', detail, unitCount, unitsMax: cartonizationUnitsMax });
  }
  const copies: UnitCopy[] = [];
  for (const unit of units) {
    if (!isKnownSize(unit.dimensionsMm) || !isKnownWeight(unit.weightG)) continue;
    for (let copy = 0; copy < unit.quantity; copy += 1) {
      copies.push({ unitId: unit.id, copy, item: packItem(copies.length, unit.dimensionsMm, unit.weightG) });
    }
  }
  return ok(copies);
}
