import type { Result } from '../../../kernel/result.js';

/**
 * SSCC-18, the Serial Shipping Container Code that identifies one parcel in GS1 systems. Layout:
 *
 *   extension digit (1) + GS1 company prefix (7 to 10 digits) + serial reference (fills up to 17) + check digit
 *
 * It is printed as GS1-128 with application identifier (00). The barcode itself comes from bwip-js;
 * this file only does the arithmetic.
 */

export const ssccLength = 18;
export const gs1CompanyPrefixLengthMin = 7;
export const gs1CompanyPrefixLengthMax = 10;

/**
 * The GS1 modulo-10 check digit of a string of digits (the check digit itself not included): weights
 * 3 and 1 alternate from the rightmost digit, the check digit brings the sum up to a multiple of ten.
 * The same rule serves GTIN-8/12/13/14, SSCC-18 and GLN.
 */
export function gs1Mod10CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i += 1) {
    const digit = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - i) - 48;
    if (digit < 0 || digit > 9) throw new RangeError(`not a digit string: ${digitsWithoutCheck}`);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True for 18 digits whose last digit is the GS1 check digit of the first 17. */
export function isValidSscc(sscc: string): boolean {
  return /^\d{18}$/.test(sscc) && gs1Mod10CheckDigit(sscc.slice(0, 17)) === Number(sscc[17]);
}

export interface SsccParts {
  /** 0 to 9, chosen freely by the company (often to partition serial ranges between sites). */
  readonly extensionDigit: number;
  /** The GS1 company prefix, 7 to 10 digits, as licensed by a GS1 member organisation. */
  readonly companyPrefix: string;
  /** A serial number unique for the company; it is left-padded with zeros to fill the code. */
  readonly serialReference: number | bigint | string;
}

export interface SsccError {
  readonly field: 'extensionDigit' | 'companyPrefix' | 'serialReference';
  readonly message: string;
}

/** Builds an SSCC-18 from its parts, computing the check digit. */
export function buildSscc(parts: SsccParts): Result<string, SsccError> {
  const { extensionDigit, companyPrefix } = parts;
  if (!Number.isInteger(extensionDigit) || extensionDigit < 0 || extensionDigit > 9) {
    return { ok: false, error: { field: 'extensionDigit', message: 'must be a digit 0 to 9' } };
  }
  if (
    !/^\d+$/.test(companyPrefix) ||
    companyPrefix.length < gs1CompanyPrefixLengthMin ||
    companyPrefix.length > gs1CompanyPrefixLengthMax
  ) {
    return {
      ok: false,
      error: { field: 'companyPrefix', message: `must be ${gs1CompanyPrefixLengthMin} to ${gs1CompanyPrefixLengthMax} digits` },
    };
  }
  const serialDigits = 16 - companyPrefix.length;
  const serial = String(parts.serialReference);
  if (!/^\d+$/.test(serial) || serial.length > serialDigits) {
    return { ok: false, error: { field: 'serialReference', message: `must be a whole number of at most ${serialDigits} digits` } };
  }
  const body = `${extensionDigit}${companyPrefix}${serial.padStart(serialDigits, '0')}`;
  return { ok: true, value: `${body}${gs1Mod10CheckDigit(body)}` };
}

/** The human-readable text under the barcode: `(00) 0 0614141 123456789 4` for a 7-digit company prefix. */
export function formatSscc(sscc: string, companyPrefixLength = gs1CompanyPrefixLengthMin): string {
  const serialEnd = 17;
  return `(00) ${sscc[0]} ${sscc.slice(1, 1 + companyPrefixLength)} ${sscc.slice(1 + companyPrefixLength, serialEnd)} ${sscc[serialEnd]}`;
}
