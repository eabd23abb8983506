import type { Destination, SourcingLocation } from './types.js';

/** Length of the common leading part of two postal codes, ignoring spaces and dashes. */
export function postalPrefixMatch(a: string, b: string): number {
  const x = a.replace(/[\s-]/g, '').toUpperCase();
  const y = b.replace(/[\s-]/g, '').toUpperCase();
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n += 1;
  return n;
}

/** Numeric distance of the first three digits, when both codes start with digits; else a large value. */
export function postalNumericDistance(a: string, b: string): number {
  const x = /^\d{1,3}/.exec(a.trim())?.[0];
  const y = /^\d{1,3}/.exec(b.trim())?.[0];
  if (x === undefined || y === undefined) return Number.MAX_SAFE_INTEGER;
  return Math.abs(Number(x.padEnd(3, '0')) - Number(y.padEnd(3, '0')));
}

/**
 * Orders locations from most to least preferred: priority, then same country as the destination,
 * then the longest common postal prefix, then the nearest numeric postal prefix, then code (stable).
 */
export function rankLocations(locations: readonly SourcingLocation[], to: Destination): SourcingLocation[] {
  const keyed = locations.map((location) => ({
    location,
    sameCountry: location.country === to.country ? 0 : 1,
    prefix: location.country === to.country ? postalPrefixMatch(location.postalCode, to.postalCode) : 0,
    distance: location.country === to.country ? postalNumericDistance(location.postalCode, to.postalCode) : 0,
  }));
  keyed.sort(
    (a, b) =>
      a.location.priority - b.location.priority ||
      a.sameCountry - b.sameCountry ||
      b.prefix - a.prefix ||
      a.distance - b.distance ||
      (a.location.code < b.location.code ? -1 : a.location.code > b.location.code ? 1 : 0),
  );
  return keyed.map((k) => k.location);
}
