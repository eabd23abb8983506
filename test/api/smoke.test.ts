import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../support/dialects.js';
import { assertLedgerVerified, item, levelOf, location, must, order, seed } from '../support/fixtures.js';
import { createTestApp } from '../support/harness.js';

for (const dialect of await testDialects()) {
  describe(`order intake smoke (${dialect})`, () => {
    test('the contract example: receive, order, reserve', async () => {
      const t = await createTestApp(dialect);
      try {
        await seed(t, {
          locations: [location('WH1')],
          items: [item('MUG-1', { barcode: '0012345678905' })],
          stock: { WH1: { 'MUG-1': 100 } },
        });
        const created = await t.post('/v1/orders', order('1001', [{ sku: 'MUG-1', quantity: 2, unit_price: 1999 }]), {
          'idempotency-key': 'k-1',
        });
        assert.equal(created.statusCode, 201, created.body);
        const body = created.json();
        assert.equal(body.fulfillment_orders.length, 1);
        assert.equal(body.fulfillment_orders[0].location, 'WH1');
        assert.deepEqual(await levelOf(t, 'MUG-1', 'WH1'), {
          ...(await levelOf(t, 'MUG-1', 'WH1')),
          on_hand: 100,
          reserved: 2,
          available: 98,
        });
        const replay = await t.post('/v1/orders', order('1001', [{ sku: 'MUG-1', quantity: 2, unit_price: 1999 }]), {
          'idempotency-key': 'k-1',
        });
        assert.equal(replay.statusCode, 201);
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        assert.equal(replay.json().id, body.id);
        await assertLedgerVerified(t);
        await must(t, `/v1/orders/${body.id}/cancel`, {});
        assert.equal((await levelOf(t, 'MUG-1', 'WH1')).reserved, 0);
        await assertLedgerVerified(t);
      } finally {
        await t.close();
      }
    });
  });
}
