import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testDialects } from '../support/dialects.js';
import { assertLedgerVerified, item, levelOf, location, must, order, seed } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, pointers, problemOf, uniqueNames } from '../support/problems.js';

/**
 * The inventory ledger through the API: receipts, adjustments, transfers, levels, the movement list and
 * the verify endpoint (run after every test). One app per dialect; each test uses its own SKUs and locations.
 */

/** A name no other test in this file uses (tests share one database per dialect). */
const uid = uniqueNames();

const ledgerTables = ['inventory_movements', 'inventory_levels', 'transfers', 'events', 'orders', 'fulfillment_order_lines'] as const;

async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const columns = sql.join(ledgerTables.map((name) => sql`(select count(*) from ${sql.table(name)}) as ${sql.ref(name)}`));
  const { rows } = await sql<Record<string, number | string>>`select ${columns}`.execute(t.app.db.read);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}

/** The level as the contract example shows it, without the timestamp. */
async function level(t: TestApp, sku: string, code: string) {
  const { on_hand, reserved, available, incoming } = await levelOf(t, sku, code);
  return { on_hand, reserved, available, incoming };
}

async function allPages(t: TestApp, url: string, limit: number): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await t.get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    items.push(...res.json().data);
    cursor = res.json().next_cursor;
    pages += 1;
    assert.ok(pages < 1_000);
  } while (cursor !== null);
  return items;
}

