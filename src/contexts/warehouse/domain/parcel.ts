import { assert } from '../../../kernel/assert.js';
import { type BillableWeight, billableWeight, type DimensionalRule, dimensionalRules } from './billable-weight.js';
import type { Box } from './box-catalog.js';
import type { BoxFill, PackItem } from './extreme-points.js';
import { type DimensionsMm, type PositionMm, type Rotation, volumeMm3 } from './geometry.js';

/** Units of one SKU (or one order line) to pack. */
export interface PackUnit {
  /** Names the unit in placements and failures: a SKU or an order line id, unique within one call. */
  readonly id: string;
  /** The catalog's `dimensions_mm`; null when the item has none recorded. */
  readonly dimensionsMm: DimensionsMm | null;
  /** The catalog's `weight_g` of one unit; null when unknown. */
  readonly weightG: number | null;
  readonly quantity: number;
}

/** One unit in a parcel: where it sits and which way it is turned. */
export interface Placement {
  readonly unitId: string;
  /** Which of the unit's `quantity` copies this is, from 0. */
  readonly copy: number;
  readonly positionMm: PositionMm;
  readonly rotation: Rotation;
  /** The unit's size along the box's length, width and height in that rotation. */
  readonly extentMm: DimensionsMm;
}

export interface Parcel {
  readonly box: Box;
  readonly placements: readonly Placement[];
  readonly contentWeightG: number;
  /** Contents plus the box. */
  readonly actualWeightG: number;
  readonly billable: BillableWeight;
  readonly contentVolumeMm3: number;
  /** Content volume over the box's inner volume, between 0 and 1. */
  readonly fillRatio: number;
  readonly boxCostMinor: number;
  readonly rateMinor: number;
  /** Box plus rate. */
  readonly costMinor: number;
}

export interface CartonizationPlan {
  readonly parcels: readonly Parcel[];
  readonly costMinor: number;
  readonly unitCount: number;
}

/** What a rate function is asked about one parcel. */
export interface RateQuery {
  readonly box: Box;
  readonly actualWeightG: number;
  readonly billable: BillableWeight;
}

/**
 * The price of shipping one parcel, in minor units, or null when the service does not take it (too
 * heavy, too long). Pure: the shipping context passes a closure over a rate sheet or quoted rates.
 */
export type ParcelRate = (query: RateQuery) => number | null;

export interface Pricing {
  readonly rate: ParcelRate;
  readonly dimensionalRule: DimensionalRule;
}

/** Default rate until the shipping context plugs in its own: 5.00 plus 1.00 per started 0.5 kg billable. */
export const defaultParcelRate: ParcelRate = (query) => 500 + 100 * Math.ceil(query.billable.billableG / 500);

export const defaultPricing: Pricing = { rate: defaultParcelRate, dimensionalRule: dimensionalRules.metric5000HalfKg };

/** One physical copy of a unit: the packers see only these. `item.key` is its index in the list. */
export interface UnitCopy {
  readonly unitId: string;
  readonly copy: number;
  readonly item: PackItem;
}

/** Prices a filled box; null when the rate refuses the parcel. */
export function makeParcel(box: Box, fill: BoxFill, copies: readonly UnitCopy[], pricing: Pricing): Parcel | null {
  assert(fill.placed.length > 0, 'a parcel holds at least one unit');
  const actualWeightG = fill.weightG + box.boxWeightG;
  assert(actualWeightG <= box.maxWeightG, 'a parcel is never heavier than its box may carry');
  const billable = billableWeight(actualWeightG, box.outerMm, pricing.dimensionalRule);
  const rateMinor = pricing.rate({ box, actualWeightG, billable });
  if (rateMinor === null) return null;
  assert(Number.isSafeInteger(rateMinor) && rateMinor >= 0, 'a rate is a non-negative whole number of minor units');
  const placements = fill.placed.map((placed): Placement => {
    const copy = copies[placed.key];
    assert(copy !== undefined, 'a placed unit is one of the copies');
    return { unitId: copy.unitId, copy: copy.copy, positionMm: placed.position, rotation: placed.rotation, extentMm: placed.extent };
  });
  return {
    box,
    placements,
    contentWeightG: fill.weightG,
    actualWeightG,
    billable,
    contentVolumeMm3: fill.volumeMm3,
    fillRatio: fill.volumeMm3 / volumeMm3(box.innerMm),
    boxCostMinor: box.costMinor,
    rateMinor,
    costMinor: box.costMinor + rateMinor,
  };
}

export function planOf(parcels: readonly Parcel[]): CartonizationPlan {
  return {
    parcels,
    costMinor: parcels.reduce((sum, parcel) => sum + parcel.costMinor, 0),
    unitCount: parcels.reduce((sum, parcel) => sum + parcel.placements.length, 0),
  };
}
