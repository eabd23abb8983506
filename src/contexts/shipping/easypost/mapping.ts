import {
  type CarrierFailure,
  type CarrierFailureCode,
  carrierFailure,
  type LabelFile,
  type LabelFormat,
  type ParcelSpec,
  type RateQuote,
  type ShippingAddress,
  type TrackingInfo,
  type TrackingStatus,
  trackingStatuses,
} from '../carrier.js';
import { labelContentTypes } from '../labels/label-files.js';
import { decimalToMinor } from '../money.js';
import type { HttpOutcome } from './http.js';
import type { EpAddressInput, EpParcelInput, EpPostageLabel, EpRate, EpShipment, EpTracker } from './wire.js';

/** Conversions between our types (millimetres, grams, minor units) and EasyPost's (inches, ounces, decimals). */

const millimetresPerInch = 25.4;
const gramsPerOunce = 28.349523125;

/** Up to one decimal, rounded up: a parcel is never declared smaller or lighter than it is. */
const upToTenth = (value: number): number => Math.ceil(value * 10 - 1e-9) / 10;

export const toEpParcel = (parcel: ParcelSpec): EpParcelInput => ({
  length: upToTenth(parcel.lengthMm / millimetresPerInch),
  width: upToTenth(parcel.widthMm / millimetresPerInch),
  height: upToTenth(parcel.heightMm / millimetresPerInch),
  weight: upToTenth(parcel.weightG / gramsPerOunce),
});

export const toEpAddress = (address: ShippingAddress): EpAddressInput => ({
  name: address.name,
  company: address.company,
  street1: address.line1,
  street2: address.line2,
  city: address.city,
  state: address.region,
  zip: address.postalCode,
  country: address.country,
  phone: address.phone,
  email: address.email,
  residential: address.residential,
});

/** `shp_…/rate_…`: the shipment that was rated and the rate to buy on it. */
export const quoteRefOf = (shipmentId: string, rateId: string): string => `${shipmentId}/${rateId}`;

export function parseQuoteRef(ref: string): { readonly shipmentId: string; readonly rateId: string } | undefined {
  const match = /^(shp_[A-Za-z0-9]{1,64})\/(rate_[A-Za-z0-9]{1,64})$/.exec(ref);
  return match?.[1] === undefined || match[2] === undefined ? undefined : { shipmentId: match[1], rateId: match[2] };
}

export const serviceCodeOf = (rate: EpRate): string => `${rate.carrier}:${rate.service}`;

export function rateToQuote(carrierId: string, shipmentId: string, rate: EpRate): RateQuote | undefined {
  const amountMinor = decimalToMinor(rate.rate, rate.currency);
  if (amountMinor === undefined) return undefined;
  return {
    carrierId,
    carrierName: rate.carrier,
    serviceCode: serviceCodeOf(rate),
    serviceName: rate.service,
    amount: { amountMinor, currency: rate.currency },
    transitDays: rate.delivery_days,
    quoteRef: quoteRefOf(shipmentId, rate.id),
  };
}

const fileTypeFormats: Readonly<Record<string, LabelFormat>> = { 'image/png': 'png', 'application/pdf': 'pdf', 'application/zpl': 'zpl' };

/** The label files EasyPost offers, as URLs (its file host serves them without the API key). */
export function labelFilesOf(label: EpPostageLabel, wanted: readonly LabelFormat[]): LabelFile[] {
  const urls = new Map<LabelFormat, string>();
  if (label.label_pdf_url !== null) urls.set('pdf', label.label_pdf_url);
  if (label.label_zpl_url !== null) urls.set('zpl', label.label_zpl_url);
  const mainFormat = fileTypeFormats[label.label_file_type ?? 'image/png'];
  if (label.label_url !== null && mainFormat !== undefined && !urls.has(mainFormat)) urls.set(mainFormat, label.label_url);
  const all = [...urls].map(([format, url]): LabelFile => ({ format, contentType: labelContentTypes[format], kind: 'url', url }));
  const chosen = all.filter((file) => wanted.includes(file.format));
  return chosen.length > 0 ? chosen : all;
}

