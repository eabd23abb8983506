import { type Clock, systemClock } from '../../../kernel/clock.js';
import { ok } from '../../../kernel/result.js';
import {
  type CarrierAdapter,
  type CarrierCapability,
  type CarrierResult,
  carrierFailure,
  type Label,
  type LabelRequest,
  type Manifest,
  notSupported,
  type RateQuote,
  type RateRequest,
  type TrackingInfo,
  type TrackRequest,
  type VoidRequest,
  type VoidResult,
} from '../carrier.js';
import { shippingLimits } from '../limits.js';
import { invalidRequest, keyErrors, rateRequestErrors } from '../validate-request.js';
import { EasyPostHttp } from './http.js';
import { EasyPostLabels } from './labels.js';
import { failureOf, rateToQuote, toEpAddress, toEpParcel, trackerToInfo, unexpectedBody } from './mapping.js';
import { readShipment, readTracker } from './wire.js';

/**
 * The EasyPost adapter (REST API v2). Rating creates a Shipment (`POST /v2/shipments`, its `reference` is
 * the idempotency key) whose rates become quotes; buying posts the chosen rate (`POST /v2/shipments/:id/buy`);
 * voiding asks for a refund (`POST /v2/shipments/:id/refund`); tracking creates a Tracker (`POST /v2/trackers`,
 * deduplicated by EasyPost on tracking code and carrier). EasyPost scan forms are not wired: no manifest.
 *
 * Only calls that cannot cause a second effect are retried: reads, rating (an unbought shipment costs
 * nothing) and trackers. See `EasyPostLabels` for how a label is never bought twice.
 */

export interface EasyPostCarrierOptions {
  readonly apiKey: string;
  /** Default `https://api.easypost.com`. */
  readonly baseUrl?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retriesMax?: number | undefined;
  readonly retryBackoffMs?: number | undefined;
  /** Label format asked for when the shipment is created. Default PDF. */
  readonly labelFormat?: 'PDF' | 'ZPL' | 'PNG' | undefined;
  /** Restrict rating to these EasyPost carrier accounts (`ca_…`). */
  readonly carrierAccountIds?: readonly string[] | undefined;
  readonly clock?: Clock | undefined;
  /** Adapter id, default `easypost`; set it to run two EasyPost accounts side by side. */
  readonly id?: string | undefined;
}

export const easyPostBaseUrl = 'https://api.easypost.com';

export class EasyPostCarrier implements CarrierAdapter {
  readonly id: string;
  readonly name = 'EasyPost';
  readonly capabilities: ReadonlySet<CarrierCapability> = new Set<CarrierCapability>(['rate', 'label', 'void', 'track']);
  readonly #http: EasyPostHttp;
  readonly #labels: EasyPostLabels;
  readonly #options: EasyPostCarrierOptions;

  constructor(options: EasyPostCarrierOptions) {
    this.id = options.id ?? 'easypost';
    this.#options = options;
    this.#http = new EasyPostHttp({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? easyPostBaseUrl,
      timeoutMs: options.timeoutMs ?? shippingLimits.carrierTimeoutMsDefault,
      retriesMax: options.retriesMax ?? shippingLimits.carrierRetriesMax,
      retryBackoffMs: options.retryBackoffMs ?? shippingLimits.carrierRetryBackoffMsDefault,
    });
    this.#labels = new EasyPostLabels(this.id, this.#http, options.clock ?? systemClock);
  }

  async rate(request: RateRequest): Promise<CarrierResult<readonly RateQuote[]>> {
    const errors = rateRequestErrors(request);
    if (errors.length > 0) return invalidRequest(this.id, errors);
    const shipment = {
      reference: request.idempotencyKey,
      to_address: toEpAddress(request.to),
      from_address: toEpAddress(request.from),
      parcel: toEpParcel(request.parcel),
      options: { label_format: this.#options.labelFormat ?? 'PDF', label_size: '4x6' },
      ...(this.#options.carrierAccountIds === undefined ? {} : { carrier_accounts: this.#options.carrierAccountIds }),
    };
    const outcome = await this.#http.request({ method: 'POST', path: '/v2/shipments', body: { shipment }, retry: true });
    if (outcome.kind !== 'ok') return { ok: false, error: failureOf(this.id, 'rate', outcome) };
    const created = readShipment(outcome.body);
    if (created === undefined) return { ok: false, error: unexpectedBody(this.id, 'rate', 'Shipment') };
    const wanted = request.serviceCodes === undefined ? undefined : new Set(request.serviceCodes);
    const quotes = created.rates
      .map((rate) => rateToQuote(this.id, created.id, rate))
      .filter((quote): quote is RateQuote => quote !== undefined && (wanted === undefined || wanted.has(quote.serviceCode)))
      .sort((a, b) => a.amount.amountMinor - b.amount.amountMinor || a.serviceCode.localeCompare(b.serviceCode))
      .slice(0, shippingLimits.quotesMax);
    if (quotes.length > 0) return ok(quotes);
    const messages = created.messages.map((m) => `${m.carrier}: ${m.message}`).join('; ');
    return messages === ''
      ? carrierFailure(this.id, 'service_unavailable', 'EasyPost returned no rates for this parcel', { retryable: false })
      : carrierFailure(this.id, 'rate_failed', `EasyPost returned no rates: ${messages}`, { retryable: false });
  }

  buyLabel(request: LabelRequest): Promise<CarrierResult<Label>> {
    return this.#labels.buy(request);
  }

  voidLabel(request: VoidRequest): Promise<CarrierResult<VoidResult>> {
    return this.#labels.void(request);
  }

  async track(request: TrackRequest): Promise<CarrierResult<TrackingInfo>> {
    const errors = keyErrors(request.idempotencyKey);
    if (!/^[A-Za-z0-9-]{1,40}$/.test(request.trackingNumber))
      errors.push({ field: 'trackingNumber', message: 'letters, digits and dashes' });
    if (errors.length > 0) return invalidRequest(this.id, errors);
    const tracker = {
      tracking_code: request.trackingNumber,
      ...(request.carrierName === undefined ? {} : { carrier: request.carrierName }),
    };
    const outcome = await this.#http.request({ method: 'POST', path: '/v2/trackers', body: { tracker }, retry: true });
    if (outcome.kind !== 'ok') return { ok: false, error: failureOf(this.id, 'track', outcome) };
    const read = readTracker(outcome.body);
    return read === undefined ? { ok: false, error: unexpectedBody(this.id, 'track', 'Tracker') } : ok(trackerToInfo(read));
  }

  async manifest(): Promise<CarrierResult<Manifest>> {
    return notSupported(this.id, 'manifest');
  }
}

export const createEasyPostCarrier = (options: EasyPostCarrierOptions): EasyPostCarrier => new EasyPostCarrier(options);
