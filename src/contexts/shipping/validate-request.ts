import { isCountry } from '../../kernel/countries.js';
import { isIsoDate } from './business-days.js';
import {
  type CarrierFailure,
  type CarrierFieldError,
  carrierFailure,
  type LabelRequest,
  type ParcelSpec,
  type RateRequest,
  type ShippingAddress,
} from './carrier.js';
import { isValidSscc } from './labels/sscc.js';
import { shippingLimits } from './limits.js';

/**
 * Checks a request before any carrier sees it, so a bad address or an impossible parcel is a clear
 * `address_invalid` / `parcel_invalid` failure with field paths instead of a carrier's cryptic refusal.
 * Returns the field errors; empty means valid.
 */

const textOk = (value: string | undefined, max: number): boolean =>
  value === undefined || (value.length <= max && !value.includes('\u0000'));

function addressErrors(address: ShippingAddress, at: string): CarrierFieldError[] {
  const errors: CarrierFieldError[] = [];
  const max = shippingLimits.addressFieldLengthMax;
  for (const field of ['name', 'line1', 'city'] as const) {
    if (address[field].trim() === '') errors.push({ field: `${at}.${field}`, message: 'must not be empty' });
  }
  for (const field of ['name', 'company', 'line1', 'line2', 'city', 'region', 'phone', 'email'] as const) {
    if (!textOk(address[field], max)) errors.push({ field: `${at}.${field}`, message: `must be at most ${max} characters, without NUL` });
  }
  const postal = address.postalCode.trim();
  if (postal === '' || postal.length > shippingLimits.postalCodeLengthMax || !/^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(postal)) {
    errors.push({ field: `${at}.postalCode`, message: 'must be letters, digits, spaces or dashes' });
  }
  if (!isCountry(address.country)) errors.push({ field: `${at}.country`, message: 'must be an ISO 3166-1 alpha-2 code' });
  return errors;
}

function parcelErrors(parcel: ParcelSpec, at: string): CarrierFieldError[] {
  const errors: CarrierFieldError[] = [];
  for (const field of ['lengthMm', 'widthMm', 'heightMm'] as const) {
    const value = parcel[field];
    if (!Number.isInteger(value) || value < 1 || value > shippingLimits.parcelSideMmMax) {
      errors.push({
        field: `${at}.${field}`,
        message: `must be a whole number of millimetres from 1 to ${shippingLimits.parcelSideMmMax}`,
      });
    }
  }
  if (!Number.isInteger(parcel.weightG) || parcel.weightG < 1 || parcel.weightG > shippingLimits.parcelWeightGMax) {
    errors.push({ field: `${at}.weightG`, message: `must be a whole number of grams from 1 to ${shippingLimits.parcelWeightGMax}` });
  }
  return errors;
}

export function keyErrors(key: string): CarrierFieldError[] {
  const max = shippingLimits.idempotencyKeyLengthMax;
  return key.length >= 1 && key.length <= max && !key.includes('\u0000')
    ? []
    : [{ field: 'idempotencyKey', message: `must be 1 to ${max} characters` }];
}

function dateErrors(date: string, field: string): CarrierFieldError[] {
  return isIsoDate(date) ? [] : [{ field, message: 'must be a calendar date YYYY-MM-DD' }];
}

export function rateRequestErrors(request: RateRequest): CarrierFieldError[] {
  return [
    ...keyErrors(request.idempotencyKey),
    ...addressErrors(request.from, 'from'),
    ...addressErrors(request.to, 'to'),
    ...parcelErrors(request.parcel, 'parcel'),
    ...dateErrors(request.shipDate, 'shipDate'),
  ];
}

export function labelRequestErrors(request: LabelRequest): CarrierFieldError[] {
  const { parcel } = request;
  const errors: CarrierFieldError[] = [
    ...keyErrors(request.idempotencyKey),
    ...addressErrors(request.from, 'from'),
    ...addressErrors(request.to, 'to'),
    ...parcelErrors(parcel, 'parcel'),
    ...dateErrors(request.shipDate, 'shipDate'),
  ];
  if (parcel.id.trim() === '') errors.push({ field: 'parcel.id', message: 'must not be empty' });
  if (!isValidSscc(parcel.sscc)) errors.push({ field: 'parcel.sscc', message: 'must be 18 digits with a correct GS1 check digit' });
  if (!Number.isInteger(parcel.count) || parcel.count < 1 || parcel.count > 999) {
    errors.push({ field: 'parcel.count', message: 'must be a whole number from 1 to 999' });
  }
  if (!Number.isInteger(parcel.sequence) || parcel.sequence < 1 || parcel.sequence > parcel.count) {
    errors.push({ field: 'parcel.sequence', message: 'must be from 1 to parcel.count' });
  }
  if (request.locationId.trim() === '') errors.push({ field: 'locationId', message: 'must not be empty' });
  if (!textOk(request.reference, shippingLimits.addressFieldLengthMax)) errors.push({ field: 'reference', message: 'too long' });
  return errors;
}

const isAddressError = (error: CarrierFieldError): boolean => error.field.startsWith('from.') || error.field.startsWith('to.');

/** The failure for a request with field errors: `address_invalid` when an address is wrong, else `parcel_invalid`. */
export function invalidRequest(
  carrierId: string,
  errors: readonly CarrierFieldError[],
): { readonly ok: false; readonly error: CarrierFailure } {
  const first = errors[0];
  const code = errors.some(isAddressError) ? 'address_invalid' : 'parcel_invalid';
  const detail = first === undefined ? 'the request is not valid' : `${first.field}: ${first.message}`;
  return carrierFailure(carrierId, code, detail, { retryable: false, fieldErrors: errors });
}
