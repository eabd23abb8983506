import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { limits } from '../../src/kernel/limits.js';
import { problemCatalog } from '../../src/kernel/problem.js';
import { testDialects } from '../support/dialects.js';
import { address, assertLedgerVerified, item, levelOf, location, order, seed } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';

/**
 * A hostile client: broken JSON, wrong content types, huge and deep bodies, wrong types, unknown fields and
 * codes, odd characters, SQL-looking text, weird paths and cursors, and fast-check generated bodies. Every
 * answer is a 4xx RFC 9457 problem document (never a 5xx), and a refused request writes nothing.
 */

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read as loose JSON; assertions check their shape
type Json = Record<string, any>;

const tables = [
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
  'transfers',
  'items',
  'locations',
  'bins',
  'api_keys',
] as const;

async function rowCounts(t: TestApp): Promise<Record<(typeof tables)[number], number>> {
  const columns = sql.join(tables.map((name) => sql`(select count(*) from ${sql.table(name)}) as ${sql.ref(name)}`));
  const { rows } = await sql<Record<string, number | string>>`select ${columns}`.execute(t.app.db.read);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)])) as Record<(typeof tables)[number], number>;
}

/** A 4xx problem document: the content type, a known stable code matching the status, pointers if any. */
function assertProblem(res: LightMyRequestResponse, context: string, status?: number, code?: string): Json {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${context}: ${res.statusCode} ${res.body.slice(0, 500)}`);
  if (status !== undefined) assert.equal(res.statusCode, status, `${context}: ${res.body.slice(0, 500)}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, context);
  const body = res.json();
  assert.ok(body.code in problemCatalog, `${context}: unknown code ${body.code}`);
  if (code !== undefined) assert.equal(body.code, code, `${context}: ${res.body.slice(0, 500)}`);
  assert.equal(body.status, res.statusCode, context);
  assert.equal(problemCatalog[body.code as keyof typeof problemCatalog].status, res.statusCode, context);
  assert.equal(body.type, `https://fulfill.dev/problems/${body.code}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.ok(!/\bat .+\.(ts|js):\d+/.test(res.body), `${context}: a stack trace leaked`);
  for (const e of body.errors ?? []) {
    assert.equal(typeof e.pointer, 'string');
    assert.ok(e.pointer === '' || e.pointer.startsWith('/'), `${context}: pointer ${e.pointer}`);
    assert.equal(typeof e.detail, 'string');
  }
  return body;
}

const pointers = (body: Json): string[] => (body.errors ?? []).map((e: Json) => e.pointer);

/** A raw body with the given content type (`null`: no Content-Type header at all). */
const raw = (t: TestApp, url: string, payload: string | Buffer, contentType: string | null = 'application/json') =>
  t.request({ method: 'POST', url, payload, headers: contentType === null ? {} : { 'content-type': contentType } });

for (const dialect of await testDialects()) {
  describe(`hostile clients (${dialect})`, () => {
    let t: TestApp;
    let orderId: string;
    let writeRoutes: string[];

    /** Runs `send`; if the answer is not 2xx it must be a problem and the database must be unchanged. */
    async function refusedWithoutWrites(context: string, send: () => Promise<LightMyRequestResponse>, expect?: [number, string]) {
      const before = await rowCounts(t);
      const res = await send();
      assert.ok(res.statusCode < 500, `${context}: ${res.statusCode} ${res.body.slice(0, 500)}`);
      if (expect !== undefined || res.statusCode >= 300) {
        const body = assertProblem(res, context, expect?.[0], expect?.[1]);
        assert.deepEqual(await rowCounts(t), before, `${context}: a refused request wrote rows`);
        return { res, body };
      }
      return { res, body: res.json() as Json };
    }

    before(async () => {
      t = await createTestApp(dialect);
      await seed(t, {
        locations: [location('WH1'), location('TPL', { kind: '3pl', priority: 5 })],
        items: [item('A'), item('B', { inventory_policy: 'continue' }), item('D', { kind: 'digital' })],
        stock: { WH1: { A: 50, B: 5 }, TPL: { A: 5 } },
      });
      const placed = await t.post('/v1/orders', order('seed-1', [{ sku: 'A', quantity: 1 }]));
      assert.equal(placed.statusCode, 201, placed.body);
      orderId = placed.json().id;
      writeRoutes = [
        '/v1/orders',
        '/v1/orders/batch',
        `/v1/orders/${orderId}/holds`,
        `/v1/orders/${orderId}/cancel`,
        '/v1/inventory/receipts',
        '/v1/inventory/adjustments',
        '/v1/inventory/transfers',
        '/v1/items',
        '/v1/locations',
        '/v1/locations/WH1/bins',
        '/v1/api-keys',
      ];
    });
    after(async () => {
      await t?.close();
    });
    afterEach(async () => {
      await assertLedgerVerified(t);
    });

    test('malformed JSON is 400 malformed_json on every write route', async () => {
      const broken = [
        '{',
        '{"a":}',
        "{'a':1}",
        '[1,]',
        'NaN',
        '{"a":1}}',
        'tru',
        '"unterminated',
        '{"a":1,}',
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
      ];
      for (const url of writeRoutes) {
        for (const body of broken) await refusedWithoutWrites(`${url} ${body}`, () => raw(t, url, body), [400, 'malformed_json']);
      }
    });

    test('wrong or missing content types are 415; an empty JSON body is 400', async () => {
      const valid = JSON.stringify(order('ct-1', [{ sku: 'A', quantity: 1 }]));
      for (const url of writeRoutes) {
        for (const type of [
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/vnd.api+json',
          'text/json',
        ]) {
          await refusedWithoutWrites(`${url} as ${type}`, () => raw(t, url, valid, type), [415, 'unsupported_media_type']);
        }
        await refusedWithoutWrites(`${url} without content type`, () => raw(t, url, Buffer.from(valid), null), [
          415,
          'unsupported_media_type',
        ]);
        await refusedWithoutWrites(`${url} empty`, () => raw(t, url, ''), [400, 'malformed_json']);
      }
      const noBody = await refusedWithoutWrites('no body at all', () => t.request({ method: 'POST', url: '/v1/orders' }), [
        400,
        'validation_failed',
      ]);
      assert.deepEqual(pointers(noBody.body), ['']);
    });

    test('bodies over the limits: 413 over 1 MiB (16 MiB for a batch), 400 over the item limits', async () => {
      const padded = JSON.stringify({ ...order('big-1', [{ sku: 'A', quantity: 1 }]), note: 'x'.repeat(limits.requestBodyBytesMax) });
      for (const url of writeRoutes.filter((u) => u !== '/v1/orders/batch')) {
        await refusedWithoutWrites(`${url} > 1 MiB`, () => raw(t, url, padded), [413, 'payload_too_large']);
      }
      const hugeBatch = `{"orders":[${'0,'.repeat(limits.batchBodyBytesMax / 2)}0]}`;
      await refusedWithoutWrites('batch > 16 MiB', () => raw(t, '/v1/orders/batch', hugeBatch), [413, 'payload_too_large']);
      const tooMany = {
        orders: Array.from({ length: limits.batchOrdersMax + 1 }, (_, i) => order(`many-${i}`, [{ sku: 'A', quantity: 1 }])),
      };
      const many = await refusedWithoutWrites('batch over the order limit', () => t.post('/v1/orders/batch', tooMany), [
        400,
        'validation_failed',
      ]);
      assert.deepEqual(pointers(many.body), ['/orders']);
      const lines = Array.from({ length: limits.orderLinesMax + 1 }, () => ({ sku: 'A', quantity: 1, unit_price: 1 }));
      const longOrder = await refusedWithoutWrites('too many lines', () => t.post('/v1/orders', { ...order('lines-1', []), lines }), [
        400,
        'validation_failed',
      ]);
      assert.deepEqual(pointers(longOrder.body), ['/lines']);
      const receipt = {
        location: 'WH1',
        lines: Array.from({ length: limits.receiptLinesMax + 1 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })),
      };
      await refusedWithoutWrites('too many receipt lines', () => t.post('/v1/inventory/receipts', receipt), [400, 'validation_failed']);
      const everyLineBad = {
        ...order('lines-2', []),
        lines: Array.from({ length: 400 }, () => ({ sku: '', quantity: 0, unit_price: -1 })),
      };
      const capped = await refusedWithoutWrites('hundreds of errors', () => t.post('/v1/orders', everyLineBad), [400, 'validation_failed']);
      assert.ok(pointers(capped.body).length <= 50, 'the error list is bounded');
    });

    test('deeply nested and huge arrays are refused as 4xx, never a crash', async () => {
      const depth = 150_000;
      const bodies = [
        '['.repeat(depth) + ']'.repeat(depth),
        '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
        JSON.stringify({ ...order('deep-1', [{ sku: 'A', quantity: 1 }]) }).replace('"web"', '['.repeat(10_000) + ']'.repeat(10_000)),
        `[${'{},'.repeat(200_000)}{}]`,
        JSON.stringify({ ...order('arr-1', [{ sku: 'A', quantity: 1 }]), lines: Array.from({ length: 100_000 }, () => 0) }),
      ];
      for (const url of ['/v1/orders', '/v1/orders/batch', '/v1/items', '/v1/inventory/receipts']) {
        for (const body of bodies)
          await refusedWithoutWrites(`${url} deep/huge ${body.length}`, () => raw(t, url, body), [400, 'validation_failed']);
      }
    });

    test('wrong types for quantities and prices are 400 with the field pointer', async () => {
      const base = JSON.stringify(order('types-1', [{ sku: 'A', quantity: 1, unit_price: 100 }]));
      const quantities = [
        '"2"',
        '1.5',
        '-1',
        '0',
        '1e309',
        '-1e309',
        'true',
        'null',
        '[]',
        '{}',
        '1000001',
        '9007199254740993',
        '"1"',
        '0x10',
      ];
      for (const q of quantities) {
        const text = base.replace('"quantity":1', `"quantity":${q}`);
        const expect: [number, string] = q === '0x10' ? [400, 'malformed_json'] : [400, 'validation_failed'];
        const { body } = await refusedWithoutWrites(`quantity ${q}`, () => raw(t, '/v1/orders', text), expect);
        if (expect[1] === 'validation_failed')
          assert.ok(pointers(body).includes('/lines/0/quantity'), `${q}: ${JSON.stringify(body.errors)}`);
      }
      for (const price of ['-1', '1.5', '"100"', '1000000000001', 'null']) {
        const text = base.replace('"unit_price":100', `"unit_price":${price}`);
        const { body } = await refusedWithoutWrites(`price ${price}`, () => raw(t, '/v1/orders', text), [400, 'validation_failed']);
        assert.ok(pointers(body).includes('/lines/0/unit_price'), `${price}: ${JSON.stringify(body.errors)}`);
      }
      for (const [field, value] of [
        ['/channel', 42],
        ['/external_id', 1001],
        ['/customer', 'ann@example.com'],
        ['/lines', { sku: 'A', quantity: 1, unit_price: 1 }],
        ['/shipping_address', ['1 Main St']],
        ['/holds', 'payment'],
        ['/promise_date', '2026-13-01'],
      ] as const) {
        const payload = { ...order('types-2', [{ sku: 'A', quantity: 1 }]), [field.slice(1)]: value };
        const { body } = await refusedWithoutWrites(`${field} = ${JSON.stringify(value)}`, () => t.post('/v1/orders', payload), [
          400,
          'validation_failed',
        ]);
        assert.ok(
          pointers(body).some((p) => p.startsWith(field)),
          `${field}: ${JSON.stringify(body.errors)}`,
        );
      }
      const receipts = await refusedWithoutWrites(
        'receipt quantity as text',
        () => t.post('/v1/inventory/receipts', { location: 'WH1', lines: [{ sku: 'A', quantity: '5' }] }),
        [400, 'validation_failed'],
      );
      assert.deepEqual(pointers(receipts.body), ['/lines/0/quantity']);
    });

    test('unknown properties are refused with a pointer to each, at any depth', async () => {
      const base = order('unknown-1', [{ sku: 'A', quantity: 1 }]);
      const cases: [unknown, string][] = [
        [{ ...base, discount: 10 }, '/discount'],
        [{ ...base, lines: [{ sku: 'A', quantity: 1, unit_price: 1, discount: 5 }] }, '/lines/0/discount'],
        [{ ...base, customer: { email: 'a@b.co', age: 40 } }, '/customer/age'],
        [{ ...base, shipping_address: { ...address(), lat: 1.5 } }, '/shipping_address/lat'],
        [{ ...base, holds: [{ reason: 'fraud', by: 'me' }] }, '/holds/0/by'],
        [{ ...base, id: 'ord_mine', status: 'fulfilled' }, '/id'],
      ];
      for (const [payload, pointer] of cases) {
        const { body } = await refusedWithoutWrites(pointer, () => t.post('/v1/orders', payload), [400, 'validation_failed']);
        assert.ok(pointers(body).includes(pointer), `${pointer}: ${JSON.stringify(body.errors)}`);
      }
      const both = await refusedWithoutWrites('two unknown', () => t.post('/v1/orders', { ...base, x: 1, y: 2 }), [
        400,
        'validation_failed',
      ]);
      assert.deepEqual(pointers(both.body).sort(), ['/x', '/y']);
      for (const [url, payload, pointer] of [
        ['/v1/inventory/receipts', { location: 'WH1', lines: [{ sku: 'A', quantity: 1 }], admin: true }, '/admin'],
        ['/v1/items', { ...item('U-1'), price: 5 }, '/price'],
        ['/v1/locations', { ...location('U1'), manager: 'x' }, '/manager'],
        ['/v1/api-keys', { name: 'k', scopes: ['admin'], key: 'fk_mine' }, '/key'],
      ] as const) {
        const { body } = await refusedWithoutWrites(url, () => t.post(url, payload), [400, 'validation_failed']);
        assert.ok(pointers(body).includes(pointer), `${url}: ${JSON.stringify(body.errors)}`);
      }
    });

    test('unknown currencies and countries are 400 with the field pointer and write nothing', async () => {
      for (const currency of ['XXX', 'XTS', 'ABC', 'usd', 'Usd', 'US', 'USDX', '', '$', 840]) {
        const { body } = await refusedWithoutWrites(
          `currency ${currency}`,
          () => t.post('/v1/orders', order('cur-1', [{ sku: 'A', quantity: 1 }], { currency })),
          [400, 'validation_failed'],
        );
        assert.deepEqual(pointers(body), ['/currency'], `${currency}: ${JSON.stringify(body.errors)}`);
      }
      for (const country of ['ZZ', 'XX', 'UK', 'EU', 'us', 'USA', '', '1A']) {
        const { body } = await refusedWithoutWrites(
          `country ${country}`,
          () => t.post('/v1/orders', order('cty-1', [{ sku: 'A', quantity: 1 }], { shipping_address: { ...address(), country } })),
          [400, 'validation_failed'],
        );
        assert.deepEqual(pointers(body), ['/shipping_address/country'], `${country}: ${JSON.stringify(body.errors)}`);
      }
      for (const [currency, country] of [
        ['JPY', 'JP'],
        ['EUR', 'DE'],
        ['CHF', 'CH'],
      ]) {
        const res = await t.post(
          '/v1/orders',
          order(`ok-${currency}`, [{ sku: 'A', quantity: 1 }], { currency, shipping_address: address(country, '10115') }),
        );
        assert.equal(res.statusCode, 201, res.body);
      }
      const batch = await t.post('/v1/orders/batch', { orders: [order('cur-batch', [{ sku: 'A', quantity: 1 }], { currency: 'XXX' })] });
      assert.equal(batch.json().results[0].problem.code, 'validation_failed');
      assert.deepEqual((await t.get('/v1/orders?external_id=cur-batch')).json().data, []);
    });

    test('overlong strings are 400 with the field pointer', async () => {
      const base = order('long-1', [{ sku: 'A', quantity: 1 }]);
      const cases: [unknown, string][] = [
        [{ ...base, external_id: 'x'.repeat(limits.externalIdLengthMax + 1) }, '/external_id'],
        [{ ...base, channel: 'c'.repeat(65) }, '/channel'],
        [{ ...base, note: 'n'.repeat(limits.textLengthMax + 1) }, '/note'],
        [{ ...base, customer: { email: 'a@b.co', name: 'n'.repeat(limits.nameLengthMax + 1) } }, '/customer/name'],
        [{ ...base, customer: { email: `${'a'.repeat(250)}@b.co` } }, '/customer/email'],
        [{ ...base, customer: { email: 'a@b.co', phone: '1'.repeat(41) } }, '/customer/phone'],
        [{ ...base, shipping_address: { ...address(), postal_code: '9'.repeat(21) } }, '/shipping_address/postal_code'],
        [{ ...base, shipping_address: { ...address(), line1: 'l'.repeat(201) } }, '/shipping_address/line1'],
        [{ ...base, lines: [{ sku: 'S'.repeat(limits.skuLengthMax + 1), quantity: 1, unit_price: 1 }] }, '/lines/0/sku'],
        [{ ...base, service_level: 's'.repeat(33) }, '/service_level'],
      ];
      for (const [payload, pointer] of cases) {
        const { body } = await refusedWithoutWrites(pointer, () => t.post('/v1/orders', payload), [400, 'validation_failed']);
        assert.ok(pointers(body).includes(pointer), `${pointer}: ${JSON.stringify(body.errors)}`);
      }
      const key = await refusedWithoutWrites(
        'overlong Idempotency-Key',
        () =>
          t.post('/v1/orders', order('long-2', [{ sku: 'A', quantity: 1 }]), {
            'idempotency-key': 'k'.repeat(limits.idempotencyKeyLengthMax + 1),
          }),
        [400, 'validation_failed'],
      );
      assert.ok(pointers(key.body)[0]?.includes('idempotency-key'));
    });

    test('control and non-ASCII characters in external_id are refused; NUL is refused anywhere; other text round-trips', async () => {
      for (const externalId of ['ä1001', 'a b', 'a\tb', 'a\nb', '\u0000', 'x\u0000', '😀', '\u202Eevil', '\u200B1', '', '１００１']) {
        const { body } = await refusedWithoutWrites(
          `external_id ${JSON.stringify(externalId)}`,
          () => t.post('/v1/orders', order(externalId, [{ sku: 'A', quantity: 1 }])),
          [400, 'validation_failed'],
        );
        assert.ok(pointers(body).includes('/external_id'), JSON.stringify(body.errors));
      }
      for (const [payload, pointer] of [
        [order('nul-1', [{ sku: 'A', quantity: 1 }], { note: 'before\u0000after' }), '/note'],
        [order('nul-2', [{ sku: 'A', quantity: 1 }], { customer: { email: 'a@b.co', name: 'Ann\u0000' } }), '/customer/name'],
        [
          order('nul-3', [{ sku: 'A', quantity: 1 }], { shipping_address: { ...address(), city: 'Spring\u0000field' } }),
          '/shipping_address/city',
        ],
        [order('nul-4', [{ sku: 'A', quantity: 1 }], { holds: [{ reason: 'manual', note: '\u0000' }] }), '/holds/0/note'],
      ] as const) {
        const { body } = await refusedWithoutWrites(`NUL at ${pointer}`, () => t.post('/v1/orders', payload), [400, 'validation_failed']);
        assert.deepEqual(pointers(body), [pointer]);
      }
      for (const [url, payload, pointer] of [
        ['/v1/items', item('NUL-1', { name: 'mug\u0000' }), '/name'],
        ['/v1/locations', location('NUL1', { name: '\u0000' }), '/name'],
        ['/v1/inventory/receipts', { location: 'WH1', reference: 'PO\u0000', lines: [{ sku: 'A', quantity: 1 }] }, '/reference'],
        ['/v1/inventory/adjustments', { location: 'WH1', reason: 'other', note: '\u0000', lines: [{ sku: 'A', delta: 1 }] }, '/note'],
        [`/v1/orders/${orderId}/cancel`, { reason: 'why\u0000' }, '/reason'],
        [`/v1/orders/${orderId}/holds`, { reason: 'manual', note: '\u0000' }, '/note'],
        ['/v1/api-keys', { name: 'key\u0000', scopes: ['admin'] }, '/name'],
      ] as const) {
        const { body } = await refusedWithoutWrites(`NUL in ${url}`, () => t.post(url, payload), [400, 'validation_failed']);
        assert.deepEqual(pointers(body), [pointer]);
      }
      for (const query of [
        '/v1/orders?channel=%00',
        '/v1/orders?email=a%00b',
        '/v1/orders?external_id=%00',
        '/v1/fulfillment-orders?status=%00',
      ]) {
        assertProblem(await t.get(query), query, 400, 'validation_failed');
      }
      const text = 'Zoë 😀 ﷺ 漢字 \u202Eright-to-left\u202C e\u0301 \t tab \r\n newline \u0007 bell';
      const created = await t.post(
        '/v1/orders',
        order('unicode-1', [{ sku: 'A', quantity: 1 }], {
          note: text,
          customer: { email: 'zoe@example.com', name: text.slice(0, 60) },
          shipping_address: { ...address(), line1: '東京都千代田区 1-1', city: 'Zürich' },
        }),
      );
      assert.equal(created.statusCode, 201, created.body);
      const stored = (await t.get(`/v1/orders/${created.json().id}`)).json();
      assert.equal(stored.note, text);
      assert.equal(stored.customer.name, text.slice(0, 60));
      assert.equal(stored.shipping_address.line1, '東京都千代田区 1-1');
      assert.deepEqual(stored, created.json());
    });

    test('SQL-looking text is stored verbatim and matched literally', async () => {
      const evil = ["'; DROP TABLE orders; --", "Robert'); DROP TABLE students;--", '" OR ""="', '%_\\%', '$1; SELECT pg_sleep(1)'];
      const externalId = "1'OR'1'='1--";
      const created = await t.post(
        '/v1/orders',
        order(externalId, [{ sku: 'A', quantity: 1 }], {
          note: evil.join(' | '),
          customer: { email: 'o@example.com', name: evil[1] },
          shipping_address: { ...address(), line1: evil[0], city: evil[2] },
        }),
      );
      assert.equal(created.statusCode, 201, created.body);
      const found = (await t.get(`/v1/orders?external_id=${encodeURIComponent(externalId)}`)).json().data;
      assert.equal(found.length, 1);
      assert.equal(found[0].note, evil.join(' | '));
      assert.equal(found[0].customer.name, evil[1]);
      assert.equal(found[0].shipping_address.line1, evil[0]);
      for (const channel of ["' OR '1'='1", '%', 'web%', "web' --"]) {
        const res = await t.get(`/v1/orders?channel=${encodeURIComponent(channel)}`);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().data, [], `channel ${channel} matches nothing`);
      }
      assert.deepEqual((await t.get(`/v1/orders?email=${encodeURIComponent('%')}`)).json().data, []);
      const receipt = await t.post('/v1/inventory/receipts', { location: 'WH1', reference: evil[4], lines: [{ sku: 'A', quantity: 1 }] });
      assert.equal(receipt.statusCode, 201, receipt.body);
      assert.equal(receipt.json().reference, evil[4]);
      const named = await t.post('/v1/items', item('EVIL-1', { name: evil[0] }));
      assert.equal(named.json().name, evil[0]);
      const counts = await rowCounts(t);
      assert.ok(counts.orders > 0 && counts.items > 0, 'every table is still there');
    });

    test('weird paths and path parameters are 4xx problems', async () => {
      const urls = [
        '/v1/orders/%00',
        '/v1/orders/..%2F..%2Fetc%2Fpasswd',
        '/v1/orders/../../etc/passwd',
        `/v1/orders/${'a'.repeat(300)}`,
        `/v1/orders/${'a'.repeat(65)}`,
        '/v1/orders/%E0%A4%A',
        '/v1/orders/%',
        '/v1/orders/%20',
        "/v1/orders/1'%20OR%20'1'%3D'1",
        '/v1/orders/ord_x%00.json',
        '/v1/items/%F0%9F%98%80',
        '/v1/items/..',
        '/v1/locations/%2e%2e/bins',
        `/v1/orders/${orderId}/holds/%00`,
        `/v1/orders/${orderId}/holds/${'h'.repeat(250)}`,
        `/v1/fulfillment-orders/${'%41'.repeat(70)}`,
        '/v1/inventory/transfers/%3Cscript%3E',
        '/v1//orders',
        '/v1/orders//events',
        '/v1/orders?limit=1&limit=2',
        '/v1/orders?limit=-1',
        '/v1/orders?limit=1e400',
        '/v1/orders?status[]=open',
        '/v1/orders?created_after=2026-01-01',
        '/v1/inventory?sku=%27%20OR%201%3D1',
        '/v1/nope',
        '/v2/orders',
      ];
      for (const url of urls) {
        const res = await t.get(url);
        assertProblem(res, url);
      }
      for (const [method, url] of [
        ['PUT', '/v1/orders'],
        ['DELETE', '/v1/orders'],
        ['PATCH', `/v1/orders/${orderId}`],
        ['POST', '/v1/inventory'],
      ] as const) {
        assertProblem(await t.request({ method, url }), `${method} ${url}`);
      }
    });

    test('bad cursors are 400 on every list; a cursor is never trusted as SQL', async () => {
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const lists = [
        '/v1/orders',
        '/v1/fulfillment-orders',
        '/v1/items',
        '/v1/locations',
        '/v1/inventory',
        '/v1/inventory/movements',
        '/v1/inventory/transfers',
        `/v1/orders/${orderId}/events`,
      ];
      const alwaysBad = ['garbage', '%%%', b64('c2:abc'), b64('c1:'.padEnd(400, 'x')), 'x'.repeat(401), b64("' OR 1=1 --")];
      for (const url of lists) {
        for (const cursor of alwaysBad) {
          const res = await t.get(`${url}?cursor=${encodeURIComponent(cursor)}`);
          assertProblem(res, `${url} cursor ${cursor.slice(0, 20)}`, 400, 'validation_failed');
        }
        for (const cursor of [b64("c1:' OR '1'='1"), b64('c1:99999999999999999999'), b64('c1:-1'), b64('c1:1.5')]) {
          const res = await t.get(`${url}?cursor=${encodeURIComponent(cursor)}`);
          assert.ok([200, 400].includes(res.statusCode), `${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode === 400) assertProblem(res, url, 400, 'validation_failed');
          else assert.ok(Array.isArray(res.json().data));
        }
      }
      for (const url of ['/v1/inventory/movements', `/v1/orders/${orderId}/events`]) {
        for (const cursor of [b64('c1:abc'), b64("c1:' OR '1'='1"), b64('c1:1.5'), b64('c1:-1'), b64('c1:99999999999999999999')]) {
          assertProblem(await t.get(`${url}?cursor=${cursor}`), `${url} numeric cursor`, 400, 'validation_failed');
        }
      }
    });

    test('fast-check: arbitrary JSON bodies on every write route never cause a 5xx or a partial write', async () => {
      const body = fc.oneof(
        { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
        { weight: 1, arbitrary: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 })) },
      );
      for (const url of writeRoutes) {
        await fc.assert(
          fc.asyncProperty(body, async (value) => {
            await refusedWithoutWrites(`${url} ${JSON.stringify(value).slice(0, 200)}`, () => raw(t, url, JSON.stringify(value)));
          }),
          { numRuns: 40 },
        );
      }
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
          await refusedWithoutWrites(`raw text ${JSON.stringify(text)}`, () => raw(t, '/v1/orders', text));
        }),
        { numRuns: 60 },
      );
    });

    test('fast-check: order-shaped bodies are accepted whole or refused whole, and never oversell', async () => {
      const junk = fc.oneof(
        fc.constant(null),
        fc.string({ maxLength: 5 }),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant([]),
        fc.constant({}),
      );
      /** Mostly one of the valid values, sometimes a near miss, rarely junk of another type. */
      const pick = <T>(valid: T[], nearMiss: T[]) =>
        fc.oneof(
          { weight: 24, arbitrary: fc.constantFrom(...valid) },
          { weight: 2, arbitrary: fc.constantFrom(...nearMiss) },
          { weight: 1, arbitrary: junk },
        );
      const line = fc.record({
        sku: pick(['A', 'B', 'D'], ['NOPE', 'a', 'A ', '']),
        quantity: fc.oneof(
          { weight: 12, arbitrary: fc.integer({ min: 1, max: 30 }) },
          { weight: 1, arbitrary: pick([0, -1, 1_000_001], [1.5, 2e9]) },
        ),
        unit_price: fc.oneof(
          { weight: 12, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
          { weight: 1, arbitrary: pick([-1, 1.5], [1e13]) },
        ),
      });
      const orderBody = fc.record(
        {
          channel: pick(['web', 'amazon'], ['Web', 'web shop', '']),
          external_id: fc.oneof(
            { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/) },
            { weight: 1, arbitrary: pick(['a b', 'ä', ''], ['\t']) },
          ),
          currency: pick(['USD', 'EUR', 'JPY'], ['XXX', 'usd', 'ZZZ']),
          customer: fc.record(
            { email: pick(['ann@example.com', 'B@EXAMPLE.ORG'], ['not-an-email', '']), name: pick(['Ann', 'Zoë 😀'], ['']) },
            { requiredKeys: ['email'] },
          ),
          shipping_address: fc.record({
            line1: pick(['1 Main St'], ['']),
            city: pick(['Springfield'], ['']),
            postal_code: pick(['62701', '07102', 'M5V 2T6'], ['-1', '']),
            country: pick(['US', 'DE', 'CA'], ['ZZ', 'us']),
          }),
          lines: fc.oneof(
            { weight: 12, arbitrary: fc.array(line, { minLength: 1, maxLength: 3 }) },
            { weight: 1, arbitrary: pick([[]], [{}]) },
          ),
          holds: fc.array(fc.record({ reason: pick(['payment', 'fraud'], ['nope']) }), { maxLength: 2 }),
          note: pick(["'; DROP TABLE orders; --", 'leave at door'], ['\u0000']),
        },
        { requiredKeys: ['channel', 'external_id', 'currency', 'customer', 'lines'] },
      );
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(orderBody, fc.boolean(), async (value, withKey) => {
          const headers: Record<string, string> = withKey ? { 'idempotency-key': `fc-${accepted}-${Math.random()}` } : {};
          const { res, body } = await refusedWithoutWrites(`order ${JSON.stringify(value).slice(0, 300)}`, () =>
            t.post('/v1/orders', value, headers),
          );
          assert.ok([201, 400, 409, 422].includes(res.statusCode), `${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode === 201) {
            accepted += 1;
            const units = ((value as Json).lines as Json[]).reduce((sum, l) => sum + l.quantity, 0);
            assert.equal(body.unit_count, units);
            const placed = body.fulfillment_orders.flatMap((fo: Json) => fo.lines).reduce((sum: number, l: Json) => sum + l.quantity, 0);
            const backordered = body.lines.reduce((sum: number, l: Json) => sum + l.backordered_quantity, 0);
            assert.equal(placed + backordered, units, 'every unit is placed or backordered');
          }
        }),
        { numRuns: 150 },
      );
      assert.ok(accepted > 0, 'some generated orders are valid, so acceptance is exercised too');
      for (const code of ['WH1', 'TPL']) {
        const level = await levelOf(t, 'A', code);
        assert.ok(level.reserved <= level.on_hand && level.reserved >= 0);
      }
    });

    test('fast-check: inventory and catalog bodies built from near-valid parts never 5xx or half-write', async () => {
      const junk = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 3 }), fc.double(), fc.constant([]));
      const pick = <T>(valid: T[], nearMiss: T[]) =>
        fc.oneof(
          { weight: 24, arbitrary: fc.constantFrom(...valid) },
          { weight: 2, arbitrary: fc.constantFrom(...nearMiss) },
          { weight: 1, arbitrary: junk },
        );
      const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) =>
        fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: invalid });
      const code = pick(['WH1', 'TPL'], ['NOPE', 'wh1']);
      const sku = pick(['A', 'B'], ['D', 'NOPE']);
      const quantity = mostly(fc.integer({ min: 1, max: 8 }), pick([0, -1], [1.5, '2']));
      const stockLines = mostly(
        fc.uniqueArray(fc.record({ sku, quantity }), { minLength: 1, maxLength: 2, selector: (l) => l.sku }),
        pick([[]], [{}]),
      );
      const adjustLine = fc.oneof(
        fc.record({ sku, delta: mostly(fc.integer({ min: -6, max: 6 }), pick([0], [0.5])) }),
        fc.record({ sku, on_hand: mostly(fc.integer({ min: 0, max: 60 }), pick([-1], [1e9])) }),
      );
      const requests: [string, fc.Arbitrary<unknown>][] = [
        [
          '/v1/inventory/receipts',
          fc.record(
            { location: code, lines: stockLines, reference: pick(['PO-1', "' OR 1=1"], ['\u0000']) },
            { requiredKeys: ['location', 'lines'] },
          ),
        ],
        [
          '/v1/inventory/adjustments',
          fc.record(
            {
              location: code,
              reason: pick(['found', 'lost', 'cycle_count'], ['bogus']),
              note: pick(['recount'], ['\u0000']),
              lines: mostly(fc.uniqueArray(adjustLine, { minLength: 1, maxLength: 2, selector: (l) => l.sku }), pick([[]], [{}])),
            },
            { requiredKeys: ['location', 'lines', 'reason'] },
          ),
        ],
        [
          '/v1/inventory/transfers',
          fc.record(
            { from: code, to: code, lines: stockLines, receive: pick<unknown>([true, false], ['yes']) },
            { requiredKeys: ['from', 'to', 'lines'] },
          ),
        ],
        [
          '/v1/items',
          fc.record(
            {
              sku: mostly(fc.stringMatching(/^[A-Z][A-Z0-9-]{2,8}$/), pick(['bad sku'], ['-X'])),
              name: pick(['Mug', 'Zoë 😀'], ['']),
              kind: pick(['physical', 'digital', 'service'], ['bundle']),
              barcode: pick(['4006381333931', 'ABC-1', null], ['4006381333932']),
              hs_code: pick(['691200', '6912.00.10', null], ['1234567']),
              country_of_origin: pick(['CN', 'PT', null], ['XX', 'cn']),
              customs_value: mostly(
                fc.record({ amount: fc.integer({ min: 0, max: 100 }), currency: pick(['EUR', 'JPY'], ['XXX']) }),
                pick([null], [{}]),
              ),
              inventory_policy: pick(['deny', 'continue'], ['maybe']),
            },
            { requiredKeys: ['sku', 'name', 'kind'] },
          ),
        ],
        [
          '/v1/locations',
          fc.record(
            {
              code: mostly(fc.stringMatching(/^[A-Z][A-Z0-9]{2,6}$/), pick(['bad code'], [''])),
              name: pick(['Depot'], ['']),
              kind: pick(['warehouse', 'store', '3pl', 'supplier'], ['depot']),
              priority: mostly(fc.integer({ min: 0, max: 9 }), pick([-1], [1.5])),
              address: fc.record({
                line1: fc.constant('1 Dock Rd'),
                city: fc.constant('Newark'),
                postal_code: pick(['07102', '10115'], ['']),
                country: pick(['US', 'DE'], ['ZZ']),
              }),
              active: pick<unknown>([true, false], ['yes']),
            },
            { requiredKeys: ['code', 'name', 'kind', 'address'] },
          ),
        ],
      ];
      for (const [url, arbitrary] of requests) {
        let accepted = 0;
        await fc.assert(
          fc.asyncProperty(arbitrary, async (value) => {
            const { res } = await refusedWithoutWrites(`${url} ${JSON.stringify(value).slice(0, 300)}`, () => t.post(url, value));
            assert.ok([200, 201, 400, 404, 409, 422].includes(res.statusCode), `${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
            if (res.statusCode < 300) accepted += 1;
          }),
          { numRuns: 80 },
        );
        assert.ok(accepted > 0, `${url}: some generated bodies are valid, so acceptance is exercised too`);
      }
    });
  });
}
