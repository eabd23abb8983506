import type { LabelParcel, LabelRequest, ParcelSpec, RateQuote, ShippingAddress } from '../../../src/contexts/shipping/index.js';
import { buildSscc } from '../../../src/contexts/shipping/index.js';

/** Addresses, parcels and SSCCs for the shipping tests. */

export const reno: ShippingAddress = {
  name: 'Fulfill Reno DC',
  company: 'Fulfill Inc',
  line1: '400 Logistics Way',
  city: 'Reno',
  region: 'NV',
  postalCode: '89502',
  country: 'US',
  phone: '7755550100',
};

export const newark: ShippingAddress = {
  name: 'Fulfill Newark',
  line1: '1 Dock Rd',
  city: 'Newark',
  region: 'NJ',
  postalCode: '07102',
  country: 'US',
};

export const venlo: ShippingAddress = {
  name: 'Fulfill Venlo',
  line1: 'Celsiusweg 10',
  city: 'Venlo',
  postalCode: '5928 PR',
  country: 'NL',
};

export const customer = (overrides: Partial<ShippingAddress> = {}): ShippingAddress => ({
  name: 'Dr. Steve Brule',
  line1: '179 N Harbor Dr',
  city: 'Redondo Beach',
  region: 'CA',
  postalCode: '90277',
  country: 'US',
  email: 'steve@example.com',
  ...overrides,
});

export const smallBox: ParcelSpec = { lengthMm: 300, widthMm: 200, heightMm: 100, weightG: 1200 };

export const companyPrefix = '0614141';

export function sscc(serial: number): string {
  const built = buildSscc({ extensionDigit: 0, companyPrefix, serialReference: serial });
  if (!built.ok) throw new Error(`test SSCC ${serial}: ${built.error.message}`);
  return built.value;
}

export const labelParcel = (id: string, serial: number, spec: ParcelSpec = smallBox, sequence = 1, count = 1): LabelParcel => ({
  ...spec,
  id,
  sscc: sscc(serial),
  sequence,
  count,
});

export function labelRequest(quote: RateQuote, key: string, overrides: Partial<LabelRequest> = {}): LabelRequest {
  return {
    idempotencyKey: key,
    quote,
    from: reno,
    to: customer(),
    parcel: labelParcel(key, 1000 + key.length),
    shipDate: '2026-03-02',
    locationId: 'loc_reno',
    reference: 'ORDER-1001',
    ...overrides,
  };
}
