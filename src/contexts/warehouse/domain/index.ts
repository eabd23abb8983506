/**
 * The warehouse domain: pure functions, no I/O, no clock. Cartonization (which boxes, how the units
 * go in), billable weight, pick lists ordered along the walk, and the walk-length model.
 */

export type { BillableWeight, DimensionalDivisor, DimensionalRule, SideRounding, WeightRounding } from './billable-weight.js';
export {
  billableWeight,
  dimensionalRules,
  dimensionalWeightG,
  gramsPerOunce,
  gramsPerPound,
  millimetresPerInch,
  roundWeightUpG,
} from './billable-weight.js';
export type { Box } from './box-catalog.js';
export { assertBoxCatalog, boxCatalogBoxesMax, boxCatalogProblems, standardBoxCatalog } from './box-catalog.js';
export type { CartonizationFailure, CartonizationOptions, UnpackableReason, UnpackableUnit } from './cartonization.js';
export { cartonizationUnitsMax, cartonize, packIntoBox, unpackableReason } from './cartonization.js';
export { fitSearchNodesMax, fitSearchUnitsMax } from './extreme-points.js';
export type { DimensionsMm, PositionMm, Rotation } from './geometry.js';
export { fitsInSomeRotation, liesWithin, overlaps, rotate, rotations, volumeMm3 } from './geometry.js';
export { extremePointsMax } from './occupancy.js';
export type { CartonizationPlan, PackUnit, Parcel, ParcelRate, Placement, Pricing, RateQuery } from './parcel.js';
export { defaultParcelRate, defaultPricing } from './parcel.js';
export { splitRunsMax } from './parcel-search.js';
export type { PickAllocation, PickLine, PickList, PickPathFailure, PickStop, PickStrategy } from './pick-path.js';
export { pickLinesMax, planPickLists, sequencePickLines } from './pick-path.js';
export type { AisleLayout, BinAddress, WalkFailure, WalkModel, WalkStop } from './walk.js';
export { defaultAisleLayout, levelsPerPositionMax, parseBinCode, serpentinePickSequence, walkLengthMm } from './walk.js';
