/**
 * The full pick-pack-ship flow over the Olist orders, through the warehouse services (the functions the
 * HTTP routes call, with the composed App as deps), on a fresh database per dialect:
 *
 * setup (not part of the flow figure): catalog, bins and slotting, stock, every order placed;
 * flow: waves (batch picking, 12 totes per cart, at most 500 orders per wave: the API's limit) -> one scan per
 * pick task (bin + GTIN + quantity) -> packing by scanning every unit (the proposal chooses the boxes) ->
 * labels bought on the table-rate carrier (cheapest) -> every label printed as ZPL (the thermal printer at
 * the packing station) -> ship -> the day's manifest.
 *
 * `stations` pickers and packers work at once (each pick list is one picker's walk, scanned in order).
 * Orders whose units all fit some box of the standard catalog must end `fulfilled`; an order with units that
 * fit no box (or have no known size) has its other units packed and shipped and ends partially fulfilled.
 * A parcel that no service of the rate sheet takes (the international service stops at 31.75 kg billable)
 * cannot be packed either: the packer's proposal says so, and the order stays open.
 */
import { performance } from 'node:perf_hooks';
import type { App } from '../../src/compose.js';
import { verifyInventory } from '../../src/contexts/inventory/index.js';
import { createDbTableRateStore, type RateQuote } from '../../src/contexts/shipping/index.js';
import {
  buyLabels,
  createManifest,
  type PickListView,
  packParcels,
  parcelLabelFile,
  releaseWave,
  scanPick,
  shipFulfillmentOrder,
  standardBoxCatalog,
  unpackableReason,
} from '../../src/contexts/warehouse/index.js';
import type { BenchDatabase } from '../lib/databases.js';
import { StageProfiler } from './cpu-profile.js';
import {
  type BenchApp,
  benchActor,
  type CatalogPlan,
  openBenchApp,
  placeAll,
  receiveDemand,
  setUpCatalog,
  warehouseCode,
} from './flow-setup.js';
import { loadOlist, type OlistOrder, packUnitsOf, spreadSubset } from './olist.js';
import type { SqlTiming } from './sql-profile.js';

export interface StageResult {
  readonly name: string;
  readonly seconds: number;
  /** CPU seconds of this Node process (a PostgreSQL server's own CPU is not in it). */
  readonly cpuSeconds: number;
  readonly operations: number;
  readonly transactions: number;
  /** Seconds from the end of transaction bodies to their commit returning (the fsync on SQLite). */
  readonly commitSeconds: number;
  /** With profiling: the statements that took the most time, and all queries' count and time. */
  readonly sql?: { readonly statements: readonly SqlTiming[]; readonly queries: number; readonly ms: number } | undefined;
  /** With profiling: the stage's .cpuprofile file. */
  readonly cpuProfile?: string | undefined;
}

export interface FetchRate {
  readonly files: number;
  readonly seconds: number;
  readonly bytesPerFile: number;
}

export interface FlowCounts {
  readonly waves: number;
  readonly pickLists: number;
  readonly scans: number;
  /** Orders packed whole, which must end fulfilled. */
  readonly packedWhole: number;
  /** Orders with units that fit no box: the others were packed and shipped. */
  readonly packedPartly: number;
  /** Orders with no unit that fits a box. */
  readonly noBox: number;
  /** Orders whose parcels no service of the rate sheet takes (too heavy for it). */
  readonly noRate: number;
  readonly parcels: number;
  readonly labels: number;
  readonly shipments: number;
  readonly manifestParcels: number;
  readonly walkMm: number;
  readonly naiveWalkMm: number;
}

export interface FlowResult {
  readonly dialect: 'sqlite' | 'postgres';
  readonly orders: number;
  readonly lines: number;
  readonly stations: number;
  readonly setup: readonly StageResult[];
  readonly stages: readonly StageResult[];
  /** Waves to manifest: the pick-pack-ship figure the target is about. */
  readonly flowSeconds: number;
  readonly setupSeconds: number;
  readonly counts: FlowCounts;
  /** Order status -> orders, at the end. */
  readonly orderStatuses: Record<string, number>;
  readonly inventoryVerified: boolean;
  /** Time inside the table-rate carrier's buyLabel during the label stage, summed over the stations. */
  readonly carrierLabelSeconds: number;
  /** Label files fetched after the flow as GET /v1/parcels/:id/label.{pdf,zpl} does, for a spread sample of parcels. */
  readonly labelFiles: { readonly pdf: FetchRate; readonly zpl: FetchRate };
  /** Served PDFs compared byte for byte with the one the carrier renders when asked again with the same key. */
  readonly pdfSameAsCarrier: { readonly checked: number; readonly same: number };
  readonly problems: readonly string[];
}

