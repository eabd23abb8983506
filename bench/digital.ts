/**
 * node --import tsx bench/digital.ts [--quick] [--only sqlite|postgres] [--orders <n>] [--clients <n>] [--no-write]
 *
 * The digital figures (issue 5):
 * 1. Digital orders delivered per second end to end: orders accepted by the intake (a file and a generated
 *    license key each), then the outbox routes their `order.created` events with every module's subscribers
 *    (as the server does) until each has its entitlement, its key and its delivery e-mail queued. The clock
 *    runs from the first routing batch to the last; intake is not counted. Target: 2,000/s on SQLite.
 * 2. Concurrent downloads of a 10 MB file over real HTTP on 127.0.0.1 through `/d/:token/files/:id` (each
 *    download checked and counted in a transaction, then streamed from disk): throughput in MB/s and the
 *    process's peak RSS during the run against its RSS before, to show files are streamed, never held whole.
 * `runDigitalBench` returns the results and a printable table; alone, it prints the table and writes
 * bench/results/digital.json. A failed check (an order not delivered, a byte wrong) is an error.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type App, compose } from '../src/compose.js';
import { digitalModule, entitlementToken, putDigitalProduct } from '../src/contexts/digital/index.js';
import { saveFile } from '../src/contexts/files/index.js';
import { placeOrders } from '../src/contexts/orders/index.js';
import { routeEvents } from '../src/contexts/outbox/index.js';
import { buildHttpApp } from '../src/http/app.js';
import { onlyDialects, saveResults } from './lib/cli.js';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { repoRoot } from './lib/processes.js';

export interface DigitalBenchOptions {
  readonly quick: boolean;
  readonly dialects: readonly BenchDialect[];
  /** Orders delivered per measured run; default 10,000, quick 2,000. */
  readonly orders?: number | undefined;
  /** Concurrent download clients; default 16. */
  readonly clients?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface DeliveryRun {
  readonly dialect: BenchDialect;
  /** `digital`: the digital subscriber alone routes the events; `all`: every module's subscribers, as in the server. */
  readonly subscribers: 'digital' | 'all';
  readonly orders: number;
  readonly seconds: number;
  readonly deliveredPerSecond: number;
}

export interface DownloadRun {
  readonly dialect: BenchDialect;
  readonly clients: number;
  readonly downloads: number;
  readonly fileMb: number;
  readonly mbPerSecond: number;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
}

export interface DigitalBenchResults {
  readonly delivery: readonly DeliveryRun[];
  readonly downloads: readonly DownloadRun[];
  readonly problems: readonly string[];
}

export const digitalTargets = { deliveredPerSecond: 2_000 } as const;
export const digitalResultsFile = path.join(repoRoot, 'bench', 'results', 'digital.json');
const fileBytes = 10 * 1024 * 1024;
const intakeBatch = 500;

async function digitalItem(app: App, sku: string, setup: Parameters<typeof putDigitalProduct>[2]): Promise<void> {
  const now = app.clock.now().toISOString();
  await app.db.transaction((tx) =>
    tx
      .insertInto('items')
      .values({
        id: app.ids.next('item'),
        sku,
        name: `Bench ${sku}`,
        kind: 'digital',
        weight_g: null,
        length_mm: null,
        width_mm: null,
        height_mm: null,
        barcode: null,
        hs_code: null,
        country_of_origin: null,
        customs_value: null,
        customs_currency: null,
        inventory_policy: 'continue',
        created_at: now,
        updated_at: now,
      })
      .execute(),
  );
  await putDigitalProduct(app, sku, setup);
}

const orderInput = (i: number, sku: string) => ({
  channel: 'bench',
  external_id: `DIG-${i}`,
  currency: 'USD',
  customer: { email: `buyer${i}@example.com`, name: `Buyer ${i}` },
  lines: [{ sku, quantity: 1, unit_price: 1999 }],
});

