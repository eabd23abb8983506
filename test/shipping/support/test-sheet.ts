import { parseRateSheet, type RateSheet, type RateSheetDocument, rateSheetFormat } from '../../../src/contexts/shipping/index.js';

/**
 * A small rate sheet with numbers chosen for hand-checked tests: EUR, 10 % fuel, 3.00 residential,
 * billable weight rounded up to 0.5 kg, three services with different dimensional divisors.
 */

const brackets = (add: number) => [
  { maxWeightG: 500, priceMinor: 400 + add },
  { maxWeightG: 1000, priceMinor: 500 + add },
  { maxWeightG: 2000, priceMinor: 700 + add },
  { maxWeightG: 5000, priceMinor: 1000 + add },
];

export const testSheetDocument = (): RateSheetDocument => ({
  format: rateSheetFormat,
  carrier: { id: 'test-post', name: 'Test Post', trackingPrefix: 'TP' },
  currency: 'EUR',
  fuelSurchargePercent: 10,
  residentialSurchargeMinor: 300,
  billableWeightRounding: { unit: 'kg', step: 0.5 },
  services: [
    { code: 'std', name: 'Standard', dimDivisor: { unit: 'cm3/kg', value: 5000 } },
    { code: 'exp', name: 'Express', dimDivisor: { unit: 'in3/lb', value: 139 } },
    { code: 'eco', name: 'Economy', dimDivisor: null },
  ],
  zones: [
    {
      code: 'NL-1',
      name: 'Venlo area',
      rules: [{ origin: { countries: ['NL'] }, destination: { countries: ['NL'], postalPrefixes: ['59'] } }],
    },
    { code: 'NL-2', rules: [{ origin: { countries: ['NL'] }, destination: { countries: ['NL'] } }] },
    { code: 'BE-DE', rules: [{ destination: { countries: ['BE', 'DE'] } }] },
    { code: 'UK-LONDON', rules: [{ destination: { countries: ['GB'], postalPrefixes: ['SW', 'EC', 'W1'] } }] },
    { code: 'WORLD', rules: [{ destination: { countries: ['*'] } }] },
  ],
  rates: [
    { service: 'std', zone: 'NL-1', transitDays: 1, brackets: brackets(0) },
    { service: 'std', zone: 'NL-2', transitDays: 2, brackets: brackets(100) },
    { service: 'std', zone: 'BE-DE', transitDays: 3, brackets: brackets(300) },
    { service: 'std', zone: 'UK-LONDON', transitDays: 4, brackets: brackets(600) },
    { service: 'std', zone: 'WORLD', transitDays: 8, brackets: brackets(2000) },
    { service: 'exp', zone: 'NL-2', transitDays: 1, brackets: brackets(900) },
    { service: 'eco', zone: 'NL-2', transitDays: 4, brackets: [{ maxWeightG: 2000, priceMinor: 300 }] },
  ],
});

export function testSheet(): RateSheet {
  const parsed = parseRateSheet(testSheetDocument());
  if (!parsed.ok) throw new Error(`test sheet invalid: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}
