import { type Static, Type } from '@sinclair/typebox';
import { amountMinorMax } from '../../../kernel/money.js';
import { shippingLimits } from '../limits.js';

/**
 * The rate sheet's JSON shape, as a JSON Schema (TypeBox; `RateSheetSchema` can be served as a schema
 * file). `parseRateSheet` checks a document against it, then checks what a schema cannot say: every rate
 * names a known service and zone, no service or zone code twice, brackets strictly increasing, every
 * service has rates, countries exist, no two zones claim the same place, fuel has at most two decimals.
 * Unknown properties are errors, so a typo never silently drops a surcharge.
 *
 *   {
 *     "format": "fulfill-rate-sheet/1",
 *     "carrier": { "id": "table-rate", "name": "Fulfill Table Rate", "trackingPrefix": "FT" },
 *     "currency": "USD",                       all prices in this ISO 4217 currency's minor units
 *     "fuelSurchargePercent": 7.5,             on the base price, rounded half up to a minor unit
 *     "residentialSurchargeMinor": 450,        flat, when the destination is residential
 *     "billableWeightRounding": { "unit": "lb", "step": 1 },       g | kg | oz | lb, rounded up
 *     "services": [
 *       { "code": "ground", "name": "Ground", "dimDivisor": { "unit": "in3/lb", "value": 139 } },
 *       { "code": "economy", "name": "Economy", "dimDivisor": null }           actual weight only
 *     ],
 *     "zones": [                               the most specific matching rule wins: a named destination
 *       { "code": "US-REGIONAL", "rules": [    country, then a longer destination postal prefix, then a
 *         { "origin": { "countries": ["US"], "postalPrefixes": ["8", "9"] },   named origin country,
 *           "destination": { "countries": ["US"], "postalPrefixes": ["8", "9"] } } ] },   then its prefix
 *       { "code": "WORLD", "rules": [ { "destination": { "countries": ["*"] } } ] }
 *     ],
 *     "rates": [                               one row per service and zone that is served
 *       { "service": "ground", "zone": "US-REGIONAL", "transitDays": 2,
 *         "brackets": [ { "maxWeightG": 454, "priceMinor": 795 }, { "maxWeightG": 908, "priceMinor": 895 } ] }
 *     ]
 *   }
 *
 * A parcel heavier than a row's last bracket gets no quote for that service. Postal prefixes ignore case,
 * spaces and dashes. The default sheet ships as default-rate-sheet.json next to this file.
 */

export const rateSheetFormat = 'fulfill-rate-sheet/1';

const strict = { additionalProperties: false } as const;
const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$', description: 'Letters, digits, dot, dash, underscore' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const CountryOrAny = Type.String({ pattern: '^([A-Z]{2}|\\*)$', description: 'ISO 3166-1 alpha-2, or * for any country' });
const PostalPrefix = Type.String({
  pattern: '^[A-Za-z0-9 -]{1,12}$',
  description: 'Start of a postal code; case, spaces and dashes are ignored ("SW1", "94", "1012")',
});

const Place = Type.Object(
  {
    countries: Type.Array(CountryOrAny, { minItems: 1, maxItems: 300 }),
    postalPrefixes: Type.Optional(Type.Array(PostalPrefix, { minItems: 1, maxItems: shippingLimits.rateSheetPostalPrefixesMax })),
  },
  { ...strict, description: 'Countries, optionally narrowed to postal code prefixes (only with named countries)' },
);

const ZoneRule = Type.Object(
  {
    origin: Type.Optional(Place),
    destination: Place,
  },
  { ...strict, description: 'A destination (and optionally an origin) that belongs to the zone' },
);

const Zone = Type.Object(
  {
    code: Code,
    name: Type.Optional(Name),
    rules: Type.Array(ZoneRule, { minItems: 1, maxItems: shippingLimits.rateSheetZoneRulesMax }),
  },
  strict,
);

const DimDivisor = Type.Object(
  {
    unit: Type.Union([Type.Literal('in3/lb'), Type.Literal('cm3/kg')]),
    value: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
  },
  { ...strict, description: 'Dimensional weight = volume / divisor, for example 139 in3/lb or 5000 cm3/kg' },
);

const Service = Type.Object(
  {
    code: Code,
    name: Name,
    dimDivisor: Type.Union([DimDivisor, Type.Null()], { description: 'null: billed on actual weight only' }),
  },
  strict,
);

const Bracket = Type.Object(
  {
    maxWeightG: Type.Integer({ minimum: 1, maximum: shippingLimits.parcelWeightGMax, description: 'Billable weight up to and including' }),
    priceMinor: Type.Integer({ minimum: 0, maximum: amountMinorMax }),
  },
  strict,
);

const RateRow = Type.Object(
  {
    service: Code,
    zone: Code,
    transitDays: Type.Integer({ minimum: 0, maximum: shippingLimits.transitDaysMax, description: 'Business days' }),
    brackets: Type.Array(Bracket, { minItems: 1, maxItems: shippingLimits.rateSheetBracketsMax }),
  },
  { ...strict, description: 'Price brackets and transit days of one service in one zone' },
);

const Rounding = Type.Object(
  {
    unit: Type.Union([Type.Literal('g'), Type.Literal('kg'), Type.Literal('oz'), Type.Literal('lb')]),
    step: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  },
  { ...strict, description: 'Billable weight is rounded up to a whole number of steps, for example 1 lb or 0.5 kg' },
);

export const RateSheetSchema = Type.Object(
  {
    format: Type.Literal(rateSheetFormat),
    carrier: Type.Object(
      {
        id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' }),
        name: Name,
        trackingPrefix: Type.String({ pattern: '^[A-Z]{2,4}$', description: 'Letters that start every tracking number' }),
      },
      strict,
    ),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    fuelSurchargePercent: Type.Number({ minimum: 0, maximum: 100, description: 'Applied to the base price; at most two decimals' }),
    residentialSurchargeMinor: Type.Integer({ minimum: 0, maximum: amountMinorMax, description: 'Flat, per residential parcel' }),
    billableWeightRounding: Rounding,
    services: Type.Array(Service, { minItems: 1, maxItems: shippingLimits.rateSheetServicesMax }),
    zones: Type.Array(Zone, { minItems: 1, maxItems: shippingLimits.rateSheetZonesMax }),
    rates: Type.Array(RateRow, { minItems: 1, maxItems: shippingLimits.rateSheetRatesMax }),
  },
  { ...strict, $id: 'https://fulfill.dev/schemas/rate-sheet-1.json', title: 'Fulfill rate sheet' },
);

/** The sheet exactly as written in JSON. `parseRateSheet` turns it into a `RateSheet`. */
export type RateSheetDocument = Static<typeof RateSheetSchema>;
