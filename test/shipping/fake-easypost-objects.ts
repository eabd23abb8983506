import { randomBytes } from 'node:crypto';

/**
 * EasyPost objects as the fake server stores and returns them: the documented shapes (docs.easypost.com
 * Shipment, Rate, PostageLabel, Tracker, Fee), ids with their prefixes and 32 hex digits, money as decimal
 * strings, parcels in inches and ounces, timestamps without milliseconds.
 */

export type JsonObject = { [key: string]: unknown };

export const newId = (prefix: string): string => `${prefix}_${randomBytes(16).toString('hex')}`;
export const timestamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const digits = (count: number): string => Array.from(randomBytes(count), (b) => String(b % 10)).join('');

const asObject = (value: unknown): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
const asText = (value: unknown): string => (typeof value === 'string' ? value : '');

export function addressObject(input: unknown): JsonObject {
  const a = asObject(input);
  const now = timestamp();
  return {
    id: newId('adr'),
    object: 'Address',
    created_at: now.replace('Z', '+00:00'),
    updated_at: now.replace('Z', '+00:00'),
    name: a.name ?? null,
    company: a.company ?? null,
    street1: a.street1 ?? null,
    street2: a.street2 ?? null,
    city: a.city ?? null,
    state: a.state ?? null,
    zip: a.zip ?? null,
    country: a.country ?? null,
    phone: a.phone ?? null,
    email: a.email ?? null,
    mode: 'test',
    carrier_facility: null,
    residential: typeof a.residential === 'boolean' ? a.residential : null,
    federal_tax_id: null,
    state_tax_id: null,
    verifications: {},
  };
}

/** Field errors for an address a carrier could not deliver to, in EasyPost's FieldError shape. */
export function addressFieldErrors(input: unknown): { field: string; message: string; suggestion: null }[] {
  const a = asObject(input);
  const errors: { field: string; message: string; suggestion: null }[] = [];
  for (const field of ['street1', 'city', 'zip', 'country']) {
    if (asText(a[field]).trim() === '') errors.push({ field, message: `${field} is required`, suggestion: null });
  }
  if (asText(a.zip) === '00000') errors.push({ field: 'zip', message: 'Invalid zip code', suggestion: null });
  return errors;
}

export function parcelObject(input: unknown): JsonObject | undefined {
  const p = asObject(input);
  const numbers = ['length', 'width', 'height', 'weight'].map((k) => (typeof p[k] === 'number' ? (p[k] as number) : Number(p[k])));
  if (numbers.some((n) => !Number.isFinite(n) || n <= 0)) return undefined;
  const [length, width, height, weight] = numbers;
  const now = timestamp();
  return {
    id: newId('prcl'),
    object: 'Parcel',
    created_at: now,
    updated_at: now,
    length,
    width,
    height,
    predefined_package: null,
    weight,
    mode: 'test',
  };
}

interface ServiceTable {
  readonly carrier: string;
  readonly service: string;
  readonly baseCents: number;
  readonly perPoundCents: number;
  readonly perZoneCents: number;
  readonly days: (zone: number) => number;
}

/** The fake's price list: USPS and UPS services priced on pounds and a zone from the zips' first digits. */
const services: readonly ServiceTable[] = [
  { carrier: 'USPS', service: 'GroundAdvantage', baseCents: 500, perPoundCents: 55, perZoneCents: 30, days: (z) => 2 + Math.ceil(z / 2) },
  { carrier: 'USPS', service: 'Priority', baseCents: 800, perPoundCents: 95, perZoneCents: 45, days: (z) => (z <= 4 ? 2 : 3) },
  { carrier: 'USPS', service: 'Express', baseCents: 2800, perPoundCents: 210, perZoneCents: 80, days: () => 1 },
  { carrier: 'UPS', service: 'Ground', baseCents: 900, perPoundCents: 70, perZoneCents: 40, days: (z) => Math.min(5, 1 + z) },
];