export interface FlowOptions {
  /** Orders of the sample to run (spread over it); all by default. */
  readonly orders?: number | undefined;
  readonly stations: number;
  /** Parcels whose label files are fetched after the flow (spread over all parcels). */
  readonly fileSample: number;
  /** Time every query by statement (slower): where the database time of each stage goes. */
  readonly profileSql?: boolean | undefined;
  /** Write a CPU profile of each flow stage into this directory. */
  readonly cpuProfileDir?: string | undefined;
  readonly log: (line: string) => void;
}

/** Runs `fn` over `list` with at most `width` calls in flight. */
async function inPool<T>(list: readonly T[], width: number, fn: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const value = list[next] as T;
      next += 1;
      await fn(value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, width) }, worker));
}

const countUp = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

class Stages {
  readonly done: StageResult[] = [];
  constructor(
    private readonly bench: BenchApp,
    private readonly log: (line: string) => void,
    private readonly profiler?: { readonly profiler: StageProfiler; readonly prefix: string },
  ) {}

  async run(name: string, fn: () => Promise<number>): Promise<StageResult> {
    await this.profiler?.profiler.start();
    const tx = this.bench.transactions.count;
    const commitMs = this.bench.transactions.commitMs;
    this.bench.sql?.take(0);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const operations = await fn();
    const seconds = (performance.now() - start) / 1_000;
    const used = process.cpuUsage(cpu);
    const cpuProfile = this.profiler ? await this.profiler.profiler.stop(`${this.profiler.prefix}-${name}`) : undefined;
    const result: StageResult = {
      name,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      operations,
      transactions: this.bench.transactions.count - tx,
      commitSeconds: (this.bench.transactions.commitMs - commitMs) / 1_000,
      ...(this.bench.sql ? { sql: this.bench.sql.take(12) } : {}),
      ...(cpuProfile ? { cpuProfile } : {}),
    };
    this.done.push(result);
    this.log(`    ${name}: ${operations.toLocaleString('en-US')} in ${seconds.toFixed(2)} s, ${result.transactions} transactions`);
    return result;
  }
}

/** One run of the flow: what each stage hands to the next. */
class FlowRun {
  readonly problems: string[] = [];
  readonly lists: PickListView[] = [];
  readonly released: string[] = [];
  /** Fulfillment order -> its parcels. */
  readonly packed = new Map<string, string[]>();
  readonly packedWhole = new Set<string>();
  readonly packedPartly = new Set<string>();
  readonly labelled: string[] = [];
  readonly shipped: string[] = [];
  waves = 0;
  scans = 0;
  noBox = 0;
  noRate = 0;
  manifestParcels = 0;
  #olistByOrderId = new Map<string, OlistOrder>();

  constructor(
    readonly app: App,
    readonly stations: number,
    readonly gtins: ReadonlyMap<string, string>,
  ) {}

  ordersPlaced(orders: readonly OlistOrder[], ids: ReadonlyMap<string, string>): void {
    this.#olistByOrderId = new Map(orders.map((o) => [ids.get(o.id) ?? '', o]));
  }

  async releaseWaves(): Promise<number> {
    for (;;) {
      const wave = await releaseWave(
        this.app,
        { location: warehouseCode, strategy: 'batch', max_orders: 500, orders_per_pick_list: 12 },
        benchActor,
      );
      if (!wave.ok) {
        if (wave.error.code !== 'nothing_to_release') this.problems.push(`wave: ${wave.error.code}: ${wave.error.detail}`);
        return this.released.length;
      }
      this.waves += 1;
      this.lists.push(...wave.value.pick_lists);
      this.released.push(...wave.value.fulfillment_order_ids);
    }
  }

