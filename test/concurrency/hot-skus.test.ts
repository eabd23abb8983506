/**
 * No oversell under contention: many concurrent clients over real HTTP (loopback sockets, not inject) order
 * more units of a few hot SKUs than exist. Exactly the units that exist are reserved, every other request is
 * refused with 409 insufficient_stock, every accepted order is whole, and the ledger verifies. On PostgreSQL
 * the same holds with several server processes sharing one database, and one channel order number sent to
 * every process at once makes exactly one order.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase, testDialects, testPostgresUrl } from '../support/dialects.js';
import { item, location, order } from '../support/fixtures.js';
import { adminHeaders, adminKey, createTestApp, type TestApp } from '../support/harness.js';

const clientsCount = 64;
const ordersPerClient = 4;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the hot stock is: SKU -> location -> units. 37 units in all, against about 256 requests. */
const stock: Record<string, Record<string, number>> = {
  'HOT-A': { WH1: 10, WH2: 7 },
  'HOT-B': { WH1: 5, STORE: 6 },
  'HOT-C': { WH2: 9 },
};
const hotSkus = Object.keys(stock);
const supply = (sku: string) => Object.values(stock[sku] ?? {}).reduce((sum, q) => sum + q, 0);

// ---------------------------------------------------------------- HTTP over real sockets

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly contentType: string;
}

async function call(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...adminHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, contentType: res.headers.get('content-type') ?? '' };
}

