/**
 * node --import tsx bench/webhooks.ts [--quick] [--only sqlite|postgres] [--events <n>] [--pg-events <n>] [--batch <n>] [--no-write]
 *
 * Outbox dispatch throughput to a local webhook receiver (issue 4, Performance: at least 2,000 deliveries/s
 * on SQLite). N `order.created` events are appended straight to the outbox in batches (as business
 * transactions would leave them), one endpoint subscribes, and the real Dispatcher loop (the one the server
 * runs: routing events to jobs overlapped with running due jobs) is timed until every delivery is recorded.
 * The receiver runs in a worker thread and verifies every signature with the official library. Then the two
 * stages are timed apart on fresh events: routing alone (events -> jobs) and running alone (jobs -> HTTP ->
 * recorded outcome), to show where the time goes.
 * `runWebhooksBench` returns plain data and a printable table; alone, this prints it and writes
 * bench/results/webhooks.json. A missed target is not an error; a failed check (lost, duplicated or
 * unverifiable deliveries) is (exit code 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type App, compose } from '../src/compose.js';
import { appendEvents } from '../src/contexts/messaging/index.js';
import { createEndpoint } from '../src/contexts/webhooks/index.js';
import { onlyDialects, positiveCount, saveResults } from './lib/cli.js';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { repoRoot } from './lib/processes.js';
import { BenchReceiver } from './webhooks/receiver.js';

export interface WebhooksBenchOptions {
  readonly quick: boolean;
  readonly dialects: readonly BenchDialect[];
  /** Events (= deliveries) per measurement on SQLite; default 20,000, quick 4,000. */
  readonly events?: number | undefined;
  /** On PostgreSQL; default 10,000, quick 2,000. */
  readonly postgresEvents?: number | undefined;
  /** Jobs claimed and sent concurrently per runner round (DispatcherOptions.batchSize). */
  readonly batchSize?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface StageResult {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU time of this process (dispatcher and receiver thread, user + system) per delivery or event. */
  readonly cpuMsPerItem: number;
}

export interface WebhooksDialectResult {
  readonly dialect: BenchDialect;
  readonly skipped?: string;
  readonly events?: number;
  readonly batchSize?: number;
  /** The dispatcher loop, routing and running overlapped, from start until every delivery is recorded. */
  readonly endToEnd?: StageResult;
  /** Routing alone: events -> delivery jobs. */
  readonly routing?: StageResult;
  /** Running alone: due jobs -> signed POST -> outcome and delivery log recorded. */
  readonly running?: StageResult;
  readonly checks?: {
    readonly delivered: number;
    readonly duplicates: number;
    readonly invalidSignatures: number;
    readonly succeededJobs: number;
  };
}

export interface WebhooksBenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: { cpus: number; cpuModel: string; node: string; loadAvgStart: number[]; loadAvgEnd: number[] };
  readonly options: Record<string, unknown>;
  readonly dialects: readonly WebhooksDialectResult[];
  readonly targets: readonly { name: string; target: number; measured: number | null; met: boolean | null }[];
  readonly problems: readonly string[];
}

export const webhooksTargetPerSecond = 2_000;
const appendBatch = 1_000;
const batchSizeDefault = 256;

export const webhooksResultsFile = path.join(repoRoot, 'bench', 'results', 'webhooks.json');

async function appendOrderCreated(app: App, count: number): Promise<void> {
  for (let done = 0; done < count; done += appendBatch) {
    const now = new Date().toISOString();
    const events = Array.from({ length: Math.min(appendBatch, count - done) }, (_, i) => {
      const orderId = app.ids.next('order');
      return {
        id: app.ids.next('event'),
        type: 'order.created',
        aggregateType: 'order' as const,
        aggregateId: orderId,
        aggregateSeq: 1,
        orderId,
        actor: 'bench',
        data: { order_id: orderId, channel: 'web', external_id: `B-${done + i}`, currency: 'USD', subtotal: 2_500, unit_count: 2 },
        createdAt: now,
      };
    });
    await app.db.transaction((tx) => appendEvents(tx, events));
  }
}

