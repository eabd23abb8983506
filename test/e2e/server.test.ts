/**
 * The real server process, as `npm start` runs it (`node dist/main.js serve`), over real HTTP on loopback:
 * docs and health, the API, a clean stop on SIGTERM, and durability across kill -9 on SQLite and PostgreSQL.
 * The build is refreshed first when src/ is newer than dist/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { testDialects } from '../support/dialects.js';
import {
  auth,
  buildIfNeeded,
  call,
  order,
  repoRoot,
  type Server,
  seed,
  serverDatabase,
  startServer,
  testTimeoutMs,
} from '../support/server-process.js';

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
