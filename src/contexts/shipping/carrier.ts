import type { Result } from '../../kernel/result.js';

/**
 * The carrier adapter interface. Every carrier (the built-in table-rate carrier, EasyPost, later others)
 * implements it; the pack and ship services only ever see this interface.
 *
 * Rules every adapter follows:
 * - Expected outcomes (timeouts, refusals, bad addresses) are returned as a `CarrierFailure`, never thrown.
 *   A throw is a bug.
 * - Every call carries an idempotency key. For a label it is the parcel's id (or `parcelId:attempt` after a
 *   void): one key buys at most one label, also when called twice at the same time, and a retry after a
 *   timeout returns the label that was bought instead of buying another, where the carrier makes that
 *   observable. The durable guard is still the caller's intent record (ARCHITECTURE.md section 2).
 * - A label is an outside effect; its compensating undo is `voidLabel`.
 * - Units: millimetres, grams, integer minor units of an ISO 4217 currency, dates as `YYYY-MM-DD`.
 */

export const carrierCapabilities = ['rate', 'label', 'void', 'track', 'manifest'] as const;
export type CarrierCapability = (typeof carrierCapabilities)[number];

/** Money as an integer count of the currency's minor units (cents for USD), never a float. */
export interface Money {
  readonly amountMinor: number;
  /** ISO 4217 code, for example `USD`. */
  readonly currency: string;
}

export interface ShippingAddress {
  readonly name: string;
  readonly company?: string | undefined;
  readonly line1: string;
  readonly line2?: string | undefined;
  readonly city: string;
  /** State or province code where the country has them (`CA`, `NY`). */
  readonly region?: string | undefined;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  /** A residential delivery can cost a surcharge. Unknown counts as commercial. */
  readonly residential?: boolean | undefined;
}

/** A packed parcel: outer dimensions in millimetres, gross weight in grams, all positive integers. */
export interface ParcelSpec {
  readonly lengthMm: number;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly weightG: number;
}

export interface RateRequest {
  /** The parcel's id. Rating has no outside effect; the key only ties carrier-side objects to the parcel. */
  readonly idempotencyKey: string;
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  readonly parcel: ParcelSpec;
  /** The day the parcel is handed to the carrier, `YYYY-MM-DD`. */
  readonly shipDate: string;
  /** Only quote these service codes; all when absent. */
  readonly serviceCodes?: readonly string[] | undefined;
}

export type ChargeKind = 'base' | 'fuel' | 'residential' | 'other';

export interface Charge {
  readonly kind: ChargeKind;
  readonly amountMinor: number;
}

/** One price for one service. Record the quotes you compared next to the one you bought. */
export interface RateQuote {
  /** The adapter that produced the quote (`table-rate`, `easypost`). */
  readonly carrierId: string;
  /** The carrier that moves the parcel (`Fulfill Table Rate`, `USPS`, `UPS`). */
  readonly carrierName: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly amount: Money;
  /** Business days in transit, when the carrier states them. */
  readonly transitDays: number | null;
  /** Opaque reference the adapter needs to buy exactly this quote; pass the quote back to `buyLabel`. */
  readonly quoteRef: string;
  readonly billableWeightG?: number | undefined;
  readonly zone?: string | undefined;
  /** How the amount adds up, when the adapter knows (the table-rate carrier always does). */
  readonly charges?: readonly Charge[] | undefined;
}

/** A parcel about to be labelled: its spec plus identity, SSCC and place in the shipment. */
export interface LabelParcel extends ParcelSpec {
  readonly id: string;
  /** The parcel's SSCC-18 (18 digits, correct check digit); see `buildSscc`. */
  readonly sscc: string;
  /** 1-based position in the shipment, printed as "parcel n of m". */
  readonly sequence: number;
  readonly count: number;
}

export type LabelFormat = 'pdf' | 'zpl' | 'png';

