import type { Clock } from '../../../kernel/clock.js';
import { ok } from '../../../kernel/result.js';
import {
  asReplay,
  type CarrierResult,
  carrierFailure,
  type Label,
  type LabelRequest,
  type VoidRequest,
  type VoidResult,
} from '../carrier.js';
import { localLabelFormats } from '../labels/label-files.js';
import { shippingLimits } from '../limits.js';
import { decimalToMinor } from '../money.js';
import { SingleFlight } from '../single-flight.js';
import { invalidRequest, keyErrors, labelRequestErrors } from '../validate-request.js';
import type { EasyPostHttp } from './http.js';
import { failureOf, isVoided, labelFilesOf, parseQuoteRef, serviceCodeOf, unexpectedBody } from './mapping.js';
import { type EpShipment, readShipment } from './wire.js';

/**
 * Buying and voiding EasyPost labels so that one idempotency key never buys twice:
 *
 * 1. Calls with the same key that overlap share one execution (`SingleFlight`), and a finished purchase
 *    is remembered per process, so a second call returns it (`replayed: true`) without any HTTP call.
 * 2. A key is tied to the first quote (EasyPost shipment) it tried to buy: a later call with the same key
 *    and another quote is an `idempotency_conflict`, because the first purchase may have happened without
 *    an answer. Only a purchase EasyPost definitely refused frees the key for another quote.
 * 3. Before buying, the shipment is read: its `reference` must be the key (the quote was made for this
 *    parcel), and if it already has postage (an earlier attempt bought it and the answer was lost, or
 *    another process bought it) that label is returned instead of buying.
 * 4. EasyPost itself sells postage once per shipment: a concurrent buy from another process is refused
 *    with `SHIPMENT.POSTAGE.EXISTS`, and the adapter then returns the label that exists.
 * 5. The purchase itself is never retried automatically. A timeout or 5xx is a retryable failure: the
 *    caller retries with the same key and quote, and step 3 finds the label if the purchase happened.
 *
 * Steps 1 and 2 live in this process's memory; across processes and restarts the caller's durable intent
 * record (key and quote written before the call) must send the same quote again, and steps 3 and 4 hold.
 */

/** What this process knows about a key: the quote it is tied to and, once bought, the label. */
interface KeyState {
  readonly quoteRef: string;
  readonly label: Label | null;
  readonly voided: boolean;
}

export class EasyPostLabels {
  readonly #carrierId: string;
  readonly #http: EasyPostHttp;
  readonly #clock: Clock;
  readonly #inFlight = new SingleFlight<CarrierResult<Label>>();
  /** Keys by first use, oldest first, at most `labelReplayEntriesMax`. */
  readonly #keys = new Map<string, KeyState>();

  constructor(carrierId: string, http: EasyPostHttp, clock: Clock) {
    this.#carrierId = carrierId;
    this.#http = http;
    this.#clock = clock;
  }

  buy(request: LabelRequest): Promise<CarrierResult<Label>> {
    return this.#inFlight.run(request.idempotencyKey, () => this.#buyOnce(request), asReplay);
  }

  async #buyOnce(request: LabelRequest): Promise<CarrierResult<Label>> {
    const errors = labelRequestErrors(request);
    if (errors.length > 0) return invalidRequest(this.#carrierId, errors);
    const ref = parseQuoteRef(request.quote.quoteRef);
    if (request.quote.carrierId !== this.#carrierId || ref === undefined)
      return this.#fail('quote_invalid', 'the quote is not an EasyPost quote of this adapter');
    const known = this.#keys.get(request.idempotencyKey);
    if (known !== undefined) {
      const answer = this.#known(known, request);
      if (answer !== undefined) return answer;
    }
    const before = await this.#shipment(ref.shipmentId, 'label');
    if (!before.ok) return before;
    if (before.value.reference !== request.idempotencyKey)
      return this.#fail('quote_invalid', `shipment ${ref.shipmentId} was rated for another key`);
    if (before.value.postage_label !== null) return this.#existing(before.value, request, ref.rateId);
    this.#track(request.idempotencyKey, { quoteRef: request.quote.quoteRef, label: null, voided: false });
    const outcome = await this.#http.request({
      method: 'POST',
      path: `/v2/shipments/${ref.shipmentId}/buy`,
      body: { rate: { id: ref.rateId } },
      retry: false,
    });
    if (outcome.kind === 'api_error' && outcome.error?.code === 'SHIPMENT.POSTAGE.EXISTS') {
      const after = await this.#shipment(ref.shipmentId, 'label');
      return after.ok ? this.#existing(after.value, request, ref.rateId) : after;
    }
    if (outcome.kind !== 'ok') {
      const error = failureOf(this.#carrierId, 'label', outcome, true);
      if (!error.retryable) this.#keys.delete(request.idempotencyKey);
      return { ok: false, error };
    }
    const bought = readShipment(outcome.body);
    if (bought?.postage_label == null) return { ok: false, error: unexpectedBody(this.#carrierId, 'label', 'bought Shipment', true) };
    return this.#remember(bought, request, false);
  }

  /** The answer for a key this process used before, or undefined to go and look at EasyPost. */
  #known(state: KeyState, request: LabelRequest): CarrierResult<Label> | undefined {
    if (state.voided) return this.#fail('label_voided', `the label of key ${request.idempotencyKey} was voided; relabel with a new key`);
    if (state.quoteRef !== request.quote.quoteRef) {
      return this.#fail('idempotency_conflict', `key ${request.idempotencyKey} is tied to quote ${state.quoteRef}; retry with that quote`);
    }
    return state.label === null ? undefined : ok({ ...state.label, replayed: true });
  }

  #track(key: string, state: KeyState): void {
    this.#keys.delete(key);
    this.#keys.set(key, state);
    if (this.#keys.size > shippingLimits.labelReplayEntriesMax) {
      const oldest = this.#keys.keys().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
  }

  /** A shipment that has postage already: the label of this key, unless it was refunded. */
  #existing(shipment: EpShipment, request: LabelRequest, rateId: string): CarrierResult<Label> {
    if (isVoided(shipment))
      return this.#fail('label_voided', `the label of key ${request.idempotencyKey} was refunded; relabel with a new key`);
    if (shipment.selected_rate !== null && shipment.selected_rate.id !== rateId) {
      return this.#fail('idempotency_conflict', `shipment ${shipment.id} was bought with another rate`);
    }
    return this.#remember(shipment, request, true);
  }

