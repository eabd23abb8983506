import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { easyPostSignature } from '../../src/contexts/tracking/index.js';
import type { TestApp } from '../support/harness.js';
import { buyLabels, createItems, pack, pickAll, placeOrder, releaseWave, setUpWarehouse, ship } from '../warehouse-flow/support.js';

export const webhookSecret = 'whsec-test-easypost-0123456789';

/** A customer whose details must never show on the public page. */
export const customer = (n: string) => ({
  email: `${n}@buyer.example`,
  name: `Maria Private ${n}`,
  phone: '+1 555 0199 777',
});
export const street = '742 Evergreen Terrace';
export const postalCode = '62704';

export interface Shipped {
  readonly orderId: string;
  readonly shipmentId: string;
  readonly trackingNumber: string;
  readonly email: string;
}

/**
 * One order picked, packed, labelled and shipped at its own warehouse (`code`), over the API, with the given
 * carrier. The shipping address has a street, postal code and phone that the public page must not show.
 */
export async function shipOne(
  t: TestApp,
  code: string,
  options: { carrier?: string; country?: string; locale?: string; city?: string } = {},
): Promise<Shipped> {
  const sku = `${code}-SKU`;
  await createItems(t, [{ sku }]);
  await setUpWarehouse(t, { code, slots: [{ sku, bin: 'A-01-01', sequence: 1 }], stock: { [sku]: 5 } });
  const who = customer(code.toLowerCase());
  const o = await placeOrder(t, `${code}-1`, [{ sku, quantity: 2 }], {
    customer: who,
    shipping_address: {
      name: who.name,
      line1: street,
      city: options.city ?? 'Springfield',
      region: 'IL',
      postal_code: postalCode,
      country: options.country ?? 'US',
      phone: who.phone,
    },
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const fo = o.fulfillment_orders[0]?.id as string;
  const wave = await releaseWave(t, { location: code, strategy: 'single' });
  for (const list of wave.pick_lists) await pickAll(t, list);
  await pack(t, fo, {});
  await buyLabels(t, fo, { carrier: options.carrier ?? 'table-rate' });
  const shipment = await ship(t, fo);
  const trackingNumber = shipment.tracking_numbers[0];
  assert.ok(trackingNumber);
  return { orderId: o.id, shipmentId: shipment.id, trackingNumber, email: who.email };
}

export interface FeedScan {
  readonly at: string;
  readonly status: string;
  readonly detail?: string;
  readonly message?: string;
  readonly city?: string;
}

/** An EasyPost Event (`tracker.updated`) with a Tracker carrying these scans, as EasyPost posts it. */
export function trackerEvent(code: string, scans: readonly FeedScan[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const last = scans.at(-1);
  return {
    object: 'Event',
    id: `evt_${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
    mode: 'test',
    description: 'tracker.updated',
    created_at: '2026-03-02T12:00:00Z',
    result: {
      object: 'Tracker',
      id: 'trk_0123456789abcdef0123456789abcdef',
      tracking_code: code,
      carrier: 'USPS',
      status: last?.status ?? 'unknown',
      status_detail: last?.detail ?? 'status_update',
      est_delivery_date: null,
      tracking_details: scans.map((s) => ({
        object: 'TrackingDetail',
        message: s.message ?? `Scan ${s.status}`,
        status: s.status,
        status_detail: s.detail ?? 'status_update',
        datetime: s.at,
        source: 'USPS',
        tracking_location: { object: 'TrackingLocation', city: s.city ?? 'CHICAGO', state: 'IL', country: 'US', zip: '60601' },
      })),
      ...extra,
    },
  };
}

/** Posts a signed webhook (or one signed with `secret`, or with the `signature` given). */
export async function postWebhook(t: TestApp, body: unknown, options: { secret?: string; signature?: string | null } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = options.signature === undefined ? easyPostSignature(options.secret ?? webhookSecret, raw) : options.signature;
  return t.http.inject({
    method: 'POST',
    url: '/webhooks/easypost',
    payload: raw,
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hmac-signature': signature }) },
  });
}

/** Shipment e-mails (not the order confirmation the mail area sends) that reached the SMTP server for one recipient. */
export const mailsTo = (messages: readonly ParsedMail[], to: string) =>
  messages.filter(
    (m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === to)) &&
      !/confirm|backorder|aguardando|cancel/i.test(m.subject ?? ''),
  );
