/**
 * npm run bench [-- --quick] [--areas core,warehouse,mail,webhooks,tracking,digital,leads] [--no-warehouse]
 *               [--only sqlite|postgres] [--duration <s>] [--warmup <s>] [--connections <n>]
 *               [--pg-raw-clients <n>] [--profile] [--no-write]
 *
 * `--areas` picks the sections (all by default): core (intake, import, ceilings), warehouse (issue 3),
 * mail, webhooks and tracking (issue 4), digital (issue 5), leads (issue 6).
 *
 * Measures order intake over HTTP, intake on hot SKUs, batch import and POST /v1/orders/batch on SQLite and
 * PostgreSQL, and in the same run the ceilings to compare them with: a bare Fastify endpoint and the raw drivers
 * writing the same rows. Prints a table with ratios and the targets, writes bench/results/latest.json.
 * Exits 1 when a figure is untrustworthy (unexpected responses, lost orders); a missed target is not an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runDigitalBench } from './digital.js';
import { type BenchOptions, defaultOptions, quickOptions, resultsFile, runBench } from './harness.js';
import { runLeadsBench } from './leads.js';
import { onlyDialects } from './lib/cli.js';
import { repoRoot } from './lib/processes.js';
import { runMailBench } from './mail.js';
import { summarizeProfiles } from './profile.js';
import { comparisons, formatReport, targets } from './report.js';
import { runTrackingBench } from './tracking.js';
import { runWarehouseBench, warehouseResultsFile } from './warehouse.js';
import { runWebhooksBench } from './webhooks.js';

export const benchAreas = ['core', 'warehouse', 'mail', 'webhooks', 'tracking', 'digital', 'leads'] as const;
export type BenchArea = (typeof benchAreas)[number];

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

export function parseOptions(argv: readonly string[]): {
  options: BenchOptions;
  write: boolean;
  warehouse: boolean;
  areas: Set<BenchArea>;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'pg-raw-clients': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      'no-warehouse': { type: 'boolean', default: false },
      areas: { type: 'string' },
    },
    strict: true,
  });
  const base = values.quick ? quickOptions : defaultOptions;
  const dialects = onlyDialects(values.only, base.dialects);
  const options: BenchOptions = {
    ...base,
    dialects,
    durationS: positive('duration', values.duration, base.durationS),
    warmupS: values.warmup === '0' ? 0 : positive('warmup', values.warmup, base.warmupS),
    connections: Math.round(positive('connections', values.connections, base.connections)),
    postgresRawClients: Math.round(positive('pg-raw-clients', values['pg-raw-clients'], base.postgresRawClients)),
    cpuProfileDir: values.profile
      ? path.join(repoRoot, 'bench', 'results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
      : undefined,
  };
  const areas = new Set<BenchArea>(values.areas === undefined ? benchAreas : []);
  for (const name of values.areas?.split(',') ?? []) {
    if (!(benchAreas as readonly string[]).includes(name.trim())) throw new Error(`--areas takes ${benchAreas.join(', ')}; got "${name}"`);
    areas.add(name.trim() as BenchArea);
  }
  if (values['no-warehouse']) areas.delete('warehouse');
  return { options, write: !values['no-write'], warehouse: areas.has('warehouse'), areas };
}

async function main(): Promise<void> {
  const { options, write, warehouse, areas } = parseOptions(process.argv.slice(2));
  const quick = options.durationS <= quickOptions.durationS;
  const resultsDir = path.dirname(resultsFile);
  fs.mkdirSync(resultsDir, { recursive: true });
  const save = (file: string, value: unknown) => {
    if (!write) return;
    fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  };
  if (areas.has('core')) {
    const results = await runBench(options);
    console.log('');
    console.log(formatReport(results));
    if (options.cpuProfileDir) {
      console.log('');
      console.log(summarizeProfiles(options.cpuProfileDir));
    }
    save(resultsFile, { ...results, comparisons: comparisons(results), targets: targets(results) });
    if (results.problems.length > 0) process.exitCode = 1;
  }
  if (warehouse) {
    // Issue 3's figures: cartonization, labels per second, the Olist pick-pack-ship flow.
    const bench = await runWarehouseBench({ quick, dialects: options.dialects });
    console.log('');
    console.log(bench.table);
    save(warehouseResultsFile, bench.results);
    if (bench.results.problems.length > 0) process.exitCode = 1;
  }
  // Issues 4 to 6: each area's figures, next to its target (printed in its table).
  const common = { quick, dialects: options.dialects };
  const area = async (name: BenchArea, run: () => Promise<{ table: string; results: unknown; failed: boolean }>) => {
    if (!areas.has(name)) return;
    const outcome = await run();
    console.log('');
    console.log(outcome.table);
    save(path.join(resultsDir, `${name}.json`), outcome.results);
    if (outcome.failed) process.exitCode = 1;
  };
  const problemsOf = (results: unknown) => ((results as { problems?: unknown[] }).problems?.length ?? 0) > 0;
  await area('mail', async () => {
    const r = await runMailBench(common);
    return { ...r, failed: problemsOf(r.results) };
  });
  await area('webhooks', async () => {
    const r = await runWebhooksBench(common);
    return { ...r, failed: problemsOf(r.results) };
  });
  await area('tracking', async () => {
    const r = await runTrackingBench(common);
    return { table: r.table, results: r.results, failed: !r.ok };
  });
  await area('digital', async () => {
    const r = await runDigitalBench(common);
    return { ...r, failed: problemsOf(r.results) };
  });
  await area('leads', async () => {
    const r = await runLeadsBench(common);
    return { table: r.table, results: r.results, failed: !r.ok };
  });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/run.ts')) {
  try {
    await main();
  } catch (error) {
    console.error('bench failed:', error);
    process.exitCode = 1;
  }
}
