/**
 * node --import tsx bench/tracking.ts [--quick] [--only sqlite|postgres]
 *
 * Tracking events ingested per second through the signed EasyPost webhook, over real HTTP (autocannon in
 * this process, the server in its own), on each database. Every request is a `tracker.updated` Event whose
 * Tracker carries the parcel's history as EasyPost sends it: `newScans` scans not seen before plus the
 * previous `newScans` (duplicates the server must recognize), HMAC-signed. The figure is new scans stored
 * per second (each acknowledged by a 200 after its group commit); after the run the bench counts the stored
 * rows and checks every acknowledged scan is there (requests in flight when the window closes may be stored
 * without being counted, so stored >= acknowledged). Target: at least 5,000 events/s on SQLite.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { easyPostSignature } from '../src/contexts/tracking/index.js';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { httpLoad } from './lib/http-load.js';
import { spawnServer } from './lib/processes.js';
import { seedShipments } from './tracking/seed.js';

export interface TrackingBenchOptions {
  readonly quick: boolean;
  readonly dialects: readonly BenchDialect[];
  readonly log?: ((line: string) => void) | undefined;
}

export interface TrackingBenchResult {
  readonly dialect: BenchDialect;
  readonly eventsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly scansPerRequest: number;
  readonly newScansPerRequest: number;
  readonly connections: number;
  readonly seconds: number;
  readonly latencyMs: { p50: number; p99: number };
  readonly stored: number;
  readonly expectedStored: number;
  readonly unexpected: number;
}

export const trackingTarget = 5_000;
const secret = 'bench-webhook-secret-0123456789';
const newScans = 4;
const statuses = ['in_transit', 'in_transit', 'in_transit', 'out_for_delivery'];

function trackerBody(code: string, round: number): string {
  const base = Date.parse('2026-03-02T15:00:00Z');
  const detail = (k: number) => ({
    object: 'TrackingDetail',
    message: `Scan ${k}`,
    status: statuses[k % statuses.length],
    status_detail: 'arrived_at_facility',
    datetime: new Date(base + k * 60_000).toISOString(),
    source: 'USPS',
    tracking_location: { object: 'TrackingLocation', city: 'CHICAGO', state: 'IL', country: 'US', zip: '60601' },
  });
  const from = Math.max(0, (round - 1) * newScans);
  const to = (round + 1) * newScans;
  const details = [];
  for (let k = from; k < to; k += 1) details.push(detail(k));
  return JSON.stringify({
    object: 'Event',
    id: `evt_${code}_${round}`,
    description: 'tracker.updated',
    result: {
      object: 'Tracker',
      tracking_code: code,
      carrier: 'USPS',
      status: 'in_transit',
      status_detail: 'arrived_at_facility',
      est_delivery_date: null,
      tracking_details: details,
    },
  });
}

async function countStored(database: {
  dialect: BenchDialect;
  sqliteFile?: string;
  databaseUrl?: string;
  searchPath?: string;
}): Promise<number> {
  if (database.dialect === 'sqlite') {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(database.sqliteFile as string, { readonly: true });
    try {
      return Number((db.prepare('select count(*) as n from tracking_events').get() as { n: number }).n);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query(`set search_path to ${database.searchPath}`);
    return Number((await client.query('select count(*) as n from tracking_events')).rows[0].n);
  } finally {
    await client.end();
  }
}

async function measure(
  databases: BenchDatabases,
  dialect: BenchDialect,
  quick: boolean,
  log: (l: string) => void,
): Promise<TrackingBenchResult> {
  const database = await databases.create(dialect, 'tracking');
  const shipments = quick ? 2_000 : 10_000;
  const began = performance.now();
  const codes = await seedShipments(database, shipments);
  log(`  ${dialect}: ${shipments} shipped shipments seeded in ${Math.round(performance.now() - began)} ms`);
  const server = await spawnServer('tracking.ts', { env: { ...database.serverEnv, EASYPOST_WEBHOOK_SECRET: secret } });
  const connections = 64;
  try {
    const load = await httpLoad({
      url: server.url,
      path: '/webhooks/easypost',
      connections,
      warmupS: quick ? 2 : 3,
      durationS: quick ? 5 : 15,
      expectStatus: 200,
      request: (n) => {
        const index = (n - 1) % codes.length;
        const round = Math.floor((n - 1) / codes.length);
        const body = trackerBody(codes[index] as string, round);
        return { body, headers: { 'x-hmac-signature': easyPostSignature(secret, body) } };
      },
    });
    await server.stop();
    const stored = await countStored(database);
    const result: TrackingBenchResult = {
      dialect,
      eventsPerSecond: Math.round(load.throughput * newScans),
      requestsPerSecond: Math.round(load.throughput),
      scansPerRequest: newScans * 2,
      newScansPerRequest: newScans,
      connections,
      seconds: load.seconds,
      latencyMs: { p50: load.latencyMs.p50, p99: load.latencyMs.p99 },
      stored,
      expectedStored: load.acknowledgedTotal * newScans,
      unexpected: load.unexpected,
    };
    return result;
  } finally {
    await server.stop();
  }
}

export function formatTrackingReport(results: readonly TrackingBenchResult[]): string {
  const lines = [
    'Tracking ingestion: signed EasyPost webhooks over HTTP (new scans stored per second)',
    'database   events/s  requests/s  scans/req (new)  p50 ms  p99 ms  stored check      target',
  ];
  for (const r of results) {
    const check = r.stored >= r.expectedStored ? 'ok' : `LOST ${r.expectedStored - r.stored}`;
    const target =
      r.dialect === 'sqlite' ? (r.eventsPerSecond >= trackingTarget ? `>= ${trackingTarget} met` : `< ${trackingTarget} MISSED`) : '-';
    lines.push(
      `${r.dialect.padEnd(10)} ${String(r.eventsPerSecond).padStart(8)}  ${String(r.requestsPerSecond).padStart(10)}  ${`${r.scansPerRequest} (${r.newScansPerRequest})`.padStart(15)}  ${String(r.latencyMs.p50).padStart(6)}  ${String(r.latencyMs.p99).padStart(6)}  ${check.padEnd(16)} ${target}`,
    );
  }
  return lines.join('\n');
}

export async function runTrackingBench(
  options: TrackingBenchOptions,
): Promise<{ results: TrackingBenchResult[]; table: string; ok: boolean }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const databases = new BenchDatabases();
  const results: TrackingBenchResult[] = [];
  try {
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('  postgres: not reachable, skipped');
        continue;
      }
      results.push(await measure(databases, dialect, options.quick, log));
    }
  } finally {
    await databases.dropAll();
  }
  const table = formatTrackingReport(results);
  return { results, table, ok: results.every((r) => r.stored >= r.expectedStored && r.unexpected === 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const dialects: BenchDialect[] = values.only === 'sqlite' || values.only === 'postgres' ? [values.only] : ['sqlite', 'postgres'];
  const { table, ok } = await runTrackingBench({ quick: values.quick ?? false, dialects });
  console.log(table);
  process.exit(ok ? 0 : 1);
}
