import { Value } from '@sinclair/typebox/value';
import { isCountry } from '../../../kernel/countries.js';
import { isCurrency } from '../../../kernel/money.js';
import type { FieldError } from '../../../kernel/problem.js';
import type { Result } from '../../../kernel/result.js';
import { type RateSheetDocument, RateSheetSchema } from './rate-sheet-schema.js';

/**
 * A rate sheet, validated and compiled for fast lookups. Build one with `parseRateSheet`; a `RateSheet`
 * value is always consistent (every rate names a known service and zone, brackets increase, no two zone
 * rules claim the same place).
 */

export interface DimDivisor {
  readonly unit: 'in3/lb' | 'cm3/kg';
  readonly value: number;
}

export interface SheetService {
  readonly code: string;
  readonly name: string;
  readonly dimDivisor: DimDivisor | null;
}

export interface SheetBracket {
  readonly maxWeightG: number;
  readonly priceMinor: number;
}

export interface SheetRate {
  readonly service: string;
  readonly zone: string;
  readonly transitDays: number;
  readonly brackets: readonly SheetBracket[];
}

/** One (origin, destination) pair a zone claims; `*` is any country, `''` any postal code. */
export interface ZoneEntry {
  readonly zone: string;
  readonly originCountry: string;
  readonly originPrefix: string;
  readonly destinationCountry: string;
  readonly destinationPrefix: string;
}

export interface RateSheet {
  readonly document: RateSheetDocument;
  readonly carrier: { readonly id: string; readonly name: string; readonly trackingPrefix: string };
  readonly currency: string;
  /** The fuel surcharge in hundredths of a percent, so 7.5 % is 750. */
  readonly fuelSurchargeBasisPoints: number;
  readonly residentialSurchargeMinor: number;
  /** Billable weight is rounded up to a multiple of this many grams (453.59237 for 1 lb). */
  readonly roundingStepG: number;
  readonly services: ReadonlyMap<string, SheetService>;
  /** Zone entries, most specific first; the first match wins. */
  readonly zoneEntries: readonly ZoneEntry[];
  /** Keyed by `rateKey(service, zone)`. */
  readonly rates: ReadonlyMap<string, SheetRate>;
}

export const rateKey = (service: string, zone: string): string => `${service}\u0000${zone}`;

/** Postal codes compare without case, spaces or dashes: "sw1a 1aa" starts with "SW1". */
export const normalizePostal = (postal: string): string => postal.toUpperCase().replace(/[\s-]/g, '');

const gramsPerUnit = { g: 1, kg: 1000, oz: 28.349523125, lb: 453.59237 } as const;

/** Zone entries a sheet may expand to (countries x prefixes x origins), to bound memory. */
export const zoneEntriesMax = 200_000;

function schemaErrors(input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const error of Value.Errors(RateSheetSchema, input)) {
    errors.push({ pointer: error.path, detail: error.message });
    if (errors.length >= 50) break;
  }
  return errors;
}

function placeErrors(place: { countries: string[]; postalPrefixes?: string[] | undefined }, pointer: string): FieldError[] {
  const errors: FieldError[] = [];
  if (place.countries.includes('*') && (place.countries.length > 1 || place.postalPrefixes !== undefined)) {
    errors.push({ pointer: `${pointer}/countries`, detail: '* (any country) stands alone, without postal prefixes' });
  }
  place.countries.forEach((country, i) => {
    if (country !== '*' && !isCountry(country)) errors.push({ pointer: `${pointer}/countries/${i}`, detail: `unknown country ${country}` });
  });
  return errors;
}

function expandPlace(place: { countries: string[]; postalPrefixes?: string[] | undefined } | undefined): [string, string][] {
  if (place === undefined) return [['*', '']];
  const prefixes = place.postalPrefixes?.map(normalizePostal) ?? [''];
  return place.countries.flatMap((country) => prefixes.map((prefix): [string, string] => [country, prefix]));
}

/** Most specific first: a named destination country, a longer destination prefix, then the same for the origin. */
export function compareSpecificity(a: ZoneEntry, b: ZoneEntry): number {
  const score = (e: ZoneEntry) => [
    e.destinationCountry === '*' ? 0 : 1,
    e.destinationPrefix.length,
    e.originCountry === '*' ? 0 : 1,
    e.originPrefix.length,
  ];
  const sa = score(a);
  const sb = score(b);
  for (let i = 0; i < sa.length; i += 1) {
    const diff = (sb[i] ?? 0) - (sa[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.zone.localeCompare(b.zone);
}

function compileZones(doc: RateSheetDocument, errors: FieldError[]): ZoneEntry[] {
  const claimed = new Map<string, string>();
  const entries: ZoneEntry[] = [];
  doc.zones.forEach((zone, z) => {
    zone.rules.forEach((rule, r) => {
      const pointer = `/zones/${z}/rules/${r}`;
      errors.push(
        ...placeErrors(rule.destination, `${pointer}/destination`),
        ...(rule.origin ? placeErrors(rule.origin, `${pointer}/origin`) : []),
      );
      for (const [originCountry, originPrefix] of expandPlace(rule.origin)) {
        for (const [destinationCountry, destinationPrefix] of expandPlace(rule.destination)) {
          const place = [originCountry, originPrefix, destinationCountry, destinationPrefix].join('/');
          const owner = claimed.get(place);
          if (owner !== undefined && owner !== zone.code) {
            errors.push({ pointer, detail: `zone ${zone.code} claims ${place} already claimed by zone ${owner}` });
          } else if (owner === undefined) {
            claimed.set(place, zone.code);
            entries.push({ zone: zone.code, originCountry, originPrefix, destinationCountry, destinationPrefix });
          }
        }
      }
      if (entries.length > zoneEntriesMax) errors.push({ pointer, detail: `zones expand to more than ${zoneEntriesMax} entries` });
    });
  });
  return entries.sort(compareSpecificity);
}

function uniqueCodes(items: readonly { code: string }[], pointer: string, errors: FieldError[]): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.code)) errors.push({ pointer: `${pointer}/${i}/code`, detail: `duplicate code ${item.code}` });
    seen.add(item.code);
  });
  return seen;
}

