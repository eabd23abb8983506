import { assert } from '../../../kernel/assert.js';
import { type Clock, systemClock } from '../../../kernel/clock.js';
import { ok } from '../../../kernel/result.js';
import {
  asReplay,
  type CarrierAdapter,
  type CarrierCapability,
  type CarrierResult,
  carrierFailure,
  type Label,
  type LabelRequest,
  type Manifest,
  type ManifestRequest,
  notSupported,
  type RateQuote,
  type RateRequest,
  type TrackingInfo,
  type VoidRequest,
  type VoidResult,
} from '../carrier.js';
import { localLabelFormats, renderLabelFiles } from '../labels/label-files.js';
import { SingleFlight } from '../single-flight.js';
import { invalidRequest, keyErrors, labelRequestErrors, rateRequestErrors } from '../validate-request.js';
import { tableRateLabelInput } from './label-input.js';
import { buildManifest } from './manifest.js';
import type { RateSheet } from './rate-sheet.js';
import { createMemoryTableRateStore, type TableRateLabelRecord, type TableRateStore } from './store.js';
import { tableRateQuotes } from './table-rate-quotes.js';
import { cryptoRandomInt, newTrackingNumber, type RandomInt } from './tracking-number.js';

/**
 * The built-in carrier: prices from a rate sheet, tracking numbers and label files made locally, no
 * network. It supports rate, label, void and manifest; tracking needs a real carrier's scans.
 *
 * Idempotency: one key, one label. A second `buyLabel` with the same key (at once or later) returns the
 * first label with `replayed: true`; the store's insert-if-absent decides between concurrent callers.
 * A voided key stays used: buying with it again is `label_voided`, relabel with a new key.
 */

export interface TableRateCarrierOptions {
  readonly sheet: RateSheet;
  readonly store?: TableRateStore | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: RandomInt | undefined;
}

export class TableRateCarrier implements CarrierAdapter {
  readonly id: string;
  readonly name: string;
  readonly capabilities: ReadonlySet<CarrierCapability> = new Set<CarrierCapability>(['rate', 'label', 'void', 'manifest']);
  readonly #sheet: RateSheet;
  readonly #store: TableRateStore;
  readonly #clock: Clock;
  readonly #random: RandomInt;
  readonly #buys = new SingleFlight<CarrierResult<Label>>();
  readonly #manifests = new SingleFlight<CarrierResult<Manifest>>();

  constructor(options: TableRateCarrierOptions) {
    this.#sheet = options.sheet;
    this.id = options.sheet.carrier.id;
    this.name = options.sheet.carrier.name;
    this.#store = options.store ?? createMemoryTableRateStore();
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? cryptoRandomInt;
  }

  async rate(request: RateRequest): Promise<CarrierResult<readonly RateQuote[]>> {
    const errors = rateRequestErrors(request);
    if (errors.length > 0) return invalidRequest(this.id, errors);
    const { zone, quotes } = tableRateQuotes(this.#sheet, request);
    if (zone === undefined) {
      return carrierFailure(
        this.id,
        'service_unavailable',
        `no zone of ${this.name} covers ${request.from.country} to ${request.to.country}`,
        { retryable: false },
      );
    }
    if (quotes.length === 0) {
      return carrierFailure(this.id, 'service_unavailable', `no service of ${this.name} takes this parcel to zone ${zone}`, {
        retryable: false,
      });
    }
    return ok(quotes);
  }

  buyLabel(request: LabelRequest): Promise<CarrierResult<Label>> {
    return this.#buys.run(request.idempotencyKey, () => this.#buy(request), asReplay);
  }

  async #buy(request: LabelRequest): Promise<CarrierResult<Label>> {
    const errors = labelRequestErrors(request);
    if (errors.length > 0) return invalidRequest(this.id, errors);
    const existing = await this.#store.findLabelByKey(request.idempotencyKey);
    if (existing !== undefined) return this.#replay(existing, request);
    const quote = this.#requote(request);
    if (!quote.ok) return quote;
    const mine = this.#newRecord(request, quote.value);
    const stored = await this.#store.insertLabelIfAbsent(mine);
    return stored.labelRef === mine.labelRef ? this.#labelFrom(stored, request, false) : this.#replay(stored, request);
  }

  /** The price now for the quoted service; a changed price means the quote is stale. */
  #requote(request: LabelRequest): CarrierResult<RateQuote> {
    if (request.quote.carrierId !== this.id)
      return carrierFailure(this.id, 'quote_invalid', `quote is from carrier ${request.quote.carrierId}`, { retryable: false });
    const { quotes } = tableRateQuotes(this.#sheet, { ...request, serviceCodes: [request.quote.serviceCode] });
    const quote = quotes[0];
    if (quote === undefined || quote.quoteRef !== request.quote.quoteRef) {
      return carrierFailure(this.id, 'quote_invalid', 'the quote no longer matches the rate sheet or the parcel; rate again', {
        retryable: false,
      });
    }
    return ok(quote);
  }

