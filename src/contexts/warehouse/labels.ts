import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import type { Actor } from '../deps.js';
import { activeHoldOn, recordOrderEvent } from '../orders/index.js';
import {
  type CarrierAdapter,
  type CarrierFailure,
  chooseRate,
  type Label,
  type LabelFile,
  type LabelFormat,
  type LabelRequest,
  type RateQuote,
  type RateStrategy,
  type ShippingAddress,
  TableRateCarrier,
} from '../shipping/index.js';
import type { PackingDeps } from './packing.js';
import { loadParcels, type ParcelRow, type ParcelView } from './parcels.js';

export interface ShippingDeps extends PackingDeps {
  /** Carrier adapters by id; the built-in table-rate carrier is always there. */
  readonly carriers: ReadonlyMap<string, CarrierAdapter>;
}

export interface LabelInput {
  readonly strategy?: 'cheapest' | 'fastest' | 'promise' | undefined;
  /** Only quote this carrier adapter (`table-rate`, `easypost`). */
  readonly carrier?: string | undefined;
  /** Only quote this service code. */
  readonly service?: string | undefined;
  /** `YYYY-MM-DD`; today by default. */
  readonly ship_date?: string | undefined;
}

/** Label files fetched from a carrier URL are bounded: a label is a few hundred kilobytes. */
const labelFileBytesMax = 5_000_000;
const labelFetchTimeoutMs = 10_000;

interface Context {
  readonly fo: { id: string; order_id: string; location_id: string; status: string };
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  readonly reference: string;
  readonly promiseDate: string | null;
}

function address(raw: Record<string, string | undefined>, fallbackName: string): ShippingAddress {
  return {
    name: raw.name ?? fallbackName,
    company: raw.company,
    line1: raw.line1 ?? '',
    line2: raw.line2,
    city: raw.city ?? '',
    region: raw.region,
    postalCode: raw.postal_code ?? '',
    country: raw.country ?? '',
    phone: raw.phone,
  };
}

export async function shippingContext(tx: Tx, foId: string): Promise<Result<Context>> {
  const fo = await tx
    .selectFrom('fulfillment_orders')
    .select(['id', 'order_id', 'location_id', 'status', 'path'])
    .where('id', '=', foId)
    .executeTakeFirst();
  if (!fo) return fail('not_found', `no fulfillment order ${foId}`);
  if (fo.path !== 'physical' || fo.location_id === null)
    return fail('validation_failed', `fulfillment order ${foId} is ${fo.path}; only physical work ships`);
  const order = await tx
    .selectFrom('orders')
    .select(['external_id', 'shipping_address', 'customer', 'promise_date'])
    .where('id', '=', fo.order_id)
    .executeTakeFirstOrThrow();
  const location = await tx.selectFrom('locations').select(['name', 'address']).where('id', '=', fo.location_id).executeTakeFirstOrThrow();
  const customer = JSON.parse(order.customer) as { name?: string };
  return ok({
    fo: { id: fo.id, order_id: fo.order_id, location_id: fo.location_id, status: fo.status },
    from: address(JSON.parse(location.address), location.name),
    to: address(JSON.parse(order.shipping_address) ?? {}, customer.name ?? 'Customer'),
    reference: order.external_id,
    promiseDate: order.promise_date,
  });
}

const strategyOf = (input: LabelInput, promiseDate: string | null): RateStrategy =>
  input.strategy === 'fastest'
    ? { kind: 'fastest' }
    : input.strategy === 'promise' && promiseDate
      ? { kind: 'cheapest_meeting_promise', promiseDate }
      : { kind: 'cheapest' };

export function carrierProblem(failure: CarrierFailure) {
  return fail(
    failure.code === 'carrier_timeout'
      ? 'carrier_timeout'
      : // What the request asks for cannot be served (a service or zone the carrier does not have): a 4xx, not a carrier outage.
        failure.code === 'address_invalid' || failure.code === 'parcel_invalid' || failure.code === 'service_unavailable'
        ? 'validation_failed'
        : 'carrier_error',
    failure.detail,
    {
      carrier: failure.carrierId,
      carrier_code: failure.code,
      retryable: failure.retryable,
      ...(failure.fieldErrors
        ? { errors: failure.fieldErrors.map((e) => ({ pointer: `/${e.field.replaceAll('.', '/')}`, detail: e.message })) }
        : {}),
    },
  );
}

