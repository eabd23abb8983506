/** Languages customer-facing text (e-mails, tracking and download pages, forms) is written in. */
export const supportedLocales = ['en', 'pt-BR'] as const;
export type Locale = (typeof supportedLocales)[number];
export const defaultLocale: Locale = 'en';

/** Countries whose customers get Portuguese when the order names no language. */
const portugueseCountries = new Set(['BR', 'PT', 'AO', 'MZ', 'CV', 'GW', 'ST', 'TL']);

/**
 * The language for a customer: the one asked for (any BCP 47 tag; `pt`, `pt-PT` and `pt-BR` all give
 * `pt-BR`), otherwise the one of the shipping country, otherwise English.
 */
export function pickLocale(requested: string | null | undefined, country?: string | null): Locale {
  const tag = requested?.trim().toLowerCase();
  if (tag) {
    if (tag === 'pt' || tag.startsWith('pt-')) return 'pt-BR';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  if (country && portugueseCountries.has(country.toUpperCase())) return 'pt-BR';
  return defaultLocale;
}