  async pick(): Promise<number> {
    const refused = new Map<string, number>();
    await inPool(this.lists, this.stations, async (list) => {
      for (const task of list.tasks) {
        const quantity = task.quantity - task.picked_quantity - task.short_quantity;
        const scan = { bin: task.bin ?? '', barcode: task.barcode ?? task.sku, quantity };
        const scanned = await scanPick(this.app, list.id, scan, benchActor);
        if (scanned.ok) this.scans += 1;
        else countUp(refused, scanned.error.code);
      }
    });
    for (const [code, n] of refused) this.problems.push(`pick: ${n} scans refused with ${code}`);
    return this.scans;
  }

  /** The packer scans the GTIN of every unit that fits some box; units that fit none are handled by hand. */
  async pack(): Promise<number> {
    const { products } = loadOlist();
    const orderOf = new Map(
      (await this.app.db.read.selectFrom('fulfillment_orders').select(['id', 'order_id']).where('id', 'in', this.released).execute()).map(
        (r) => [r.id, r.order_id],
      ),
    );
    const refused = new Map<string, number>();
    await inPool(this.released, this.stations, async (foId) => {
      const orderId = orderOf.get(foId) ?? '';
      const order = this.#olistByOrderId.get(orderId);
      if (!order) throw new Error(`fulfillment order ${foId} has no Olist order`);
      const units = packUnitsOf(order, products);
      const fitting = units.filter((u) => unpackableReason(u, standardBoxCatalog) === null);
      const scans = fitting.flatMap((u) => Array.from({ length: u.quantity }, () => this.gtins.get(u.id) ?? u.id));
      if (scans.length === 0) {
        this.noBox += 1;
        return;
      }
      const parcels = await packParcels(this.app, foId, { scans }, benchActor);
      if (!parcels.ok) {
        if (parcels.error.code === 'wrong_box' && /rate refused/.test(parcels.error.detail)) this.noRate += 1;
        else countUp(refused, `${parcels.error.code}: ${parcels.error.detail.slice(0, 120)}`);
        return;
      }
      this.packed.set(
        foId,
        parcels.value.map((p) => p.id),
      );
      (fitting.length === units.length ? this.packedWhole : this.packedPartly).add(orderId);
    });
    for (const [what, n] of refused) this.problems.push(`pack: ${n} fulfillment orders refused: ${what}`);
    return this.parcelsOf([...this.packed.keys()]).length;
  }

  parcelsOf(foIds: readonly string[]): string[] {
    return foIds.flatMap((foId) => this.packed.get(foId) ?? []);
  }

  async buyLabels(): Promise<number> {
    const refused = new Map<string, number>();
    await inPool([...this.packed.keys()], this.stations, async (foId) => {
      const bought = await buyLabels(this.app, foId, { strategy: 'cheapest' }, benchActor);
      if (bought.ok) this.labelled.push(foId);
      else countUp(refused, `${bought.error.code}: ${bought.error.detail.slice(0, 120)}`);
    });
    for (const [what, n] of refused) this.problems.push(`labels: ${n} fulfillment orders refused: ${what}`);
    return this.parcelsOf(this.labelled).length;
  }

  async printZpl(): Promise<number> {
    let printed = 0;
    await inPool(this.parcelsOf(this.labelled), this.stations, async (parcelId) => {
      const file = await parcelLabelFile(this.app, parcelId, 'zpl');
      if (file.ok && file.value.bytes.byteLength > 0) printed += 1;
      else this.problems.push(`print: parcel ${parcelId} has no ZPL label`);
    });
    return printed;
  }

  async ship(): Promise<number> {
    await inPool(this.labelled, this.stations, async (foId) => {
      const shipment = await shipFulfillmentOrder(this.app, foId, benchActor);
      if (shipment.ok) this.shipped.push(foId);
      else this.problems.push(`ship ${foId}: ${shipment.error.code}: ${shipment.error.detail}`);
    });
    return this.shipped.length;
  }

  async manifest(): Promise<number> {
    const manifest = await createManifest(this.app, { location: warehouseCode, carrier: 'table-rate' }, benchActor);
    if (manifest.ok) this.manifestParcels = manifest.value.parcels.length;
    else this.problems.push(`manifest: ${manifest.error.code}: ${manifest.error.detail}`);
    return this.manifestParcels;
  }
}

