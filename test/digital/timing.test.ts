/**
 * The delivery target: within one second of the order being accepted, the delivery e-mail is queued and the
 * buyer's page works, with the dispatcher running as in the server (it polls every 100 ms; delivery runs
 * inside the routing transaction of the order.created event, so one poll is enough).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/dialects.js';
import { item, must, order } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';

for (const dialect of await testDialects()) {
  describe(`delivery latency (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { compose: { publicUrl: 'https://shop.example' } });
      t.app.dispatcher.start();
    });
    after(() => t.close());

    test('e-mail queued and page working within one second of acceptance', async () => {
      await must(t, '/v1/items', item('FAST-1', { kind: 'digital', weight_g: undefined, dimensions_mm: undefined }));
      await t.request({ method: 'PUT', url: '/v1/digital/items/FAST-1', payload: { license: { source: 'generated' } } });
      const latencies: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { shipping_address: _unused, ...body } = order(`FAST-${i}`, [{ sku: 'FAST-1', quantity: 1 }]);
        const res = await t.post('/v1/orders', body);
        assert.equal(res.statusCode, 201);
        const accepted = performance.now();
        const id = res.json().id as string;
        for (;;) {
          const digital = (await t.get(`/v1/orders/${id}/digital`)).json();
          const queued = await t.app.db.read
            .selectFrom('emails')
            .select('id')
            .where('order_id', '=', id)
            .where('template', '=', 'digital.delivery')
            .executeTakeFirst();
          if (digital.status === 'delivered' && queued) {
            const page = await t.request({ method: 'GET', url: new URL(digital.entitlements[0].page_url).pathname });
            assert.equal(page.statusCode, 200);
            break;
          }
          assert.ok(performance.now() - accepted < 1_000, `order ${i} not delivered within one second`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        latencies.push(performance.now() - accepted);
      }
      console.log(`# ${dialect}: acceptance -> e-mail queued + page working: ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    });
  });
}
