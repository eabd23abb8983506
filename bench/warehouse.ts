/**
 * node --import tsx bench/warehouse.ts [--quick] [--only sqlite|postgres] [--orders <n>] [--pg-orders <n>|all]
 *                                      [--stations <n>] [--profile] [--no-write]
 *
 * The warehouse figures of issue 3 (Performance), in one run: cartonization time per order on the Olist
 * sample (pure), labels per second through the renderers (PDF, ZPL), and the full pick-pack-ship flow of the
 * Olist orders on each database, which also gives labels per second end to end (buyLabels on the table-rate
 * carrier, then the label file). Targets: at least 500 labels/s, and the 10k-order flow in under 60 s on SQLite.
 * `runWarehouseBench` returns the results as plain data and a printable table (npm run bench calls it);
 * alone, this prints the table and writes bench/results/warehouse.json. A missed target is not an error;
 * a failed check is (exit code 1).
 *
 * The Olist data is read from /work/shared/data/olist (OLIST_DIR) at run time, never copied into the repository.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onlyDialects, positiveCount, saveResults } from './lib/cli.js';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { repoRoot } from './lib/processes.js';
import { measureCartonization } from './warehouse/cartonization.js';
import { measureCommitCeiling } from './warehouse/commit-ceiling.js';
import { type FlowResult, runFlow } from './warehouse/flow.js';
import { measureRenderers } from './warehouse/labels.js';
import { loadOlist, olistAvailable, olistDir } from './warehouse/olist.js';
import {
  type EndToEndLabels,
  endToEndLabels,
  type FlowEntry,
  formatWarehouseReport,
  sampleOrders,
  type WarehouseBenchResults,
  warehouseTargets,
} from './warehouse/report.js';

export interface WarehouseBenchOptions {
  /** A short run: fewer labels, 1,000 orders through the flow instead of the whole sample. */
  readonly quick: boolean;
  readonly dialects: readonly ('sqlite' | 'postgres')[];
  /** Orders through the SQLite flow (spread over the sample); default all 9,889, quick 1,000. */
  readonly orders?: number | undefined;
  /** Orders through the PostgreSQL flow; default 2,000 (the whole sample takes minutes there), quick 300. */
  readonly postgresOrders?: number | 'all' | undefined;
  /** Orders cartonized; default all. */
  readonly cartonizationOrders?: number | undefined;
  /** PDF labels rendered per round (ZPL: ten times as many); default 1,000 in 3 rounds, quick 300 in one. */
  readonly pdfLabels?: number | undefined;
  /**
   * Pickers and packers at work at once; default 1 on SQLite (one writer: 4 measured the same within noise, and
   * with 1 the commit time per stage is exact) and 8 on PostgreSQL.
   */
  readonly stations?: number | undefined;
  /** Time every query by statement and write a CPU profile of each flow stage (slower; figures are then not comparable). */
  readonly profile?: boolean | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface WarehouseBench {
  readonly results: WarehouseBenchResults;
  readonly table: string;
}

const quickFlowOrders = 1_000;
const postgresFlowOrders = 2_000;
const quickPostgresFlowOrders = 300;
const commitCeilingCommits = 2_000;
const labelsPerFile = 25;

export const warehouseResultsFile = path.join(repoRoot, 'bench', 'results', 'warehouse.json');

function flowSize(options: WarehouseBenchOptions, dialect: BenchDialect): { orders: number | undefined; subset?: string } {
  if (dialect === 'sqlite') {
    const orders = options.orders ?? (options.quick ? quickFlowOrders : undefined);
    return orders === undefined || orders >= sampleOrders
      ? { orders: undefined }
      : { orders, subset: `${orders} orders spread over the sample` };
  }
  const wanted = options.postgresOrders ?? (options.quick ? quickPostgresFlowOrders : postgresFlowOrders);
  if (wanted === 'all' || wanted >= sampleOrders) return { orders: undefined };
  return {
    orders: wanted,
    subset: `${wanted} orders spread over the sample; the whole sample takes minutes on PostgreSQL: --pg-orders all`,
  };
}

