import currencyCodes from 'currency-codes';

/**
 * Money is an integer count of a currency's minor units (cents for USD, yen for JPY), never a float.
 * Currencies come from the ISO 4217 table of the currency-codes package; fund, metal and testing
 * codes (the table marks them with a pseudo-country starting with "Zz") are not money here.
 */
export interface CurrencyInfo {
  readonly code: string;
  readonly minorUnits: number;
}

/** Largest amount in minor units we accept anywhere: far above any order, well below 2^53. */
export const amountMinorMax = 1_000_000_000_000_000;

const currencyTable: ReadonlyMap<string, CurrencyInfo> = new Map(
  currencyCodes.data
    .filter((c) => !c.countries.some((country) => country.startsWith('Zz')))
    .map((c) => [c.code, { code: c.code, minorUnits: c.digits }]),
);

export const currency = (code: string): CurrencyInfo | undefined => currencyTable.get(code);

export const isCurrency = (code: string): boolean => currencyTable.has(code);

/** Multiplies a unit price by a quantity, refusing results that are not safe integers. */
export function lineTotal(unitPriceMinor: number, quantity: number): number | undefined {
  const total = unitPriceMinor * quantity;
  return Number.isSafeInteger(total) && total <= amountMinorMax ? total : undefined;
}

export function sumAmounts(amounts: readonly number[]): number | undefined {
  let total = 0;
  for (const amount of amounts) {
    total += amount;
    if (!Number.isSafeInteger(total) || total > amountMinorMax) return undefined;
  }
  return total;
}