function compileRates(doc: RateSheetDocument, services: Set<string>, zones: Set<string>, errors: FieldError[]): Map<string, SheetRate> {
  const rates = new Map<string, SheetRate>();
  doc.rates.forEach((row, i) => {
    const pointer = `/rates/${i}`;
    if (!services.has(row.service)) errors.push({ pointer: `${pointer}/service`, detail: `unknown service ${row.service}` });
    if (!zones.has(row.zone)) errors.push({ pointer: `${pointer}/zone`, detail: `unknown zone ${row.zone}` });
    if (rates.has(rateKey(row.service, row.zone)))
      errors.push({ pointer, detail: `second rate for service ${row.service} in zone ${row.zone}` });
    row.brackets.forEach((bracket, b) => {
      const previous = row.brackets[b - 1];
      if (previous !== undefined && bracket.maxWeightG <= previous.maxWeightG) {
        errors.push({ pointer: `${pointer}/brackets/${b}/maxWeightG`, detail: 'must be greater than the previous bracket' });
      }
    });
    rates.set(rateKey(row.service, row.zone), {
      service: row.service,
      zone: row.zone,
      transitDays: row.transitDays,
      brackets: row.brackets,
    });
  });
  for (const service of services) {
    if (![...rates.values()].some((rate) => rate.service === service))
      errors.push({ pointer: '/services', detail: `service ${service} has no rates` });
  }
  return rates;
}

/** Validates a parsed JSON document and compiles it. Every problem comes back with its JSON pointer. */
export function parseRateSheet(input: unknown): Result<RateSheet, readonly FieldError[]> {
  const shapeErrors = schemaErrors(input);
  if (shapeErrors.length > 0 || !Value.Check(RateSheetSchema, input)) return { ok: false, error: shapeErrors };
  const doc = input;
  const errors: FieldError[] = [];
  if (!isCurrency(doc.currency)) errors.push({ pointer: '/currency', detail: `unknown currency ${doc.currency}` });
  const fuelBasisPoints = Math.round(doc.fuelSurchargePercent * 100);
  if (Math.abs(fuelBasisPoints - doc.fuelSurchargePercent * 100) > 1e-6)
    errors.push({ pointer: '/fuelSurchargePercent', detail: 'at most two decimals' });
  const serviceCodes = uniqueCodes(doc.services, '/services', errors);
  const zoneCodes = uniqueCodes(doc.zones, '/zones', errors);
  const zoneEntries = compileZones(doc, errors);
  const rates = compileRates(doc, serviceCodes, zoneCodes, errors);
  if (errors.length > 0) return { ok: false, error: errors };
  const sheet: RateSheet = {
    document: doc,
    carrier: doc.carrier,
    currency: doc.currency,
    fuelSurchargeBasisPoints: fuelBasisPoints,
    residentialSurchargeMinor: doc.residentialSurchargeMinor,
    roundingStepG: gramsPerUnit[doc.billableWeightRounding.unit] * doc.billableWeightRounding.step,
    services: new Map(doc.services.map((s) => [s.code, s])),
    zoneEntries,
    rates,
  };
  return { ok: true, value: sheet };
}

/** The zone of a parcel going from `origin` to `destination`, or undefined when the sheet does not serve it. */
export function zoneFor(
  sheet: RateSheet,
  origin: { readonly country: string; readonly postalCode: string },
  destination: { readonly country: string; readonly postalCode: string },
): string | undefined {
  const originPostal = normalizePostal(origin.postalCode);
  const destinationPostal = normalizePostal(destination.postalCode);
  const matches = (country: string, prefix: string, actualCountry: string, postal: string) =>
    (country === '*' || country === actualCountry) && postal.startsWith(prefix);
  const entry = sheet.zoneEntries.find(
    (e) =>
      matches(e.destinationCountry, e.destinationPrefix, destination.country, destinationPostal) &&
      matches(e.originCountry, e.originPrefix, origin.country, originPostal),
  );
  return entry?.zone;
}