async function runFlows(
  options: WarehouseBenchOptions,
  log: (line: string) => void,
  problems: string[],
): Promise<{ flows: FlowEntry[]; endToEnd: EndToEndLabels[] }> {
  const flows: FlowEntry[] = [];
  const endToEnd: EndToEndLabels[] = [];
  const databases = new BenchDatabases();
  try {
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('PostgreSQL is not reachable: its flow is SKIPPED');
        flows.push({ dialect, skipped: 'PostgreSQL not reachable' });
        continue;
      }
      const size = flowSize(options, dialect);
      log(`${dialect}: pick-pack-ship flow of ${size.orders ?? 'all the'} Olist orders ...`);
      const database = await databases.create(dialect, 'warehouse');
      let result: FlowResult;
      try {
        result = await runFlow(database, {
          orders: size.orders,
          // Eight pickers and packers at once on both databases: on SQLite their transactions share commits
          // (group commit, ADR 0010), as a real floor's stations would.
          stations: options.stations ?? 8,
          fileSample: options.quick ? 100 : 1_000,
          profileSql: options.profile ?? false,
          cpuProfileDir: options.profile ? path.join(repoRoot, 'bench', 'results', 'profiles', `warehouse-${databases.runId}`) : undefined,
          log,
        });
      } finally {
        await databases.drop(database);
      }
      log(`  ${result.flowSeconds.toFixed(1)} s for ${result.orders} orders`);
      problems.push(...result.problems.map((p) => `${dialect} flow: ${p}`));
      flows.push({ dialect, result, ...(size.subset ? { subset: size.subset } : {}) });
      const e2e = endToEndLabels(result);
      if (e2e) endToEnd.push(e2e);
    }
  } finally {
    await databases.dropAll();
  }
  return { flows, endToEnd };
}

/** Every warehouse measurement, in one run; the databases it creates are dropped whatever happens. */
export async function runWarehouseBench(options: WarehouseBenchOptions): Promise<WarehouseBench> {
  const t0 = performance.now();
  const write = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const startedAt = new Date().toISOString();
  const loadAvgStart = os.loadavg();
  const problems: string[] = [];
  const base = { cartonization: null, renderers: null, commitCeiling: null, flows: [], endToEnd: [] };
  let measured: Pick<WarehouseBenchResults, 'cartonization' | 'renderers' | 'commitCeiling' | 'flows' | 'endToEnd'> = base;
  if (!olistAvailable()) {
    problems.push(`the Olist sample is not in ${olistDir} (see its README.md): nothing was measured`);
  } else {
    loadOlist();
    log('cartonization of the Olist orders (pure, standard catalog) ...');
    const cartonization = measureCartonization({ orders: options.cartonizationOrders ?? (options.quick ? 2_000 : undefined) });
    log(`  ${cartonization.perOrderMs.mean.toFixed(3)} ms per order`);
    log('label renderers (PDF, PDF batched, ZPL) ...');
    const pdfLabels = options.pdfLabels ?? (options.quick ? 300 : 1_000);
    const renderers = await measureRenderers({ pdfLabels, zplLabels: pdfLabels * 10, labelsPerFile, rounds: options.quick ? 1 : 3 });
    log(`  PDF ${Math.round(renderers.pdf.labelsPerSecond)}/s, ZPL ${Math.round(renderers.zpl.labelsPerSecond)}/s`);
    if (!renderers.sameBytesAsPdfkit) problems.push('label PDFs with shared font metrics differ from the ones pdfkit makes on its own');
    const commitCeiling = options.dialects.includes('sqlite') ? measureCommitCeiling(options.quick ? 500 : commitCeilingCommits) : null;
    const { flows, endToEnd } = await runFlows(options, log, problems);
    measured = { cartonization, renderers, commitCeiling, flows, endToEnd };
  }
  const results: WarehouseBenchResults = {
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
    ...measured,
    targets: warehouseTargets(measured),
    problems,
  };
  return { results, table: formatWarehouseReport(results) };
}

export function parseWarehouseOptions(argv: readonly string[]): { options: WarehouseBenchOptions; write: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      orders: { type: 'string' },
      'pg-orders': { type: 'string' },
      stations: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const pgOrders = values['pg-orders'] === 'all' ? 'all' : positiveCount('pg-orders', values['pg-orders']);
  return {
    options: {
      quick: values.quick ?? false,
      dialects: onlyDialects(values.only),
      orders: positiveCount('orders', values.orders),
      postgresOrders: pgOrders,
      stations: positiveCount('stations', values.stations),
      profile: values.profile ?? false,
    },
    write: !values['no-write'],
  };
}

async function main(): Promise<void> {
  const { options, write } = parseWarehouseOptions(process.argv.slice(2));
  const { results, table } = await runWarehouseBench(options);
  console.log('');
  console.log(table);
  if (write) {
    saveResults(warehouseResultsFile, results);
  }
  if (results.problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error('warehouse bench failed:', error);
    process.exitCode = 1;
  }
}
