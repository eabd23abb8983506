import { randomInt } from 'node:crypto';
import { gs1Mod10CheckDigit } from '../labels/sscc.js';

/**
 * Tracking numbers of the table-rate carrier: the sheet's letters, 12 random digits and a GS1 mod-10
 * check digit over the digits (`FT` + `123456789012` + `8`), so a mistyped number is caught.
 * 10^12 numbers per prefix: the chance that two of a million labels collide is below one in a million,
 * and the store refuses a duplicate anyway.
 */

export const trackingDigits = 12;

/** A source of integers in [0, bound): crypto by default, a seeded one in the simulation. */
export type RandomInt = (bound: number) => number;

export const cryptoRandomInt: RandomInt = (bound) => randomInt(bound);

export function newTrackingNumber(prefix: string, random: RandomInt): string {
  const high = String(random(1_000_000)).padStart(6, '0');
  const low = String(random(1_000_000)).padStart(6, '0');
  const digits = `${high}${low}`;
  return `${prefix}${digits}${gs1Mod10CheckDigit(digits)}`;
}

export function isTableRateTrackingNumber(prefix: string, trackingNumber: string): boolean {
  if (!trackingNumber.startsWith(prefix)) return false;
  const digits = trackingNumber.slice(prefix.length);
  return /^\d{13}$/.test(digits) && gs1Mod10CheckDigit(digits.slice(0, trackingDigits)) === Number(digits[trackingDigits]);
}