export interface LabelRequest {
  /** The parcel's id; after a void, a new key such as `parcelId:2`. */
  readonly idempotencyKey: string;
  /** The quote chosen by rate shopping, exactly as `rate` returned it. */
  readonly quote: RateQuote;
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  readonly parcel: LabelParcel;
  readonly shipDate: string;
  /** The location handing the parcel over; manifests are per location and day. */
  readonly locationId: string;
  /** Printed on the label, for example the order number. */
  readonly reference?: string | undefined;
  /** Files wanted; adapters that cannot produce a format leave it out. Default `['pdf', 'zpl']`. */
  readonly formats?: readonly LabelFormat[] | undefined;
}

export type LabelFile =
  | { readonly format: LabelFormat; readonly contentType: string; readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly format: LabelFormat; readonly contentType: string; readonly kind: 'url'; readonly url: string };

export interface Label {
  readonly carrierId: string;
  readonly carrierName: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly idempotencyKey: string;
  readonly parcelId: string;
  /** The carrier's id of the purchase; `voidLabel` needs it (EasyPost: the shipment id). */
  readonly labelRef: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string | undefined;
  readonly amount: Money;
  readonly sscc: string;
  readonly locationId: string;
  readonly shipDate: string;
  readonly createdAt: string;
  readonly files: readonly LabelFile[];
  /** True when this call returned a label bought by an earlier call with the same key. */
  readonly replayed: boolean;
}

export interface VoidRequest {
  /** The key the label was bought with. */
  readonly idempotencyKey: string;
  readonly labelRef: string;
  readonly trackingNumber: string;
}

export interface VoidResult {
  readonly labelRef: string;
  readonly trackingNumber: string;
  /** `void_pending`: the carrier accepted the refund request and settles it later. */
  readonly status: 'voided' | 'void_pending';
}

export const trackingStatuses = [
  'unknown',
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'available_for_pickup',
  'return_to_sender',
  'failure',
  'cancelled',
  'error',
] as const;
export type TrackingStatus = (typeof trackingStatuses)[number];

export interface TrackRequest {
  readonly idempotencyKey: string;
  readonly trackingNumber: string;
  /** The carrier that moves the parcel (`USPS`), as in `RateQuote.carrierName`, when the adapter needs it. */
  readonly carrierName?: string | undefined;
}

export interface TrackingEvent {
  readonly at: string;
  readonly status: TrackingStatus;
  readonly message: string;
  readonly location?: string | undefined;
}

export interface TrackingInfo {
  readonly trackingNumber: string;
  readonly carrierName: string;
  readonly status: TrackingStatus;
  readonly estimatedDelivery: string | null;
  readonly events: readonly TrackingEvent[];
  readonly trackerRef?: string | undefined;
  readonly publicUrl?: string | undefined;
}

export interface ManifestRequest {
  /** Same key, same manifest: for example `manifest:WH1:2026-03-02`. */
  readonly idempotencyKey: string;
  readonly locationId: string;
  readonly shipDate: string;
  /**
   * Only these labels (their `labelRef`s, whatever day they were bought) are handed over; without it, every
   * label of the location and ship date that is on no manifest yet.
   */
  readonly labelRefs?: readonly string[] | undefined;
}

export interface ManifestEntry {
  readonly parcelId: string;
  readonly trackingNumber: string;
  readonly sscc: string;
  readonly serviceCode: string;
  readonly weightG: number;
  readonly amount: Money;
}

/** The end-of-day list of every parcel handed to the carrier at one location. */
export interface Manifest {
  readonly id: string;
  readonly carrierId: string;
  readonly carrierName: string;
  readonly locationId: string;
  readonly shipDate: string;
  readonly createdAt: string;
  readonly entries: readonly ManifestEntry[];
  readonly totalWeightG: number;
  readonly totalAmount: Money | null;
}

export const carrierFailureCodes = [
  'carrier_unavailable',
  'carrier_timeout',
  'carrier_rate_limited',
  'carrier_credentials_rejected',
  'rate_failed',
  'label_failed',
  'label_voided',
  'void_failed',
  'track_failed',
  'manifest_failed',
  'address_invalid',
  'parcel_invalid',
  'service_unavailable',
  'quote_invalid',
  'idempotency_conflict',
  'not_supported',
] as const;
export type CarrierFailureCode = (typeof carrierFailureCodes)[number];