/** Quotes for one parcel from every carrier asked (all by default). */
async function quotesFor(
  deps: ShippingDeps,
  ctx: Context,
  parcel: ParcelRow,
  input: LabelInput,
  shipDate: string,
  key: string,
): Promise<Result<RateQuote[]>> {
  const carriers = [...deps.carriers.values()].filter((c) => c.capabilities.has('rate') && (!input.carrier || c.id === input.carrier));
  if (carriers.length === 0)
    return fail('validation_failed', `no carrier ${input.carrier}`, { errors: [{ pointer: '/carrier', detail: 'unknown carrier' }] });
  const quotes: RateQuote[] = [];
  let lastFailure: CarrierFailure | undefined;
  for (const carrier of carriers) {
    const result = await carrier.rate({
      // The key the label will be bought with: EasyPost checks that the rated shipment carries it.
      idempotencyKey: key,
      from: ctx.from,
      to: ctx.to,
      parcel: { lengthMm: parcel.length_mm, widthMm: parcel.width_mm, heightMm: parcel.height_mm, weightG: parcel.weight_g },
      shipDate,
      ...(input.service ? { serviceCodes: [input.service] } : {}),
    });
    if (result.ok) quotes.push(...result.value);
    else lastFailure = result.error;
  }
  if (quotes.length === 0) return lastFailure ? carrierProblem(lastFailure) : fail('carrier_error', 'no carrier quoted this parcel');
  return ok(quotes);
}

