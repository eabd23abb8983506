import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testDialects } from '../support/dialects.js';
import { item, location, must } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, pointers, problemOf, uniqueNames } from '../support/problems.js';

/** Items, locations and bins through the API: validation a schema cannot express, conflicts, PATCH, lists. */

/** A name no other test in this file uses (tests share one database per dialect). */
const uid = uniqueNames();

async function catalogCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = ['items', 'locations', 'bins'] as const;
  const columns = sql.join(tables.map((name) => sql`(select count(*) from ${sql.table(name)}) as ${sql.ref(name)}`));
  const { rows } = await sql<Record<string, number | string>>`select ${columns}`.execute(t.app.db.read);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}

const patch = (t: TestApp, url: string, payload: unknown) => t.request({ method: 'PATCH', url, payload: payload as string });

async function allPages(t: TestApp, url: string, limit: number): Promise<Json[]> {
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
    assert.ok(pages < 1_000);
  } while (cursor !== null);
  return items;
}

for (const dialect of await testDialects()) {
  describe(`catalog API (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(async () => {
      await t?.close();
    });

    describe('items', () => {
      test('the contract example: 201 with every field, and GET answers the same', async () => {
        const sku = uid('MUG-');
        const res = await t.post('/v1/items', {
          sku,
          name: 'Mug',
          kind: 'physical',
          weight_g: 350,
          dimensions_mm: { length: 120, width: 90, height: 100 },
          barcode: '0012345678905',
          hs_code: '6912.00',
          country_of_origin: 'PT',
          customs_value: { amount: 450, currency: 'EUR' },
          inventory_policy: 'deny',
        });
        assert.equal(res.statusCode, 201, res.body);
        const body = res.json();
        assert.equal(typeof body.id, 'string');
        assert.deepEqual(
          { ...body, id: undefined, created_at: undefined, updated_at: undefined },
          {
            id: undefined,
            sku,
            name: 'Mug',
            kind: 'physical',
            weight_g: 350,
            dimensions_mm: { length: 120, width: 90, height: 100 },
            barcode: '0012345678905',
            hs_code: '691200',
            country_of_origin: 'PT',
            customs_value: { amount: 450, currency: 'EUR' },
            inventory_policy: 'deny',
            created_at: undefined,
            updated_at: undefined,
          },
        );
        assert.ok(!Number.isNaN(Date.parse(body.created_at)));
        assert.deepEqual((await t.get(`/v1/items/${sku}`)).json(), body);
        const minimal = await must(t, '/v1/items', { sku: uid('EBOOK-'), name: 'Ebook', kind: 'digital' });
        assert.deepEqual(
          [minimal.weight_g, minimal.dimensions_mm, minimal.barcode, minimal.hs_code, minimal.customs_value, minimal.inventory_policy],
          [null, null, null, null, null, 'deny'],
        );
      });

      test('GTINs must carry a correct check digit; other barcodes are free text', async () => {
        for (const barcode of ['96385074', '036000291452', '4006381333931', '00012345678905', 'ABC-123.x', '12345']) {
          const res = await t.post('/v1/items', item(uid('G-'), { barcode }));
          assert.equal(res.statusCode, 201, `${barcode}: ${res.body}`);
          assert.equal(res.json().barcode, barcode);
        }
        const before = await catalogCounts(t);
        for (const barcode of ['96385075', '036000291453', '4006381333932', '00012345678906', '0012345678900']) {
          const body = problemOf(await t.post('/v1/items', item(uid('G-'), { barcode })), 400, 'validation_failed');
          assert.deepEqual(pointers(body), ['/barcode'], barcode);
          assert.match(body.errors[0].detail, /check digit/);
        }
        for (const barcode of ['', 'has space', 'x'.repeat(65)]) {
          const body = problemOf(await t.post('/v1/items', item(uid('G-'), { barcode })), 400, 'validation_failed');
          assert.deepEqual([...new Set(pointers(body))], ['/barcode']);
        }
        assert.deepEqual(await catalogCounts(t), before);
      });

      test('HS codes have 6, 8 or 10 digits; countries and currencies must exist', async () => {
        for (const [hs, stored] of [
          ['691200', '691200'],
          ['6912.00.10', '69120010'],
          ['8471.30.0100', '8471300100'],
        ] as const) {
          assert.equal((await must(t, '/v1/items', item(uid('HS-'), { hs_code: hs }))).hs_code, stored);
        }
        const before = await catalogCounts(t);
        const refused: [Record<string, unknown>, string][] = [
          [{ hs_code: '12345' }, '/hs_code'],
          [{ hs_code: '1234567' }, '/hs_code'],
          [{ hs_code: '123456789' }, '/hs_code'],
          [{ hs_code: '69-12-00' }, '/hs_code'],
          [{ country_of_origin: 'XX' }, '/country_of_origin'],
          [{ country_of_origin: 'cn' }, '/country_of_origin'],
          [{ country_of_origin: 'CHN' }, '/country_of_origin'],
          [{ customs_value: { amount: 100, currency: 'XXX' } }, '/customs_value/currency'],
          [{ customs_value: { amount: 100, currency: 'eur' } }, '/customs_value/currency'],
          [{ customs_value: { amount: -1, currency: 'EUR' } }, '/customs_value/amount'],
          [{ customs_value: { amount: 1.5, currency: 'EUR' } }, '/customs_value/amount'],
          [{ customs_value: { amount: 100 } }, '/customs_value/currency'],
          [{ weight_g: -1 }, '/weight_g'],
          [{ weight_g: 0.5 }, '/weight_g'],
          [{ dimensions_mm: { length: 0, width: 1, height: 1 } }, '/dimensions_mm/length'],
          [{ dimensions_mm: { length: 1, width: 1 } }, '/dimensions_mm/height'],
          [{ kind: 'bundle' }, '/kind'],
          [{ inventory_policy: 'maybe' }, '/inventory_policy'],
          [{ name: '' }, '/name'],
          [{ sku: 'has space' }, '/sku'],
          [{ sku: '-leading-dash' }, '/sku'],
          [{ sku: 'x'.repeat(65) }, '/sku'],
          [{ colour: 'blue' }, '/colour'],
        ];
        for (const [extra, pointer] of refused) {
          const body = problemOf(await t.post('/v1/items', item(uid('BAD-'), extra)), 400, 'validation_failed');
          assert.ok(pointers(body).includes(pointer), `${JSON.stringify(extra)} -> ${JSON.stringify(body.errors)}`);
        }
        const several = problemOf(
          await t.post('/v1/items', item(uid('BAD-'), { barcode: '4006381333932', hs_code: '1234567', country_of_origin: 'XX' })),
          400,
          'validation_failed',
        );
        assert.deepEqual(pointers(several).sort(), ['/barcode', '/country_of_origin', '/hs_code'], 'every failing field is reported');
        assert.deepEqual(await catalogCounts(t), before);
      });

      test('a duplicate SKU is 409 already_exists and leaves the first item untouched', async () => {
        const sku = uid('DUP-');
        const first = await must(t, '/v1/items', item(sku, { name: 'First' }));
        const before = await catalogCounts(t);
        problemOf(await t.post('/v1/items', item(sku, { name: 'Second', kind: 'digital' })), 409, 'already_exists');
        assert.deepEqual(await catalogCounts(t), before);
        assert.deepEqual((await t.get(`/v1/items/${sku}`)).json(), first);
        const lower = await t.post('/v1/items', item(sku.toLowerCase(), { name: 'Lower case is another SKU' }));
        assert.equal(lower.statusCode, 201, lower.body);
      });

      test('PATCH changes what it names, can clear optional fields, and never SKU or kind', async () => {
        const sku = uid('P-');
        const created = await must(t, '/v1/items', item(sku, { barcode: '4006381333931', customs_value: { amount: 10, currency: 'USD' } }));
        const res = await patch(t, `/v1/items/${sku}`, {
          name: 'Renamed',
          weight_g: 999,
          inventory_policy: 'continue',
          barcode: null,
          customs_value: null,
        });
        assert.equal(res.statusCode, 200, res.body);
        const patched = res.json();
        assert.deepEqual(
          [patched.name, patched.weight_g, patched.inventory_policy, patched.barcode, patched.customs_value],
          ['Renamed', 999, 'continue', null, null],
        );
        assert.deepEqual(patched.dimensions_mm, created.dimensions_mm);
        assert.equal(patched.created_at, created.created_at);
        assert.deepEqual((await t.get(`/v1/items/${sku}`)).json(), patched);
        for (const [body, pointer] of [
          [{ sku: 'OTHER' }, '/sku'],
          [{ kind: 'digital' }, '/kind'],
          [{ barcode: '4006381333932' }, '/barcode'],
          [{ hs_code: '1234567' }, '/hs_code'],
          [{ country_of_origin: 'ZZ' }, '/country_of_origin'],
          [{ name: null }, '/name'],
        ] as const) {
          const refused = problemOf(await patch(t, `/v1/items/${sku}`, body), 400, 'validation_failed');
          assert.ok(pointers(refused).includes(pointer), `${JSON.stringify(body)} -> ${JSON.stringify(refused.errors)}`);
        }
        problemOf(await patch(t, `/v1/items/${sku}`, {}), 400, 'validation_failed');
        assert.deepEqual((await t.get(`/v1/items/${sku}`)).json(), patched);
        problemOf(await patch(t, '/v1/items/NO-SUCH-SKU', { name: 'x' }), 404, 'not_found');
        problemOf(await t.get('/v1/items/NO-SUCH-SKU'), 404, 'not_found');
        problemOf(await t.get('/v1/items/bad%20sku'), 400, 'validation_failed');
      });

      test('the item list pages by SKU without duplicates or gaps, and filters by kind', async () => {
        const run = uid('LIST');
        const skus = Array.from({ length: 11 }, (_, i) => `${run}-${String(i).padStart(2, '0')}`);
        for (const [i, sku] of skus.entries()) await must(t, '/v1/items', item(sku, { kind: i % 3 === 0 ? 'service' : 'physical' }));
        for (const limit of [1, 4, 500]) {
          const all = await allPages(t, '/v1/items', limit);
          const seen = all.map((i) => i.sku);
          assert.equal(new Set(seen).size, seen.length, `no duplicates at limit ${limit}`);
          assert.deepEqual(
            seen.filter((s) => s.startsWith(`${run}-`)),
            skus,
          );
        }
        const services = (await allPages(t, '/v1/items?kind=service', 2)).map((i) => i.sku).filter((s) => s.startsWith(`${run}-`));
        assert.deepEqual(services, [skus[0], skus[3], skus[6], skus[9]]);
        problemOf(await t.get('/v1/items?limit=0'), 400, 'validation_failed');
        problemOf(await t.get('/v1/items?cursor=garbage'), 400, 'validation_failed');
      });
    });

    describe('locations and bins', () => {
      test('every kind of location can be created, read, listed, and patched', async () => {
        const codes: Record<string, string> = {};
        for (const kind of ['warehouse', 'store', '3pl', 'supplier']) {
          codes[kind] = uid(`${kind.toUpperCase()}-`);
          const res = await t.post('/v1/locations', {
            code: codes[kind],
            name: `A ${kind}`,
            kind,
            priority: 3,
            address: { line1: '1 Dock Rd', line2: 'Gate 4', city: 'Newark', region: 'NJ', postal_code: '07102', country: 'US' },
          });
          assert.equal(res.statusCode, 201, res.body);
          const body = res.json();
          assert.deepEqual([body.code, body.kind, body.priority, body.active, body.address.line2], [codes[kind], kind, 3, true, 'Gate 4']);
          assert.deepEqual((await t.get(`/v1/locations/${codes[kind]}`)).json(), body);
        }
        const defaulted = await must(t, '/v1/locations', {
          code: uid('DEF-'),
          name: 'Default priority',
          kind: 'store',
          address: location('X').address,
        });
        assert.equal(defaulted.priority, 100);
        const code = codes.warehouse as string;
        const res = await patch(t, `/v1/locations/${code}`, {
          priority: 0,
          active: false,
          name: 'Moved',
          address: { line1: 'Hauptstr 1', city: 'Berlin', postal_code: '10115', country: 'DE' },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual([res.json().priority, res.json().active, res.json().name, res.json().address.country], [0, false, 'Moved', 'DE']);
        const inactive = (await allPages(t, '/v1/locations?active=false', 50)).map((l) => l.code);
        assert.ok(inactive.includes(code));
        assert.ok(!inactive.includes(codes.store as string));
        const suppliers = await allPages(t, '/v1/locations?kind=supplier', 50);
        assert.ok(suppliers.some((l) => l.code === codes.supplier));
        assert.ok(suppliers.every((l) => l.kind === 'supplier'));
        const everything = await allPages(t, '/v1/locations', 2);
        const all = everything.map((l) => l.code);
        assert.equal(new Set(all).size, all.length);
        assert.ok(Object.values(codes).every((c) => all.includes(c)));
      });

      test('locations refuse unknown countries, bad codes and duplicates, writing nothing', async () => {
        const code = uid('LOC-');
        await must(t, '/v1/locations', location(code));
        const before = await catalogCounts(t);
        problemOf(await t.post('/v1/locations', location(code, { name: 'again' })), 409, 'already_exists');
        const cases: [Record<string, unknown>, string][] = [
          [location(uid('L-'), { address: { line1: 'x', city: 'y', postal_code: '1', country: 'ZZ' } }), '/address/country'],
          [location(uid('L-'), { address: { line1: 'x', city: 'y', postal_code: '1', country: 'usa' } }), '/address/country'],
          [location(uid('L-'), { address: { line1: 'x', city: 'y', country: 'US' } }), '/address/postal_code'],
          [location(uid('L-'), { kind: 'depot' }), '/kind'],
          [location(uid('L-'), { priority: -1 }), '/priority'],
          [location(uid('L-'), { priority: 1.5 }), '/priority'],
          [location(uid('L-'), { active: 'yes' }), '/active'],
          [location('bad code'), '/code'],
          [location('X'.repeat(33)), '/code'],
        ];
        for (const [payload, pointer] of cases) {
          const body = problemOf(await t.post('/v1/locations', payload), 400, 'validation_failed');
          assert.ok(pointers(body).includes(pointer), `${JSON.stringify(payload)} -> ${JSON.stringify(body.errors)}`);
        }
        problemOf(
          await patch(t, `/v1/locations/${code}`, { address: { line1: 'x', city: 'y', postal_code: '1', country: 'ZZ' } }),
          400,
          'validation_failed',
        );
        problemOf(await patch(t, `/v1/locations/${code}`, { code: 'OTHER' }), 400, 'validation_failed');
        problemOf(await patch(t, `/v1/locations/${code}`, { kind: 'store' }), 400, 'validation_failed');
        problemOf(await patch(t, '/v1/locations/NOWHERE', { priority: 1 }), 404, 'not_found');
        problemOf(await t.get('/v1/locations/NOWHERE'), 404, 'not_found');
        assert.deepEqual(await catalogCounts(t), before);
        assert.equal((await t.get(`/v1/locations/${code}`)).json().address.country, 'US');
      });

      test('bins belong to warehouses and stores only, are listed in pick sequence, and are created all or nothing', async () => {
        const [wh, store, tpl, supplier] = [uid('BW-'), uid('BS-'), uid('BT-'), uid('BP-')];
        await must(t, '/v1/locations', location(wh));
        await must(t, '/v1/locations', location(store, { kind: 'store' }));
        await must(t, '/v1/locations', location(tpl, { kind: '3pl' }));
        await must(t, '/v1/locations', location(supplier, { kind: 'supplier' }));
        const res = await t.post(`/v1/locations/${wh}/bins`, {
          bins: [
            { code: 'B-01-01', pick_sequence: 30 },
            { code: 'A-01-03', pick_sequence: 10 },
            { code: 'A-01-02', pick_sequence: 10 },
          ],
        });
        assert.equal(res.statusCode, 201, res.body);
        assert.deepEqual(
          res.json().data.map((b: Json) => [b.location, b.code, b.pick_sequence]),
          [
            [wh, 'B-01-01', 30],
            [wh, 'A-01-03', 10],
            [wh, 'A-01-02', 10],
          ],
        );
        await must(t, `/v1/locations/${store}/bins`, { bins: [{ code: 'A-01-03', pick_sequence: 1 }] });
        const listed = (await t.get(`/v1/locations/${wh}/bins`)).json().data;
        assert.deepEqual(
          listed.map((b: Json) => b.code),
          ['A-01-02', 'A-01-03', 'B-01-01'],
        );
        const before = await catalogCounts(t);
        for (const code of [tpl, supplier]) {
          problemOf(
            await t.post(`/v1/locations/${code}/bins`, { bins: [{ code: 'A-01-01', pick_sequence: 1 }] }),
            400,
            'validation_failed',
          );
          assert.deepEqual((await t.get(`/v1/locations/${code}/bins`)).json().data, []);
        }
        problemOf(
          await t.post(`/v1/locations/${wh}/bins`, {
            bins: [
              { code: 'C-01-01', pick_sequence: 1 },
              { code: 'A-01-03', pick_sequence: 2 },
            ],
          }),
          409,
          'already_exists',
        );
        problemOf(
          await t.post(`/v1/locations/${wh}/bins`, {
            bins: [
              { code: 'D-01-01', pick_sequence: 1 },
              { code: 'D-01-01', pick_sequence: 2 },
            ],
          }),
          409,
          'already_exists',
        );
        for (const bin of [
          { code: 'a-01', pick_sequence: 1 },
          { code: 'A--1', pick_sequence: 1 },
          { code: 'A-1', pick_sequence: -1 },
          { code: 'A-1' },
        ]) {
          problemOf(await t.post(`/v1/locations/${wh}/bins`, { bins: [bin] }), 400, 'validation_failed');
        }
        problemOf(await t.post(`/v1/locations/${wh}/bins`, { bins: [] }), 400, 'validation_failed');
        problemOf(await t.post('/v1/locations/NOWHERE/bins', { bins: [{ code: 'A-1', pick_sequence: 1 }] }), 404, 'not_found');
        problemOf(await t.get('/v1/locations/NOWHERE/bins'), 404, 'not_found');
        assert.deepEqual(await catalogCounts(t), before);
        assert.equal((await t.get(`/v1/locations/${wh}/bins`)).json().data.length, 3);
      });
    });
  });
}