export async function runFlow(database: BenchDatabase, options: FlowOptions): Promise<FlowResult> {
  const sample = loadOlist();
  const orders = spreadSubset(sample.orders, options.orders);
  const bench = await openBenchApp(database, { profileSql: options.profileSql ?? false });
  const profiler = options.cpuProfileDir ? new StageProfiler(options.cpuProfileDir) : undefined;
  try {
    const setup = new Stages(bench, options.log);
    let plan: CatalogPlan | undefined;
    await setup.run('catalog, bins, slotting', async () => {
      plan = await setUpCatalog(bench.app, [...sample.products.values()], orders);
      return plan.gtins.size;
    });
    if (!plan) throw new Error('the catalog was not set up');
    const { demand, gtins } = plan;
    await setup.run('stock received', async () => {
      await receiveDemand(bench.app, demand);
      return demand.size;
    });
    const flow = new FlowRun(bench.app, options.stations, gtins);
    await setup.run('orders placed', async () => {
      const ids = await placeAll(bench.app, orders);
      flow.ordersPlaced(orders, ids);
      return ids.size;
    });
    const stages = new Stages(bench, options.log, profiler ? { profiler, prefix: database.dialect } : undefined);
    await stages.run('waves released', () => flow.releaseWaves());
    if (flow.released.length !== orders.length)
      flow.problems.push(`${flow.released.length} fulfillment orders released for ${orders.length} orders`);
    await stages.run('pick scans', () => flow.pick());
    await stages.run('packed (parcels)', () => flow.pack());
    const carrierMs = bench.carrier.ms;
    await stages.run('labels bought', () => flow.buyLabels());
    const carrierLabelSeconds = (bench.carrier.ms - carrierMs) / 1_000;
    await stages.run('labels printed (ZPL)', () => flow.printZpl());
    await stages.run('shipped', () => flow.ship());
    await stages.run('manifest (parcels)', () => flow.manifest());
    return await finish(bench, database.dialect, orders, { flow, setup, stages, carrierLabelSeconds, fileSample: options.fileSample });
  } finally {
    profiler?.close();
    await bench.close();
  }
}

async function finish(
  bench: BenchApp,
  dialect: FlowResult['dialect'],
  orders: readonly OlistOrder[],
  done: { flow: FlowRun; setup: Stages; stages: Stages; carrierLabelSeconds: number; fileSample: number },
): Promise<FlowResult> {
  const { flow } = done;
  const labelled = flow.parcelsOf(flow.labelled);
  if (flow.manifestParcels !== labelled.length)
    flow.problems.push(`the manifest lists ${flow.manifestParcels} of ${labelled.length} parcels`);
  if (flow.shipped.length !== flow.labelled.length)
    flow.problems.push(`${flow.shipped.length} of ${flow.labelled.length} labelled orders shipped`);
  const labelFiles = await fetchLabelFiles(bench.app, labelled, done.fileSample, flow.problems);
  const compared = spreadSubset(labelled, pdfComparisons);
  let same = 0;
  for (const id of compared) if (await pdfSameAsCarrier(bench.app, id)) same += 1;
  if (same < compared.length)
    flow.problems.push(`${compared.length - same} of ${compared.length} served label PDFs differ from the carrier's`);
  const checks = await endChecks(bench.app, flow);
  const sum = (stages: readonly StageResult[]) => stages.reduce((s, r) => s + r.seconds, 0);
  return {
    dialect,
    orders: orders.length,
    lines: orders.reduce((s, o) => s + o.lines.length, 0),
    stations: flow.stations,
    setup: done.setup.done,
    stages: done.stages.done,
    flowSeconds: sum(done.stages.done),
    setupSeconds: sum(done.setup.done),
    counts: {
      waves: flow.waves,
      pickLists: flow.lists.length,
      scans: flow.scans,
      packedWhole: flow.packedWhole.size,
      packedPartly: flow.packedPartly.size,
      noBox: flow.noBox,
      noRate: flow.noRate,
      parcels: flow.parcelsOf([...flow.packed.keys()]).length,
      labels: labelled.length,
      shipments: flow.shipped.length,
      manifestParcels: flow.manifestParcels,
      walkMm: flow.lists.reduce((s, l) => s + l.walk_length, 0),
      naiveWalkMm: flow.lists.reduce((s, l) => s + l.naive_walk_length, 0),
    },
    ...checks,
    carrierLabelSeconds: done.carrierLabelSeconds,
    labelFiles,
    pdfSameAsCarrier: { checked: compared.length, same },
    problems: flow.problems,
  };
}

