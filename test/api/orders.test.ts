import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { address, assertLedgerVerified, item, levelOf, location, must as mustCreate, order, seed } from '../support/fixtures.js';
import { adminHeaders, adminKey, createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf, uniqueNames } from '../support/problems.js';

/**
 * Order intake through the public API, as a demanding client uses it: the 201 body of the contract,
 * sourcing decisions, shortfalls, backorders, idempotency, holds, cancellation, reads and the timeline.
 * One app per dialect; every test names its own SKUs and locations, so tests do not see each other's stock.
 */

/** A name no other test in this file uses (tests share one database per dialect). */
const uid = uniqueNames();

async function place(t: TestApp, payload: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const res = await t.post('/v1/orders', payload, headers);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function getOrder(t: TestApp, id: string): Promise<Json> {
  const res = await t.get(`/v1/orders/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Where each unit went: `{ location-or-path: { sku: quantity } }`, open and held work only. */
function placement(o: Json): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const fo of o.fulfillment_orders) {
    if (fo.status === 'cancelled') continue;
    const key = fo.location ?? fo.path;
    out[key] ??= {};
    for (const l of fo.lines) if (l.quantity > 0) out[key][l.sku] = (out[key][l.sku] ?? 0) + l.quantity;
  }
  return out;
}

/** A 2xx call whose JSON body the test reads freely. */
const must = async (t: TestApp, url: string, payload: unknown): Promise<Json> => mustCreate(t, url, payload);

const statusesOf = (o: Json) => o.fulfillment_orders.map((fo: Json) => fo.status);

const coreTables = [
  'orders',
  'order_lines',
  'fulfillment_orders',
  'fulfillment_order_lines',
  'backorders',
  'holds',
  'events',
  'idempotency_keys',
  'inventory_movements',
  'inventory_levels',
] as const;

/** Row counts of the tables an order touches, in one query. */
async function rowCounts(t: TestApp): Promise<Record<(typeof coreTables)[number], number>> {
  const columns = sql.join(coreTables.map((name) => sql`(select count(*) from ${sql.table(name)}) as ${sql.ref(name)}`));
  const { rows } = await sql<Record<string, number | string>>`select ${columns}`.execute(t.app.db.read);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)])) as Record<(typeof coreTables)[number], number>;
}

async function createKey(t: TestApp, scopes: string[]): Promise<{ key: string; id: string }> {
  const res = await t.post('/v1/api-keys', { name: `key ${uid('k')}`, scopes });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json();
  return { key: body.key, id: body.api_key.id };
}

async function allPages(t: TestApp, url: string, limit: number): Promise<{ pages: number; items: Json[] }> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await t.get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.ok(body.data.length <= limit);
    items.push(...body.data);
    cursor = body.next_cursor;
    pages += 1;
    assert.ok(pages < 1_000, 'pagination terminates');
  } while (cursor !== null);
  return { pages, items };
}

for (const dialect of await testDialects()) {
  describe(`orders API (${dialect})`, () => {
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

    describe('placing an order', () => {
      test('201 with the contract body, a Location header, stock reserved, and GET answers the same', async () => {
        const wh = uid('WH');
        const sku = uid('MUG-');
        await seed(t, { locations: [location(wh)], items: [item(sku, { barcode: '0012345678905' })], stock: { [wh]: { [sku]: 100 } } });
        const payload = {
          channel: 'web',
          external_id: uid('1001-'),
          currency: 'USD',
          customer: { email: 'ann@example.com', name: 'Ann Lee', phone: '+15555550100' },
          shipping_address: { name: 'Ann Lee', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
          lines: [{ sku, quantity: 2, unit_price: 1999 }],
          service_level: 'express',
          promise_date: '2026-12-24',
          note: 'leave at the door',
        };
        const res = await t.post('/v1/orders', payload, { 'idempotency-key': uid('key-') });
        assert.equal(res.statusCode, 201, res.body);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = res.json();
        assert.equal(res.headers.location, `/v1/orders/${body.id}`);
        assert.equal(typeof body.id, 'string');
        assert.ok(body.id.length > 0);
        assert.equal(body.status, 'open');
        assert.equal(body.on_hold, false);
        assert.equal(body.channel, 'web');
        assert.equal(body.external_id, payload.external_id);
        assert.equal(body.currency, 'USD');
        assert.deepEqual(body.customer, payload.customer);
        assert.deepEqual(body.shipping_address, payload.shipping_address);
        assert.equal(body.service_level, 'express');
        assert.equal(body.promise_date, '2026-12-24');
        assert.equal(body.note, 'leave at the door');
        assert.equal(body.subtotal, 3998);
        assert.equal(body.unit_count, 2);
        assert.deepEqual(body.holds, []);
        assert.equal(body.lines.length, 1);
        const [line] = body.lines;
        assert.deepEqual(
          { ...line, id: undefined },
          {
            id: undefined,
            line_no: 1,
            sku,
            kind: 'physical',
            quantity: 2,
            cancelled_quantity: 0,
            backordered_quantity: 0,
            unit_price: 1999,
            total: 3998,
          },
        );
        assert.equal(body.fulfillment_orders.length, 1);
        const [fo] = body.fulfillment_orders;
        assert.equal(fo.location, wh);
        assert.equal(fo.path, 'physical');
        assert.equal(fo.status, 'open');
        assert.equal(fo.order_id, body.id);
        assert.deepEqual(
          fo.lines.map((l: Json) => ({ sku: l.sku, quantity: l.quantity, line_id: l.line_id })),
          [{ sku, quantity: 2, line_id: line.id }],
        );
        assert.ok(!Number.isNaN(Date.parse(body.created_at)));
        assert.deepEqual(await getOrder(t, body.id), body);
        const levels = await t.get(`/v1/inventory?sku=${sku}`);
        assert.deepEqual(
          levels.json().data.map((l: Json) => ({
            sku: l.sku,
            location: l.location,
            on_hand: l.on_hand,
            reserved: l.reserved,
            available: l.available,
          })),
          [{ sku, location: wh, on_hand: 100, reserved: 2, available: 98 }],
        );
      });

      test('an unknown order id is 404 not_found; a malformed id is 400 with the path pointer', async () => {
        problemOf(await t.get('/v1/orders/ord_doesnotexist'), 404, 'not_found');
        const bad = problemOf(await t.get('/v1/orders/not%20an%20id'), 400, 'validation_failed');
        assert.equal(bad.errors[0].pointer, '/params/id');
      });

      test('physical lines need a shipping address; a digital-only order does not', async () => {
        const wh = uid('WH');
        const [p, d] = [uid('P-'), uid('EBOOK-')];
        await seed(t, { locations: [location(wh)], items: [item(p), item(d, { kind: 'digital' })], stock: { [wh]: { [p]: 5 } } });
        const { shipping_address: _, ...noAddress } = order(uid('na-'), [{ sku: p, quantity: 1 }]);
        const refused = problemOf(await t.post('/v1/orders', noAddress), 400, 'validation_failed');
        assert.deepEqual(
          refused.errors.map((e: Json) => e.pointer),
          ['/shipping_address'],
        );
        assert.equal((await levelOf(t, p, wh)).reserved, 0);
        const digital = await place(t, { ...noAddress, external_id: uid('dig-'), lines: [{ sku: d, quantity: 1, unit_price: 500 }] });
        assert.equal(digital.shipping_address, null);
        assert.deepEqual(placement(digital), { digital: { [d]: 1 } });
      });
    });

    describe('sourcing', () => {
      test('one location that can fill every line wins over a better-ranked location that cannot', async () => {
        const [near, far] = [uid('NEAR'), uid('FAR')];
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, {
          locations: [location(near, { priority: 1 }), location(far, { priority: 2 })],
          items: [item(a), item(b)],
          stock: { [near]: { [a]: 5 }, [far]: { [a]: 5, [b]: 5 } },
        });
        const o = await place(
          t,
          order(uid('s1-'), [
            { sku: a, quantity: 2 },
            { sku: b, quantity: 2 },
          ]),
        );
        assert.equal(o.fulfillment_orders.length, 1);
        assert.deepEqual(placement(o), { [far]: { [a]: 2, [b]: 2 } });
        assert.equal((await levelOf(t, a, near)).reserved, 0);
        assert.equal((await levelOf(t, a, far)).reserved, 2);
      });

      test('a line is not split when one location can fill it, even a lower-ranked one', async () => {
        const [first, second] = [uid('P1-'), uid('P2-')];
        const a = uid('A-');
        await seed(t, {
          locations: [location(first, { priority: 1 }), location(second, { priority: 2 })],
          items: [item(a)],
          stock: { [first]: { [a]: 3 }, [second]: { [a]: 10 } },
        });
        const o = await place(t, order(uid('s2-'), [{ sku: a, quantity: 5 }]));
        assert.deepEqual(placement(o), { [second]: { [a]: 5 } });
      });

      test('a line is split only when no single location can fill it, never beyond what a location has', async () => {
        const [first, second] = [uid('P1-'), uid('P2-')];
        const a = uid('A-');
        await seed(t, {
          locations: [location(first, { priority: 1 }), location(second, { priority: 2 })],
          items: [item(a)],
          stock: { [first]: { [a]: 3 }, [second]: { [a]: 4 } },
        });
        const o = await place(t, order(uid('s3-'), [{ sku: a, quantity: 6 }]));
        assert.equal(o.fulfillment_orders.length, 2);
        assert.deepEqual(placement(o), { [first]: { [a]: 3 }, [second]: { [a]: 3 } });
        assert.deepEqual(await levelOf(t, a, first), { ...(await levelOf(t, a, first)), on_hand: 3, reserved: 3, available: 0 });
        assert.deepEqual(await levelOf(t, a, second), { ...(await levelOf(t, a, second)), on_hand: 4, reserved: 3, available: 1 });
      });

      test('priority comes before proximity', async () => {
        const [abroad, local] = [uid('DE'), uid('US')];
        const a = uid('A-');
        await seed(t, {
          locations: [
            location(abroad, { priority: 1, address: { line1: 'Hauptstr 1', city: 'Berlin', postal_code: '10115', country: 'DE' } }),
            location(local, { priority: 2, address: { line1: '1 Main St', city: 'Springfield', postal_code: '62701', country: 'US' } }),
          ],
          items: [item(a)],
          stock: { [abroad]: { [a]: 5 }, [local]: { [a]: 5 } },
        });
        const o = await place(t, order(uid('s4-'), [{ sku: a, quantity: 1 }], { shipping_address: address('US', '62701') }));
        assert.deepEqual(placement(o), { [abroad]: { [a]: 1 } });
      });

      test('at equal priority the same country wins, then the nearer postal prefix', async () => {
        // Codes are chosen so that the alphabetical tie-break would pick the wrong location.
        const n = uid('');
        const [foreign, eastCoast, nearby] = [`A-CA-${n}`, `B-NJ-${n}`, `Z-IL-${n}`];
        const a = uid('A-');
        await seed(t, {
          locations: [
            location(foreign, { priority: 5, address: { line1: '1 King St', city: 'Toronto', postal_code: 'M5V 2T6', country: 'CA' } }),
            location(eastCoast, { priority: 5, address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' } }),
            location(nearby, { priority: 5, address: { line1: '9 Oak St', city: 'Springfield', postal_code: '62704', country: 'US' } }),
          ],
          items: [item(a)],
          stock: { [foreign]: { [a]: 5 }, [eastCoast]: { [a]: 5 }, [nearby]: { [a]: 5 } },
        });
        const toIllinois = await place(t, order(uid('s5-'), [{ sku: a, quantity: 1 }], { shipping_address: address('US', '62701') }));
        assert.deepEqual(placement(toIllinois), { [nearby]: { [a]: 1 } });
        const toNewJersey = await place(t, order(uid('s5-'), [{ sku: a, quantity: 1 }], { shipping_address: address('US', '07030') }));
        assert.deepEqual(placement(toNewJersey), { [eastCoast]: { [a]: 1 } });
        const toCanada = await place(t, order(uid('s5-'), [{ sku: a, quantity: 1 }], { shipping_address: address('CA', 'M4C 1B5') }));
        assert.deepEqual(placement(toCanada), { [foreign]: { [a]: 1 } });
      });

      test('supplier and 3pl locations are routed like any other location', async () => {
        const [supplier, tpl, wh] = [uid('SUP'), uid('TPL'), uid('WH')];
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, {
          locations: [
            location(supplier, { kind: 'supplier', priority: 1 }),
            location(tpl, { kind: '3pl', priority: 3 }),
            location(wh, { kind: 'warehouse', priority: 2 }),
          ],
          items: [item(a), item(b)],
          stock: { [supplier]: { [a]: 5 }, [tpl]: { [b]: 5 }, [wh]: { [a]: 5 } },
        });
        const dropship = await place(t, order(uid('s6-'), [{ sku: a, quantity: 2 }]));
        assert.deepEqual(placement(dropship), { [supplier]: { [a]: 2 } });
        const outsourced = await place(t, order(uid('s6-'), [{ sku: b, quantity: 1 }]));
        assert.deepEqual(placement(outsourced), { [tpl]: { [b]: 1 } });
        assert.equal(outsourced.fulfillment_orders[0].path, 'physical');
        const split = await place(t, order(uid('s6-'), [{ sku: a, quantity: 8 }]));
        assert.deepEqual(placement(split), { [supplier]: { [a]: 3 }, [wh]: { [a]: 5 } });
      });

      test('never sources from a location without available stock', async () => {
        const [emptied, reservedOut, neverStocked, stocked] = [uid('E'), uid('R'), uid('N'), uid('S')];
        const a = uid('A-');
        await seed(t, {
          locations: [
            location(emptied, { priority: 1 }),
            location(reservedOut, { priority: 1 }),
            location(neverStocked, { priority: 0 }),
            location(stocked, { priority: 9 }),
          ],
          items: [item(a)],
          stock: { [emptied]: { [a]: 2 }, [reservedOut]: { [a]: 2 }, [stocked]: { [a]: 5 } },
        });
        await must(t, '/v1/inventory/adjustments', { location: emptied, reason: 'lost', lines: [{ sku: a, delta: -2 }] });
        const first = await place(t, order(uid('s7-'), [{ sku: a, quantity: 2 }]));
        assert.deepEqual(placement(first), { [reservedOut]: { [a]: 2 } });
        const second = await place(t, order(uid('s7-'), [{ sku: a, quantity: 1 }]));
        assert.deepEqual(placement(second), { [stocked]: { [a]: 1 } });
        assert.deepEqual(await levelOf(t, a, neverStocked), { on_hand: 0, reserved: 0, available: 0, incoming: 0 });
        assert.equal((await levelOf(t, a, emptied)).reserved, 0);
      });

      test('inactive locations are ignored, and count again once reactivated', async () => {
        const [closed, open] = [uid('CL'), uid('OP')];
        const a = uid('A-');
        await seed(t, {
          locations: [location(closed, { priority: 1 }), location(open, { priority: 5 })],
          items: [item(a)],
          stock: { [closed]: { [a]: 5 }, [open]: { [a]: 5 } },
        });
        const patched = await t.request({ method: 'PATCH', url: `/v1/locations/${closed}`, payload: { active: false } });
        assert.equal(patched.statusCode, 200, patched.body);
        const o = await place(t, order(uid('s8-'), [{ sku: a, quantity: 1 }]));
        assert.deepEqual(placement(o), { [open]: { [a]: 1 } });
        const short = problemOf(await t.post('/v1/orders', order(uid('s8-'), [{ sku: a, quantity: 6 }])), 409, 'insufficient_stock');
        assert.deepEqual(short.shortfalls, [{ line: 1, sku: a, requested: 6, available: 4 }]);
        await t.request({ method: 'PATCH', url: `/v1/locations/${closed}`, payload: { active: true } });
        const again = await place(t, order(uid('s8-'), [{ sku: a, quantity: 1 }]));
        assert.deepEqual(placement(again), { [closed]: { [a]: 1 } });
      });

      test('digital and service lines get their own fulfillment order each, with no location and no stock', async () => {
        const wh = uid('WH');
        const [p, d, s] = [uid('MUG-'), uid('EBOOK-'), uid('ENGRAVE-')];
        await seed(t, {
          locations: [location(wh)],
          items: [item(p), item(d, { kind: 'digital' }), item(s, { kind: 'service' })],
          stock: { [wh]: { [p]: 5 } },
        });
        const o = await place(
          t,
          order(uid('s9-'), [
            { sku: d, quantity: 1 },
            { sku: p, quantity: 2 },
            { sku: s, quantity: 3 },
          ]),
        );
        assert.equal(o.fulfillment_orders.length, 3);
        assert.deepEqual(placement(o), { [wh]: { [p]: 2 }, digital: { [d]: 1 }, service: { [s]: 3 } });
        for (const fo of o.fulfillment_orders) {
          assert.equal(fo.location === null, fo.path !== 'physical');
          assert.equal(fo.status, 'open');
        }
        assert.deepEqual(
          o.lines.map((l: Json) => l.kind),
          ['digital', 'physical', 'service'],
        );
        for (const sku of [d, s]) assert.deepEqual((await t.get(`/v1/inventory?sku=${sku}`)).json().data, []);
        assert.equal((await levelOf(t, p, wh)).reserved, 2);
      });
    });

    describe('shortfalls and backorders', () => {
      test('deny items short: 409 insufficient_stock lists every shortfall and nothing is written', async () => {
        const wh = uid('WH');
        const [ok, short, none] = [uid('OK-'), uid('SHORT-'), uid('NONE-')];
        await seed(t, { locations: [location(wh)], items: [item(ok), item(short), item(none)], stock: { [wh]: { [ok]: 5, [short]: 1 } } });
        const externalId = uid('short-');
        const before = await rowCounts(t);
        const res = await t.post(
          '/v1/orders',
          order(externalId, [
            { sku: ok, quantity: 2 },
            { sku: short, quantity: 3 },
            { sku: none, quantity: 2 },
          ]),
          { 'idempotency-key': uid('short-key-') },
        );
        const body = problemOf(res, 409, 'insufficient_stock');
        assert.deepEqual(body.shortfalls, [
          { line: 2, sku: short, requested: 3, available: 1 },
          { line: 3, sku: none, requested: 2, available: 0 },
        ]);
        assert.deepEqual(
          body.errors.map((e: Json) => e.pointer),
          ['/lines/1/quantity', '/lines/2/quantity'],
        );
        assert.deepEqual(await rowCounts(t), before);
        assert.equal((await levelOf(t, ok, wh)).reserved, 0);
        assert.equal((await levelOf(t, short, wh)).reserved, 0);
        assert.deepEqual((await t.get(`/v1/orders?external_id=${externalId}`)).json().data, []);
      });

      test('the same SKU on two lines counts together against availability', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 3 } } });
        const body = problemOf(
          await t.post(
            '/v1/orders',
            order(uid('dup-'), [
              { sku: a, quantity: 2 },
              { sku: a, quantity: 2 },
            ]),
          ),
          409,
          'insufficient_stock',
        );
        assert.equal(body.shortfalls.length, 1);
        assert.equal((await levelOf(t, a, wh)).reserved, 0);
        const fits = await place(
          t,
          order(uid('dup-'), [
            { sku: a, quantity: 2 },
            { sku: a, quantity: 1 },
          ]),
        );
        assert.deepEqual(placement(fits), { [wh]: { [a]: 3 } });
      });

      test('continue items: the shortfall is backordered and what is in stock is reserved', async () => {
        const wh = uid('WH');
        const c = uid('PRE-');
        await seed(t, { locations: [location(wh)], items: [item(c, { inventory_policy: 'continue' })], stock: { [wh]: { [c]: 2 } } });
        const o = await place(t, order(uid('bo-'), [{ sku: c, quantity: 5 }]));
        assert.equal(o.status, 'backordered');
        assert.equal(o.lines[0].backordered_quantity, 3);
        assert.deepEqual(placement(o), { [wh]: { [c]: 2 } });
        assert.deepEqual(await levelOf(t, c, wh), { ...(await levelOf(t, c, wh)), on_hand: 2, reserved: 2, available: 0 });
      });

      test('receipts, transfers and adjustments serve backorders first-in-first-out; orders go backordered -> open', async () => {
        const [dest, source] = [uid('DEST'), uid('SRC')];
        const c = uid('PRE-');
        await seed(t, {
          locations: [location(dest, { priority: 1 }), location(source, { priority: 2 })],
          items: [item(c, { inventory_policy: 'continue' })],
          stock: { [source]: { [c]: 3 } },
        });
        // The source's stock leaves at once: while in transit it is nobody's to sell.
        const transfer = await must(t, '/v1/inventory/transfers', { from: source, to: dest, lines: [{ sku: c, quantity: 3 }] });
        assert.equal((await levelOf(t, c, dest)).incoming, 3);
        const o1 = await place(t, order(uid('fifo-'), [{ sku: c, quantity: 2 }]));
        const o2 = await place(t, order(uid('fifo-'), [{ sku: c, quantity: 2 }]));
        const o3 = await place(t, order(uid('fifo-'), [{ sku: c, quantity: 1 }]));
        for (const o of [o1, o2, o3]) {
          assert.equal(o.status, 'backordered');
          assert.deepEqual(o.fulfillment_orders, []);
        }

        const receipt = await must(t, '/v1/inventory/receipts', { location: dest, lines: [{ sku: c, quantity: 1 }] });
        assert.equal(receipt.backorders_allocated, 1);
        let [r1, r2, r3] = [await getOrder(t, o1.id), await getOrder(t, o2.id), await getOrder(t, o3.id)];
        assert.equal(r1.status, 'backordered');
        assert.equal(r1.lines[0].backordered_quantity, 1);
        assert.deepEqual(placement(r1), { [dest]: { [c]: 1 } });
        assert.deepEqual([r2.lines[0].backordered_quantity, r3.lines[0].backordered_quantity], [2, 1]);

        const received = await t.post(`/v1/inventory/transfers/${transfer.id}/receive`);
        assert.equal(received.statusCode, 200, received.body);
        [r1, r2, r3] = [await getOrder(t, o1.id), await getOrder(t, o2.id), await getOrder(t, o3.id)];
        assert.deepEqual([r1.status, r2.status, r3.status], ['open', 'open', 'backordered']);
        assert.deepEqual(placement(r1), { [dest]: { [c]: 2 } });
        assert.equal(r1.fulfillment_orders.length, 1, 'the second allocation joins the open fulfillment order');
        assert.deepEqual(placement(r2), { [dest]: { [c]: 2 } });
        assert.deepEqual(placement(r3), {});

        // Work created later for a held order is created on hold.
        const held = await t.post(`/v1/orders/${o3.id}/holds`, { reason: 'payment' });
        assert.equal(held.statusCode, 201, held.body);
        const adjusted = await must(t, '/v1/inventory/adjustments', { location: dest, reason: 'found', lines: [{ sku: c, delta: 1 }] });
        assert.equal(adjusted.backorders_allocated, 1);
        r3 = await getOrder(t, o3.id);
        assert.equal(r3.status, 'open');
        assert.deepEqual(statusesOf(r3), ['on_hold']);
        assert.deepEqual(await levelOf(t, c, dest), { ...(await levelOf(t, c, dest)), on_hand: 5, reserved: 5, available: 0, incoming: 0 });
        const timeline = (await t.get(`/v1/orders/${o1.id}/events`)).json().data.map((e: Json) => e.type);
        assert.deepEqual(timeline, ['order.created', 'order.backordered', 'order.backorder_allocated', 'order.backorder_allocated']);
      });

      test('stock received at an inactive location does not serve backorders', async () => {
        const wh = uid('WH');
        const c = uid('PRE-');
        await seed(t, { locations: [location(wh, { active: false })], items: [item(c, { inventory_policy: 'continue' })] });
        const o = await place(t, order(uid('ina-'), [{ sku: c, quantity: 1 }]));
        const receipt = await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: c, quantity: 4 }] });
        assert.equal(receipt.backorders_allocated, 0);
        assert.equal((await getOrder(t, o.id)).status, 'backordered');
        assert.equal((await levelOf(t, c, wh)).reserved, 0);
      });
    });

    describe('Idempotency-Key and duplicate orders', () => {
      test('a replay returns the stored body with Idempotent-Replayed: true and creates nothing', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 10 } } });
        const key = uid('idem-');
        const payload = order(uid('idem-'), [{ sku: a, quantity: 2 }]);
        const first = await t.post('/v1/orders', payload, { 'idempotency-key': key });
        assert.equal(first.statusCode, 201, first.body);
        assert.equal(first.headers['idempotent-replayed'], undefined);
        const before = await rowCounts(t);
        // Even after the order changed, the replay is the stored response to the original request.
        await must(t, `/v1/orders/${first.json().id}/holds`, { reason: 'manual' });
        const afterHold = await rowCounts(t);
        for (let i = 0; i < 3; i += 1) {
          const replay = await t.post('/v1/orders', payload, { 'idempotency-key': key });
          assert.equal(replay.statusCode, 201);
          assert.equal(replay.headers['idempotent-replayed'], 'true');
          assert.deepEqual(replay.json(), first.json());
        }
        assert.deepEqual(await rowCounts(t), afterHold);
        assert.equal(afterHold.orders, before.orders);
        assert.equal((await levelOf(t, a, wh)).reserved, 2);
      });

      test('the same key with a different body is 422 idempotency_key_reused and writes nothing', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 10 } } });
        const key = uid('reuse-');
        const payload = order(uid('reuse-'), [{ sku: a, quantity: 1 }]);
        await place(t, payload, { 'idempotency-key': key });
        const before = await rowCounts(t);
        problemOf(
          await t.post('/v1/orders', { ...payload, lines: [{ sku: a, quantity: 2, unit_price: 1000 }] }, { 'idempotency-key': key }),
          422,
          'idempotency_key_reused',
        );
        problemOf(
          await t.post('/v1/orders', { ...payload, external_id: uid('other-') }, { 'idempotency-key': key }),
          422,
          'idempotency_key_reused',
        );
        assert.deepEqual(await rowCounts(t), before);
        assert.equal((await levelOf(t, a, wh)).reserved, 1);
      });

      test('keys belong to the API key that sent them', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 10 } } });
        const other = await createKey(t, ['orders:write']);
        const key = uid('shared-');
        await place(t, order(uid('mine-'), [{ sku: a, quantity: 1 }]), { 'idempotency-key': key });
        const theirs = await place(t, order(uid('theirs-'), [{ sku: a, quantity: 1 }]), {
          'idempotency-key': key,
          authorization: `Bearer ${other.key}`,
        });
        assert.equal((await levelOf(t, a, wh)).reserved, 2);
        const events = (await t.get(`/v1/orders/${theirs.id}/events`)).json().data;
        assert.equal(events[0].actor, other.id);
      });

      test('a refused request is not stored: the same key succeeds once stock has arrived', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 1 } } });
        const key = uid('retry-');
        const payload = order(uid('retry-'), [{ sku: a, quantity: 3 }]);
        problemOf(await t.post('/v1/orders', payload, { 'idempotency-key': key }), 409, 'insufficient_stock');
        await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: a, quantity: 5 }] });
        const created = await t.post('/v1/orders', payload, { 'idempotency-key': key });
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.headers['idempotent-replayed'], undefined);
      });

      test('concurrent duplicates with one key make exactly one order; the others are 409 or a replay', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 100 } } });
        const key = uid('race-');
        const payload = order(uid('race-'), [{ sku: a, quantity: 3 }]);
        const responses = await Promise.all(Array.from({ length: 12 }, () => t.post('/v1/orders', payload, { 'idempotency-key': key })));
        const fresh = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
        assert.equal(fresh.length, 1, responses.map((r) => r.statusCode).join(','));
        const id = fresh[0]?.json().id;
        for (const r of responses) {
          if (r === fresh[0]) continue;
          if (r.statusCode === 201) {
            assert.equal(r.headers['idempotent-replayed'], 'true');
            assert.equal(r.json().id, id);
          } else {
            const code = problemOf(r, 409, r.json().code).code;
            assert.ok(['idempotency_in_progress', 'order_exists'].includes(code), code);
          }
        }
        assert.equal((await t.get(`/v1/orders?external_id=${payload.external_id}`)).json().data.length, 1);
        assert.equal((await levelOf(t, a, wh)).reserved, 3);
        const replay = await t.post('/v1/orders', payload, { 'idempotency-key': key });
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        assert.equal(replay.json().id, id);
      });

      test('the same channel order number twice is 409 order_exists with the order id, with or without keys', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 100 } } });
        const externalId = uid('dupe-');
        const concurrent = await Promise.all(
          Array.from({ length: 8 }, () => t.post('/v1/orders', order(externalId, [{ sku: a, quantity: 1 }]))),
        );
        const created = concurrent.filter((r) => r.statusCode === 201);
        assert.equal(created.length, 1);
        const id = created[0]?.json().id;
        for (const r of concurrent.filter((x) => x.statusCode !== 201)) assert.equal(problemOf(r, 409, 'order_exists').order_id, id);
        const withKey = problemOf(
          await t.post('/v1/orders', order(externalId, [{ sku: a, quantity: 1 }]), { 'idempotency-key': uid('k-') }),
          409,
          'order_exists',
        );
        assert.equal(withKey.order_id, id);
        assert.equal((await levelOf(t, a, wh)).reserved, 1);
        const otherChannel = await place(t, order(externalId, [{ sku: a, quantity: 1 }], { channel: 'amazon' }));
        assert.notEqual(otherChannel.id, id);
      });

      test('two server processes on one database: one order per key and per channel order number', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 100 } } });
        const { sqliteFile, databaseUrl, searchPath } = t.database;
        const other = await compose({ ...(sqliteFile ? { sqliteFile } : { databaseUrl, searchPath }), adminKey });
        const otherHttp = await buildHttpApp(other, { logLevel: false });
        try {
          for (let round = 0; round < 3; round += 1) {
            const payload = order(uid('mp-'), [{ sku: a, quantity: 1 }]);
            const headers = { ...adminHeaders, 'idempotency-key': uid('mp-key-') };
            const send = (http: typeof otherHttp) => http.inject({ method: 'POST', url: '/v1/orders', payload, headers });
            const answers = await Promise.all([send(t.http), send(otherHttp), send(t.http), send(otherHttp)]);
            const fresh = answers.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
            assert.equal(fresh.length, 1, answers.map((r) => `${r.statusCode} ${r.body.slice(0, 80)}`).join('\n'));
            for (const r of answers.filter((x) => x !== fresh[0])) {
              if (r.statusCode === 201) assert.equal(r.json().id, fresh[0]?.json().id);
              else assert.ok(['idempotency_in_progress', 'order_exists'].includes(problemOf(r, 409, r.json().code).code));
            }
            const noKey = order(uid('mp-'), [{ sku: a, quantity: 1 }]);
            const both = await Promise.all(
              [t.http, otherHttp].map((http) => http.inject({ method: 'POST', url: '/v1/orders', payload: noKey, headers: adminHeaders })),
            );
            assert.deepEqual(both.map((r) => r.statusCode).sort(), [201, 409]);
            const winner = both.find((r) => r.statusCode === 201)?.json().id;
            assert.equal(problemOf(both.find((r) => r.statusCode === 409) as LightMyRequestResponse, 409, 'order_exists').order_id, winner);
          }
          assert.equal((await levelOf(t, a, wh)).reserved, 6);
        } finally {
          await otherHttp.close();
          await other.close();
        }
      });

      test('an Idempotency-Key that is not printable ASCII or too long is 400 with the header pointer', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 10 } } });
        for (const key of ['x'.repeat(256), 'with space', 'ключ']) {
          const res = await t.request({
            method: 'POST',
            url: '/v1/orders',
            payload: order(uid('hk-'), [{ sku: a, quantity: 1 }]),
            headers: { 'idempotency-key': Buffer.from(key).toString('latin1') },
          });
          const body = problemOf(res, 400, 'validation_failed');
          assert.match(body.errors[0].pointer, /idempotency-key/);
        }
        assert.equal((await levelOf(t, a, wh)).reserved, 0);
      });
    });

    describe('holds', () => {
      async function twoLocationOrder(extra: Record<string, unknown> = {}) {
        const [w1, w2] = [uid('H1-'), uid('H2-')];
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, {
          locations: [location(w1), location(w2)],
          items: [item(a), item(b)],
          stock: { [w1]: { [a]: 5 }, [w2]: { [b]: 5 } },
        });
        const o = await place(
          t,
          order(
            uid('hold-'),
            [
              { sku: a, quantity: 1 },
              { sku: b, quantity: 1 },
            ],
            extra,
          ),
        );
        assert.equal(o.fulfillment_orders.length, 2);
        const foAt = (view: Json, code: string) => view.fulfillment_orders.find((fo: Json) => fo.location === code);
        return { o, w1, w2, foAt };
      }

      test('several order holds stand at once; work reopens only when the last one is released', async () => {
        const { o } = await twoLocationOrder();
        const payment = await t.post(`/v1/orders/${o.id}/holds`, { reason: 'payment', note: 'card declined' });
        assert.equal(payment.statusCode, 201, payment.body);
        let view = payment.json();
        assert.equal(view.on_hold, true);
        assert.deepEqual(statusesOf(view), ['on_hold', 'on_hold']);
        const paymentHold = view.holds.at(-1);
        assert.equal(paymentHold.reason, 'payment');
        assert.equal(paymentHold.note, 'card declined');
        assert.equal(paymentHold.status, 'active');
        assert.equal(paymentHold.fulfillment_order_id, null);
        assert.equal(paymentHold.created_by, 'admin');
        view = await must(t, `/v1/orders/${o.id}/holds`, { reason: 'fraud' });
        const fraudHold = view.holds.at(-1);
        assert.deepEqual(
          view.holds.map((h: Json) => [h.reason, h.status]),
          [
            ['payment', 'active'],
            ['fraud', 'active'],
          ],
        );
        const released = await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${paymentHold.id}` });
        assert.equal(released.statusCode, 200, released.body);
        view = released.json();
        assert.equal(view.on_hold, true);
        assert.deepEqual(statusesOf(view), ['on_hold', 'on_hold'], 'fraud still holds the work');
        const gone = view.holds.find((h: Json) => h.id === paymentHold.id);
        assert.equal(gone.status, 'released');
        assert.equal(gone.released_by, 'admin');
        assert.ok(!Number.isNaN(Date.parse(gone.released_at)));
        view = (await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${fraudHold.id}` })).json();
        assert.equal(view.on_hold, false);
        assert.deepEqual(statusesOf(view), ['open', 'open']);
        problemOf(await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${fraudHold.id}` }), 409, 'hold_not_active');
        problemOf(await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/hold_nosuchhold` }), 404, 'not_found');
        assert.deepEqual(statusesOf(await getOrder(t, o.id)), ['open', 'open']);
      });

      test('a fulfillment-order hold holds that work only, and outlives an order hold released before it', async () => {
        const { o, w1, w2, foAt } = await twoLocationOrder();
        const fo1 = foAt(o, w1).id;
        let view = await must(t, `/v1/orders/${o.id}/holds`, { reason: 'address', fulfillment_order_id: fo1 });
        const foHold = view.holds.at(-1);
        assert.equal(foHold.fulfillment_order_id, fo1);
        assert.equal(foAt(view, w1).status, 'on_hold');
        assert.equal(foAt(view, w2).status, 'open');
        assert.equal(view.on_hold, true);
        view = await must(t, `/v1/orders/${o.id}/holds`, { reason: 'manual' });
        const orderHold = view.holds.at(-1);
        assert.deepEqual(statusesOf(view), ['on_hold', 'on_hold']);
        view = (await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${orderHold.id}` })).json();
        assert.equal(foAt(view, w1).status, 'on_hold', 'its own hold still stands');
        assert.equal(foAt(view, w2).status, 'open');
        const openList = (await t.get(`/v1/fulfillment-orders?location=${w1}&status=open`)).json().data;
        assert.deepEqual(openList, [], 'held work is not offered as open work');
        view = (await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${foHold.id}` })).json();
        assert.deepEqual(statusesOf(view), ['open', 'open']);
        assert.equal(view.on_hold, false);
      });

      test('holds given at intake hold every fulfillment order from the start', async () => {
        const { o } = await twoLocationOrder({ holds: [{ reason: 'fraud', note: 'score 97' }, { reason: 'payment' }] });
        assert.equal(o.on_hold, true);
        assert.deepEqual(statusesOf(o), ['on_hold', 'on_hold']);
        assert.deepEqual(
          o.holds.map((h: Json) => [h.reason, h.note, h.status, h.created_by]),
          [
            ['fraud', 'score 97', 'active', 'admin'],
            ['payment', null, 'active', 'admin'],
          ],
        );
        assert.deepEqual(await getOrder(t, o.id), o);
        const [fraud, payment] = o.holds;
        await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${fraud.id}` });
        assert.deepEqual(statusesOf(await getOrder(t, o.id)), ['on_hold', 'on_hold']);
        await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${payment.id}` });
        assert.deepEqual(statusesOf(await getOrder(t, o.id)), ['open', 'open']);
      });

      test('at most 50 holds stand at once: the next is 409 limit_reached until one is released', async () => {
        const { o } = await twoLocationOrder();
        let view: Json = o;
        for (let i = 0; i < 50; i += 1) view = await must(t, `/v1/orders/${o.id}/holds`, { reason: 'manual', note: `hold ${i}` });
        const before = await rowCounts(t);
        problemOf(await t.post(`/v1/orders/${o.id}/holds`, { reason: 'fraud' }), 409, 'limit_reached');
        assert.deepEqual(await rowCounts(t), before);
        await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${view.holds[0].id}` });
        const again = await t.post(`/v1/orders/${o.id}/holds`, { reason: 'fraud' });
        assert.equal(again.statusCode, 201, again.body);
        assert.deepEqual(statusesOf(again.json()), ['on_hold', 'on_hold']);
      });

      test('bad holds are refused: unknown reason, another order’s fulfillment order, a cancelled order', async () => {
        const { o } = await twoLocationOrder();
        const { o: other } = await twoLocationOrder();
        const badReason = problemOf(await t.post(`/v1/orders/${o.id}/holds`, { reason: 'vibes' }), 400, 'validation_failed');
        assert.equal(badReason.errors[0].pointer, '/reason');
        problemOf(
          await t.post(`/v1/orders/${o.id}/holds`, { reason: 'manual', fulfillment_order_id: other.fulfillment_orders[0].id }),
          404,
          'not_found',
        );
        problemOf(await t.post('/v1/orders/ord_missing/holds', { reason: 'manual' }), 404, 'not_found');
        // No body at all is the same as {} (the cancel body has no required field); a null body is still refused.
        const nullBody = await t.request({
          method: 'POST',
          url: `/v1/orders/${o.id}/cancel`,
          payload: 'null',
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(nullBody.statusCode, 400, nullBody.body);
        const bare = await t.request({ method: 'POST', url: `/v1/orders/${o.id}/cancel` });
        assert.equal(bare.statusCode, 200, bare.body);
        problemOf(await t.post(`/v1/orders/${o.id}/holds`, { reason: 'manual' }), 409, 'illegal_transition');
        const view = await getOrder(t, o.id);
        assert.deepEqual(view.holds, []);
        assert.deepEqual(statusesOf(view), ['cancelled', 'cancelled']);
      });
    });

    describe('cancellation', () => {
      test('cancelling a whole order releases every reservation and standing hold, once', async () => {
        const wh = uid('WH');
        const [a, d] = [uid('A-'), uid('DL-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(d, { kind: 'digital' })], stock: { [wh]: { [a]: 10 } } });
        const o = await place(
          t,
          order(
            uid('cx-'),
            [
              { sku: a, quantity: 4 },
              { sku: d, quantity: 1 },
            ],
            { holds: [{ reason: 'payment' }] },
          ),
        );
        assert.equal((await levelOf(t, a, wh)).reserved, 4);
        const res = await t.post(`/v1/orders/${o.id}/cancel`, { reason: 'customer asked' });
        assert.equal(res.statusCode, 200, res.body);
        const view = res.json();
        assert.equal(view.status, 'cancelled');
        assert.equal(view.cancel_reason, 'customer asked');
        assert.equal(view.on_hold, false);
        assert.deepEqual(statusesOf(view), ['cancelled', 'cancelled']);
        assert.deepEqual(
          view.lines.map((l: Json) => [l.cancelled_quantity, l.total]),
          [
            [4, 0],
            [1, 0],
          ],
        );
        assert.deepEqual(await levelOf(t, a, wh), { ...(await levelOf(t, a, wh)), on_hand: 10, reserved: 0, available: 10 });
        const before = await rowCounts(t);
        problemOf(await t.post(`/v1/orders/${o.id}/cancel`, {}), 409, 'illegal_transition');
        problemOf(await t.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line_id: o.lines[0].id, quantity: 1 }] }), 409, 'not_cancellable');
        assert.deepEqual(await rowCounts(t), before);
        problemOf(await t.post('/v1/orders/ord_missing/cancel', {}), 404, 'not_found');
      });

      test('cancelling line quantities releases those units; asking for more than is cancellable changes nothing', async () => {
        const wh = uid('WH');
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(b)], stock: { [wh]: { [a]: 10, [b]: 10 } } });
        const o = await place(
          t,
          order(uid('cl-'), [
            { sku: a, quantity: 5, unit_price: 300 },
            { sku: b, quantity: 2, unit_price: 700 },
          ]),
        );
        const [la, lb] = o.lines;
        let view = await must(t, `/v1/orders/${o.id}/cancel`, { lines: [{ line_id: la.id, quantity: 2 }] });
        assert.equal(view.status, 'open');
        assert.deepEqual(
          view.lines.map((l: Json) => [l.quantity, l.cancelled_quantity, l.total]),
          [
            [5, 2, 900],
            [2, 0, 1400],
          ],
        );
        const foLine = view.fulfillment_orders[0].lines.find((l: Json) => l.line_id === la.id);
        assert.deepEqual([foLine.quantity, foLine.cancelled_quantity], [3, 2]);
        assert.equal((await levelOf(t, a, wh)).reserved, 3);

        const before = await rowCounts(t);
        const snapshot = await getOrder(t, o.id);
        const refused = problemOf(
          await t.post(`/v1/orders/${o.id}/cancel`, {
            lines: [
              { line_id: lb.id, quantity: 1 },
              { line_id: la.id, quantity: 4 },
            ],
          }),
          409,
          'not_cancellable',
        );
        assert.equal(refused.errors[0].pointer, '/lines/1/quantity');
        assert.deepEqual(await rowCounts(t), before);
        assert.deepEqual(await getOrder(t, o.id), snapshot);
        assert.equal((await levelOf(t, a, wh)).reserved, 3);
        assert.equal((await levelOf(t, b, wh)).reserved, 2);

        const unknownLine = problemOf(
          await t.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line_id: 'line_nope', quantity: 1 }] }),
          400,
          'validation_failed',
        );
        assert.equal(unknownLine.errors[0].pointer, '/lines/0/line_id');
        const twice = problemOf(
          await t.post(`/v1/orders/${o.id}/cancel`, {
            lines: [
              { line_id: lb.id, quantity: 1 },
              { line_id: lb.id, quantity: 1 },
            ],
          }),
          400,
          'validation_failed',
        );
        assert.equal(twice.errors[0].pointer, '/lines/1/line_id');
        problemOf(await t.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line_id: lb.id, quantity: 0 }] }), 400, 'validation_failed');
        assert.deepEqual(await getOrder(t, o.id), snapshot);

        view = await must(t, `/v1/orders/${o.id}/cancel`, {
          lines: [
            { line_id: la.id, quantity: 3 },
            { line_id: lb.id, quantity: 2 },
          ],
        });
        assert.equal(view.status, 'cancelled');
        assert.deepEqual(statusesOf(view), ['cancelled']);
        assert.equal((await levelOf(t, a, wh)).reserved, 0);
        assert.equal((await levelOf(t, b, wh)).reserved, 0);
      });

      test('backordered quantity is cancelled first, then reserved units', async () => {
        const wh = uid('WH');
        const c = uid('PRE-');
        await seed(t, { locations: [location(wh)], items: [item(c, { inventory_policy: 'continue' })], stock: { [wh]: { [c]: 2 } } });
        const o = await place(t, order(uid('cb-'), [{ sku: c, quantity: 5 }]));
        const line = o.lines[0].id;
        let view = await must(t, `/v1/orders/${o.id}/cancel`, { lines: [{ line_id: line, quantity: 2 }] });
        assert.equal(view.status, 'backordered');
        assert.equal(view.lines[0].backordered_quantity, 1);
        assert.equal((await levelOf(t, c, wh)).reserved, 2);
        view = await must(t, `/v1/orders/${o.id}/cancel`, { lines: [{ line_id: line, quantity: 2 }] });
        assert.equal(view.status, 'open', 'nothing waits any more');
        assert.equal(view.lines[0].backordered_quantity, 0);
        assert.equal((await levelOf(t, c, wh)).reserved, 1);
        const receipt = await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: c, quantity: 3 }] });
        assert.equal(receipt.backorders_allocated, 0, 'a cancelled backorder is never served');
        assert.equal((await levelOf(t, c, wh)).reserved, 1);
      });

      test('a cancelled fulfillment order is never reopened, by a hold release or by a later allocation', async () => {
        const wh = uid('WH');
        const [a, c] = [uid('A-'), uid('PRE-')];
        await seed(t, {
          locations: [location(wh)],
          items: [item(a), item(c, { inventory_policy: 'continue' })],
          stock: { [wh]: { [a]: 5 } },
        });
        const o = await place(
          t,
          order(uid('nr-'), [
            { sku: a, quantity: 1 },
            { sku: c, quantity: 2 },
          ]),
        );
        assert.equal(o.status, 'backordered');
        const held = await must(t, `/v1/orders/${o.id}/holds`, { reason: 'manual' });
        const cancelledFo = held.fulfillment_orders[0].id;
        let view = await must(t, `/v1/orders/${o.id}/cancel`, { lines: [{ line_id: o.lines[0].id, quantity: 1 }] });
        assert.equal(view.status, 'backordered');
        assert.deepEqual(statusesOf(view), ['cancelled']);
        view = (await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${held.holds[0].id}` })).json();
        assert.deepEqual(statusesOf(view), ['cancelled']);
        await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: c, quantity: 2 }] });
        view = await getOrder(t, o.id);
        assert.equal(view.status, 'open');
        const old = view.fulfillment_orders.find((fo: Json) => fo.id === cancelledFo);
        assert.equal(old.status, 'cancelled');
        assert.deepEqual(
          old.lines.map((l: Json) => [l.sku, l.quantity, l.cancelled_quantity]),
          [[a, 0, 1]],
        );
        const fresh = view.fulfillment_orders.filter((fo: Json) => fo.id !== cancelledFo);
        assert.equal(fresh.length, 1);
        assert.equal(fresh[0].status, 'open');
        assert.deepEqual(placement(view), { [wh]: { [c]: 2 } });
      });
    });

    describe('reading orders', () => {
      test('filters and cursor pagination walk every order once, newest first', async () => {
        const clock = new ManualClock('2026-03-01T00:00:00.000Z');
        const own = await createTestApp(dialect, { clock });
        try {
          await seed(own, { locations: [location('WH1')], items: [item('A')], stock: { WH1: { A: 1000 } } });
          const created: Json[] = [];
          for (let i = 0; i < 23; i += 1) {
            clock.advance(60_000);
            const channel = i % 3 === 0 ? 'amazon' : 'web';
            const email = i % 4 === 0 ? 'Bob@Example.COM' : `c${i}@example.com`;
            const res = await own.post('/v1/orders', order(`ext-${i}`, [{ sku: 'A', quantity: 1 }], { channel, customer: { email } }));
            assert.equal(res.statusCode, 201, res.body);
            created.push(res.json());
          }
          for (const i of [1, 5, 9]) await must(own, `/v1/orders/${created[i]?.id}/cancel`, {});
          const newestFirst = created.map((o) => o.id).reverse();

          for (const limit of [1, 4, 23, 50]) {
            const { pages, items } = await allPages(own, '/v1/orders', limit);
            assert.deepEqual(
              items.map((o) => o.id),
              newestFirst,
              `limit ${limit}`,
            );
            assert.equal(pages, Math.max(1, Math.ceil(23 / limit)));
          }
          const amazon = await allPages(own, '/v1/orders?channel=amazon', 3);
          assert.deepEqual(
            amazon.items.map((o) => o.external_id),
            created
              .filter((o) => o.channel === 'amazon')
              .map((o) => o.external_id)
              .reverse(),
          );
          const cancelledWeb = await allPages(own, '/v1/orders?status=cancelled&channel=web', 2);
          assert.deepEqual(cancelledWeb.items.map((o) => o.external_id).sort(), ['ext-1', 'ext-5']);
          const bob = await allPages(own, `/v1/orders?email=${encodeURIComponent('bob@example.com')}`, 2);
          assert.deepEqual(
            bob.items.map((o) => o.external_id),
            ['ext-20', 'ext-16', 'ext-12', 'ext-8', 'ext-4', 'ext-0'],
          );
          const one = (await own.get('/v1/orders?external_id=ext-7')).json();
          assert.deepEqual(
            one.data.map((o: Json) => o.id),
            [created[7]?.id],
          );
          assert.deepEqual(one.data[0], await getOrder(own, created[7]?.id));
          const window = await allPages(
            own,
            `/v1/orders?created_after=${encodeURIComponent(created[10]?.created_at)}&created_before=${encodeURIComponent(created[14]?.created_at)}`,
            2,
          );
          assert.deepEqual(
            window.items.map((o) => o.external_id),
            ['ext-13', 'ext-12', 'ext-11', 'ext-10'],
          );
          assert.deepEqual((await own.get('/v1/orders?status=fulfilled')).json(), { data: [], next_cursor: null });

          const badStatus = problemOf(await own.get('/v1/orders?status=shipped'), 400, 'validation_failed');
          assert.equal(badStatus.errors[0].pointer, '/querystring/status');
          problemOf(await own.get('/v1/orders?limit=501'), 400, 'validation_failed');
          problemOf(await own.get('/v1/orders?cursor=not-a-cursor'), 400, 'validation_failed');
          problemOf(await own.get('/v1/orders?color=red'), 400, 'validation_failed');
          await assertLedgerVerified(own);
        } finally {
          await own.close();
        }
      });

      test('the timeline records every change with its actor and time, aggregate_seq increasing', async () => {
        const wh = uid('WH');
        const [a, c] = [uid('A-'), uid('PRE-')];
        await seed(t, {
          locations: [location(wh)],
          items: [item(a), item(c, { inventory_policy: 'continue' })],
          stock: { [wh]: { [a]: 5 } },
        });
        const clerk = await createKey(t, ['orders:write']);
        const asClerk = { authorization: `Bearer ${clerk.key}` };
        const o = await place(
          t,
          order(uid('tl-'), [
            { sku: a, quantity: 3 },
            { sku: c, quantity: 1 },
          ]),
        );
        const hold = (await t.post(`/v1/orders/${o.id}/holds`, { reason: 'fraud' }, asClerk)).json().holds[0];
        await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${hold.id}`, headers: asClerk });
        await must(t, '/v1/inventory/receipts', { location: wh, lines: [{ sku: c, quantity: 1 }] });
        await t.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line_id: o.lines[0].id, quantity: 1 }] }, asClerk);
        await must(t, `/v1/orders/${o.id}/cancel`, { reason: 'fraud confirmed' });

        const { items: events } = await allPages(t, `/v1/orders/${o.id}/events`, 2);
        assert.deepEqual(
          events.map((e) => [e.type, e.actor]),
          [
            ['order.created', 'admin'],
            ['order.backordered', 'admin'],
            ['order.hold_placed', clerk.id],
            ['order.hold_released', clerk.id],
            ['order.backorder_allocated', 'admin'],
            ['order.lines_cancelled', clerk.id],
            ['order.cancelled', 'admin'],
          ],
        );
        events.forEach((e, i) => {
          assert.equal(e.aggregate_type, 'order');
          assert.equal(e.aggregate_id, o.id);
          assert.equal(e.aggregate_seq, i + 1);
          assert.equal(e.data.order_id, o.id);
          assert.ok(!Number.isNaN(Date.parse(e.created_at)));
          if (i > 0) assert.ok(e.seq > events[i - 1]?.seq);
        });
        assert.equal(events[2]?.data.reason, 'fraud');
        assert.equal(events[6]?.data.reason, 'fraud confirmed');
        problemOf(await t.get('/v1/orders/ord_missing/events'), 404, 'not_found');
        problemOf(await t.get(`/v1/orders/${o.id}/events?cursor=${Buffer.from('c1:abc').toString('base64url')}`), 400, 'validation_failed');
      });

      test('fulfillment orders: list by location, status and path; get one; unknown ones are 404', async () => {
        const [w1, w2] = [uid('F1-'), uid('F2-')];
        const [a, b, d] = [uid('A-'), uid('B-'), uid('D-')];
        await seed(t, {
          locations: [location(w1), location(w2)],
          items: [item(a), item(b), item(d, { kind: 'digital' })],
          stock: { [w1]: { [a]: 10 }, [w2]: { [b]: 10 } },
        });
        const o1 = await place(
          t,
          order(uid('fo-'), [
            { sku: a, quantity: 1 },
            { sku: b, quantity: 1 },
            { sku: d, quantity: 1 },
          ]),
        );
        const o2 = await place(t, order(uid('fo-'), [{ sku: a, quantity: 2 }]));
        const o3 = await place(t, order(uid('fo-'), [{ sku: a, quantity: 3 }]));
        await must(t, `/v1/orders/${o3.id}/holds`, { reason: 'address' });

        const atW1 = await allPages(t, `/v1/fulfillment-orders?location=${w1}`, 2);
        const expected = [o1, o2, o3].map((o) => o.fulfillment_orders.find((fo: Json) => fo.location === w1).id);
        assert.deepEqual(
          atW1.items.map((fo) => fo.id),
          expected,
          'oldest first',
        );
        const openAtW1 = (await t.get(`/v1/fulfillment-orders?location=${w1}&status=open`)).json().data;
        assert.deepEqual(
          openAtW1.map((fo: Json) => fo.order_id),
          [o1.id, o2.id],
        );
        const heldAtW1 = (await t.get(`/v1/fulfillment-orders?location=${w1}&status=on_hold`)).json().data;
        assert.deepEqual(
          heldAtW1.map((fo: Json) => fo.order_id),
          [o3.id],
        );
        const digital = (await allPages(t, '/v1/fulfillment-orders?path=digital', 100)).items.filter((fo) => fo.order_id === o1.id);
        assert.equal(digital.length, 1);
        assert.equal(digital[0]?.location, null);

        for (const fo of o1.fulfillment_orders) {
          const res = await t.get(`/v1/fulfillment-orders/${fo.id}`);
          assert.equal(res.statusCode, 200, res.body);
          assert.deepEqual(res.json(), fo);
        }
        problemOf(await t.get('/v1/fulfillment-orders/fo_missing'), 404, 'not_found');
        problemOf(await t.get('/v1/fulfillment-orders?location=NOWHERE'), 404, 'not_found');
        problemOf(await t.get('/v1/fulfillment-orders?cursor=%25%25'), 400, 'validation_failed');
      });
    });

    describe('POST /v1/orders/batch', () => {
      test('mixed orders: per-order results in request order; a retried batch reports order_exists', async () => {
        const wh = uid('WH');
        const [a, b] = [uid('A-'), uid('B-')];
        await seed(t, { locations: [location(wh)], items: [item(a), item(b)], stock: { [wh]: { [a]: 10, [b]: 1 } } });
        const good1 = order(uid('bat-'), [{ sku: a, quantity: 2 }]);
        const good2 = order(uid('bat-'), [
          { sku: a, quantity: 1 },
          { sku: b, quantity: 1 },
        ]);
        const batch = {
          orders: [
            good1,
            order(uid('bat-'), [{ sku: 'NO-SUCH-SKU', quantity: 1 }]),
            order(uid('bat-'), [{ sku: a, quantity: 50 }]),
            good1,
            good2,
            order(uid('bat-'), [{ sku: b, quantity: 1 }]),
            order(uid('bat-'), [{ sku: a, quantity: 1 }], { currency: 'XXX' }),
          ],
        };
        const before = await rowCounts(t);
        const res = await t.post('/v1/orders/batch', batch);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.deepEqual(
          body.results.map((r: Json) => [r.index, r.status, r.problem?.code ?? null]),
          [
            [0, 201, null],
            [1, 422, 'unknown_sku'],
            [2, 409, 'insufficient_stock'],
            [3, 409, 'order_exists'],
            [4, 201, null],
            [5, 409, 'insufficient_stock'],
            [6, 400, 'validation_failed'],
          ],
        );
        assert.deepEqual([body.created, body.rejected], [2, 5]);
        const [first, , , duplicate, second] = body.results;
        assert.equal(duplicate.problem.order_id, first.order.id);
        assert.equal(body.results[1].problem.errors[0].pointer, '/lines/0/sku');
        assert.equal(body.results[6].problem.errors[0].pointer, '/currency');
        assert.deepEqual(first.order, await getOrder(t, first.order.id));
        assert.deepEqual(placement(second.order), { [wh]: { [a]: 1, [b]: 1 } });
        const afterFirst = await rowCounts(t);
        assert.equal(afterFirst.orders, before.orders + 2);
        assert.equal((await levelOf(t, a, wh)).reserved, 3);

        const retry = (await t.post('/v1/orders/batch', batch)).json();
        assert.deepEqual(
          retry.results.map((r: Json) => [r.status, r.problem?.code ?? null]),
          [
            [409, 'order_exists'],
            [422, 'unknown_sku'],
            [409, 'insufficient_stock'],
            [409, 'order_exists'],
            [409, 'order_exists'],
            [409, 'insufficient_stock'],
            [400, 'validation_failed'],
          ],
        );
        assert.equal(retry.results[0].problem.order_id, first.order.id);
        assert.equal(retry.results[4].problem.order_id, second.order.id);
        assert.equal(retry.created, 0);
        assert.equal((await rowCounts(t)).orders, afterFirst.orders);
        assert.equal((await levelOf(t, a, wh)).reserved, 3);
      });

      test('a batch with a malformed order is refused whole with pointers into it, writing nothing', async () => {
        const wh = uid('WH');
        const a = uid('A-');
        await seed(t, { locations: [location(wh)], items: [item(a)], stock: { [wh]: { [a]: 10 } } });
        const before = await rowCounts(t);
        const res = await t.post('/v1/orders/batch', {
          orders: [order(uid('bm-'), [{ sku: a, quantity: 1 }]), order(uid('bm-'), [{ sku: a, quantity: -1 }])],
        });
        const body = problemOf(res, 400, 'validation_failed');
        assert.deepEqual(
          body.errors.map((e: Json) => e.pointer),
          ['/orders/1/lines/0/quantity'],
        );
        problemOf(await t.post('/v1/orders/batch', { orders: [] }), 400, 'validation_failed');
        assert.deepEqual(await rowCounts(t), before);
      });
    });
  });
}