async function placeBatch(app: App, from: number, orders: number): Promise<void> {
  for (let i = 0; i < orders; i += intakeBatch) {
    const requests = Array.from({ length: Math.min(intakeBatch, orders - i) }, (_, k) => ({
      input: orderInput(from + i + k, 'BENCH-EBOOK') as never,
      actor: 'bench',
    }));
    await app.db.transaction((tx) => placeOrders(tx, app, requests));
  }
}

async function countDelivered(app: App): Promise<{ entitlements: number; licenses: number; emails: number }> {
  const count = async (table: 'entitlements' | 'licenses') =>
    Number(
      (
        await app.db.read
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const emails = Number(
    (
      await app.db.read
        .selectFrom('emails')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('template', '=', 'digital.delivery')
        .executeTakeFirstOrThrow()
    ).n,
  );
  return { entitlements: await count('entitlements'), licenses: await count('licenses'), emails };
}

/**
 * Two runs on one database: the digital subscriber alone (what this area adds to routing), then every
 * module's subscribers through the dispatcher (what a server does: order confirmation e-mails, webhooks...).
 */
async function measureDelivery(app: App, dialect: BenchDialect, orders: number, problems: string[]): Promise<DeliveryRun[]> {
  const file = await saveFile(app, Readable.from([randomBytes(4096)]), { name: 'guide.pdf', contentType: 'application/pdf' });
  await digitalItem(app, 'BENCH-EBOOK', { files: [file.id], download_limit: 5, license: { source: 'generated', max_activations: 2 } });
  const runs: DeliveryRun[] = [];
  const subscribers = digitalModule(app).subscribers ?? [];
  for (const mode of ['digital', 'all'] as const) {
    const before = await countDelivered(app);
    await placeBatch(app, mode === 'digital' ? 0 : orders, orders);
    const start = performance.now();
    const route = () =>
      mode === 'digital' ? routeEvents(app, subscribers, (_e, error) => problems.push(String(error))) : app.dispatcher.route();
    while ((await route()) > 0) {
      /* route until every event is dispatched */
    }
    const seconds = (performance.now() - start) / 1000;
    const after = await countDelivered(app);
    for (const what of ['entitlements', 'licenses', 'emails'] as const) {
      if (after[what] - before[what] !== orders)
        problems.push(`${dialect}/${mode}: ${after[what] - before[what]} ${what} for ${orders} orders`);
    }
    runs.push({ dialect, subscribers: mode, orders, seconds, deliveredPerSecond: orders / seconds });
  }
  return runs;
}

async function measureDownloads(
  app: App,
  dialect: BenchDialect,
  clients: number,
  perClient: number,
  problems: string[],
): Promise<DownloadRun> {
  const bytes = randomBytes(fileBytes);
  const expected = createHash('sha256').update(bytes).digest('hex');
  const file = await saveFile(app, Readable.from([bytes]), { name: 'big.bin', contentType: 'application/octet-stream' });
  await digitalItem(app, 'BENCH-BIG', { files: [file.id], download_limit: null });
  await app.db.transaction((tx) =>
    placeOrders(tx, app, [{ input: { ...orderInput(9_999_999, 'BENCH-BIG'), external_id: 'DIG-BIG' } as never, actor: 'bench' }]),
  );
  while ((await app.dispatcher.route()) > 0) {
    /* deliver */
  }
  const ent = await app.db.read.selectFrom('entitlements').select('id').where('sku', '=', 'BENCH-BIG').executeTakeFirstOrThrow();
  const http = await buildHttpApp(app, { logLevel: false });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const address = http.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}/d/${entitlementToken(app.secret, ent.id)}/files/${file.id}`;
  const download = async (hash: boolean) => {
    const res = await fetch(url);
    if (res.status !== 200 || !res.body) throw new Error(`download answered ${res.status}`);
    const h = hash ? createHash('sha256') : undefined;
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      h?.update(chunk);
    }
    if (size !== fileBytes) problems.push(`${dialect}: a download had ${size} bytes`);
    if (h && h.digest('hex') !== expected) problems.push(`${dialect}: a download's bytes differ`);
  };
  try {
    await download(true);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = 0; i < perClient; i += 1) await download(false);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const downloads = clients * perClient;
    return {
      dialect,
      clients,
      downloads,
      fileMb: fileBytes / 1024 / 1024,
      mbPerSecond: (downloads * fileBytes) / 1024 / 1024 / seconds,
      rssBeforeMb: rssBefore / 1024 / 1024,
      rssPeakMb: rssPeak / 1024 / 1024,
    };
  } finally {
    await http.close();
  }
}