const cents = (amount: number): string => `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;

function zoneOf(from: JsonObject, to: JsonObject): number {
  const first = (a: JsonObject) => Number(asText(a.zip).charAt(0));
  const [f, t] = [first(from), first(to)];
  return Number.isNaN(f) || Number.isNaN(t) ? 5 : Math.abs(f - t) + 1;
}

export function rateObjects(shipmentId: string, from: JsonObject, to: JsonObject, parcel: JsonObject): JsonObject[] {
  const pounds = Math.max(1, Math.ceil(Number(parcel.weight) / 16));
  const zone = zoneOf(from, to);
  const international = asText(from.country) !== asText(to.country);
  const now = timestamp();
  return services.map((s) => {
    const amount = s.baseCents + s.perPoundCents * pounds + s.perZoneCents * zone + (international ? 1500 : 0);
    const days = s.days(zone) + (international ? 5 : 0);
    return {
      id: newId('rate'),
      object: 'Rate',
      created_at: now,
      updated_at: now,
      mode: 'test',
      service: s.service,
      carrier: s.carrier,
      rate: cents(amount),
      currency: 'USD',
      retail_rate: cents(Math.round(amount * 1.2)),
      retail_currency: 'USD',
      list_rate: cents(Math.round(amount * 1.1)),
      list_currency: 'USD',
      billing_type: 'easypost',
      delivery_days: days,
      delivery_date: null,
      delivery_date_guaranteed: false,
      est_delivery_days: days,
      shipment_id: shipmentId,
      carrier_account_id: `ca_${s.carrier === 'USPS' ? '9685a1198a75477885a3cdca37559bac' : 'b25657e9896e4d63ac8151ac346ac41e'}`,
    };
  });
}

export const trackingCodeFor = (carrier: string): string =>
  carrier === 'UPS' ? `1Z${randomBytes(8).toString('hex').toUpperCase()}` : `9400${digits(18)}`;

export function postageLabelObject(baseUrl: string, labelFormat: string): JsonObject {
  const id = newId('pl');
  const now = timestamp();
  const file = `${baseUrl}/files/postage_label/${id.slice(3)}`;
  return {
    object: 'PostageLabel',
    id,
    created_at: now,
    updated_at: now,
    date_advance: 0,
    integrated_form: 'none',
    label_date: now,
    label_resolution: 300,
    label_size: '4x6',
    label_type: 'default',
    label_file_type: 'image/png',
    label_url: `${file}.png`,
    label_pdf_url: labelFormat === 'PDF' ? `${file}.pdf` : null,
    label_zpl_url: labelFormat === 'ZPL' ? `${file}.zpl` : null,
    label_epl2_url: null,
    label_file: null,
  };
}

/** EasyPost's test tracking codes: EZ1000000001 is pre_transit ... EZ7000000007 unknown. */
export const testTrackingStatuses: Readonly<Record<string, string>> = {
  EZ1000000001: 'pre_transit',
  EZ2000000002: 'in_transit',
  EZ3000000003: 'out_for_delivery',
  EZ4000000004: 'delivered',
  EZ5000000005: 'return_to_sender',
  EZ6000000006: 'failure',
  EZ7000000007: 'unknown',
};

const progression = ['pre_transit', 'in_transit', 'out_for_delivery', 'delivered'];

export function trackerObject(trackingCode: string, carrier: string, status: string, shipmentId: string | null): JsonObject {
  const now = timestamp();
  const reached = progression.indexOf(status);
  const steps = reached < 0 ? (status === 'unknown' ? [] : ['pre_transit', 'in_transit', status]) : progression.slice(0, reached + 1);
  const tracking_details = steps.map((step, i) => ({
    object: 'TrackingDetail',
    message: `Fake carrier scan: ${step}`,
    description: '',
    status: step,
    status_detail: 'status_update',
    datetime: new Date(Date.now() - (steps.length - i) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    source: carrier,
    carrier_code: '',
    tracking_location: { object: 'TrackingLocation', city: 'HOUSTON', state: 'TX', country: 'US', zip: '77063' },
  }));
  return {
    id: newId('trk'),
    object: 'Tracker',
    mode: 'test',
    tracking_code: trackingCode,
    status,
    status_detail: 'status_update',
    created_at: now,
    updated_at: now,
    signed_by: null,
    weight: null,
    est_delivery_date: now,
    shipment_id: shipmentId,
    carrier,
    tracking_details,
    fees: [],
    carrier_detail: null,
    finalized: status === 'delivered',
    is_return: false,
    public_url: `https://track.easypost.com/${Buffer.from(trackingCode).toString('base64url')}`,
  };
}

export function shipmentObject(baseInput: JsonObject, rates: (shipmentId: string) => JsonObject[]): JsonObject {
  const id = newId('shp');
  const now = timestamp();
  const options = asObject(baseInput.options);
  return {
    created_at: now,
    is_return: false,
    messages: [],
    mode: 'test',
    options: { currency: 'USD', payment: { type: 'SENDER' }, date_advance: 0, ...options },
    reference: typeof baseInput.reference === 'string' ? baseInput.reference : null,
    status: 'unknown',
    tracking_code: null,
    updated_at: now,
    batch_id: null,
    batch_status: null,
    batch_message: null,
    customs_info: null,
    from_address: addressObject(baseInput.from_address),
    insurance: null,
    order_id: null,
    parcel: parcelObject(baseInput.parcel),
    postage_label: null,
    rates: rates(id),
    refund_status: null,
    scan_form: null,
    selected_rate: null,
    tracker: null,
    to_address: addressObject(baseInput.to_address),
    usps_zone: 4,
    return_address: addressObject(baseInput.from_address),
    buyer_address: addressObject(baseInput.to_address),
    forms: [],
    fees: [],
    id,
    object: 'Shipment',
  };
}

export const feesFor = (rate: JsonObject): JsonObject[] => [
  { object: 'Fee', type: 'LabelFee', amount: '0.00000', charged: true, refunded: false },
  { object: 'Fee', type: 'PostageFee', amount: `${asText(rate.rate)}000`, charged: true, refunded: false },
];
