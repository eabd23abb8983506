import { isCountry } from '../../../kernel/countries.js';
import { isCurrency } from '../../../kernel/money.js';
import type { FieldError } from '../../../kernel/problem.js';
import { isValidGtin } from './gtin.js';

/** Semantic checks the schema cannot express. Returns every failing field, not just the first. */
export function itemFieldErrors(input: {
  barcode?: string | null | undefined;
  hs_code?: string | null | undefined;
  country_of_origin?: string | null | undefined;
  customs_value?: { amount: number; currency: string } | null | undefined;
}): FieldError[] {
  const errors: FieldError[] = [];
  const barcode = input.barcode;
  if (barcode && /^\d+$/.test(barcode) && [8, 12, 13, 14].includes(barcode.length) && !isValidGtin(barcode)) {
    errors.push({ pointer: '/barcode', detail: 'the GTIN check digit is wrong' });
  }
  if (input.hs_code && !/^\d{6}(\d{2}){0,2}$/.test(input.hs_code.replaceAll('.', ''))) {
    errors.push({ pointer: '/hs_code', detail: 'an HS code has 6, 8 or 10 digits' });
  }
  if (input.country_of_origin && !isCountry(input.country_of_origin)) {
    errors.push({ pointer: '/country_of_origin', detail: 'not an ISO 3166-1 alpha-2 country code' });
  }
  if (input.customs_value && !isCurrency(input.customs_value.currency)) {
    errors.push({ pointer: '/customs_value/currency', detail: 'not an ISO 4217 currency code' });
  }
  return errors;
}

export function addressFieldErrors(address: { country: string; postal_code: string }, at: string): FieldError[] {
  return isCountry(address.country) ? [] : [{ pointer: `${at}/country`, detail: 'not an ISO 3166-1 alpha-2 country code' }];
}
