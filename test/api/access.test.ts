import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDialects } from '../support/dialects.js';
import { item, location, order, seed } from '../support/fixtures.js';
import { adminKey, createTestApp, type TestApp } from '../support/harness.js';

/**
 * Who may do what: 401 without a valid key, 403 without the scope, scope implications, keys made through
 * the API, keys stored only as hashes, and the public routes (health, OpenAPI document, docs).
 */

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read as loose JSON; assertions check their shape
type Json = Record<string, any>;

function problemOf(res: LightMyRequestResponse, status: number, code: string): Json {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  assert.equal(body.status, status);
  return body;
}

/** The documented scopes and what each one grants (ADR 0006: a write scope grants its read). */
const grants: Record<string, string[]> = {
  admin: ['admin', 'orders:read', 'orders:write', 'inventory:read', 'inventory:write', 'catalog:read', 'catalog:write', 'warehouse'],
  'orders:read': ['orders:read'],
  'orders:write': ['orders:write', 'orders:read', 'catalog:read'],
  'inventory:read': ['inventory:read'],
  'inventory:write': ['inventory:write', 'inventory:read', 'catalog:read'],
  'catalog:read': ['catalog:read'],
  'catalog:write': ['catalog:write', 'catalog:read'],
  warehouse: ['warehouse', 'orders:read', 'inventory:read', 'catalog:read'],
};

/** Every route of the core, with the scope it needs. Bodies are empty objects: an allowed call fails validation, so nothing is written. */
const routes: [InjectOptions['method'], string, string][] = [
  ['POST', '/v1/orders', 'orders:write'],
  ['POST', '/v1/orders/batch', 'orders:write'],
  ['GET', '/v1/orders', 'orders:read'],
  ['GET', '/v1/orders/ord_x', 'orders:read'],
  ['GET', '/v1/orders/ord_x/events', 'orders:read'],
  ['POST', '/v1/orders/ord_x/cancel', 'orders:write'],
  ['POST', '/v1/orders/ord_x/holds', 'orders:write'],
  ['DELETE', '/v1/orders/ord_x/holds/hold_x', 'orders:write'],
  ['GET', '/v1/fulfillment-orders', 'orders:read'],
  ['GET', '/v1/fulfillment-orders/fo_x', 'orders:read'],
  ['GET', '/v1/inventory', 'inventory:read'],
  ['GET', '/v1/inventory/movements', 'inventory:read'],
  ['GET', '/v1/inventory/verify', 'inventory:read'],
  ['GET', '/v1/inventory/transfers', 'inventory:read'],
  ['GET', '/v1/inventory/transfers/tr_x', 'inventory:read'],
  ['POST', '/v1/inventory/receipts', 'inventory:write'],
  ['POST', '/v1/inventory/adjustments', 'inventory:write'],
  ['POST', '/v1/inventory/transfers', 'inventory:write'],
  ['POST', '/v1/inventory/transfers/tr_x/receive', 'inventory:write'],
  ['POST', '/v1/inventory/transfers/tr_x/cancel', 'inventory:write'],
  ['GET', '/v1/items', 'catalog:read'],
  ['GET', '/v1/items/NOPE', 'catalog:read'],
  ['POST', '/v1/items', 'catalog:write'],
  ['PATCH', '/v1/items/NOPE', 'catalog:write'],
  ['GET', '/v1/locations', 'catalog:read'],
  ['GET', '/v1/locations/NOPE', 'catalog:read'],
  ['POST', '/v1/locations', 'catalog:write'],
  ['PATCH', '/v1/locations/NOPE', 'catalog:write'],
  ['GET', '/v1/locations/NOPE/bins', 'catalog:read'],
  ['POST', '/v1/locations/NOPE/bins', 'catalog:write'],
  ['GET', '/v1/api-keys', 'admin'],
  ['POST', '/v1/api-keys', 'admin'],
  ['DELETE', '/v1/api-keys/key_x', 'admin'],
];

const call = (t: TestApp, method: InjectOptions['method'], url: string, authorization?: string) =>
  t.http.inject({
    method,
    url,
    headers: authorization === undefined ? {} : { authorization },
    ...(method === 'POST' || method === 'PATCH' ? { payload: {} } : {}),
  });

