import { amountMinorMax, currency } from '../../kernel/money.js';
import type { Money } from './carrier.js';

/**
 * Conversions between integer minor units and the decimal strings carriers speak ("7.33"). Strings
 * are split, never parsed as floats, so 0.1 + 0.2 never happens to a price.
 */

/** Minor-unit digits of an ISO 4217 currency, or undefined for an unknown code. */
export const minorDigits = (code: string): number | undefined => currency(code)?.minorUnits;

/**
 * "7.33" in USD is 733. More decimals than the currency has are rounded half up ("7.4700" is 747,
 * "7.335" is 734). Returns undefined for anything that is not a plain non-negative decimal.
 */
export function decimalToMinor(text: string, currencyCode: string): number | undefined {
  const digits = minorDigits(currencyCode);
  const match = /^(\d{1,15})(?:\.(\d{1,10}))?$/.exec(text.trim());
  if (digits === undefined || match === null) return undefined;
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(digits + 1, '0');
  const kept = Number(whole) * 10 ** digits + Number(fraction.slice(0, digits) || '0');
  const roundUp = Number(fraction[digits] ?? '0') >= 5 ? 1 : 0;
  const amount = kept + roundUp;
  return Number.isSafeInteger(amount) && amount <= amountMinorMax ? amount : undefined;
}

/** 733 USD is "7.33"; 500 JPY is "500". */
export function minorToDecimal(amountMinor: number, currencyCode: string): string {
  const digits = minorDigits(currencyCode) ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const text = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export const formatMoney = (money: Money): string => `${minorToDecimal(money.amountMinor, money.currency)} ${money.currency}`;
