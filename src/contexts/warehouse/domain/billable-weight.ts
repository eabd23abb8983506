import { assert } from '../../../kernel/assert.js';
import type { DimensionsMm } from './geometry.js';

/**
 * Billable weight: what a carrier charges for, the larger of the actual weight and the dimensional
 * (volumetric) weight of the parcel's outer size, rounded up by the carrier's rule.
 *
 * A dimensional divisor is stated in the carrier's own units: metric services divide cubic
 * centimetres by cm³/kg (5000 is the common express divisor), imperial services divide cubic inches
 * by in³/lb (139 for UPS and FedEx daily rates, 166 for USPS). Each carrier service has its own rule;
 * the shipping context owns the rules of the services it sells and passes one in.
 */

export const gramsPerPound = 453.59237;
export const gramsPerOunce = 28.349523125;
export const millimetresPerInch = 25.4;

export type DimensionalDivisor =
  | { readonly unit: 'cm3_per_kg'; readonly value: number }
  | { readonly unit: 'in3_per_lb'; readonly value: number };

/** Round a weight up to the next multiple of `step` of `unit` (0.5 kg, 1 lb, 1 g...). */
export interface WeightRounding {
  readonly unit: 'g' | 'kg' | 'oz' | 'lb';
  readonly step: number;
}

/** How each outer side is measured before the volume is taken: carriers measure to a whole unit. */
export type SideRounding = 'exact' | 'nearest_cm' | 'up_cm' | 'nearest_in' | 'up_in';

export interface DimensionalRule {
  readonly divisor: DimensionalDivisor;
  readonly rounding: WeightRounding;
  readonly sides: SideRounding;
}

export interface BillableWeight {
  /** The parcel's actual weight, as given. */
  readonly actualG: number;
  /** Outer volume divided by the divisor, up to a whole gram, before the carrier's rounding. */
  readonly dimensionalG: number;
  /** max(actual, dimensional), rounded up by the rule: what the rate is looked up with. */
  readonly billableG: number;
  readonly basis: 'actual' | 'dimensional';
}

/** Common rules, named by what they do; a carrier service picks one or states its own. */
export const dimensionalRules = {
  /** Express convention (DHL Express and others): L×W×H cm / 5000, up to the next 0.5 kg. */
  metric5000HalfKg: { divisor: { unit: 'cm3_per_kg', value: 5000 }, rounding: { unit: 'kg', step: 0.5 }, sides: 'up_cm' },
  /** Postal and road convention: cm / 6000, up to the next whole kg. */
  metric6000WholeKg: { divisor: { unit: 'cm3_per_kg', value: 6000 }, rounding: { unit: 'kg', step: 1 }, sides: 'up_cm' },
  /** UPS and FedEx daily rates: sides to the nearest inch, in³ / 139, up to the next whole lb. */
  imperial139WholeLb: { divisor: { unit: 'in3_per_lb', value: 139 }, rounding: { unit: 'lb', step: 1 }, sides: 'nearest_in' },
  /** USPS convention: in³ / 166, up to the next whole lb. */
  imperial166WholeLb: { divisor: { unit: 'in3_per_lb', value: 166 }, rounding: { unit: 'lb', step: 1 }, sides: 'nearest_in' },
} as const satisfies Record<string, DimensionalRule>;

/** Float noise below this is not a real excess over a rounding step (a whole step is 1 g at least). */
const roundingToleranceSteps = 1e-9;
const halfGram = 0.5;

function gramsPer(unit: WeightRounding['unit']): number {
  if (unit === 'g') return 1;
  if (unit === 'kg') return 1000;
  if (unit === 'oz') return gramsPerOunce;
  return gramsPerPound;
}

/**
 * Rounds a weight in grams up to the rule's step, in whole grams. A step of pounds or ounces is not a
 * whole number of grams (1 lb is 453.59237 g, billed as 454 g), so a weight within half a gram of a
 * step counts as that step: rounding a rounded weight again leaves it unchanged.
 */
export function roundWeightUpG(weightG: number, rounding: WeightRounding): number {
  assert(weightG >= 0 && Number.isFinite(weightG), 'a weight is a non-negative number of grams');
  assert(rounding.step > 0 && Number.isFinite(rounding.step), 'a rounding step is positive');
  const stepG = rounding.step * gramsPer(rounding.unit);
  const steps = Math.ceil((weightG - halfGram) / stepG - roundingToleranceSteps);
  return Math.round(Math.max(0, steps) * stepG);
}

function measureSide(mm: number, sides: SideRounding): number {
  if (sides === 'nearest_cm') return Math.round(mm / 10);
  if (sides === 'up_cm') return Math.ceil(mm / 10);
  if (sides === 'nearest_in') return Math.round(mm / millimetresPerInch);
  if (sides === 'up_in') return Math.ceil(mm / millimetresPerInch);
  return mm;
}

/** Dimensional weight in (fractional) grams of an outer size under a rule. */
export function dimensionalWeightG(outer: DimensionsMm, rule: DimensionalRule): number {
  assert(rule.divisor.value > 0, 'a dimensional divisor is positive');
  const inches = rule.divisor.unit === 'in3_per_lb';
  const sides = [outer.length, outer.width, outer.height].map((mm) => {
    const measured = measureSide(mm, rule.sides);
    if (rule.sides === 'exact') return inches ? measured / millimetresPerInch : measured / 10;
    const measuredInInches = rule.sides === 'nearest_in' || rule.sides === 'up_in';
    if (inches === measuredInInches) return measured;
    return inches ? (measured * 10) / millimetresPerInch : (measured * millimetresPerInch) / 10;
  });
  const volume = sides.reduce((product, s) => product * s, 1);
  return inches ? (volume / rule.divisor.value) * gramsPerPound : (volume / rule.divisor.value) * 1000;
}

/**
 * The billable weight of a parcel: max(actual, dimensional), then the carrier's rounding, in whole
 * grams. Rounding is monotone, so rounding the larger equals the larger of the two rounded weights.
 */
export function billableWeight(actualWeightG: number, outer: DimensionsMm, rule: DimensionalRule): BillableWeight {
  assert(Number.isSafeInteger(actualWeightG) && actualWeightG >= 0, 'an actual weight is whole grams');
  const dimensionalG = Math.ceil(dimensionalWeightG(outer, rule) - roundingToleranceSteps);
  const heavier = Math.max(actualWeightG, dimensionalG);
  return {
    actualG: actualWeightG,
    dimensionalG,
    billableG: roundWeightUpG(heavier, rule.rounding),
    basis: dimensionalG > actualWeightG ? 'dimensional' : 'actual',
  };
}
