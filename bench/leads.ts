/**
 * node --import tsx bench/leads.ts [--quick] [--only sqlite|postgres]
 *
 * Form submissions accepted per second through the public JSON endpoint (POST /v1/public/forms/:form/submissions),
 * over real HTTP (autocannon in this process, the server in its own), with every outbox write a submission makes:
 * the lead (upserted on form + e-mail), the submission, the consent record, the asset link, the asset e-mail
 * (row + job) and one CRM forward job. Each 202 is sent after its group commit. Every request is a new person,
 * so the run also checks afterwards that the database holds exactly one lead and two jobs per acknowledged
 * submission. Target: at least 3,000 submissions/s on SQLite.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { httpLoad } from './lib/http-load.js';
import { spawnServer } from './lib/processes.js';

export interface LeadsBenchOptions {
  readonly quick: boolean;
  readonly dialects: readonly BenchDialect[];
  readonly log?: ((line: string) => void) | undefined;
}

export interface LeadsBenchResult {
  readonly dialect: BenchDialect;
  readonly submissionsPerSecond: number;
  readonly connections: number;
  readonly seconds: number;
  readonly latencyMs: { p50: number; p99: number };
  readonly leads: number;
  readonly jobs: number;
  readonly acknowledged: number;
  readonly unexpected: number;
}

export const leadsTarget = 3_000;
const slug = 'bench-report';

async function countRows(database: {
  dialect: BenchDialect;
  sqliteFile?: string;
  databaseUrl?: string;
  searchPath?: string;
}): Promise<{ leads: number; jobs: number }> {
  const queries = { leads: 'select count(*) as n from leads', jobs: 'select count(*) as n from jobs' };
  if (database.dialect === 'sqlite') {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(database.sqliteFile as string, { readonly: true });
    try {
      const n = (q: string) => Number((db.prepare(q).get() as { n: number }).n);
      return { leads: n(queries.leads), jobs: n(queries.jobs) };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    await client.query(`set search_path to ${database.searchPath}`);
    const n = async (q: string) => Number((await client.query(q)).rows[0].n);
    return { leads: await n(queries.leads), jobs: await n(queries.jobs) };
  } finally {
    await client.end();
  }
}

async function measure(databases: BenchDatabases, dialect: BenchDialect, quick: boolean): Promise<LeadsBenchResult> {
  const database = await databases.create(dialect, 'leads');
  const server = await spawnServer('leads.ts', { env: { ...database.serverEnv, BENCH_LEADS_SLUG: slug } });
  const connections = 64;
  try {
    const load = await httpLoad({
      url: server.url,
      path: `/v1/public/forms/${slug}/submissions`,
      connections,
      warmupS: quick ? 2 : 3,
      durationS: quick ? 5 : 15,
      expectStatus: 202,
      request: (n) => ({
        body: JSON.stringify({
          fields: { email: `reader${n}@example.com`, name: `Reader ${n}`, company: 'ACME', country: 'BR' },
          consent: true,
          page_uri: 'https://acme.example/report',
        }),
      }),
    });
    await server.stop();
    const { leads, jobs } = await countRows(database);
    return {
      dialect,
      submissionsPerSecond: Math.round(load.throughput),
      connections,
      seconds: load.seconds,
      latencyMs: { p50: load.latencyMs.p50, p99: load.latencyMs.p99 },
      leads,
      jobs,
      acknowledged: load.acknowledgedTotal,
      unexpected: load.unexpected,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Every acknowledged submission is stored with its two jobs. A few more may be stored than acknowledged: the
 * load generator stops at the end of its window without reading the answers still in flight (at most one per
 * connection).
 */
const checkOf = (r: LeadsBenchResult): string =>
  r.leads >= r.acknowledged && r.leads <= r.acknowledged + 2 * r.connections && r.jobs === 2 * r.leads
    ? 'ok'
    : `MISMATCH leads ${r.leads}/${r.acknowledged}, jobs ${r.jobs}/${2 * r.leads}`;

export function formatLeadsReport(results: readonly LeadsBenchResult[]): string {
  const lines = [
    'Lead capture: JSON form submissions over HTTP with their outbox writes (accepted per second)',
    'database   submissions/s  connections  p50 ms  p99 ms  rows check  target',
  ];
  for (const r of results) {
    const target =
      r.dialect === 'sqlite' ? (r.submissionsPerSecond >= leadsTarget ? `>= ${leadsTarget} met` : `< ${leadsTarget} MISSED`) : '-';
    lines.push(
      `${r.dialect.padEnd(10)} ${String(r.submissionsPerSecond).padStart(13)}  ${String(r.connections).padStart(11)}  ${String(r.latencyMs.p50).padStart(6)}  ${String(r.latencyMs.p99).padStart(6)}  ${checkOf(r).padEnd(10)}  ${target}`,
    );
  }
  return lines.join('\n');
}

export async function runLeadsBench(options: LeadsBenchOptions): Promise<{ results: LeadsBenchResult[]; table: string; ok: boolean }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const databases = new BenchDatabases();
  const results: LeadsBenchResult[] = [];
  try {
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('  postgres: not reachable, skipped');
        continue;
      }
      results.push(await measure(databases, dialect, options.quick));
    }
  } finally {
    await databases.dropAll();
  }
  const table = formatLeadsReport(results);
  return { results, table, ok: results.every((r) => checkOf(r) === 'ok' && r.unexpected === 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const dialects: BenchDialect[] = values.only === 'sqlite' || values.only === 'postgres' ? [values.only] : ['sqlite', 'postgres'];
  const { table, ok } = await runLeadsBench({ quick: values.quick ?? false, dialects });
  console.log(table);
  process.exit(ok ? 0 : 1);
}