function stage(count: number, ms: number, cpu: NodeJS.CpuUsage): StageResult {
  return { count, seconds: ms / 1000, perSecond: count / (ms / 1000), cpuMsPerItem: (cpu.user + cpu.system) / 1000 / Math.max(count, 1) };
}

async function succeededJobs(app: App): Promise<number> {
  const row = await app.db.read
    .selectFrom('jobs')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .where('kind', '=', 'webhook')
    .where('status', '=', 'succeeded')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Starts the dispatcher loop and waits until the receiver has `count` deliveries and the loop has recorded them. */
async function timeLoop(
  app: App,
  receiver: BenchReceiver,
  count: number,
  deadlineMs: number,
  problems: readonly string[],
): Promise<number> {
  const t0 = performance.now();
  // A loop that reports errors would spin until the deadline: give up at the first one.
  const going = () => performance.now() - t0 < deadlineMs && problems.length === 0;
  app.dispatcher.start();
  while ((await receiver.counts()).received < count && going()) await new Promise((resolve) => setTimeout(resolve, 20));
  // Outcomes are recorded after the responses: wait until the loop has recorded them all.
  while ((await succeededJobs(app)) < count && going()) await new Promise((resolve) => setTimeout(resolve, 10));
  const ms = performance.now() - t0;
  await app.dispatcher.stop();
  return ms;
}

async function measureDialect(
  dialect: BenchDialect,
  databases: BenchDatabases,
  options: WebhooksBenchOptions,
  log: (line: string) => void,
  problems: string[],
): Promise<WebhooksDialectResult> {
  if (dialect === 'postgres' && !(await postgresReachable())) return { dialect, skipped: 'PostgreSQL is not reachable' };
  const events =
    dialect === 'sqlite'
      ? (options.events ?? (options.quick ? 4_000 : 20_000))
      : (options.postgresEvents ?? (options.quick ? 2_000 : 10_000));
  const batchSize = options.batchSize ?? batchSizeDefault;
  const database = await databases.create(dialect, 'webhooks');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-bench-webhooks-'));
  const receiver = await BenchReceiver.start();
  const app = await compose({
    ...database.composeOptions,
    dataDir,
    webhooks: { allowPrivate: true },
    dispatcherOptions: { batchSize, idleMs: 5, onError: (error, context) => problems.push(`${dialect} ${context}: ${String(error)}`) },
  });
  try {
    const endpoint = await createEndpoint(app, { url: receiver.url, event_types: ['order.created'] });
    if (!endpoint.ok) throw new Error(endpoint.error.detail);
    await receiver.setSecret(endpoint.value.secret);

    log(`${dialect}: appending ${events} events, then the dispatcher loop until all are delivered (batch ${batchSize}) ...`);
    await appendOrderCreated(app, events);
    let cpu = process.cpuUsage();
    const loopMs = await timeLoop(app, receiver, events, 300_000, problems);
    const endToEnd = stage(events, loopMs, process.cpuUsage(cpu));
    log(`  ${Math.round(endToEnd.perSecond)} deliveries/s end to end (${endToEnd.seconds.toFixed(2)} s)`);
    const counts = await receiver.counts();
    const checks = {
      delivered: counts.unique,
      duplicates: counts.duplicates,
      invalidSignatures: counts.invalid,
      succeededJobs: await succeededJobs(app),
    };
    if (checks.delivered !== events) problems.push(`${dialect}: ${checks.delivered} of ${events} deliveries arrived`);
    if (checks.duplicates > 0) problems.push(`${dialect}: ${checks.duplicates} deliveries arrived twice`);
    if (checks.invalidSignatures > 0) problems.push(`${dialect}: ${checks.invalidSignatures} signatures did not verify`);

    log(`${dialect}: the two stages apart on ${events} more events ...`);
    await appendOrderCreated(app, events);
    let t0 = performance.now();
    cpu = process.cpuUsage();
    let routed = 0;
    for (let n = await app.dispatcher.route(); n > 0; n = await app.dispatcher.route()) routed += n;
    const routing = stage(routed, performance.now() - t0, process.cpuUsage(cpu));
    t0 = performance.now();
    cpu = process.cpuUsage();
    let ran = 0;
    for (let n = await app.dispatcher.runJobs(); n > 0; n = await app.dispatcher.runJobs()) ran += n;
    const running = stage(ran, performance.now() - t0, process.cpuUsage(cpu));
    log(`  routing ${Math.round(routing.perSecond)} events/s, running ${Math.round(running.perSecond)} deliveries/s`);
    return { dialect, events, batchSize, endToEnd, routing, running, checks };
  } finally {
    await app.close();
    await receiver.close();
    await databases.drop(database);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatWebhooksReport(results: WebhooksBenchResults): string {
  const lines = ['Webhook dispatch (outbox -> signed POST -> local receiver, every signature verified)', ''];
  const fmt = (s: StageResult | undefined) =>
    s
      ? `${Math.round(s.perSecond).toLocaleString('en-US').padStart(8)}/s  (${s.count} in ${s.seconds.toFixed(2)} s, ${s.cpuMsPerItem.toFixed(3)} CPU ms each)`
      : '-';
  for (const d of results.dialects) {
    if (d.skipped) {
      lines.push(`${d.dialect}: skipped (${d.skipped})`);
      continue;
    }
    lines.push(`${d.dialect} (${d.events} events, batch ${d.batchSize})`);
    lines.push(`  end to end (loop)   ${fmt(d.endToEnd)}`);
    lines.push(`  routing alone       ${fmt(d.routing)}`);
    lines.push(`  running alone       ${fmt(d.running)}`);
  }
  lines.push('');
  for (const t of results.targets) {
    lines.push(
      `target ${t.name}: ${t.target}/s, measured ${t.measured === null ? '-' : Math.round(t.measured)}/s: ${t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED'}`,
    );
  }
  for (const p of results.problems) lines.push(`PROBLEM: ${p}`);
  return lines.join('\n');
}

export async function runWebhooksBench(options: WebhooksBenchOptions): Promise<{ results: WebhooksBenchResults; table: string }> {
  const t0 = performance.now();
  const write = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const startedAt = new Date().toISOString();
  const loadAvgStart = os.loadavg();
  const problems: string[] = [];
  const databases = new BenchDatabases();
  const dialects: WebhooksDialectResult[] = [];
  try {
    for (const dialect of options.dialects) dialects.push(await measureDialect(dialect, databases, options, log, problems));
  } finally {
    await databases.dropAll();
  }
  const sqlite = dialects.find((d) => d.dialect === 'sqlite')?.endToEnd?.perSecond ?? null;
  const results: WebhooksBenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '?',
      node: process.version,
      loadAvgStart,
      loadAvgEnd: os.loadavg(),
    },
    options: Object.fromEntries(Object.entries(options).filter(([key, value]) => key !== 'log' && value !== undefined)),
    dialects,
    targets: [
      {
        name: 'webhook deliveries/s on SQLite',
        target: webhooksTargetPerSecond,
        measured: sqlite,
        met: sqlite === null ? null : sqlite >= webhooksTargetPerSecond,
      },
    ],
    problems,
  };
  return { results, table: formatWebhooksReport(results) };
}

export function parseWebhooksOptions(argv: readonly string[]): { options: WebhooksBenchOptions; write: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      events: { type: 'string' },
      'pg-events': { type: 'string' },
      batch: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
    strict: true,
  });
  return {
    options: {
      quick: values.quick ?? false,
      dialects: onlyDialects(values.only),
      events: positiveCount('events', values.events),
      postgresEvents: positiveCount('pg-events', values['pg-events']),
      batchSize: positiveCount('batch', values.batch),
    },
    write: !values['no-write'],
  };
}

async function main(): Promise<void> {
  const { options, write } = parseWebhooksOptions(process.argv.slice(2));
  const { results, table } = await runWebhooksBench(options);
  console.log('');
  console.log(table);
  if (write) {
    saveResults(webhooksResultsFile, results);
  }
  if (results.problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error('webhooks bench failed:', error);
    process.exitCode = 1;
  }
}
