/**
 * The part of EasyPost's v2 REST API the adapter uses, as documented (docs.easypost.com: Shipment, Rate,
 * PostageLabel, Tracker, Errors). Responses are external input: `read*` functions check every field they
 * rely on and return undefined for anything else, so no `any` leaks past this file.
 *
 * Units on the wire: parcel dimensions in inches and weight in ounces, one decimal; money as decimal
 * strings ("7.33") with a currency code.
 */

export interface EpAddressInput {
  readonly name: string;
  readonly company?: string | undefined;
  readonly street1: string;
  readonly street2?: string | undefined;
  readonly city: string;
  readonly state?: string | undefined;
  readonly zip: string;
  readonly country: string;
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly residential?: boolean | undefined;
}

export interface EpParcelInput {
  readonly length: number;
  readonly width: number;
  readonly height: number;
  readonly weight: number;
}

export interface EpRate {
  readonly id: string;
  readonly carrier: string;
  readonly service: string;
  readonly rate: string;
  readonly currency: string;
  readonly delivery_days: number | null;
  readonly shipment_id: string | null;
}

export interface EpPostageLabel {
  readonly id: string;
  readonly label_url: string | null;
  readonly label_pdf_url: string | null;
  readonly label_zpl_url: string | null;
  readonly label_file_type: string | null;
  readonly label_date: string | null;
}

export interface EpTrackingDetail {
  readonly message: string;
  readonly status: string;
  readonly datetime: string;
  readonly location: string | undefined;
}

export interface EpTracker {
  readonly id: string;
  readonly tracking_code: string;
  readonly status: string;
  readonly carrier: string;
  readonly est_delivery_date: string | null;
  readonly public_url: string | null;
  readonly tracking_details: readonly EpTrackingDetail[];
}

export interface EpMessage {
  readonly carrier: string;
  readonly type: string;
  readonly message: string;
}

export interface EpShipment {
  readonly id: string;
  readonly reference: string | null;
  readonly rates: readonly EpRate[];
  readonly messages: readonly EpMessage[];
  readonly selected_rate: EpRate | null;
  readonly postage_label: EpPostageLabel | null;
  readonly tracking_code: string | null;
  readonly refund_status: string | null;
  readonly tracker: EpTracker | null;
}

export interface EpFieldError {
  readonly field: string;
  readonly message: string;
}

/** `{"error": {"code", "message", "errors"}}`; `errors` holds objects or plain strings. */
export interface EpError {
  readonly code: string;
  readonly message: string;
  readonly errors: readonly EpFieldError[];
}

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (o: Json, key: string): string | undefined => {
  const value = o[key];
  return typeof value === 'string' ? value : undefined;
};
const textOrNull = (o: Json, key: string): string | null => text(o, key) ?? null;
const list = (o: Json, key: string): readonly unknown[] => {
  const value = o[key];
  return Array.isArray(value) ? value : [];
};
/** Keeps the items a reader accepts; EasyPost adds fields and objects over time, we ignore what we do not know. */
const readAll = <T>(items: readonly unknown[], read: (item: unknown) => T | undefined): T[] =>
  items.map(read).filter((item): item is T => item !== undefined);

export function readRate(value: unknown): EpRate | undefined {
  if (!isObject(value)) return undefined;
  const id = text(value, 'id');
  const carrier = text(value, 'carrier');
  const service = text(value, 'service');
  const rate = text(value, 'rate');
  const currency = text(value, 'currency');
  if (id === undefined || carrier === undefined || service === undefined || rate === undefined || currency === undefined) return undefined;
  const days = value.delivery_days ?? value.est_delivery_days;
  const delivery_days = typeof days === 'number' && Number.isInteger(days) && days >= 0 ? days : null;
  return { id, carrier, service, rate, currency, delivery_days, shipment_id: textOrNull(value, 'shipment_id') };
}

function readPostageLabel(value: unknown): EpPostageLabel | null {
  if (!isObject(value)) return null;
  const id = text(value, 'id');
  if (id === undefined) return null;
  return {
    id,
    label_url: textOrNull(value, 'label_url'),
    label_pdf_url: textOrNull(value, 'label_pdf_url'),
    label_zpl_url: textOrNull(value, 'label_zpl_url'),
    label_file_type: textOrNull(value, 'label_file_type'),
    label_date: textOrNull(value, 'label_date'),
  };
}

function readTrackingDetail(value: unknown): EpTrackingDetail | undefined {
  if (!isObject(value)) return undefined;
  const datetime = text(value, 'datetime');
  if (datetime === undefined) return undefined;
  const where = isObject(value.tracking_location) ? value.tracking_location : {};
  const parts = [text(where, 'city'), text(where, 'state'), text(where, 'zip'), text(where, 'country')].filter(
    (p) => p !== undefined && p !== '',
  );
  return {
    message: text(value, 'message') ?? '',
    status: text(value, 'status') ?? 'unknown',
    datetime,
    location: parts.length > 0 ? parts.join(' ') : undefined,
  };
}

export function readTracker(value: unknown): EpTracker | undefined {
  if (!isObject(value)) return undefined;
  const id = text(value, 'id');
  const code = text(value, 'tracking_code');
  if (id === undefined || code === undefined) return undefined;
  return {
    id,
    tracking_code: code,
    status: text(value, 'status') ?? 'unknown',
    carrier: text(value, 'carrier') ?? '',
    est_delivery_date: textOrNull(value, 'est_delivery_date'),
    public_url: textOrNull(value, 'public_url'),
    tracking_details: readAll(list(value, 'tracking_details'), readTrackingDetail),
  };
}

function readMessage(value: unknown): EpMessage | undefined {
  if (!isObject(value)) return undefined;
  return { carrier: text(value, 'carrier') ?? '', type: text(value, 'type') ?? '', message: text(value, 'message') ?? '' };
}

export function readShipment(value: unknown): EpShipment | undefined {
  if (!isObject(value) || text(value, 'object') !== 'Shipment') return undefined;
  const id = text(value, 'id');
  if (id === undefined) return undefined;
  return {
    id,
    reference: textOrNull(value, 'reference'),
    rates: readAll(list(value, 'rates'), readRate),
    messages: readAll(list(value, 'messages'), readMessage),
    selected_rate: readRate(value.selected_rate) ?? null,
    postage_label: readPostageLabel(value.postage_label),
    tracking_code: textOrNull(value, 'tracking_code'),
    refund_status: textOrNull(value, 'refund_status'),
    tracker: readTracker(value.tracker) ?? null,
  };
}

export function readError(value: unknown): EpError | undefined {
  if (!isObject(value) || !isObject(value.error)) return undefined;
  const error = value.error;
  const errors = list(error, 'errors').map((item): EpFieldError => {
    if (typeof item === 'string') return { field: '', message: item };
    return isObject(item)
      ? { field: text(item, 'field') ?? '', message: text(item, 'message') ?? '' }
      : { field: '', message: String(item) };
  });
  return { code: text(error, 'code') ?? 'UNKNOWN', message: text(error, 'message') ?? '', errors };
}
