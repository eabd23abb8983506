import type { Insertable } from 'kysely';
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { ParcelTable, ShipmentTable } from '../../src/storage/schema.js';
import type { BenchDatabase } from '../lib/databases.js';

const adminKey = 'bench-admin-key-0123456789abcdef';

/**
 * `count` shipped shipments with one parcel and one tracking number each, written straight to the tables the
 * warehouse fills (one real order through the API, then shipments of it), so the bench measures tracking
 * ingestion and not the pick-pack-ship flow. Returns the tracking numbers.
 */
export async function seedShipments(database: BenchDatabase, count: number): Promise<string[]> {
  const app = await compose({ ...database.composeOptions, adminKey });
  try {
    const http = await buildHttpApp(app, { logLevel: false });
    const post = async (url: string, payload: unknown) => {
      const res = await http.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${adminKey}` } });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    await post('/v1/locations', {
      code: 'TRK',
      name: 'Tracking bench',
      kind: 'warehouse',
      priority: 1,
      address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' },
    });
    await post('/v1/items', {
      sku: 'TRK-1',
      name: 'Bench item',
      kind: 'physical',
      weight_g: 300,
      dimensions_mm: { length: 100, width: 80, height: 60 },
      inventory_policy: 'deny',
    });
    await post('/v1/inventory/receipts', { location: 'TRK', lines: [{ sku: 'TRK-1', quantity: 10 }] });
    const order = await post('/v1/orders', {
      channel: 'web',
      external_id: 'TRK-ORDER',
      currency: 'USD',
      customer: { email: 'bench@example.com', name: 'Bench' },
      shipping_address: { name: 'Bench', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
      lines: [{ sku: 'TRK-1', quantity: 1, unit_price: 1000 }],
    });
    await http.close();
    const fo = (order.fulfillment_orders as { id: string }[])[0]?.id as string;
    const location = await app.db.read.selectFrom('locations').select('id').where('code', '=', 'TRK').executeTakeFirstOrThrow();
    const now = '2026-03-02T14:00:00.000Z';
    const codes: string[] = [];
    const rateChoice = JSON.stringify({ chosen_quote: { carrierName: 'USPS', serviceName: 'Priority', transitDays: 3 } });
    for (let start = 0; start < count; start += 1_000) {
      const shipments: Insertable<ShipmentTable>[] = [];
      const parcels: Insertable<ParcelTable>[] = [];
      for (let i = start; i < Math.min(count, start + 1_000); i += 1) {
        const code = `EZBENCH${String(i).padStart(9, '0')}`;
        codes.push(code);
        const id = `shp_bench${String(i).padStart(9, '0')}`;
        shipments.push({
          id,
          fulfillment_order_id: fo,
          order_id: order.id as string,
          location_id: location.id,
          carrier: 'easypost',
          service: 'Priority',
          status: 'shipped',
          tracking_numbers: JSON.stringify([code]),
          cost: 500,
          currency: 'USD',
          rate_choice: rateChoice,
          shipped_at: now,
          created_by: 'bench',
        });
        parcels.push({
          id: `prc_bench${String(i).padStart(9, '0')}`,
          fulfillment_order_id: fo,
          location_id: location.id,
          status: 'shipped',
          box_code: 'BOX',
          length_mm: 100,
          width_mm: 100,
          height_mm: 100,
          weight_g: 500,
          sscc: `00${String(i).padStart(16, '0')}`,
          label_state: 'bought',
          carrier: 'easypost',
          service: 'Priority',
          tracking_number: code,
          carrier_shipment_id: null,
          billable_weight_g: 500,
          label_cost: 500,
          label_currency: 'USD',
          label_attempts: 1,
          label_error: null,
          rate_choice: rateChoice,
          shipment_id: id,
          manifest_id: null,
          version: 1,
          created_at: now,
          updated_at: now,
        });
      }
      await app.db.transaction(async (tx) => {
        await tx.insertInto('shipments').values(shipments).execute();
        for (let i = 0; i < parcels.length; i += 200)
          await tx
            .insertInto('parcels')
            .values(parcels.slice(i, i + 200))
            .execute();
      });
    }
    return codes;
  } finally {
    await app.close();
  }
}