  #newRecord(request: LabelRequest, quote: RateQuote): TableRateLabelRecord {
    const trackingNumber = newTrackingNumber(this.#sheet.carrier.trackingPrefix, this.#random);
    assert(quote.zone !== undefined && quote.billableWeightG !== undefined, 'table-rate quotes carry zone and billable weight');
    return {
      labelRef: `${this.id}:${trackingNumber}`,
      idempotencyKey: request.idempotencyKey,
      trackingNumber,
      serviceCode: quote.serviceCode,
      serviceName: quote.serviceName,
      zone: quote.zone,
      amount: quote.amount,
      billableWeightG: quote.billableWeightG,
      locationId: request.locationId,
      shipDate: request.shipDate,
      createdAt: this.#clock.now().toISOString(),
      from: request.from,
      to: request.to,
      parcel: request.parcel,
      reference: request.reference,
      status: 'active',
      voidedAt: null,
      manifestId: null,
    };
  }

  async #replay(record: TableRateLabelRecord, request: LabelRequest): Promise<CarrierResult<Label>> {
    if (record.status === 'voided') {
      return carrierFailure(
        this.id,
        'label_voided',
        `the label bought with key ${record.idempotencyKey} was voided; relabel with a new key`,
        { retryable: false },
      );
    }
    if (record.parcel.id !== request.parcel.id || record.serviceCode !== request.quote.serviceCode) {
      return carrierFailure(
        this.id,
        'idempotency_conflict',
        `key ${record.idempotencyKey} already bought a label for another parcel or service`,
        {
          retryable: false,
        },
      );
    }
    return this.#labelFrom(record, request, true);
  }

  async #labelFrom(record: TableRateLabelRecord, request: LabelRequest, replayed: boolean): Promise<CarrierResult<Label>> {
    const files = await renderLabelFiles(tableRateLabelInput(record, this.name), request.formats ?? localLabelFormats);
    return ok({
      carrierId: this.id,
      carrierName: this.name,
      serviceCode: record.serviceCode,
      serviceName: record.serviceName,
      idempotencyKey: record.idempotencyKey,
      parcelId: record.parcel.id,
      labelRef: record.labelRef,
      trackingNumber: record.trackingNumber,
      amount: record.amount,
      sscc: record.parcel.sscc,
      locationId: record.locationId,
      shipDate: record.shipDate,
      createdAt: record.createdAt,
      files,
      replayed,
    });
  }

  async voidLabel(request: VoidRequest): Promise<CarrierResult<VoidResult>> {
    const errors = keyErrors(request.idempotencyKey);
    if (errors.length > 0) return invalidRequest(this.id, errors);
    const record = await this.#store.findLabelByRef(request.labelRef);
    if (record === undefined || record.trackingNumber !== request.trackingNumber || record.idempotencyKey !== request.idempotencyKey) {
      return carrierFailure(
        this.id,
        'void_failed',
        `no label ${request.labelRef} with tracking number ${request.trackingNumber} for key ${request.idempotencyKey}`,
        {
          retryable: false,
        },
      );
    }
    const voided = { labelRef: record.labelRef, trackingNumber: record.trackingNumber, status: 'voided' as const };
    if (record.status === 'voided') return ok(voided);
    const changed = await this.#store.updateActiveLabel(record.labelRef, {
      status: 'voided',
      voidedAt: this.#clock.now().toISOString(),
      manifestId: null,
    });
    if (changed) return ok(voided);
    const now = await this.#store.findLabelByRef(record.labelRef);
    if (now?.status === 'voided') return ok(voided);
    return carrierFailure(
      this.id,
      'void_failed',
      `label ${record.trackingNumber} is on manifest ${now?.manifestId ?? '?'} and was handed over`,
      { retryable: false },
    );
  }

  async track(): Promise<CarrierResult<TrackingInfo>> {
    return notSupported(this.id, 'track');
  }

  manifest(request: ManifestRequest): Promise<CarrierResult<Manifest>> {
    return this.#manifests.run(request.idempotencyKey, () =>
      buildManifest({ store: this.#store, clock: this.#clock, random: this.#random, carrierId: this.id, carrierName: this.name }, request),
    );
  }
}

export const createTableRateCarrier = (options: TableRateCarrierOptions): TableRateCarrier => new TableRateCarrier(options);