export interface CarrierFieldError {
  /** Which input field: `to.postalCode`, `parcel.weightG`, or the carrier's own field name. */
  readonly field: string;
  readonly message: string;
}

export interface CarrierFailure {
  readonly code: CarrierFailureCode;
  readonly detail: string;
  /**
   * True when repeating the same call with the same idempotency key is safe and may succeed: the order
   * stays in a state that can be retried. A purchase that timed out is retryable: the retry finds the
   * label if the carrier did buy it.
   */
  readonly retryable: boolean;
  readonly carrierId: string;
  /** The carrier's own error code, for support tickets (`SHIPMENT.POSTAGE.FAILURE`). */
  readonly carrierCode?: string | undefined;
  readonly fieldErrors?: readonly CarrierFieldError[] | undefined;
}

export type CarrierResult<T> = Result<T, CarrierFailure>;

export interface CarrierAdapter {
  readonly id: string;
  readonly name: string;
  readonly capabilities: ReadonlySet<CarrierCapability>;
  /** Quotes for one parcel, cheapest first. An empty list is a `service_unavailable` failure instead. */
  rate(request: RateRequest): Promise<CarrierResult<readonly RateQuote[]>>;
  buyLabel(request: LabelRequest): Promise<CarrierResult<Label>>;
  /** The compensating undo of `buyLabel`. Voiding a voided label succeeds again. */
  voidLabel(request: VoidRequest): Promise<CarrierResult<VoidResult>>;
  track(request: TrackRequest): Promise<CarrierResult<TrackingInfo>>;
  manifest(request: ManifestRequest): Promise<CarrierResult<Manifest>>;
}

/**
 * The HTTP status a problem response should carry for each failure. The problem codes themselves belong
 * to the HTTP layer's catalog; this is the suggested mapping.
 */
export const carrierFailureHttpStatus: Readonly<Record<CarrierFailureCode, number>> = {
  carrier_unavailable: 503,
  carrier_timeout: 504,
  carrier_rate_limited: 503,
  carrier_credentials_rejected: 502,
  rate_failed: 502,
  label_failed: 502,
  label_voided: 409,
  void_failed: 409,
  track_failed: 502,
  manifest_failed: 502,
  address_invalid: 422,
  parcel_invalid: 422,
  service_unavailable: 422,
  quote_invalid: 409,
  idempotency_conflict: 409,
  not_supported: 422,
};

export interface CarrierFailureOptions {
  readonly retryable?: boolean | undefined;
  readonly carrierCode?: string | undefined;
  readonly fieldErrors?: readonly CarrierFieldError[] | undefined;
}

/** Failures that are retryable unless said otherwise: the carrier was not reached or did not answer. */
const retryableByDefault: ReadonlySet<CarrierFailureCode> = new Set(['carrier_unavailable', 'carrier_timeout', 'carrier_rate_limited']);

export function carrierFailure(
  carrierId: string,
  code: CarrierFailureCode,
  detail: string,
  options: CarrierFailureOptions = {},
): { readonly ok: false; readonly error: CarrierFailure } {
  const error: CarrierFailure = {
    code,
    detail,
    carrierId,
    retryable: options.retryable ?? retryableByDefault.has(code),
    ...(options.carrierCode === undefined ? {} : { carrierCode: options.carrierCode }),
    ...(options.fieldErrors === undefined ? {} : { fieldErrors: options.fieldErrors }),
  };
  return { ok: false, error };
}

/** What a caller that joined a purchase already running for its key receives: the same label, marked replayed. */
export const asReplay = (result: CarrierResult<Label>): CarrierResult<Label> =>
  result.ok ? { ok: true, value: { ...result.value, replayed: true } } : result;

export const notSupported = (carrierId: string, capability: CarrierCapability) =>
  carrierFailure(carrierId, 'not_supported', `carrier ${carrierId} does not support ${capability}`);