/** Fetches label files as GET /v1/parcels/:id/label.{pdf,zpl} does, for a spread sample of the parcels. */
async function fetchLabelFiles(app: App, parcels: readonly string[], sample: number, problems: string[]) {
  const ids = spreadSubset(parcels, sample);
  const fetch = async (format: 'pdf' | 'zpl'): Promise<FetchRate> => {
    let bytes = 0;
    const start = performance.now();
    for (const id of ids) {
      const file = await parcelLabelFile(app, id, format);
      if (!file.ok) {
        problems.push(`label file: parcel ${id} has no ${format}`);
        continue;
      }
      bytes += file.value.bytes.byteLength;
      const head = Buffer.from(file.value.bytes.subarray(0, 5)).toString('latin1');
      if (format === 'pdf' ? head !== '%PDF-' : !head.startsWith('^XA')) problems.push(`label file: parcel ${id}: not a ${format}`);
    }
    return { files: ids.length, seconds: (performance.now() - start) / 1_000, bytesPerFile: Math.round(bytes / Math.max(1, ids.length)) };
  };
  return { pdf: await fetch('pdf'), zpl: await fetch('zpl') };
}

const pdfComparisons = 10;

/**
 * Whether the PDF served for a parcel is the file its carrier renders: the table-rate carrier is asked again
 * with the label's key, which replays the label it sold (no new label) with the files asked for.
 */
async function pdfSameAsCarrier(app: App, parcelId: string): Promise<boolean> {
  const row = await app.db.read.selectFrom('parcels').selectAll().where('id', '=', parcelId).executeTakeFirst();
  const carrier = row?.carrier ? app.carriers.get(row.carrier) : undefined;
  if (!row?.carrier || !row.carrier_shipment_id || !row.rate_choice || !carrier) return false;
  const record = await createDbTableRateStore(app.db, row.carrier).findLabelByRef(row.carrier_shipment_id);
  if (!record) return false;
  const replay = await carrier.buyLabel({
    idempotencyKey: record.idempotencyKey,
    quote: (JSON.parse(row.rate_choice) as { chosen_quote: RateQuote }).chosen_quote,
    from: record.from,
    to: record.to,
    parcel: record.parcel,
    shipDate: record.shipDate,
    locationId: record.locationId,
    reference: record.reference,
    formats: ['pdf'],
  });
  const file = replay.ok && replay.value.replayed ? replay.value.files.find((f) => f.format === 'pdf') : undefined;
  const served = await parcelLabelFile(app, parcelId, 'pdf');
  return file?.kind === 'inline' && served.ok && Buffer.compare(Buffer.from(file.bytes), Buffer.from(served.value.bytes)) === 0;
}

/** Inventory verifies, and every order ended where its packing says it must. */
async function endChecks(app: App, flow: FlowRun): Promise<{ orderStatuses: Record<string, number>; inventoryVerified: boolean }> {
  const report = await verifyInventory(app);
  if (!report.ok) flow.problems.push(`inventory verify failed: ${JSON.stringify(report).slice(0, 500)}`);
  const rows = await app.db.read.selectFrom('orders').select(['id', 'status']).execute();
  const orderStatuses: Record<string, number> = {};
  for (const r of rows) orderStatuses[r.status] = (orderStatuses[r.status] ?? 0) + 1;
  const status = new Map(rows.map((r) => [r.id, r.status]));
  const notFulfilled = [...flow.packedWhole].filter((id) => status.get(id) !== 'fulfilled');
  if (notFulfilled.length > 0) flow.problems.push(`${notFulfilled.length} orders packed whole are not fulfilled (e.g. ${notFulfilled[0]})`);
  const partly = [...flow.packedPartly].filter((id) => status.get(id) !== 'partially_fulfilled');
  if (partly.length > 0) flow.problems.push(`${partly.length} partly packed orders are not partially fulfilled (e.g. ${partly[0]})`);
  return { orderStatuses, inventoryVerified: report.ok };
}
