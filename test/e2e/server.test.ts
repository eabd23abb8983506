/**
 * The real server process, as `npm start` runs it (`node dist/main.js serve`), over real HTTP on loopback:
 * docs and health, the API, a clean stop on SIGTERM, and durability across kill -9 on SQLite and PostgreSQL.
 * The build is refreshed first when src/ is newer than dist/.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DialectName } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase, testDialects, testPostgresUrl } from '../support/dialects.js';

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..');
const adminKey = 'e2e-admin-key-0123456789abcdef';
const auth = { authorization: `Bearer ${adminKey}` };
/** A guard against a hung process, not a timing assertion. */
const testTimeoutMs = 120_000;

function newestMtimeMs(dir: string, suffix: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix))
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with `npm run build` unless it is already newer than every source file. */
function buildIfNeeded(): void {
  const dist = path.join(repoRoot, 'dist');
  if (fs.existsSync(path.join(dist, 'main.js')) && newestMtimeMs(dist, '.js') >= newestMtimeMs(path.join(repoRoot, 'src'), '.ts')) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `node dist/main.js serve` on a free port (PORT=0) and resolves once it listens. */
function startServer(env: Record<string, string>): Promise<Server> {
  const base = { ...process.env };
  for (const name of ['DATA_DIR', 'DATABASE_URL', 'FULFILL_ADMIN_KEY', 'PORT', 'HOST', 'LOG_LEVEL']) delete base[name];
  const child = spawn(process.execPath, ['dist/main.js', 'serve'], {
    cwd: repoRoot,
    env: { ...base, PORT: '0', HOST: '127.0.0.1', FULFILL_ADMIN_KEY: adminKey, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString();
        });
        resolve({ url, child, exited, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((e) => reject(new Error(`the server exited before listening (${JSON.stringify(e)}):\n${output}`)));
  });
}

async function call(server: Server, method: string, url: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

async function must(server: Server, url: string, body: unknown) {
  const res = await call(server, 'POST', url, body);
  assert.ok(res.status === 201 || res.status === 200, `${url} answered ${res.status}: ${res.text}`);
  return res.json();
}

const order = (externalId: string, quantity = 1) => ({
  channel: 'web',
  external_id: externalId,
  currency: 'USD',
  customer: { email: 'ann@example.com', name: 'Ann Lee' },
  shipping_address: { name: 'Ann Lee', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
  lines: [{ sku: 'MUG-1', quantity, unit_price: 1999 }],
});

async function seed(server: Server, units: number): Promise<void> {
  await must(server, '/v1/locations', {
    code: 'WH1',
    name: 'Main warehouse',
    kind: 'warehouse',
    priority: 1,
    address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' },
  });
  await must(server, '/v1/items', {
    sku: 'MUG-1',
    name: 'Mug',
    kind: 'physical',
    weight_g: 350,
    dimensions_mm: { length: 120, width: 90, height: 100 },
    barcode: '0012345678905',
    inventory_policy: 'deny',
  });
  await must(server, '/v1/inventory/receipts', { location: 'WH1', lines: [{ sku: 'MUG-1', quantity: units }] });
}

/** Where a server keeps its data: a temporary DATA_DIR, or a fresh PostgreSQL schema through DATABASE_URL. */
async function serverDatabase(dialect: DialectName): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const database: TestDatabase = await createTestDatabase(dialect);
  if (database.sqliteFile) return { env: { DATA_DIR: path.dirname(database.sqliteFile) }, drop: () => database.drop() };
  const options = encodeURIComponent(`-c search_path=${database.searchPath}`);
  return {
    env: { DATABASE_URL: `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=${options}` },
    drop: () => database.drop(),
  };
}

before(() => buildIfNeeded());

test('bin/fulfill.js (what `npx fulfill` runs) starts the built CLI', () => {
  const help = spawnSync(process.execPath, ['bin/fulfill.js', '--help'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: fulfill \[options\] \[command\]/);
});

for (const dialect of await testDialects()) {
  describe(`the server process (${dialect})`, () => {
    test('health, OpenAPI, docs and the API over real HTTP; SIGTERM stops it with exit 0', { timeout: testTimeoutMs }, async () => {
      const db = await serverDatabase(dialect);
      let server: Server | undefined;
      try {
        server = await startServer(db.env);
        const health = await call(server, 'GET', '/healthz', undefined, {});
        assert.equal(health.status, 200, health.text);
        assert.deepEqual(health.json(), { status: 'ok', database: dialect });
        const openapi = await call(server, 'GET', '/openapi.json', undefined, {});
        assert.equal(openapi.status, 200);
        const spec = openapi.json();
        assert.equal(spec.openapi, '3.1.0');
        for (const route of ['/v1/orders', '/v1/orders/batch', '/v1/orders/{id}', '/v1/items', '/v1/locations', '/v1/inventory/receipts'])
          assert.ok(spec.paths[route], `${route} is documented`);
        const docs = await call(server, 'GET', '/docs', undefined, {});
        assert.equal(docs.status, 200);
        assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
        assert.match(docs.text, /swagger/i);

        const anonymous = await call(server, 'GET', '/v1/orders', undefined, {});
        assert.equal(anonymous.status, 401);
        assert.match(anonymous.headers.get('content-type') ?? '', /application\/problem\+json/);

        await seed(server, 100);
        const created = await call(server, 'POST', '/v1/orders', order('1001', 2), { ...auth, 'idempotency-key': 'e2e-1' });
        assert.equal(created.status, 201, created.text);
        const body = created.json();
        assert.equal(created.headers.get('location'), `/v1/orders/${body.id}`);
        assert.deepEqual(
          body.fulfillment_orders.map((fo: { location: string; lines: { sku: string; quantity: number }[] }) => [
            fo.location,
            fo.lines.map((l) => [l.sku, l.quantity]),
          ]),
          [['WH1', [['MUG-1', 2]]]],
        );
        const replay = await call(server, 'POST', '/v1/orders', order('1001', 2), { ...auth, 'idempotency-key': 'e2e-1' });
        assert.equal(replay.status, 201);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.equal(replay.json().id, body.id);
        const read = await call(server, 'GET', `/v1/orders/${body.id}`);
        assert.equal(read.status, 200);
        assert.equal(read.json().external_id, '1001');
        const level = (await call(server, 'GET', '/v1/inventory?sku=MUG-1')).json().data;
        assert.deepEqual(
          level.map((l: Record<string, unknown>) => [l.location, l.on_hand, l.reserved, l.available]),
          [['WH1', 100, 2, 98]],
        );

        server.child.kill('SIGTERM');
        assert.deepEqual(await server.exited, { code: 0, signal: null }, server.output());
      } finally {
        server?.child.kill('SIGKILL');
        await db.drop();
      }
    });

    test('every acknowledged order survives kill -9; the ledger verifies after restart', { timeout: testTimeoutMs }, async (ctx) => {
      const db = await serverDatabase(dialect);
      let first: Server | undefined;
      let second: Server | undefined;
      try {
        first = await startServer(db.env);
        await seed(first, 10_000);
        const ackedMax = 200;
        const sentMax = 400;
        const acked = new Map<string, string>();
        let sent = 0;
        const live = first;
        // 32 clients keep orders in flight; the process is killed the moment the 200th 201 arrives.
        const client = async () => {
          while (sent < sentMax && acked.size < ackedMax) {
            sent += 1;
            const externalId = `K-${sent}`;
            try {
              const res = await call(live, 'POST', '/v1/orders', order(externalId));
              if (res.status === 201 && acked.size < ackedMax) {
                acked.set(externalId, res.json().id);
                if (acked.size === ackedMax) live.child.kill('SIGKILL');
              }
            } catch {
              // The process is gone: requests in flight fail, which is the point.
            }
          }
        };
        await Promise.all(Array.from({ length: 32 }, client));
        assert.equal(acked.size, ackedMax);
        assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });

        second = await startServer(db.env);
        const stored = new Map<string, string>();
        let cursor: string | null = null;
        do {
          const res = await call(second, 'GET', `/v1/orders?channel=web&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          assert.equal(res.status, 200, res.text);
          const page = res.json() as { data: { id: string; external_id: string }[]; next_cursor: string | null };
          for (const o of page.data) stored.set(o.external_id, o.id);
          cursor = page.next_cursor;
        } while (cursor);
        for (const [externalId, id] of acked) assert.equal(stored.get(externalId), id, `acknowledged order ${externalId} is stored`);
        assert.ok(stored.size <= sent, `${stored.size} stored, ${sent} sent`);
        ctx.diagnostic(`${dialect}: ${acked.size} acknowledged, ${stored.size} stored, ${sent} sent before kill -9`);
        const sample = [...acked.values()].slice(-5);
        for (const id of sample) assert.equal((await call(second, 'GET', `/v1/orders/${id}`)).status, 200);
        const [level] = (await call(second, 'GET', '/v1/inventory?sku=MUG-1')).json().data;
        assert.equal(level.reserved, stored.size, 'one unit reserved per stored order');
        const verify = await call(second, 'GET', '/v1/inventory/verify');
        assert.equal(verify.status, 200);
        assert.equal(verify.json().ok, true, verify.text);

        second.child.kill('SIGTERM');
        assert.deepEqual(await second.exited, { code: 0, signal: null }, second.output());
      } finally {
        first?.child.kill('SIGKILL');
        second?.child.kill('SIGKILL');
        await db.drop();
      }
    });
  });
}