const knownStatuses: ReadonlySet<string> = new Set(trackingStatuses);
const toStatus = (status: string): TrackingStatus => (knownStatuses.has(status) ? (status as TrackingStatus) : 'unknown');

export function trackerToInfo(tracker: EpTracker): TrackingInfo {
  return {
    trackingNumber: tracker.tracking_code,
    carrierName: tracker.carrier,
    status: toStatus(tracker.status),
    estimatedDelivery: tracker.est_delivery_date,
    events: tracker.tracking_details.map((d) => ({ at: d.datetime, status: toStatus(d.status), message: d.message, location: d.location })),
    trackerRef: tracker.id,
    publicUrl: tracker.public_url ?? undefined,
  };
}

export type Operation = 'rate' | 'label' | 'void' | 'track';

const operationFailure: Readonly<Record<Operation, CarrierFailureCode>> = {
  rate: 'rate_failed',
  label: 'label_failed',
  void: 'void_failed',
  track: 'track_failed',
};

function apiErrorFailure(carrierId: string, operation: Operation, outcome: Extract<HttpOutcome, { kind: 'api_error' }>): CarrierFailure {
  const code = outcome.error?.code ?? `HTTP_${outcome.status}`;
  const message = outcome.error?.message || `HTTP ${outcome.status}`;
  const fieldErrors = outcome.error?.errors.map((e) => ({ field: e.field, message: e.message }));
  const options = { carrierCode: code, fieldErrors };
  const detail = `EasyPost ${code}: ${message}`;
  if (outcome.status === 401 || outcome.status === 403)
    return carrierFailure(carrierId, 'carrier_credentials_rejected', detail, { ...options, retryable: false }).error;
  if (outcome.status === 429) return carrierFailure(carrierId, 'carrier_rate_limited', detail, options).error;
  if (outcome.status >= 500) return carrierFailure(carrierId, 'carrier_unavailable', detail, options).error;
  if (code.startsWith('ADDRESS.')) return carrierFailure(carrierId, 'address_invalid', detail, { ...options, retryable: false }).error;
  if (code.startsWith('PARCEL.')) return carrierFailure(carrierId, 'parcel_invalid', detail, { ...options, retryable: false }).error;
  return carrierFailure(carrierId, operationFailure[operation], detail, { ...options, retryable: false }).error;
}

/**
 * The failure for an outcome that is not a success. `ambiguous` marks calls whose effect may have happened
 * although no answer arrived (a purchase, a refund): the failure says how to retry safely.
 */
export function failureOf(
  carrierId: string,
  operation: Operation,
  outcome: Exclude<HttpOutcome, { kind: 'ok' }>,
  ambiguous = false,
): CarrierFailure {
  const retryHint = ambiguous ? '; it may have happened: retry with the same key, the adapter looks it up before acting again' : '';
  switch (outcome.kind) {
    case 'timeout':
      return carrierFailure(carrierId, 'carrier_timeout', `EasyPost did not answer in time${retryHint}`).error;
    case 'network':
      return carrierFailure(carrierId, 'carrier_unavailable', `EasyPost unreachable: ${outcome.detail}${retryHint}`).error;
    case 'redirect':
      return carrierFailure(carrierId, 'carrier_unavailable', `EasyPost answered with redirect ${outcome.status}, which is refused`, {
        retryable: false,
      }).error;
    case 'bad_response':
      return carrierFailure(
        carrierId,
        operationFailure[operation],
        `EasyPost answered ${outcome.status} with an unreadable body (${outcome.detail})${retryHint}`,
        {
          retryable: ambiguous,
        },
      ).error;
    case 'api_error': {
      const failure = apiErrorFailure(carrierId, operation, outcome);
      return failure.retryable && ambiguous ? { ...failure, detail: `${failure.detail}${retryHint}` } : failure;
    }
  }
}

/** A success whose body is not the documented object: the outcome is unknown, like a timeout. */
export const unexpectedBody = (carrierId: string, operation: Operation, what: string, ambiguous = false): CarrierFailure =>
  carrierFailure(carrierId, operationFailure[operation], `EasyPost answered without a valid ${what}`, { retryable: ambiguous }).error;

export const isVoided = (shipment: EpShipment): boolean => shipment.refund_status === 'submitted' || shipment.refund_status === 'refunded';
