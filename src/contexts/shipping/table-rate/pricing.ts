import type { Charge, ParcelSpec } from '../carrier.js';
import { type DimDivisor, type RateSheet, rateKey, type SheetService } from './rate-sheet.js';

/**
 * Table-rate pricing, pure arithmetic on a validated sheet:
 *
 *   dimensional weight = length x width x height / divisor   (cm3/kg: mm3 / divisor grams;
 *                                                             in3/lb: converted through inches and pounds)
 *   billable weight    = max(actual, dimensional), rounded up to the sheet's step (for example 1 lb)
 *   base               = price of the first bracket whose maxWeightG >= billable weight
 *   fuel               = base x fuel percent, rounded half up to a minor unit
 *   residential        = flat surcharge when the destination is residential
 *   total              = base + fuel + residential
 */

const cubicMmPerCubicInch = 16_387.064;
const gramsPerPound = 453.59237;
/** Below this a float is treated as an exact multiple, so 1000 g with a 500 g step stays 1000 g. */
const epsilon = 1e-9;

export function dimensionalWeightG(parcel: ParcelSpec, divisor: DimDivisor): number {
  const cubicMm = parcel.lengthMm * parcel.widthMm * parcel.heightMm;
  const grams = divisor.unit === 'cm3/kg' ? cubicMm / divisor.value : (cubicMm / cubicMmPerCubicInch / divisor.value) * gramsPerPound;
  return Math.ceil(grams - epsilon);
}

export interface BillableWeight {
  readonly actualG: number;
  readonly dimensionalG: number | null;
  readonly billableG: number;
}

export function billableWeight(sheet: RateSheet, service: SheetService, parcel: ParcelSpec): BillableWeight {
  const dimensionalG = service.dimDivisor === null ? null : dimensionalWeightG(parcel, service.dimDivisor);
  const heaviest = Math.max(parcel.weightG, dimensionalG ?? 0);
  const steps = Math.ceil(heaviest / sheet.roundingStepG - epsilon);
  return { actualG: parcel.weightG, dimensionalG, billableG: Math.ceil(steps * sheet.roundingStepG - epsilon) };
}

/** `amount x basisPoints / 10000`, rounded half up, in integers (BigInt: amounts go up to 10^15). */
export function percentOf(amountMinor: number, basisPoints: number): number {
  return Number((BigInt(amountMinor) * BigInt(basisPoints) + 5_000n) / 10_000n);
}

export interface TablePrice {
  readonly transitDays: number;
  readonly charges: readonly Charge[];
  readonly totalMinor: number;
}

/** The price of a service in a zone at a billable weight, or undefined when the sheet has no bracket for it. */
export function priceFor(
  sheet: RateSheet,
  serviceCode: string,
  zone: string,
  billableG: number,
  residential: boolean,
): TablePrice | undefined {
  const rate = sheet.rates.get(rateKey(serviceCode, zone));
  const bracket = rate?.brackets.find((b) => b.maxWeightG >= billableG);
  if (rate === undefined || bracket === undefined) return undefined;
  const base = bracket.priceMinor;
  const fuel = percentOf(base, sheet.fuelSurchargeBasisPoints);
  const residentialMinor = residential ? sheet.residentialSurchargeMinor : 0;
  const charges: Charge[] = [
    { kind: 'base', amountMinor: base },
    { kind: 'fuel', amountMinor: fuel },
  ];
  if (residential) charges.push({ kind: 'residential', amountMinor: residentialMinor });
  return { transitDays: rate.transitDays, charges, totalMinor: base + fuel + residentialMinor };
}
