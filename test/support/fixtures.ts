import assert from 'node:assert/strict';
import type { TestApp } from './harness.js';

export const address = (country = 'US', postal_code = '62701') => ({
  name: 'Ann Lee',
  line1: '1 Main St',
  city: 'Springfield',
  region: 'IL',
  postal_code,
  country,
});

export function location(code: string, extra: Record<string, unknown> = {}) {
  return {
    code,
    name: `Location ${code}`,
    kind: 'warehouse',
    priority: 1,
    address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' },
    ...extra,
  };
}

export function item(sku: string, extra: Record<string, unknown> = {}) {
  return {
    sku,
    name: `Item ${sku}`,
    kind: 'physical',
    weight_g: 300,
    dimensions_mm: { length: 100, width: 80, height: 60 },
    inventory_policy: 'deny',
    ...extra,
  };
}

export function order(
  externalId: string,
  lines: { sku: string; quantity: number; unit_price?: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    channel: 'web',
    external_id: externalId,
    currency: 'USD',
    customer: { email: 'ann@example.com', name: 'Ann Lee' },
    shipping_address: address(),
    lines: lines.map((l) => ({ unit_price: 1000, ...l })),
    ...extra,
  };
}

/** Creates through the API and fails the test on any non-2xx answer. */
export async function must(t: TestApp, url: string, payload: unknown): Promise<Record<string, unknown>> {
  const res = await t.post(url, payload);
  assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${url} answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** Locations, items and stock in one call: `stock` maps location code to { sku: quantity }. */
export async function seed(
  t: TestApp,
  spec: { locations: Record<string, unknown>[]; items: Record<string, unknown>[]; stock?: Record<string, Record<string, number>> },
): Promise<void> {
  for (const l of spec.locations) await must(t, '/v1/locations', l);
  for (const i of spec.items) await must(t, '/v1/items', i);
  for (const [code, lines] of Object.entries(spec.stock ?? {})) {
    await must(t, '/v1/inventory/receipts', { location: code, lines: Object.entries(lines).map(([sku, quantity]) => ({ sku, quantity })) });
  }
}

export async function levelOf(t: TestApp, sku: string, locationCode: string) {
  const res = await t.get(`/v1/inventory?sku=${encodeURIComponent(sku)}&location=${encodeURIComponent(locationCode)}`);
  assert.equal(res.statusCode, 200, res.body);
  const [row] = res.json().data as { on_hand: number; reserved: number; available: number; incoming: number }[];
  return row ?? { on_hand: 0, reserved: 0, available: 0, incoming: 0 };
}

export async function assertLedgerVerified(t: TestApp): Promise<void> {
  const res = await t.get('/v1/inventory/verify');
  assert.equal(res.statusCode, 200, res.body);
  const report = res.json();
  assert.equal(report.ok, true, `inventory verify failed: ${JSON.stringify(report)}`);
}