/** Every route the server has, as `METHOD /path/{param}`, read from Fastify's route tree. */
function registeredRoutes(t: TestApp): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  for (const line of t.http.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) {
      found.push(`${method} ${path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    }
  }
  return found;
}

for (const dialect of await testDialects()) {
  describe(`access (${dialect})`, () => {
    let t: TestApp;
    const keys: Record<string, { key: string; id: string }> = {};
    before(async () => {
      t = await createTestApp(dialect);
      for (const scope of Object.keys(grants)) {
        const res = await t.post('/v1/api-keys', { name: `only ${scope}`, scopes: [scope] });
        assert.equal(res.statusCode, 201, res.body);
        keys[scope] = { key: res.json().key, id: res.json().api_key.id };
      }
    });
    after(async () => {
      await t?.close();
    });

    test('no key, or a key that is not valid, is 401 with WWW-Authenticate on every route', async () => {
      const revoked = (await t.post('/v1/api-keys', { name: 'to revoke', scopes: ['admin'] })).json();
      const revoke = await t.request({ method: 'DELETE', url: `/v1/api-keys/${revoked.api_key.id}` });
      assert.equal(revoke.statusCode, 200, revoke.body);
      assert.ok(revoke.json().revoked_at);
      const orderKey = keys['orders:write']?.key ?? '';
      const invalid = [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`,
        `Token ${adminKey}`,
        `Bearer ${adminKey} `,
        `Bearer ${adminKey}x`,
        `Bearer ${'a'.repeat(201)}`,
        `Bearer fk_abcdefgh_${'x'.repeat(43)}`,
        `Bearer ${orderKey.slice(0, -1)}${orderKey.endsWith('A') ? 'B' : 'A'}`,
        `Bearer ${revoked.key}`,
      ];
      for (const authorization of invalid) {
        for (const [method, url] of routes) {
          const res = await call(t, method, url, authorization);
          const body = problemOf(res, 401, 'unauthorized');
          assert.equal(res.headers['www-authenticate'], 'Bearer realm="fulfill"', `${method} ${url}`);
          assert.ok(!JSON.stringify(body).includes(adminKey));
        }
      }
      // Every /v1 route needs a key, except the storefront's public ones under /v1/public/ (tracking JSON,
      // form submissions), which must answer without one.
      for (const route of registeredRoutes(t).filter((r) => r.includes(' /v1/'))) {
        const [method, path] = route.split(' ') as [InjectOptions['method'], string];
        const url = path.replace(/\{[^}]+\}/g, 'x1');
        if (path.startsWith('/v1/public/')) assert.notEqual((await call(t, method, url)).statusCode, 401, `${route} is public`);
        else problemOf(await call(t, method, url), 401, 'unauthorized');
      }
    });

    test('the scheme name is case-insensitive, the key is not', async () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const res = await call(t, 'GET', '/v1/orders', `${scheme} ${adminKey}`);
        assert.equal(res.statusCode, 200, `${scheme}: ${res.body}`);
      }
      problemOf(await call(t, 'GET', '/v1/orders', `Bearer ${adminKey.toUpperCase()}`), 401, 'unauthorized');
    });

    test('each key reaches exactly the routes its scope grants: 403 forbidden elsewhere', async () => {
      for (const [scope, { key }] of Object.entries(keys)) {
        for (const [method, url, required] of routes) {
          const res = await call(t, method, url, `Bearer ${key}`);
          if (grants[scope]?.includes(required)) {
            assert.ok(![401, 403].includes(res.statusCode), `${scope} should reach ${method} ${url}: ${res.statusCode} ${res.body}`);
            assert.ok(res.statusCode < 500, res.body);
          } else {
            const body = problemOf(res, 403, 'forbidden');
            assert.equal(body.required_scope, required, `${scope} on ${method} ${url}`);
            assert.equal(res.headers['www-authenticate'], undefined);
          }
        }
      }
    });

    test('scope implications in practice: orders:write reads orders and the catalog, not inventory', async () => {
      await seed(t, { locations: [location('IMPL')], items: [item('IMPL-1')], stock: { IMPL: { 'IMPL-1': 5 } } });
      const as = (scope: string) => ({ authorization: `Bearer ${keys[scope]?.key}` });
      const created = await t.post('/v1/orders', order('impl-1', [{ sku: 'IMPL-1', quantity: 1 }]), as('orders:write'));
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      assert.equal((await t.get(`/v1/orders/${id}`, as('orders:write'))).statusCode, 200);
      assert.equal((await t.get('/v1/items/IMPL-1', as('orders:write'))).statusCode, 200);
      problemOf(await t.get('/v1/inventory?sku=IMPL-1', as('orders:write')), 403, 'forbidden');
      problemOf(await t.post('/v1/orders', order('impl-2', [{ sku: 'IMPL-1', quantity: 1 }]), as('orders:read')), 403, 'forbidden');
      assert.equal((await t.get(`/v1/orders/${id}`, as('warehouse'))).statusCode, 200);
      assert.equal((await t.get('/v1/inventory?sku=IMPL-1', as('warehouse'))).json().data[0].reserved, 1);
      problemOf(await t.post(`/v1/orders/${id}/cancel`, {}, as('warehouse')), 403, 'forbidden');
      assert.equal((await t.get('/v1/inventory/verify', as('inventory:write'))).json().ok, true);
      const events = (await t.get(`/v1/orders/${id}/events`)).json().data;
      assert.equal(events[0].actor, keys['orders:write']?.id, 'the key that placed the order is its actor');
      const forbiddenWrite = await t.get('/v1/orders?external_id=impl-2');
      assert.deepEqual(forbiddenWrite.json().data, [], 'a forbidden request writes nothing');
    });

    test('keys made through the API: shown once, listed without secrets, stored only as a hash', async () => {
      const res = await t.post('/v1/api-keys', { name: 'integration', scopes: ['orders:read', 'orders:read', 'catalog:read'] });
      assert.equal(res.statusCode, 201, res.body);
      const { key, api_key } = res.json();
      const match = /^fk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,64})$/.exec(key);
      assert.ok(match, key);
      const secret = match[2] as string;
      assert.deepEqual(
        { ...api_key, id: undefined, created_at: undefined },
        {
          id: undefined,
          name: 'integration',
          prefix: match[1],
          scopes: ['orders:read', 'catalog:read'],
          created_at: undefined,
          revoked_at: null,
        },
      );
      assert.equal((await t.get('/v1/orders', { authorization: `Bearer ${key}` })).statusCode, 200);

      const listed = await t.get('/v1/api-keys');
      assert.equal(listed.statusCode, 200);
      assert.ok(listed.json().data.some((k: Json) => k.id === api_key.id));
      assert.ok(!listed.body.includes(secret), 'the list never shows a secret');
      for (const k of listed.json().data)
        assert.deepEqual(Object.keys(k).sort(), ['created_at', 'id', 'name', 'prefix', 'revoked_at', 'scopes']);

      const rows = await t.app.db.read.selectFrom('api_keys').selectAll().execute();
      assert.ok(rows.length >= Object.keys(keys).length + 1);
      // The secret is everything after `fk_<8-char prefix>_` (it may itself contain `_`).
      const secrets = [key, ...Object.values(keys).map((k) => k.key)].map((k) => k.slice('fk_12345678_'.length));
      for (const row of rows) {
        for (const value of Object.values(row)) {
          for (const clear of secrets) {
            assert.ok(clear.length >= 32);
            assert.ok(!String(value).includes(clear), `api_keys.${row.id} holds a key in clear`);
          }
        }
      }
      const row = rows.find((r) => r.id === api_key.id);
      assert.equal(row?.key_hash, createHash('sha256').update(key).digest('hex'));
    });

    test('key management refuses unknown scopes and unknown ids; revoking twice keeps the first revocation', async () => {
      for (const scopes of [[], ['root'], ['orders:*'], 'admin']) {
        problemOf(await t.post('/v1/api-keys', { name: 'bad', scopes }), 400, 'validation_failed');
      }
      problemOf(await t.post('/v1/api-keys', { scopes: ['admin'] }), 400, 'validation_failed');
      problemOf(await t.request({ method: 'DELETE', url: '/v1/api-keys/key_missing' }), 404, 'not_found');
      const made = (await t.post('/v1/api-keys', { name: 'short-lived', scopes: ['catalog:read'] })).json();
      const first = (await t.request({ method: 'DELETE', url: `/v1/api-keys/${made.api_key.id}` })).json();
      const second = (await t.request({ method: 'DELETE', url: `/v1/api-keys/${made.api_key.id}` })).json();
      assert.equal(second.revoked_at, first.revoked_at);
      problemOf(await t.get('/v1/items', { authorization: `Bearer ${made.key}` }), 401, 'unauthorized');
    });

    test('health, the OpenAPI document and the docs need no key', async () => {
      const health = await t.http.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok', database: dialect });
      assert.equal((await t.http.inject({ method: 'GET', url: '/healthz', headers: { authorization: 'Bearer wrong' } })).statusCode, 200);
      const docs = await t.http.inject({ method: 'GET', url: '/docs' });
      assert.equal(docs.statusCode, 200);
      assert.match(String(docs.headers['content-type']), /^text\/html/);
      assert.match(docs.body, /swagger/i);
      const spec = await t.http.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(spec.statusCode, 200);
      assert.match(String(spec.headers['content-type']), /^application\/json/);
    });

    test('/openapi.json is OpenAPI 3.1 and documents every /v1 route with its parameters, responses and security', async () => {
      const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      assert.deepEqual(doc.components.securitySchemes.bearer, { ...doc.components.securitySchemes.bearer, type: 'http', scheme: 'bearer' });
      assert.deepEqual(doc.security, [{ bearer: [] }]);
      const tagNames = new Set(doc.tags.map((tag: Json) => tag.name));

      const documented = new Set<string>();
      for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
        for (const method of Object.keys(operations)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          documented.add(`${method.toUpperCase()} ${path}`);
        }
      }
      // CORS preflights (OPTIONS) are not API operations.
      const v1 = registeredRoutes(t).filter((r) => r.split(' ')[1]?.startsWith('/v1/') && !r.startsWith('OPTIONS '));
      assert.ok(v1.length >= routes.length, `found ${v1.length} routes`);
      const template = (url: string) =>
        url
          .replace(/\/(ord|fo|tr|key)_x/g, '/{id}')
          .replace('/hold_x', '/{hold_id}')
          .replace('/v1/items/NOPE', '/v1/items/{sku}')
          .replace('/v1/locations/NOPE', '/v1/locations/{code}');
      for (const [method, url] of routes) {
        const route = `${method} ${template(url)}`;
        assert.ok(v1.includes(route), `${route} is registered`);
        assert.ok(documented.has(route), `${route} is documented`);
      }
      const missing = v1.filter((r) => !documented.has(r));
      assert.deepEqual(missing, [], 'every /v1 route is in the OpenAPI document');

      const ajv = new Ajv2020({ strict: false, validateFormats: false });
      for (const route of v1) {
        const [method, path] = route.split(' ') as [string, string];
        const op = doc.paths[path][method.toLowerCase()];
        assert.ok(typeof op.summary === 'string' && op.summary.length > 0, `${route} has a summary`);
        assert.ok(op.tags?.length > 0 && op.tags.every((tag: string) => tagNames.has(tag)), `${route} has known tags`);
        const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
        assert.ok(success.length > 0, `${route} documents a success response`);
        if (path.startsWith('/v1/public/')) assert.deepEqual(op.security, [], `${route} is documented as public`);
        else {
          for (const status of ['401', '403']) assert.ok(op.responses[status], `${route} documents ${status}`);
          assert.notDeepEqual(op.security, [], `${route} is not documented as public`);
        }
        const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        for (const name of pathParams) {
          const param = (op.parameters ?? []).find((p: Json) => p.in === 'path' && p.name === name);
          assert.ok(param?.required === true, `${route} documents path parameter ${name}`);
        }
        const schemas = [
          op.requestBody?.content?.['application/json']?.schema,
          ...(op.parameters ?? []).map((p: Json) => p.schema),
          ...Object.values(op.responses as Record<string, Json>).map((r) => r.content?.['application/json']?.schema),
        ].filter(Boolean);
        for (const schema of schemas) assert.doesNotThrow(() => ajv.compile(schema), `${route}: a schema is not valid JSON Schema 2020-12`);
        // Raw uploads (a file, a CSV of codes) describe their body in words: it is not JSON.
        const rawUpload = ['POST /v1/files', 'POST /v1/digital/items/{sku}/pool'].includes(route);
        if (rawUpload) assert.match(op.description ?? '', /body/i, `${route} describes its body`);
        if (
          ['POST', 'PATCH'].includes(method) &&
          !rawUpload &&
          !/\/(receive|cancel|ship|void|unpack|replay|resend|rotate-secret|test|revoke|suspend|reinstate)$/.test(path)
        ) {
          assert.ok(op.requestBody?.content?.['application/json']?.schema, `${route} documents its body`);
        }
      }
      assert.deepEqual(doc.paths['/healthz'].get.security, [], '/healthz is documented as public');
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      for (const ref of refs) {
        const pointer = ref.slice(9, -1);
        assert.ok(pointer.startsWith('#/'), ref);
        let node: unknown = doc;
        for (const part of pointer.slice(2).split('/')) node = (node as Json)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
        assert.ok(node !== undefined, `${ref} resolves`);
      }
    });
  });
}
