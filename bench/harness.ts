import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { type HttpLoadResult, httpLoad } from './lib/http-load.js';
import { type BatchHttpResult, batchHttpLoad, type ImportResult, importLoad } from './lib/import-load.js';
import { onInterrupt, repoRoot, type ServerStats, spawnServer, stopAllChildren } from './lib/processes.js';
import { rawPostgres } from './lib/raw-postgres.js';
import { type RawResult, rawSqlite } from './lib/raw-sqlite.js';
import { countOrders, httpPost, seedInProcess } from './lib/seed.js';
import { benchAdminKey, benchOrder, seedCatalog, spreadSkuCountDefault } from './lib/workload.js';

export interface BenchOptions {
  /** Measured seconds of every fixed-duration measurement. */
  readonly durationS: number;
  /** Seconds of warm-up before each of them. */
  readonly warmupS: number;
  readonly dialects: readonly BenchDialect[];
  /** Concurrent HTTP connections for the single-order runs (the issue says 64). */
  readonly connections: number;
  /** Concurrent connections of the raw PostgreSQL one-round-trip ceiling. */
  readonly postgresRawClients: number;
  /** Orders per transaction of the batched ceilings, per importer transaction and per /v1/orders/batch request. */
  readonly batchOrders: number;
  /** SKUs in the catalog that ordinary orders pick from (the hot-SKU runs use three more). */
  readonly skuCount: number;
  /** Write a V8 CPU profile of each intake server process into this directory, and time its statements. */
  readonly cpuProfileDir?: string | undefined;
  /** Progress lines (stderr by default). */
  readonly log?: (line: string) => void;
}

export const defaultOptions: BenchOptions = {
  durationS: 10,
  warmupS: 3,
  dialects: ['sqlite', 'postgres'],
  connections: 64,
  postgresRawClients: 16,
  batchOrders: 1_000,
  skuCount: spreadSkuCountDefault,
};

export const quickOptions: BenchOptions = { ...defaultOptions, durationS: 1, warmupS: 0.5 };

export interface IntakeMeasurement extends HttpLoadResult {
  /** This run's orders in the database afterwards; must be >= every acknowledged (201) order. */
  readonly storedOrders: number;
  readonly server: ServerStats;
}

export interface DialectResults {
  readonly dialect: BenchDialect;
  readonly skipped?: string;
  /** The intake server's commit settings, checked: WAL + synchronous FULL, or fsync + synchronous_commit on. */
  readonly durability?: Record<string, string>;
  readonly raw?: { readonly perOrder: RawResult; readonly perOrderHot: RawResult; readonly batched: RawResult };
  readonly intake?: IntakeMeasurement;
  readonly hot?: IntakeMeasurement;
  readonly batchHttp?: BatchHttpResult;
  readonly import?: ImportResult;
}

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly loadAvgStart: readonly number[];
    readonly loadAvgEnd: readonly number[];
  };
  readonly options: Omit<BenchOptions, 'log'>;
  readonly bare: HttpLoadResult;
  readonly dialects: readonly DialectResults[];
  /** Problems that make a figure untrustworthy (unexpected statuses, lost orders, rejects). */
  readonly problems: readonly string[];
}

const orderRequest = (prefix: string, hot: boolean, skuCount: number) => (n: number) => ({
  body: JSON.stringify(benchOrder(n, { prefix, hot, skuCount })),
  headers: { 'idempotency-key': `${prefix}-${n}` },
});

/**
 * A 201 must mean a durable commit. SQLite: WAL, and either synchronous FULL (the COMMIT fsyncs) or NORMAL
 * with every acknowledgement after an fdatasync of the WAL, which must have happened during the run (ADR 0011).
 * PostgreSQL: fsync on and synchronous_commit neither off nor local.
 */
function commitsDurably(dialect: BenchDialect, d: Record<string, string>): boolean {
  if (dialect === 'sqlite') {
    if (d.journal_mode !== 'wal') return false;
    return Number(d.synchronous) >= 2 || (d.acknowledged_after === 'wal fdatasync' && Number(d.wal_fdatasyncs) > 0);
  }
  return d.fsync === 'on' && d.synchronous_commit !== 'off' && d.synchronous_commit !== 'local';
}