  #remember(shipment: EpShipment, request: LabelRequest, replayed: boolean): CarrierResult<Label> {
    const label = this.#labelOf(shipment, request, replayed);
    if (label.ok) this.#track(request.idempotencyKey, { quoteRef: request.quote.quoteRef, label: label.value, voided: false });
    return label;
  }

  #labelOf(shipment: EpShipment, request: LabelRequest, replayed: boolean): CarrierResult<Label> {
    const rate = shipment.selected_rate;
    const postage = shipment.postage_label;
    const amountMinor = rate === null ? undefined : decimalToMinor(rate.rate, rate.currency);
    if (rate === null || postage === null || shipment.tracking_code === null || amountMinor === undefined) {
      return { ok: false, error: unexpectedBody(this.#carrierId, 'label', 'bought Shipment with rate, postage and tracking code', true) };
    }
    return ok({
      carrierId: this.#carrierId,
      carrierName: rate.carrier,
      serviceCode: serviceCodeOf(rate),
      serviceName: rate.service,
      idempotencyKey: request.idempotencyKey,
      parcelId: request.parcel.id,
      labelRef: shipment.id,
      trackingNumber: shipment.tracking_code,
      trackingUrl: shipment.tracker?.public_url ?? undefined,
      amount: { amountMinor, currency: rate.currency },
      sscc: request.parcel.sscc,
      locationId: request.locationId,
      shipDate: request.shipDate,
      createdAt: postage.label_date ?? this.#clock.now().toISOString(),
      files: labelFilesOf(postage, request.formats ?? localLabelFormats),
      replayed,
    });
  }

  async #shipment(shipmentId: string, operation: 'label' | 'void'): Promise<CarrierResult<EpShipment>> {
    const outcome = await this.#http.request({ method: 'GET', path: `/v2/shipments/${shipmentId}`, retry: true });
    if (outcome.kind !== 'ok') return { ok: false, error: failureOf(this.#carrierId, operation, outcome) };
    const shipment = readShipment(outcome.body);
    return shipment === undefined ? { ok: false, error: unexpectedBody(this.#carrierId, operation, 'Shipment', true) } : ok(shipment);
  }

  /**
   * Refunds the label (EasyPost's void). Reads the shipment first: it must belong to the key and carry the
   * tracking number; a refund already submitted or granted counts as done, so voiding twice is harmless.
   */
  async void(request: VoidRequest): Promise<CarrierResult<VoidResult>> {
    const errors = keyErrors(request.idempotencyKey);
    if (!/^shp_[A-Za-z0-9]{1,64}$/.test(request.labelRef)) errors.push({ field: 'labelRef', message: 'must be an EasyPost shipment id' });
    if (errors.length > 0) return invalidRequest(this.#carrierId, errors);
    const found = await this.#shipment(request.labelRef, 'void');
    if (!found.ok) return found;
    const shipment = found.value;
    if (
      shipment.reference !== request.idempotencyKey ||
      shipment.tracking_code !== request.trackingNumber ||
      shipment.postage_label === null
    ) {
      return this.#fail(
        'void_failed',
        `shipment ${request.labelRef} has no label ${request.trackingNumber} for key ${request.idempotencyKey}`,
      );
    }
    const done = this.#voided(shipment);
    if (done !== undefined) return ok(done);
    const outcome = await this.#http.request({ method: 'POST', path: `/v2/shipments/${request.labelRef}/refund`, retry: false });
    if (outcome.kind !== 'ok') return { ok: false, error: failureOf(this.#carrierId, 'void', outcome, true) };
    const refunded = readShipment(outcome.body);
    if (refunded === undefined) return { ok: false, error: unexpectedBody(this.#carrierId, 'void', 'Shipment', true) };
    const result = this.#voided(refunded);
    if (result !== undefined) return ok(result);
    const status = refunded.refund_status ?? 'none';
    return this.#fail('void_failed', `EasyPost refund status ${status}`, status === 'rejected');
  }

  #voided(shipment: EpShipment): VoidResult | undefined {
    if (!isVoided(shipment) || shipment.tracking_code === null) return undefined;
    const known = shipment.reference === null ? undefined : this.#keys.get(shipment.reference);
    if (known !== undefined && shipment.reference !== null) this.#keys.set(shipment.reference, { ...known, voided: true });
    const status = shipment.refund_status === 'refunded' ? 'voided' : 'void_pending';
    return { labelRef: shipment.id, trackingNumber: shipment.tracking_code, status };
  }

  #fail(code: 'quote_invalid' | 'label_voided' | 'idempotency_conflict' | 'void_failed', detail: string, retryable = false) {
    return carrierFailure(this.#carrierId, code, detail, { retryable });
  }
}
