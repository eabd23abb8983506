import countries from 'i18n-iso-countries';

/** ISO 3166-1 alpha-2 country codes, from the i18n-iso-countries table. */
const alpha2Codes: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));

export const isCountry = (code: string): boolean => alpha2Codes.has(code);