/** Runs every measurement, each on its own fresh database; always stops its servers and drops its databases. */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const t0 = performance.now();
  const write = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const startedAt = new Date().toISOString();
  const loadAvgStart = os.loadavg();
  const databases = new BenchDatabases();
  const offInterrupt = onInterrupt(() => databases.dropAll());
  const problems: string[] = [];
  const tag = (s: string) => `${databases.runId}-${s}`;
  try {
    log(`bench ${databases.runId}: ${options.durationS} s per measurement after ${options.warmupS} s of warm-up`);
    log('bare Fastify 5 POST endpoint (ceiling for HTTP) ...');
    const bareServer = await spawnServer('bare.ts');
    let bare: HttpLoadResult;
    try {
      bare = await httpLoad({
        url: bareServer.url,
        path: '/v1/orders',
        connections: options.connections,
        warmupS: options.warmupS,
        durationS: options.durationS,
        request: orderRequest(tag('bare'), false, options.skuCount),
        expectStatus: 201,
      });
    } finally {
      await bareServer.stop();
    }
    if (bare.unexpected > 0) problems.push(`bare: ${bare.unexpected} unexpected responses ${JSON.stringify(bare.statuses)}`);
    log(`  ${Math.round(bare.throughput)} req/s, p99 ${bare.latencyMs.p99} ms`);
    const dialects: DialectResults[] = [];
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('PostgreSQL is not reachable: its measurements are SKIPPED');
        dialects.push({ dialect, skipped: 'PostgreSQL not reachable' });
        problems.push('postgres: not reachable, skipped');
        continue;
      }
      dialects.push(await dialectSuite(dialect, options, databases, problems, log));
    }
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '?',
        node: process.version,
        loadAvgStart,
        loadAvgEnd: os.loadavg(),
      },
      options: { ...options, log: undefined } as Omit<BenchOptions, 'log'>,
      bare,
      dialects,
      problems,
    };
  } finally {
    offInterrupt();
    await stopAllChildren();
    await databases.dropAll();
  }
}

/**
 * One dialect: the raw ceilings on one seeded database, then one server process on a second database for the
 * HTTP runs (spread intake, hot SKUs, /v1/orders/batch, in that order, each with its own order numbers), then
 * the importer on a third. Starting a server and seeding the catalog cost seconds each, so they happen once.
 */