async function fileBytes(file: LabelFile): Promise<Uint8Array | undefined> {
  if (file.kind === 'inline') return file.bytes;
  const response = await fetch(file.url, { redirect: 'error', signal: AbortSignal.timeout(labelFetchTimeoutMs) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const bytes = new Uint8Array(await response.arrayBuffer());
  return bytes.byteLength <= labelFileBytesMax ? bytes : undefined;
}

/**
 * The files bought with a label. The built-in table-rate carrier makes its labels here from the record it
 * keeps in `carrier_labels`, so only its ZPL is bought and stored, and its PDF is rendered from that record
 * when asked for (`parcelLabelFile`): rendering a PDF took more than half of buying a label, and a packing
 * station prints one format. Other carriers' files are stored as they issue them.
 */
const formatsToBuy = (carrier: CarrierAdapter): readonly LabelFormat[] => (carrier instanceof TableRateCarrier ? ['zpl'] : ['pdf', 'zpl']);

async function labelFilesToStore(
  deps: ShippingDeps,
  carrier: CarrierAdapter,
  request: LabelRequest,
  label: Label,
): Promise<{ format: string; content: Buffer }[]> {
  const files: { format: string; content: Buffer }[] = [];
  const keep = async (issued: readonly LabelFile[]) => {
    for (const file of issued) {
      if (file.format !== 'pdf' && file.format !== 'zpl') continue;
      const bytes = await fileBytes(file);
      if (bytes) files.push({ format: file.format, content: Buffer.from(bytes) });
    }
  };
  await keep(label.files);
  if (request.formats === undefined || request.formats.includes('pdf')) return files;
  // A table-rate carrier built with a store other than the database's cannot render the PDF later: the same
  // key asks it again for the PDF, which replays this very label.
  const recorded = await deps.db.read
    .selectFrom('carrier_labels')
    .select('label_ref')
    .where('label_ref', '=', label.labelRef)
    .where('carrier_id', '=', carrier.id)
    .executeTakeFirst();
  if (recorded) return files;
  const again = await carrier.buyLabel({ ...request, formats: ['pdf'] });
  if (again.ok && again.value.labelRef === label.labelRef) await keep(again.value.files);
  return files;
}

/**
 * Buys a label for every packed parcel of a fulfillment order. Per parcel: rate every carrier, choose by
 * strategy (cheapest, fastest, or cheapest meeting the promise date), record the intent (carrier, service,
 * attempt) in its own transaction, call the carrier with the parcel's idempotency key, then store the label.
 * A crash or timeout after the intent leaves the parcel `purchasing`; the retry uses the same key, so the
 * carrier returns the label it sold instead of selling another. A refused purchase leaves it retryable.
 */
export async function buyLabels(deps: ShippingDeps, foId: string, input: LabelInput, actor: Actor): Promise<Result<ParcelView[]>> {
  const ctx = await shippingContext(deps.db.read, foId);
  if (!ctx.ok) return ctx;
  if (ctx.value.fo.status !== 'in_progress')
    return fail('illegal_transition', `cannot label a fulfillment order that is ${ctx.value.fo.status.replace('_', ' ')}`);
  const parcels = await deps.db.read
    .selectFrom('parcels')
    .selectAll()
    .where('fulfillment_order_id', '=', foId)
    .where('status', '=', 'packed')
    .orderBy('id')
    .execute();
  const hold = await activeHoldOn(deps.db.read, ctx.value.fo.order_id, foId);
  if (hold)
    return fail('illegal_transition', `the order is on hold (${hold.reason}); release the hold before labelling`, { hold_id: hold.id });
  if (parcels.length === 0) {
    // Asking again after every parcel was labelled answers with the labels: the request is idempotent.
    const labelled = await deps.db.read
      .selectFrom('parcels')
      .select('id')
      .where('fulfillment_order_id', '=', foId)
      .where('status', '=', 'labelled')
      .orderBy('id')
      .execute();
    if (labelled.length > 0)
      return ok(
        await loadParcels(
          deps.db.read,
          labelled.map((p) => p.id),
        ),
      );
    return fail('not_picked', 'no packed parcel waits for a label');
  }
  const shipDate = input.ship_date ?? deps.clock.now().toISOString().slice(0, 10);
  const all = await deps.db.read
    .selectFrom('parcels')
    .select('id')
    .where('fulfillment_order_id', '=', foId)
    .where('status', 'in', ['packed', 'labelled', 'shipped'])
    .orderBy('id')
    .execute();
  for (const parcel of parcels) {
    const bought = await buyOne(
      deps,
      ctx.value,
      parcel,
      input,
      shipDate,
      { sequence: all.findIndex((p) => p.id === parcel.id) + 1, count: all.length },
      actor,
    );
    if (!bought.ok) return bought;
  }
  return ok(
    await loadParcels(
      deps.db.read,
      parcels.map((p) => p.id),
    ),
  );
}

interface RecordedChoice {
  readonly strategy: unknown;
  readonly reason: string;
  readonly estimated_delivery: string | null;
  readonly quotes: readonly Record<string, unknown>[];
  /** The quote being bought, as the carrier gave it: a retry buys exactly this one. */
  readonly chosen_quote: RateQuote;
}

/**
 * The quote to buy. A purchase that may have happened (`purchasing`) is finished with the quote recorded in
 * its intent: rating again makes a new carrier-side shipment (EasyPost), and buying that one would sell a
 * second label under the same key. Otherwise every carrier is rated with the key the label will carry.
 */
async function quoteToBuy(
  deps: ShippingDeps,
  ctx: Context,
  parcel: ParcelRow,
  input: LabelInput,
  shipDate: string,
  key: string,
  resuming: boolean,
): Promise<Result<RecordedChoice>> {
  const intent = resuming && parcel.rate_choice !== null ? (JSON.parse(parcel.rate_choice) as Partial<RecordedChoice>) : undefined;
  if (intent?.chosen_quote !== undefined) return ok(intent as RecordedChoice);
  const quotes = await quotesFor(deps, ctx, parcel, input, shipDate, key);
  if (!quotes.ok) return quotes;
  const candidates = resuming
    ? quotes.value.filter((q) => q.carrierId === parcel.carrier && q.serviceCode === parcel.service)
    : quotes.value;
  const choice = chooseRate({
    quotes: candidates.length > 0 ? candidates : quotes.value,
    strategy: strategyOf(input, ctx.promiseDate),
    shipDate,
  });
  if (!choice.ok) {
    const code = choice.error.code === 'no_quote_meets_promise' ? 'promise_unreachable' : 'carrier_error';
    return fail(code, choice.error.detail, {
      quotes: choice.error.evaluated.map((e) => ({
        carrier: e.quote.carrierId,
        service: e.quote.serviceCode,
        estimated_delivery: e.estimatedDelivery,
      })),
    });
  }
  return ok({
    strategy: choice.value.strategy,
    reason: choice.value.reason,
    estimated_delivery: choice.value.estimatedDelivery,
    quotes: choice.value.evaluated.map((e) => ({
      carrier: e.quote.carrierId,
      service: e.quote.serviceCode,
      amount: e.quote.amount.amountMinor,
      currency: e.quote.amount.currency,
      transit_days: e.quote.transitDays,
      estimated_delivery: e.estimatedDelivery,
      verdict: e.verdict,
    })),
    chosen_quote: choice.value.chosen,
  });
}

async function buyOne(
  deps: ShippingDeps,
  ctx: Context,
  parcel: ParcelRow,
  input: LabelInput,
  shipDate: string,
  place: { sequence: number; count: number },
  actor: Actor,
): Promise<Result<void>> {
  const resuming = parcel.label_state === 'purchasing' && parcel.carrier !== null;
  const attempts = resuming ? parcel.label_attempts : parcel.label_attempts + 1;
  const key = attempts <= 1 ? parcel.id : `${parcel.id}:${attempts}`;
  const recorded = await quoteToBuy(deps, ctx, parcel, input, shipDate, key, resuming);
  if (!recorded.ok) return recorded;
  const quote = recorded.value.chosen_quote;
  const carrier = deps.carriers.get(quote.carrierId);
  if (!carrier)
    return fail('carrier_error', `carrier ${quote.carrierId} is not configured`, { carrier: quote.carrierId, retryable: false });
  const now = () => deps.clock.now().toISOString();
  // The intent is a compare-and-set on the parcel's version: of two requests that read the same parcel,
  // one buys and the other is told to read it again, so concurrent requests never buy twice.
  const claimedVersion = parcel.version + 1;
  const claimed = await deps.db.transaction((tx) =>
    tx
      .updateTable('parcels')
      .set({
        label_state: 'purchasing',
        carrier: quote.carrierId,
        service: quote.serviceCode,
        label_attempts: attempts,
        label_error: null,
        rate_choice: JSON.stringify(recorded.value),
        updated_at: now(),
        version: claimedVersion,
      })
      .where('id', '=', parcel.id)
      .where('version', '=', parcel.version)
      .where('status', '=', 'packed')
      .executeTakeFirst(),
  );
  if (Number(claimed.numUpdatedRows) === 0) {
    return fail('conflict', `parcel ${parcel.id} changed while its label was being bought (another request?); read it again`);
  }
  const request: LabelRequest = {
    idempotencyKey: key,
    quote,
    from: ctx.from,
    to: ctx.to,
    parcel: {
      id: parcel.id,
      sscc: parcel.sscc,
      sequence: place.sequence,
      count: place.count,
      lengthMm: parcel.length_mm,
      widthMm: parcel.width_mm,
      heightMm: parcel.height_mm,
      weightG: parcel.weight_g,
    },
    shipDate,
    locationId: ctx.fo.location_id,
    reference: ctx.reference,
    formats: formatsToBuy(carrier),
  };
  const label = await carrier.buyLabel(request);
  if (!label.ok) {
    // A retryable failure (timeout) stays `purchasing`: the retry must reuse the same key.
    await deps.db.transaction((tx) =>
      tx
        .updateTable('parcels')
        .set({
          label_state: label.error.retryable ? 'purchasing' : 'failed',
          label_error: label.error.detail.slice(0, 500),
          updated_at: now(),
        })
        .where('id', '=', parcel.id)
        .where('version', '=', claimedVersion)
        .where('label_state', '=', 'purchasing')
        .execute(),
    );
    return carrierProblem(label.error);
  }
  const files = await labelFilesToStore(deps, carrier, request, label.value);
  await deps.db.transaction(async (tx) => {
    const at = now();
    const stored = await tx
      .updateTable('parcels')
      .set({
        status: 'labelled',
        label_state: 'purchased',
        tracking_number: label.value.trackingNumber,
        carrier_shipment_id: label.value.labelRef,
        label_cost: label.value.amount.amountMinor,
        label_currency: label.value.amount.currency,
        billable_weight_g: quote.billableWeightG ?? parcel.billable_weight_g,
        updated_at: at,
      })
      .where('id', '=', parcel.id)
      .where('status', '=', 'packed')
      .where('label_state', '=', 'purchasing')
      .executeTakeFirst();
    // A request that resumed this purchase got the same label (same key, same quote) and stored it first.
    if (Number(stored.numUpdatedRows) === 0) return;
    await tx.deleteFrom('parcel_documents').where('parcel_id', '=', parcel.id).execute();
    if (files.length > 0)
      await tx
        .insertInto('parcel_documents')
        .values(files.map((f) => ({ parcel_id: parcel.id, format: f.format, content: f.content, created_at: at })))
        .execute();
    await recordOrderEvent(
      tx,
      deps,
      ctx.fo.order_id,
      'parcel.labelled',
      {
        parcel_id: parcel.id,
        carrier: quote.carrierId,
        service: quote.serviceCode,
        tracking_number: label.value.trackingNumber,
        cost: label.value.amount.amountMinor,
        currency: label.value.amount.currency,
        choice: recorded.value.reason,
      },
      actor,
      at,
    );
  });
  return ok(undefined);
}

/**
 * Voids a parcel's label at the carrier (the compensating undo of buying it). The parcel goes back to
 * packed and can be labelled again with a new key. Stock does not move: it only moves when a parcel ships.
 */
export async function voidParcelLabel(deps: ShippingDeps, parcelId: string, actor: Actor): Promise<Result<ParcelView>> {
  const parcel = await deps.db.read.selectFrom('parcels').selectAll().where('id', '=', parcelId).executeTakeFirst();
  if (!parcel) return fail('not_found', `no parcel ${parcelId}`);
  if (parcel.status !== 'labelled' || parcel.carrier === null || parcel.carrier_shipment_id === null || parcel.tracking_number === null) {
    return fail(
      'illegal_transition',
      parcel.status === 'shipped'
        ? 'the parcel has shipped; it comes back as a return, not a void'
        : `parcel ${parcelId} has no label to void`,
    );
  }
  const carrier = deps.carriers.get(parcel.carrier);
  if (!carrier) return fail('carrier_error', `carrier ${parcel.carrier} is not configured`);
  const voided = await carrier.voidLabel({
    idempotencyKey: parcel.label_attempts <= 1 ? parcel.id : `${parcel.id}:${parcel.label_attempts}`,
    labelRef: parcel.carrier_shipment_id,
    trackingNumber: parcel.tracking_number,
  });
  if (!voided.ok) return carrierProblem(voided.error);
  return deps.db.transaction(async (tx) => {
    const at = deps.clock.now().toISOString();
    const changed = await tx
      .updateTable('parcels')
      .set({
        status: 'packed',
        label_state: 'voided',
        tracking_number: null,
        carrier_shipment_id: null,
        label_cost: null,
        label_currency: null,
        updated_at: at,
        version: parcel.version + 1,
      })
      .where('id', '=', parcelId)
      .where('status', '=', 'labelled')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return fail('conflict', 'the parcel changed while its label was voided; read it again');
    await tx.deleteFrom('parcel_documents').where('parcel_id', '=', parcelId).execute();
    const fo = await tx
      .selectFrom('fulfillment_orders')
      .select('order_id')
      .where('id', '=', parcel.fulfillment_order_id)
      .executeTakeFirstOrThrow();
    await recordOrderEvent(
      tx,
      deps,
      fo.order_id,
      'parcel.label_voided',
      { parcel_id: parcelId, carrier: parcel.carrier, tracking_number: parcel.tracking_number, carrier_status: voided.value.status },
      actor,
      at,
    );
    const [view] = await loadParcels(tx, [parcelId]);
    return ok(view as ParcelView);
  });
}
