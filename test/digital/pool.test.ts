/**
 * License pools under contention: 64 concurrent orders against a pool of 20 codes. Each code is issued at
 * most once, exactly 20 lines get one, the other orders wait on an `inventory` hold with the merchant
 * alerted (event + one e-mail), and uploading more codes releases and delivers them. On PostgreSQL the
 * deliveries run at the same time from four independently composed apps (four connection pools, as four
 * server processes would), every fulfillment order attempted by all four at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type App, compose } from '../../src/compose.js';
import { deliverFulfillmentOrders } from '../../src/contexts/digital/index.js';
import { testDialects } from '../support/dialects.js';
import { item, must, order } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf } from '../support/problems.js';

const ordersCount = 64;
const poolSize = 20;
const merchant = 'merchant@shop.example';

const csv = (codes: readonly string[]) => `code\n${codes.join('\n')}\n`;
const codesFrom = (from: number, count: number) => Array.from({ length: count }, (_, i) => `GIFT-${String(from + i).padStart(4, '0')}-XYZ`);

for (const dialect of await testDialects()) {
  describe(`license pool, ${ordersCount} concurrent orders (${dialect})`, () => {
    let t: TestApp;
    const others: App[] = [];
    before(async () => {
      process.env.FULFILL_MERCHANT_EMAIL = merchant;
      t = await createTestApp(dialect);
      if (dialect === 'postgres') {
        for (let i = 0; i < 3; i += 1) {
          others.push(
            await compose({
              databaseUrl: t.database.databaseUrl as string,
              searchPath: t.database.searchPath as string,
              dataDir: t.dataDir,
              poolSize: 8,
            }),
          );
        }
      }
    });
    after(async () => {
      delete process.env.FULFILL_MERCHANT_EMAIL;
      for (const app of others) await app.close();
      await t.close();
    });

    test('each code is issued at most once; the rest hold; more codes deliver them', async () => {
      await must(t, '/v1/items', item('GAME-1', { kind: 'digital', weight_g: undefined, dimensions_mm: undefined }));
      const setup = await t.request({ method: 'PUT', url: '/v1/digital/items/GAME-1', payload: { license: { source: 'pool' } } });
      assert.equal(setup.statusCode, 200, setup.body);
      const first = codesFrom(1, poolSize);
      const uploaded = await t.request({
        method: 'POST',
        url: '/v1/digital/items/GAME-1/pool',
        payload: csv([...first, first[0] as string]),
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      assert.deepEqual(uploaded.json(), { added: poolSize, duplicates: 1, available: poolSize, released_orders: [] });
      const stock = (await t.get('/v1/digital/items/GAME-1')).json();
      assert.deepEqual(stock.pool, { available: poolSize, issued: 0 });
      assert.doesNotMatch(JSON.stringify(stock), /GIFT-/, 'codes are never returned to the merchant');

      const placed = await Promise.all(
        Array.from({ length: ordersCount }, async (_, i) => {
          const { shipping_address: _unused, ...body } = order(`POOL-${i}`, [{ sku: 'GAME-1', quantity: 1 }]);
          const res = await t.post('/v1/orders', body);
          assert.equal(res.statusCode, 201, res.body);
          return res.json() as Json;
        }),
      );
      const foIds = placed.map((o) => o.fulfillment_orders[0].id as string);
      // Every fulfillment order delivered by every app at once, one transaction each.
      const apps = [t.app, ...others];
      await Promise.all(apps.flatMap((app) => foIds.map((id) => app.db.transaction((tx) => deliverFulfillmentOrders(tx, app, [id])))));
      await t.drain();

      const deliveries = await Promise.all(placed.map(async (o) => (await t.get(`/v1/orders/${o.id}/digital`)).json()));
      const issued = deliveries.flatMap((d) => d.entitlements.flatMap((e: Json) => e.licenses.map((l: Json) => l.key as string)));
      assert.equal(issued.length, poolSize, 'exactly the pool is issued');
      assert.equal(new Set(issued).size, poolSize, 'no code twice');
      for (const code of issued) assert.ok(first.includes(code));
      assert.equal(deliveries.filter((d) => d.status === 'delivered').length, poolSize);
      assert.equal(deliveries.filter((d) => d.status === 'held').length, ordersCount - poolSize);
      for (const o of placed) {
        const view = (await t.get(`/v1/orders/${o.id}`)).json();
        const delivered = deliveries.find((d) => d.order_id === o.id).status === 'delivered';
        const holds = view.holds.filter((h: Json) => h.status === 'active');
        assert.equal(holds.length, delivered ? 0 : 1, `${o.external_id} holds`);
        if (!delivered) assert.equal(holds[0].reason, 'inventory');
      }
      const rows = await t.app.db.read.selectFrom('license_pool_codes').select(['status', 'license_id']).execute();
      assert.equal(rows.filter((r) => r.status === 'issued').length, poolSize);
      assert.equal(new Set(rows.map((r) => r.license_id).filter(Boolean)).size, poolSize);
      const alerts = await t.app.db.read.selectFrom('events').select('id').where('type', '=', 'digital.pool_empty').execute();
      assert.equal(alerts.length, ordersCount - poolSize);
      const mails = await t.app.db.read.selectFrom('emails').select(['to_address']).where('template', '=', 'digital.pool_empty').execute();
      assert.deepEqual(
        mails.map((m) => m.to_address),
        [merchant],
        'one alert e-mail per empty pool',
      );
      assert.deepEqual((await t.get('/v1/digital/items/GAME-1')).json().pool, { available: 0, issued: poolSize });

      // More codes: the held orders are released oldest first and delivered.
      const more = codesFrom(1000, ordersCount);
      const refill = await t.request({
        method: 'POST',
        url: '/v1/digital/items/GAME-1/pool',
        payload: csv(more),
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(refill.statusCode, 200, refill.body);
      assert.equal(refill.json().released_orders.length, ordersCount - poolSize);
      await t.drain();
      const after = await Promise.all(placed.map(async (o) => (await t.get(`/v1/orders/${o.id}/digital`)).json()));
      const all = after.flatMap((d) => d.entitlements.flatMap((e: Json) => e.licenses.map((l: Json) => l.key as string)));
      assert.equal(after.filter((d) => d.status === 'delivered').length, ordersCount);
      assert.equal(new Set(all).size, ordersCount);
      assert.deepEqual((await t.get('/v1/digital/items/GAME-1')).json().pool, { available: poolSize, issued: ordersCount });
      // A pool code validates as a license key, exactly as uploaded.
      assert.equal((await t.post('/v1/licenses/validate', { key: all[0] })).json().code, 'valid');
    });

    test('pool uploads are validated whole', async () => {
      await must(t, '/v1/items', item('GAME-2', { kind: 'digital', weight_g: undefined, dimensions_mm: undefined }));
      problemOf(
        await t.request({ method: 'POST', url: '/v1/digital/items/GAME-2/pool', payload: 'A\n', headers: { 'content-type': 'text/csv' } }),
        422,
        'not_digital',
      );
      await t.request({ method: 'PUT', url: '/v1/digital/items/GAME-2', payload: { license: { source: 'pool' } } });
      const bad = problemOf(
        await t.request({
          method: 'POST',
          url: '/v1/digital/items/GAME-2/pool',
          payload: 'code\nGOOD-1\n"bad\u0001"\n',
          headers: { 'content-type': 'text/csv' },
        }),
        400,
        'validation_failed',
      );
      assert.deepEqual(
        bad.errors.map((e: Json) => e.pointer),
        ['/rows/3'],
      );
      assert.deepEqual((await t.get('/v1/digital/items/GAME-2')).json().pool, { available: 0, issued: 0 }, 'nothing written');
      problemOf(
        await t.request({
          method: 'POST',
          url: '/v1/digital/items/GAME-2/pool',
          payload: 'code\n',
          headers: { 'content-type': 'text/csv' },
        }),
        400,
        'validation_failed',
      );
    });
  });
}