async function dialectSuite(
  dialect: BenchDialect,
  options: BenchOptions,
  databases: BenchDatabases,
  problems: string[],
  log: (line: string) => void,
): Promise<DialectResults> {
  const tag = (s: string) => `${databases.runId}-${dialect === 'sqlite' ? 's' : 'p'}${s}`;
  const timed = { warmupS: options.warmupS, durationS: options.durationS };

  log(`${dialect}: raw driver ceilings ...`);
  const rawDb = await databases.create(dialect, 'raw');
  let raw: NonNullable<DialectResults['raw']>;
  try {
    const catalog = await seedInProcess(rawDb, options.skuCount);
    const measure = async (
      label: string,
      settings: { ordersPerTransaction: number; hot: boolean; idempotency: boolean; clients: number },
    ) => {
      const common = { ...timed, ...settings, prefix: tag(`r${label}`), skuCount: options.skuCount };
      const result =
        dialect === 'sqlite'
          ? rawSqlite(rawDb.sqliteFile as string, catalog, common)
          : await rawPostgres(catalog, { ...common, searchPath: rawDb.searchPath as string });
      log(`  raw ${label}: ${Math.round(result.throughput)} orders/s`);
      return result;
    };
    // One order per transaction, with the idempotency row (the HTTP clients send Idempotency-Key).
    const clients = dialect === 'sqlite' ? 1 : options.postgresRawClients;
    const perOrder = await measure('per_order', { ordersPerTransaction: 1, hot: false, idempotency: true, clients });
    const perOrderHot = await measure('per_order_hot', { ordersPerTransaction: 1, hot: true, idempotency: true, clients });
    // Batched like the importer: no idempotency rows, one writer.
    const batched = await measure('batched', { ordersPerTransaction: options.batchOrders, hot: false, idempotency: false, clients: 1 });
    raw = { perOrder, perOrderHot, batched };
  } finally {
    await databases.drop(rawDb);
  }

  const httpDb = await databases.create(dialect, 'http');
  let intake: IntakeMeasurement;
  let hot: IntakeMeasurement;
  let batchHttp: BatchHttpResult;
  let durability: Record<string, string> = {};
  try {
    const server = await spawnServer('fulfill.ts', {
      env: {
        ...httpDb.serverEnv,
        FULFILL_ADMIN_KEY: benchAdminKey,
        ...(options.cpuProfileDir && process.env.BENCH_SQL_TIMING !== '0' ? { BENCH_SQL_TIMING: '1' } : {}),
      },
      cpuProfileDir: options.cpuProfileDir ? path.join(options.cpuProfileDir, dialect) : undefined,
    });
    durability = server.durability;
    try {
      await seedCatalog(httpPost(server.url), options.skuCount);
      const intakeRun = async (label: string, isHot: boolean): Promise<IntakeMeasurement> => {
        log(`${dialect}: HTTP intake, ${isHot ? 'three hot SKUs' : 'orders over the whole catalog'} ...`);
        const prefix = tag(label);
        const result = await httpLoad({
          url: server.url,
          path: '/v1/orders',
          connections: options.connections,
          ...timed,
          request: orderRequest(prefix, isHot, options.skuCount),
          headers: { authorization: `Bearer ${benchAdminKey}` },
          expectStatus: 201,
          onMeasureStart: () => server.resetStats(),
        });
        const stats = await server.stats();
        durability = stats.durability;
        if (!commitsDurably(dialect, durability)) {
          problems.push(`${dialect} ${label}: the server does not commit durably: ${JSON.stringify(durability)}`);
        }
        // Read from another connection while the server runs: a 201 is only sent after the commit.
        const storedOrders = await countOrders(httpDb, prefix);
        if (result.unexpected > 0) {
          problems.push(`${dialect} ${label}: ${result.unexpected} unexpected responses or errors ${JSON.stringify(result.statuses)}`);
        }
        if (storedOrders < result.acknowledgedTotal) {
          problems.push(`${dialect} ${label}: ${result.acknowledgedTotal} orders acknowledged but only ${storedOrders} stored`);
        }
        log(
          `  ${Math.round(result.throughput)} orders/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
            `${(stats.ordersSubmitted / Math.max(1, stats.intakeBatches)).toFixed(1)} orders per batch`,
        );
        return { ...result, storedOrders, server: stats };
      };
      intake = await intakeRun('intake', false);
      hot = await intakeRun('hot', true);
      log(`${dialect}: POST /v1/orders/batch, ${options.batchOrders} orders per request ...`);
      batchHttp = await batchHttpLoad(server.url, {
        ...timed,
        prefix: tag('batch'),
        clients: 2,
        ordersPerRequest: options.batchOrders,
        skuCount: options.skuCount,
      });
      if (batchHttp.failedRequests > 0 || batchHttp.rejected > 0) {
        problems.push(`${dialect} batch HTTP: ${batchHttp.failedRequests} failed requests, ${batchHttp.rejected} rejected orders`);
      }
      log(`  ${Math.round(batchHttp.throughput)} orders/s`);
    } finally {
      await server.stop();
    }
  } finally {
    await databases.drop(httpDb);
  }

  log(`${dialect}: bulk import with importOrders() ...`);
  const importDb = await databases.create(dialect, 'import');
  let imported: ImportResult;
  try {
    await seedInProcess(importDb, options.skuCount);
    imported = await importLoad(importDb, { ...timed, prefix: tag('import'), skuCount: options.skuCount });
  } finally {
    await databases.drop(importDb);
  }
  if (imported.rejected > 0 || imported.existed > 0) {
    problems.push(`${dialect} import: ${imported.rejected} rejected, ${imported.existed} already existed`);
  }
  log(`  ${Math.round(imported.throughput)} orders/s`);
  return { dialect, durability, raw, intake, hot, batchHttp, import: imported };
}

export const resultsFile = path.join(repoRoot, 'bench', 'results', 'latest.json');