async function must(base: string, url: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await call(base, 'POST', url, body);
  assert.ok(answer.status >= 200 && answer.status < 300, `${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function seedHotStock(base: string): Promise<void> {
  await must(base, '/v1/locations', location('WH1', { priority: 1 }));
  await must(base, '/v1/locations', location('WH2', { priority: 2 }));
  await must(base, '/v1/locations', location('STORE', { kind: 'store', priority: 3 }));
  for (const sku of hotSkus) await must(base, '/v1/items', item(sku));
  for (const sku of hotSkus) {
    for (const [code, quantity] of Object.entries(stock[sku] ?? {})) {
      await must(base, '/v1/inventory/receipts', { location: code, lines: [{ sku, quantity }] });
    }
  }
}

// ---------------------------------------------------------------- the workload

interface Sent {
  readonly externalId: string;
  readonly lines: { sku: string; quantity: number }[];
  readonly answer: Answer;
}

/** Client `c`'s k-th order: mostly one unit of one hot SKU; every fourth is two lines (A and B) that must both fit. */
function orderFor(c: number, k: number): { externalId: string; lines: { sku: string; quantity: number }[] } {
  const externalId = `HOT-${c}-${k}`;
  if ((c + k) % 4 === 3)
    return {
      externalId,
      lines: [
        { sku: 'HOT-A', quantity: 1 },
        { sku: 'HOT-B', quantity: 1 },
      ],
    };
  return { externalId, lines: [{ sku: hotSkus[(c + k) % hotSkus.length] as string, quantity: 1 }] };
}

/** `clientsCount` clients, each sending its orders one after another, spread over the servers round-robin. */
async function runClients(bases: readonly string[]): Promise<Sent[]> {
  const sent: Sent[] = [];
  await Promise.all(
    Array.from({ length: clientsCount }, async (_, c) => {
      const base = bases[c % bases.length] as string;
      for (let k = 0; k < ordersPerClient; k += 1) {
        const o = orderFor(c, k);
        const answer = await call(base, 'POST', '/v1/orders', order(o.externalId, o.lines, { channel: 'hot' }));
        sent.push({ ...o, answer });
      }
    }),
  );
  return sent;
}

async function levelsOf(base: string, sku: string) {
  const answer = await call(base, 'GET', `/v1/inventory?sku=${sku}`);
  assert.equal(answer.status, 200);
  return answer.body.data as { location: string; on_hand: number; reserved: number; available: number }[];
}

/** The assertions every deployment shape must pass after the workload. */
async function assertNoOversell(base: string, sent: readonly Sent[]): Promise<void> {
  const created = sent.filter((s) => s.answer.status === 201);
  for (const s of sent) {
    if (s.answer.status === 201) continue;
    assert.equal(s.answer.status, 409, `${s.externalId}: ${JSON.stringify(s.answer.body)}`);
    assert.equal(s.answer.body.code, 'insufficient_stock');
    assert.match(s.answer.contentType, /^application\/problem\+json/);
  }
  for (const sku of hotSkus) {
    // Enough one-unit requests for each SKU were refused that the SKU must be sold out, not just short.
    const singles = sent.filter((s) => s.lines.length === 1 && s.lines[0]?.sku === sku);
    assert.ok(singles.length > supply(sku), `the workload must overwhelm ${sku}`);
    const sold = created.flatMap((s) => s.lines).filter((l) => l.sku === sku);
    const units = sold.reduce((sum, l) => sum + l.quantity, 0);
    assert.equal(units, supply(sku), `${sku}: units in accepted orders`);
    const levels = await levelsOf(base, sku);
    assert.equal(
      levels.reduce((sum, l) => sum + l.reserved, 0),
      supply(sku),
      `${sku}: reserved ${JSON.stringify(levels)}`,
    );
    for (const l of levels) {
      assert.equal(l.on_hand, stock[sku]?.[l.location], `${sku} at ${l.location}: on hand`);
      assert.equal(l.available, 0, `${sku} at ${l.location}: sold out`);
      assert.ok(l.reserved >= 0 && l.reserved <= l.on_hand);
    }
  }
  await assertOrdersWhole(base, created);
  const listed = await listAll(base, '/v1/orders?channel=hot&limit=500');
  assert.deepEqual(listed.map((o) => o.external_id).sort(), created.map((s) => s.externalId).sort(), 'exactly the accepted orders exist');
  const verify = await call(base, 'GET', '/v1/inventory/verify');
  assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
}

type OrderView = {
  id: string;
  external_id: string;
  status: string;
  lines: { id: string; sku: string; quantity: number; backordered_quantity: number }[];
  fulfillment_orders: {
    id: string;
    location: string | null;
    status: string;
    lines: { line_id: string; sku: string; quantity: number }[];
  }[];
};

/** An order view with its lists in a fixed order (the API does not promise one for fulfillment orders). */
function normalized(view: OrderView) {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    id: view.id,
    external_id: view.external_id,
    status: view.status,
    lines: view.lines,
    fulfillment_orders: [...view.fulfillment_orders]
      .map((fo) => ({ ...fo, lines: [...fo.lines].sort((a, b) => (a.line_id < b.line_id ? -1 : 1)) }))
      .sort(byId),
  };
}

async function listAll(base: string, url: string): Promise<OrderView[]> {
  const all: OrderView[] = [];
  let cursor: string | null = null;
  do {
    const answer = await call(base, 'GET', cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    all.push(...(answer.body.data as OrderView[]));
    cursor = answer.body.next_cursor as string | null;
  } while (cursor);
  return all;
}

/** Every accepted order has its lines, fulfillment orders covering every unit, and a reservation per unit. */
async function assertOrdersWhole(base: string, created: readonly Sent[]): Promise<void> {
  for (const s of created) {
    const id = s.answer.body.id as string;
    const fetched = await call(base, 'GET', `/v1/orders/${id}`);
    assert.equal(fetched.status, 200);
    const view = fetched.body as unknown as OrderView;
    assert.deepEqual(normalized(view), normalized(s.answer.body as unknown as OrderView), `${s.externalId}: stored = acknowledged`);
    assert.equal(view.status, 'open');
    assert.deepEqual(
      view.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      s.lines,
    );
    for (const line of view.lines) {
      assert.equal(line.backordered_quantity, 0);
      const placed = view.fulfillment_orders.flatMap((fo) => fo.lines).filter((l) => l.line_id === line.id);
      assert.equal(
        placed.reduce((sum, l) => sum + l.quantity, 0),
        line.quantity,
        `${s.externalId}: line ${line.sku} fully placed`,
      );
    }
    for (const fo of view.fulfillment_orders) {
      assert.ok(fo.location, 'a physical fulfillment order has a location');
      assert.equal(fo.status, 'open');
      const movements = await call(base, 'GET', `/v1/inventory/movements?ref_id=${fo.id}`);
      const reserves = (movements.body.data as { kind: string; sku: string; location: string; reserved_delta: number }[]).filter(
        (m) => m.kind === 'reserve',
      );
      for (const l of fo.lines) {
        const reserved = reserves
          .filter((m) => m.sku === l.sku && m.location === fo.location)
          .reduce((sum, m) => sum + m.reserved_delta, 0);
        assert.equal(reserved, l.quantity, `${s.externalId}: reservation of ${l.sku} at ${fo.location}`);
      }
    }
  }
}

/** The same channel order number from many clients at once, over every server: exactly one order. */
async function assertOneOrderPerNumber(bases: readonly string[], externalId: string, idempotencyKey?: string): Promise<void> {
  const copies = 8 * bases.length;
  const answers = await Promise.all(
    Array.from({ length: copies }, (_, i) =>
      call(
        bases[i % bases.length] as string,
        'POST',
        '/v1/orders',
        order(externalId, [{ sku: 'COLD-1', quantity: 1 }], { channel: 'dup' }),
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      ),
    ),
  );
  const created = answers.filter((a) => a.status === 201);
  const ids = new Set(created.map((a) => a.body.id));
  assert.equal(ids.size, 1, `one order for ${externalId}: ${JSON.stringify(answers.map((a) => [a.status, a.body.code ?? a.body.id]))}`);
  for (const a of answers) {
    if (a.status === 201) continue;
    assert.equal(a.status, 409, JSON.stringify(a.body));
    assert.ok(['order_exists', 'idempotency_in_progress'].includes(a.body.code as string), JSON.stringify(a.body));
  }
  if (!idempotencyKey) assert.equal(created.length, 1, 'without a key, every other copy is refused');
  const listed = await listAll(bases[0] as string, '/v1/orders?channel=dup&limit=500');
  assert.equal(listed.filter((o) => o.external_id === externalId).length, 1);
}

async function seedCold(base: string): Promise<void> {
  await must(base, '/v1/items', item('COLD-1'));
  await must(base, '/v1/inventory/receipts', { location: 'WH1', lines: [{ sku: 'COLD-1', quantity: 1_000 }] });
}

// ---------------------------------------------------------------- one process per dialect

for (const dialect of await testDialects()) {
  describe(`hot SKUs, ${clientsCount} concurrent HTTP clients, one server (${dialect})`, () => {
    let t: TestApp;
    let base: string;
    before(async () => {
      t = await createTestApp(dialect);
      await t.http.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.http.server.address() as AddressInfo).port}`;
      await seedHotStock(base);
      await seedCold(base);
    });
    after(async () => {
      await t?.close();
    });

    test('exactly the available units are reserved, every other order is refused with 409, no order is half written', async () => {
      const sent = await runClients([base]);
      assert.equal(sent.length, clientsCount * ordersPerClient);
      await assertNoOversell(base, sent);
    });

    test('one channel order number sent by many clients at once makes one order', async () => {
      await assertOneOrderPerNumber([base], 'DUP-1');
      await assertOneOrderPerNumber([base], 'DUP-2', 'same-key-2');
    });
  });
}