for (const dialect of await testDialects()) {
  describe(`inventory API (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(async () => {
      await t?.close();
    });
    afterEach(async () => {
      await assertLedgerVerified(t);
    });

    describe('receipts', () => {
      test('receive stock: 201 with the new levels; levels and ledger agree with the contract example', async () => {
        const wh = uid('WH');
        const [a, b] = [uid('MUG-'), uid('CUP-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(b)] });
        const res = await t.post('/v1/inventory/receipts', {
          location: wh,
          reference: 'PO-4711',
          lines: [
            { sku: a, quantity: 100 },
            { sku: b, quantity: 7 },
          ],
        });
        assert.equal(res.statusCode, 201, res.body);
        const receipt = res.json();
        assert.equal(typeof receipt.id, 'string');
        assert.equal(receipt.location, wh);
        assert.equal(receipt.reference, 'PO-4711');
        assert.equal(receipt.backorders_allocated, 0);
        assert.deepEqual(receipt.lines, [
          { sku: a, quantity: 100, on_hand: 100, reserved: 0, available: 100 },
          { sku: b, quantity: 7, on_hand: 7, reserved: 0, available: 7 },
        ]);
        const again = await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: a, quantity: 5 }] });
        assert.deepEqual(again.lines, [{ sku: a, quantity: 5, on_hand: 105, reserved: 0, available: 105 }]);
        assert.equal(again.reference, null);
        const listed = (await t.get(`/v1/inventory?sku=${a}`)).json();
        assert.equal(listed.next_cursor, null);
        assert.deepEqual(
          listed.data.map(({ updated_at: _, ...l }: Json) => l),
          [{ sku: a, location: wh, on_hand: 105, reserved: 0, available: 105, incoming: 0 }],
        );
        const movements = (await t.get(`/v1/inventory/movements?sku=${a}`)).json().data;
        assert.deepEqual(
          movements.map((m: Json) => [m.kind, m.on_hand_delta, m.reserved_delta, m.incoming_delta, m.ref_type, m.actor]),
          [
            ['receive', 5, 0, 0, 'receipt', 'admin'],
            ['receive', 100, 0, 0, 'receipt', 'admin'],
          ],
        );
        assert.equal(movements[1].ref_id, receipt.id);
        assert.equal(movements[1].reason, 'PO-4711');
        assert.equal(movements[1].location, wh);
      });

      test('unknown location, unknown SKUs, unstocked kinds and repeated SKUs are refused with pointers, writing nothing', async () => {
        const wh = uid('WH');
        const [a, d, s] = [uid('A-'), uid('EBOOK-'), uid('SVC-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(d, { kind: 'digital' }), item(s, { kind: 'service' })] });
        const before = await rowCounts(t);
        const noLocation = problemOf(
          await t.post('/v1/inventory/receipts', { location: 'NOWHERE', lines: [{ sku: a, quantity: 1 }] }),
          422,
          'unknown_location',
        );
        assert.deepEqual(pointers(noLocation), ['/location']);
        const unknown = problemOf(
          await t.post('/v1/inventory/receipts', {
            location: wh,
            lines: [
              { sku: a, quantity: 1 },
              { sku: 'GHOST-1', quantity: 1 },
              { sku: 'GHOST-2', quantity: 1 },
            ],
          }),
          422,
          'unknown_sku',
        );
        assert.deepEqual(pointers(unknown), ['/lines/1/sku', '/lines/2/sku']);
        const digital = problemOf(
          await t.post('/v1/inventory/receipts', {
            location: wh,
            lines: [
              { sku: a, quantity: 1 },
              { sku: d, quantity: 1 },
              { sku: s, quantity: 1 },
            ],
          }),
          422,
          'not_stocked',
        );
        assert.deepEqual(pointers(digital), ['/lines/1/sku', '/lines/2/sku']);
        const repeated = problemOf(
          await t.post('/v1/inventory/receipts', {
            location: wh,
            lines: [
              { sku: a, quantity: 1 },
              { sku: a, quantity: 2 },
            ],
          }),
          400,
          'validation_failed',
        );
        assert.deepEqual(pointers(repeated), ['/lines/1/sku']);
        for (const quantity of [0, -1, 1.5, '3', 1_000_001]) {
          const bad = problemOf(
            await t.post('/v1/inventory/receipts', { location: wh, lines: [{ sku: a, quantity }] }),
            400,
            'validation_failed',
          );
          assert.deepEqual(pointers(bad), ['/lines/0/quantity'], `quantity ${quantity}`);
        }
        problemOf(await t.post('/v1/inventory/receipts', { location: wh, lines: [] }), 400, 'validation_failed');
        assert.deepEqual(await rowCounts(t), before);
        assert.deepEqual(await level(t, a, wh), { on_hand: 0, reserved: 0, available: 0, incoming: 0 });
      });
    });

    describe('adjustments', () => {
      test('by delta and by counted on_hand, with a reason on every movement', async () => {
        const wh = uid('WH');
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(b)], stock: { [wh]: { [a]: 10 } } });
        const up = await must(t, '/v1/inventory/adjustments', { location: wh, reason: 'found', lines: [{ sku: a, delta: 5 }] });
        assert.deepEqual(up.lines, [{ sku: a, quantity: 5, on_hand: 15, reserved: 0, available: 15 }]);
        const down = await must(t, '/v1/inventory/adjustments', {
          location: wh,
          reason: 'damaged',
          note: 'forklift',
          lines: [
            { sku: a, delta: -3 },
            { sku: b, delta: 4 },
          ],
        });
        assert.deepEqual(down.lines, [
          { sku: a, quantity: -3, on_hand: 12, reserved: 0, available: 12 },
          { sku: b, quantity: 4, on_hand: 4, reserved: 0, available: 4 },
        ]);
        const counted = await must(t, '/v1/inventory/adjustments', {
          location: wh,
          reason: 'cycle_count',
          lines: [
            { sku: a, on_hand: 9 },
            { sku: b, on_hand: 4 },
          ],
        });
        assert.deepEqual(counted.lines, [
          { sku: a, quantity: -3, on_hand: 9, reserved: 0, available: 9 },
          { sku: b, quantity: 0, on_hand: 4, reserved: 0, available: 4 },
        ]);
        const movements = (await t.get(`/v1/inventory/movements?sku=${a}&location=${wh}`)).json().data;
        assert.deepEqual(
          movements.map((m: Json) => [m.kind, m.on_hand_delta, m.reason]),
          [
            ['adjust', -3, 'cycle_count'],
            ['adjust', -3, 'damaged: forklift'],
            ['adjust', 5, 'found'],
            ['receive', 10, null],
          ],
        );
        const bMovements = (await t.get(`/v1/inventory/movements?sku=${b}`)).json().data;
        assert.equal(bMovements.length, 1, 'a count that matches writes no movement');
        assert.deepEqual(await level(t, a, wh), { on_hand: 9, reserved: 0, available: 9, incoming: 0 });
      });

      test('on_hand cannot go below what is reserved (409), and a refused adjustment changes nothing', async () => {
        const wh = uid('WH');
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(b)], stock: { [wh]: { [a]: 10, [b]: 10 } } });
        const o = await must(t, '/v1/orders', order(uid('adj-'), [{ sku: a, quantity: 6 }]));
        const before = await rowCounts(t);
        const byDelta = problemOf(
          await t.post('/v1/inventory/adjustments', {
            location: wh,
            reason: 'lost',
            lines: [
              { sku: b, delta: -5 },
              { sku: a, delta: -5 },
            ],
          }),
          409,
          'insufficient_stock',
        );
        assert.deepEqual(pointers(byDelta), ['/lines/1']);
        const byCount = problemOf(
          await t.post('/v1/inventory/adjustments', { location: wh, reason: 'cycle_count', lines: [{ sku: a, on_hand: 5 }] }),
          409,
          'insufficient_stock',
        );
        assert.deepEqual(pointers(byCount), ['/lines/0']);
        assert.deepEqual(await rowCounts(t), before);
        assert.deepEqual(await level(t, a, wh), { on_hand: 10, reserved: 6, available: 4, incoming: 0 });
        assert.deepEqual(await level(t, b, wh), { on_hand: 10, reserved: 0, available: 10, incoming: 0 });
        const toReserved = await must(t, '/v1/inventory/adjustments', {
          location: wh,
          reason: 'cycle_count',
          lines: [{ sku: a, on_hand: 6 }],
        });
        assert.deepEqual(toReserved.lines, [{ sku: a, quantity: -4, on_hand: 6, reserved: 6, available: 0 }]);
        problemOf(
          await t.post('/v1/inventory/adjustments', { location: wh, reason: 'lost', lines: [{ sku: b, delta: -11 }] }),
          409,
          'insufficient_stock',
        );
        await must(t, `/v1/orders/${o.id}/cancel`, {});
        await must(t, '/v1/inventory/adjustments', { location: wh, reason: 'expired', lines: [{ sku: a, on_hand: 0 }] });
        assert.deepEqual(await level(t, a, wh), { on_hand: 0, reserved: 0, available: 0, incoming: 0 });
      });

      test('malformed adjustments are 400 with pointers; unknown SKUs and locations 422', async () => {
        const wh = uid('WH');
        const [a, d] = [uid('A-'), uid('D-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(d, { kind: 'digital' })], stock: { [wh]: { [a]: 3 } } });
        const before = await rowCounts(t);
        const cases: [unknown, string][] = [
          [{ location: wh, reason: 'theft', lines: [{ sku: a, delta: 1 }] }, '/reason'],
          [{ location: wh, reason: 'found', lines: [{ sku: a, delta: 0 }] }, '/lines/0'],
          [{ location: wh, reason: 'found', lines: [{ sku: a, delta: 1, on_hand: 3 }] }, '/lines/0'],
          [{ location: wh, reason: 'found', lines: [{ sku: a }] }, '/lines/0'],
          [{ location: wh, reason: 'found', lines: [{ sku: a, on_hand: -1 }] }, '/lines/0'],
          [{ location: wh, reason: 'found', lines: [{ sku: a, delta: 2.5 }] }, '/lines/0'],
          [{ location: wh, lines: [{ sku: a, delta: 1 }] }, '/reason'],
        ];
        for (const [payload, pointer] of cases) {
          const body = problemOf(await t.post('/v1/inventory/adjustments', payload), 400, 'validation_failed');
          assert.ok(
            pointers(body).some((p: string) => p.startsWith(pointer)),
            `${JSON.stringify(payload)}: ${JSON.stringify(body.errors)}`,
          );
        }
        const unknownSku = problemOf(
          await t.post('/v1/inventory/adjustments', { location: wh, reason: 'found', lines: [{ sku: 'NOPE', delta: 1 }] }),
          422,
          'unknown_sku',
        );
        assert.deepEqual(pointers(unknownSku), ['/lines/0/sku']);
        const unknownLocation = problemOf(
          await t.post('/v1/inventory/adjustments', { location: 'NOPE', reason: 'found', lines: [{ sku: a, delta: 1 }] }),
          422,
          'unknown_location',
        );
        assert.deepEqual(pointers(unknownLocation), ['/location']);
        const digital = problemOf(
          await t.post('/v1/inventory/adjustments', { location: wh, reason: 'found', lines: [{ sku: d, delta: 1 }] }),
          422,
          'not_stocked',
        );
        assert.deepEqual(pointers(digital), ['/lines/0/sku']);
        assert.deepEqual(await rowCounts(t), before);
      });
    });

    describe('transfers', () => {
      test('in transit it is incoming at the destination; receiving moves it on hand; receiving twice is 409', async () => {
        const [from, to] = [uid('FROM'), uid('TO')];
        const a = uid('A-');
        await seed(t, { locations: [location(from), location(to)], items: [item(a)], stock: { [from]: { [a]: 10 } } });
        const res = await t.post('/v1/inventory/transfers', { from, to, reference: 'TR-1', lines: [{ sku: a, quantity: 3 }] });
        assert.equal(res.statusCode, 201, res.body);
        const transfer = res.json();
        assert.equal(transfer.status, 'in_transit');
        assert.deepEqual([transfer.from, transfer.to, transfer.reference], [from, to, 'TR-1']);
        assert.deepEqual(transfer.lines, [{ sku: a, quantity: 3 }]);
        assert.deepEqual(await level(t, a, from), { on_hand: 7, reserved: 0, available: 7, incoming: 0 });
        assert.deepEqual(await level(t, a, to), { on_hand: 0, reserved: 0, available: 0, incoming: 3 });
        assert.deepEqual((await t.get(`/v1/inventory/transfers/${transfer.id}`)).json(), transfer);

        const received = await t.post(`/v1/inventory/transfers/${transfer.id}/receive`);
        assert.equal(received.statusCode, 200, received.body);
        assert.equal(received.json().status, 'received');
        assert.deepEqual(await level(t, a, to), { on_hand: 3, reserved: 0, available: 3, incoming: 0 });
        const before = await rowCounts(t);
        problemOf(await t.post(`/v1/inventory/transfers/${transfer.id}/receive`), 409, 'illegal_transition');
        problemOf(await t.post(`/v1/inventory/transfers/${transfer.id}/cancel`), 409, 'illegal_transition');
        assert.deepEqual(await rowCounts(t), before);
        assert.deepEqual(await level(t, a, to), { on_hand: 3, reserved: 0, available: 3, incoming: 0 });
        assert.deepEqual(await level(t, a, from), { on_hand: 7, reserved: 0, available: 7, incoming: 0 });

        const byTransfer = (await t.get(`/v1/inventory/movements?ref_id=${transfer.id}`)).json().data;
        assert.deepEqual(
          byTransfer.map((m: Json) => [m.kind, m.location, m.on_hand_delta, m.incoming_delta]),
          [
            ['transfer_receive', to, 3, -3],
            ['transfer_in_transit', to, 0, 3],
            ['transfer_out', from, -3, 0],
          ],
        );
      });

      test('cancelling returns the stock to the source; a cancelled transfer cannot be received or cancelled again', async () => {
        const [from, to] = [uid('FROM'), uid('TO')];
        const a = uid('A-');
        await seed(t, { locations: [location(from), location(to)], items: [item(a)], stock: { [from]: { [a]: 10 } } });
        const transfer = await must(t, '/v1/inventory/transfers', { from, to, lines: [{ sku: a, quantity: 4 }] });
        const cancelled = await t.post(`/v1/inventory/transfers/${transfer.id}/cancel`);
        assert.equal(cancelled.statusCode, 200, cancelled.body);
        assert.equal(cancelled.json().status, 'cancelled');
        assert.deepEqual(await level(t, a, from), { on_hand: 10, reserved: 0, available: 10, incoming: 0 });
        assert.deepEqual(await level(t, a, to), { on_hand: 0, reserved: 0, available: 0, incoming: 0 });
        problemOf(await t.post(`/v1/inventory/transfers/${transfer.id}/cancel`), 409, 'illegal_transition');
        problemOf(await t.post(`/v1/inventory/transfers/${transfer.id}/receive`), 409, 'illegal_transition');
        assert.deepEqual(await level(t, a, from), { on_hand: 10, reserved: 0, available: 10, incoming: 0 });
      });

      test('concurrent receives of one transfer: exactly one succeeds and the stock arrives once', async () => {
        const [from, to] = [uid('FROM'), uid('TO')];
        const a = uid('A-');
        await seed(t, { locations: [location(from), location(to)], items: [item(a)], stock: { [from]: { [a]: 10 } } });
        const transfer = await must(t, '/v1/inventory/transfers', { from, to, lines: [{ sku: a, quantity: 5 }] });
        const results = await Promise.all([
          t.post(`/v1/inventory/transfers/${transfer.id}/receive`),
          t.post(`/v1/inventory/transfers/${transfer.id}/receive`),
          t.post(`/v1/inventory/transfers/${transfer.id}/cancel`),
          t.post(`/v1/inventory/transfers/${transfer.id}/receive`),
        ]);
        assert.equal(results.filter((r) => r.statusCode === 200).length, 1, results.map((r) => r.statusCode).join(','));
        for (const r of results.filter((x) => x.statusCode !== 200)) problemOf(r, 409, 'illegal_transition');
        const final = (await t.get(`/v1/inventory/transfers/${transfer.id}`)).json().status;
        const toLevel = await level(t, a, to);
        const fromLevel = await level(t, a, from);
        assert.equal(toLevel.incoming, 0);
        assert.equal(toLevel.on_hand + fromLevel.on_hand, 10);
        assert.equal(toLevel.on_hand, final === 'received' ? 5 : 0);
      });

      test('receive: true receives at once; reserved stock cannot leave; bad transfers are refused', async () => {
        const [from, to] = [uid('FROM'), uid('TO')];
        const [a, d] = [uid('A-'), uid('D-')];
        await seed(t, {
          locations: [location(from), location(to)],
          items: [item(a), item(d, { kind: 'digital' })],
          stock: { [from]: { [a]: 10 } },
        });
        const moved = await must(t, '/v1/inventory/transfers', { from, to, receive: true, lines: [{ sku: a, quantity: 2 }] });
        assert.equal(moved.status, 'received');
        assert.deepEqual(await level(t, a, to), { on_hand: 2, reserved: 0, available: 2, incoming: 0 });
        await must(t, '/v1/orders', order(uid('tr-'), [{ sku: a, quantity: 6 }]));
        assert.equal((await level(t, a, from)).available, 2);
        const before = await rowCounts(t);
        const short = problemOf(
          await t.post('/v1/inventory/transfers', { from, to, lines: [{ sku: a, quantity: 3 }] }),
          409,
          'insufficient_stock',
        );
        assert.deepEqual(pointers(short), ['/lines/0/quantity']);
        const same = problemOf(
          await t.post('/v1/inventory/transfers', { from, to: from, lines: [{ sku: a, quantity: 1 }] }),
          400,
          'validation_failed',
        );
        assert.deepEqual(pointers(same), ['/to']);
        assert.deepEqual(
          pointers(
            problemOf(
              await t.post('/v1/inventory/transfers', { from: 'NOPE', to, lines: [{ sku: a, quantity: 1 }] }),
              422,
              'unknown_location',
            ),
          ),
          ['/from'],
        );
        assert.deepEqual(
          pointers(
            problemOf(
              await t.post('/v1/inventory/transfers', { from, to: 'NOPE', lines: [{ sku: a, quantity: 1 }] }),
              422,
              'unknown_location',
            ),
          ),
          ['/to'],
        );
        assert.deepEqual(
          pointers(
            problemOf(await t.post('/v1/inventory/transfers', { from, to, lines: [{ sku: 'NOPE', quantity: 1 }] }), 422, 'unknown_sku'),
          ),
          ['/lines/0/sku'],
        );
        assert.deepEqual(
          pointers(problemOf(await t.post('/v1/inventory/transfers', { from, to, lines: [{ sku: d, quantity: 1 }] }), 422, 'not_stocked')),
          ['/lines/0/sku'],
        );
        assert.deepEqual(await rowCounts(t), before);
        for (const action of ['receive', 'cancel'])
          problemOf(await t.post(`/v1/inventory/transfers/tr_missing/${action}`), 404, 'not_found');
        problemOf(await t.get('/v1/inventory/transfers/tr_missing'), 404, 'not_found');
      });

      test('the transfer list filters by status and pages newest first', async () => {
        const [from, to] = [uid('FROM'), uid('TO')];
        const a = uid('A-');
        await seed(t, { locations: [location(from), location(to)], items: [item(a)], stock: { [from]: { [a]: 100 } } });
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1)
          ids.push((await must(t, '/v1/inventory/transfers', { from, to, lines: [{ sku: a, quantity: 1 }] })).id as string);
        await must(t, `/v1/inventory/transfers/${ids[1]}/receive`, undefined);
        await must(t, `/v1/inventory/transfers/${ids[3]}/cancel`, undefined);
        const all = (await allPages(t, '/v1/inventory/transfers', 2)).filter((tr) => ids.includes(tr.id));
        assert.deepEqual(
          all.map((tr) => tr.id),
          [...ids].reverse(),
        );
        const inTransit = (await allPages(t, '/v1/inventory/transfers?status=in_transit', 2)).filter((tr) => ids.includes(tr.id));
        assert.deepEqual(
          inTransit.map((tr) => tr.id),
          [ids[4], ids[2], ids[0]],
        );
        assert.deepEqual(await level(t, a, to), { on_hand: 1, reserved: 0, available: 1, incoming: 3 });
      });
    });

    describe('levels and movements', () => {
      test('the movement list pages newest first without gaps, and folds to the levels', async () => {
        const [w1, w2] = [uid('M1-'), uid('M2-')];
        const a = uid('A-');
        await seed(t, { locations: [location(w1), location(w2)], items: [item(a)], stock: { [w1]: { [a]: 20 } } });
        await must(t, '/v1/inventory/adjustments', { location: w1, reason: 'damaged', lines: [{ sku: a, delta: -2 }] });
        const tr = await must(t, '/v1/inventory/transfers', { from: w1, to: w2, lines: [{ sku: a, quantity: 5 }] });
        await must(t, `/v1/inventory/transfers/${tr.id}/receive`, undefined);
        const o = await must(t, '/v1/orders', order(uid('mv-'), [{ sku: a, quantity: 4 }]));
        await must(t, `/v1/orders/${o.id}/cancel`, { lines: [{ line_id: (o.lines as Json[])[0]?.id, quantity: 1 }] });
        const movements = await allPages(t, `/v1/inventory/movements?sku=${a}`, 3);
        const ids = movements.map((m) => m.id);
        assert.deepEqual(
          ids,
          [...ids].sort((x, y) => y - x),
        );
        assert.equal(new Set(ids).size, ids.length);
        assert.deepEqual(movements.map((m) => m.kind).reverse(), [
          'receive',
          'adjust',
          'transfer_out',
          'transfer_in_transit',
          'transfer_receive',
          'reserve',
          'release',
        ]);
        for (const code of [w1, w2]) {
          const mine = movements.filter((m) => m.location === code);
          const fold = mine.reduce(
            (acc, m) => ({
              on_hand: acc.on_hand + m.on_hand_delta,
              reserved: acc.reserved + m.reserved_delta,
              incoming: acc.incoming + m.incoming_delta,
            }),
            { on_hand: 0, reserved: 0, incoming: 0 },
          );
          const { on_hand, reserved, incoming } = await level(t, a, code);
          assert.deepEqual(fold, { on_hand, reserved, incoming }, code);
        }
        const reserve = movements.find((m) => m.kind === 'reserve');
        assert.equal(reserve?.ref_type, 'fulfillment_order');
        assert.equal(reserve?.ref_id, (o.fulfillment_orders as Json[])[0]?.id);
        const onlyW2 = (await t.get(`/v1/inventory/movements?sku=${a}&location=${w2}`)).json().data;
        assert.ok(onlyW2.every((m: Json) => m.location === w2));
        assert.equal(onlyW2.length, 2);
        problemOf(await t.get(`/v1/inventory/movements?cursor=${Buffer.from('c1:x').toString('base64url')}`), 400, 'validation_failed');
        problemOf(await t.get('/v1/inventory/movements?sku=bad%20sku'), 400, 'validation_failed');
      });

      test('the level list filters by location and pages by SKU without duplicates', async () => {
        const wh = uid('LV');
        const skus = Array.from({ length: 7 }, (_, i) => `${uid('LVL-')}-${i}`);
        await seed(t, {
          locations: [location(wh)],
          items: skus.map((s) => item(s)),
          stock: { [wh]: Object.fromEntries(skus.map((s, i) => [s, i + 1])) },
        });
        const rows = await allPages(t, `/v1/inventory?location=${wh}`, 3);
        assert.deepEqual(
          rows.map((r) => r.sku),
          [...skus].sort(),
        );
        assert.ok(rows.every((r) => r.location === wh && r.available === r.on_hand - r.reserved));
        assert.deepEqual((await t.get('/v1/inventory?sku=NO-SUCH')).json(), { data: [], next_cursor: null });
        problemOf(await t.get('/v1/inventory?warehouse=x'), 400, 'validation_failed');
      });

      test('verify reports what it checked', async () => {
        const wh = uid('V');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 3 } } });
        const report = (await t.get('/v1/inventory/verify')).json();
        assert.equal(report.ok, true);
        assert.ok(report.levels_checked >= 1);
        assert.ok(report.movements_checked >= report.levels_checked);
        assert.deepEqual([report.ledger_mismatches, report.reservation_mismatches], [[], []]);
      });
    });
  });
}