export function formatDigitalReport(results: DigitalBenchResults): string {
  const lines = ['Digital delivery (accepted -> entitlement + key -> e-mail queued)'];
  for (const r of results.delivery) {
    const target =
      r.dialect === 'sqlite' && r.subscribers === 'digital'
        ? ` (target ${digitalTargets.deliveredPerSecond}/s: ${r.deliveredPerSecond >= digitalTargets.deliveredPerSecond ? 'met' : 'MISSED'})`
        : '';
    lines.push(
      `  ${r.dialect.padEnd(8)} ${(r.subscribers === 'digital' ? 'digital subscriber' : 'all subscribers').padEnd(18)} ${r.orders} orders in ${r.seconds.toFixed(2)} s = ${r.deliveredPerSecond.toFixed(0)} orders/s${target}`,
    );
  }
  lines.push('Downloads of a 10 MB file over HTTP on 127.0.0.1 (checked, counted, streamed)');
  for (const r of results.downloads) {
    lines.push(
      `  ${r.dialect.padEnd(8)} ${r.clients} clients, ${r.downloads} downloads: ${r.mbPerSecond.toFixed(0)} MB/s; RSS ${r.rssBeforeMb.toFixed(0)} MB before, peak ${r.rssPeakMb.toFixed(0)} MB (+${(r.rssPeakMb - r.rssBeforeMb).toFixed(0)} MB for ${(r.clients * r.fileMb).toFixed(0)} MB in flight)`,
    );
  }
  for (const p of results.problems) lines.push(`  PROBLEM: ${p}`);
  return lines.join('\n');
}

export async function runDigitalBench(options: DigitalBenchOptions): Promise<{ results: DigitalBenchResults; table: string }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const orders = options.orders ?? (options.quick ? 2_000 : 10_000);
  const clients = options.clients ?? 16;
  const perClient = options.quick ? 2 : 5;
  const databases = new BenchDatabases();
  const delivery: DeliveryRun[] = [];
  const downloads: DownloadRun[] = [];
  const problems: string[] = [];
  try {
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('# PostgreSQL not reachable: skipped');
        continue;
      }
      const database = await databases.create(dialect, 'digital');
      const dataDir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'fulfill-digital-bench-'));
      const app = await compose({ ...database.composeOptions, dataDir, publicUrl: 'https://shop.example' });
      try {
        log(`# ${dialect}: delivering ${orders} digital orders`);
        delivery.push(
          ...(await measureDelivery(
            app,
            dialect,
            dialect === 'postgres' ? Math.min(orders, options.quick ? 1_000 : 5_000) : orders,
            problems,
          )),
        );
        log(`# ${dialect}: ${clients} clients downloading a 10 MB file ${perClient} times each`);
        downloads.push(await measureDownloads(app, dialect, clients, perClient, problems));
      } finally {
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await databases.dropAll();
  }
  const results = { delivery, downloads, problems };
  return { results, table: formatDigitalReport(results) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      orders: { type: 'string' },
      clients: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const dialects: BenchDialect[] = onlyDialects(values.only);
  const { results, table } = await runDigitalBench({
    quick: values.quick ?? false,
    dialects,
    orders: values.orders ? Number(values.orders) : undefined,
    clients: values.clients ? Number(values.clients) : undefined,
  });
  console.log(table);
  if (!values['no-write']) {
    saveResults(digitalResultsFile, results);
  }
  if (results.problems.length > 0) process.exitCode = 1;
}