// ---------------------------------------------------------------- several processes, one PostgreSQL database

const serverProcesses = 3;
const startupWaitMs = 90_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: string[];
}

const running = new Set<ChildProcess>();
let reaperInstalled = false;

/** Whatever happens to this test process (end, failure, Ctrl-C, the runner's SIGTERM), its servers die with it. */
function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  const reap = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.once('exit', reap);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      reap();
      process.kill(process.pid, signal);
    });
  }
}

/** The server processes' files (their outbox writes confirmation e-mails as .eml): never the repository's ./data. */
const serverDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-hot-'));
after(() => fs.rmSync(serverDataDir, { recursive: true, force: true }));

async function startServer(databaseUrl: string): Promise<Server> {
  installReaper();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: serverDataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      FULFILL_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, base: `http://127.0.0.1:${port}`, output };
}

/** Polls /healthz until the server answers; fails early with its output if it exits. */
async function waitHealthy(server: Server): Promise<void> {
  const deadline = Date.now() + startupWaitMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited with ${server.child.exitCode}: ${server.output.join('')}`);
    try {
      const res = await fetch(`${server.base}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server at ${server.base} not healthy after ${startupWaitMs} ms: ${server.output.join('')}`);
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

if ((await testDialects()).includes('postgres')) {
  describe(`hot SKUs over ${serverProcesses} server processes sharing one PostgreSQL database`, () => {
    let database: TestDatabase;
    const servers: Server[] = [];
    before(async () => {
      database = await createTestDatabase('postgres');
      const url = `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${database.searchPath}`;
      try {
        // All start at once: they also race to migrate the fresh schema.
        for (let i = 0; i < serverProcesses; i += 1) servers.push(await startServer(url));
        await Promise.all(servers.map(waitHealthy));
      } catch (error) {
        await Promise.all(servers.map(stopServer));
        throw error;
      }
      await seedHotStock((servers[0] as Server).base);
      await seedCold((servers[0] as Server).base);
    });
    after(async () => {
      await Promise.all(servers.map(stopServer));
      await database?.drop();
    });

    test('clients spread over the processes: exactly the available units are reserved, the rest refused', async () => {
      const sent = await runClients(servers.map((s) => s.base));
      await assertNoOversell((servers[1] as Server).base, sent);
    });

    test('the same channel order number sent to every process at once makes exactly one order', async () => {
      const bases = servers.map((s) => s.base);
      await assertOneOrderPerNumber(bases, 'DUP-MP-1');
      await assertOneOrderPerNumber(bases, 'DUP-MP-2', 'same-key-mp-2');
    });
  });
}
