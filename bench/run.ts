/**
 * npm run bench [-- --quick] [--no-warehouse] [--only sqlite|postgres] [--duration <s>] [--warmup <s>] [--connections <n>]
 *               [--pg-raw-clients <n>] [--profile] [--no-write]
 *
 * Measures order intake over HTTP, intake on hot SKUs, batch import and POST /v1/orders/batch on SQLite and
 * PostgreSQL, and in the same run the ceilings to compare them with: a bare Fastify endpoint and the raw drivers
 * writing the same rows. Prints a table with ratios and the targets, writes bench/results/latest.json.
 * Exits 1 when a figure is untrustworthy (unexpected responses, lost orders); a missed target is not an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchOptions, defaultOptions, quickOptions, resultsFile, runBench } from './harness.js';
import type { BenchDialect } from './lib/databases.js';
import { repoRoot } from './lib/processes.js';
import { summarizeProfiles } from './profile.js';
import { comparisons, formatReport, targets } from './report.js';
import { runWarehouseBench, warehouseResultsFile } from './warehouse.js';

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

export function parseOptions(argv: readonly string[]): { options: BenchOptions; write: boolean; warehouse: boolean } {
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
    },
    strict: true,
  });
  const base = values.quick ? quickOptions : defaultOptions;
  if (values.only !== undefined && values.only !== 'sqlite' && values.only !== 'postgres') {
    throw new Error(`--only takes sqlite or postgres, got "${values.only}"`);
  }
  const dialects: BenchDialect[] = values.only ? [values.only as BenchDialect] : [...base.dialects];
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
  return { options, write: !values['no-write'], warehouse: !values['no-warehouse'] };
}

async function main(): Promise<void> {
  const { options, write, warehouse } = parseOptions(process.argv.slice(2));
  const results = await runBench(options);
  console.log('');
  console.log(formatReport(results));
  if (options.cpuProfileDir) {
    console.log('');
    console.log(summarizeProfiles(options.cpuProfileDir));
  }
  if (write) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(
      resultsFile,
      `${JSON.stringify({ ...results, comparisons: comparisons(results), targets: targets(results) }, null, 2)}\n`,
    );
    console.log(`\nresults: ${path.relative(process.cwd(), resultsFile)}`);
  }
  if (results.problems.length > 0) process.exitCode = 1;
  if (warehouse) {
    // Issue 3's figures: cartonization, labels per second, the Olist pick-pack-ship flow.
    const quick = options.durationS <= quickOptions.durationS;
    const bench = await runWarehouseBench({ quick, dialects: options.dialects });
    console.log('');
    console.log(bench.table);
    if (write) {
      fs.writeFileSync(warehouseResultsFile, `${JSON.stringify(bench.results, null, 2)}\n`);
      console.log(`\nresults: ${path.relative(process.cwd(), warehouseResultsFile)}`);
    }
    if (bench.results.problems.length > 0) process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/run.ts')) {
  try {
    await main();
  } catch (error) {
    console.error('bench failed:', error);
    process.exitCode = 1;
  }
}
