/**
 * The warehouse the flow bench runs in, built through the services the API calls:
 *
 * - one warehouse, `WH-SP`, in Sao Paulo (BR). The sellers' own geography is ignored: every Olist product is
 *   stocked in this one building, so every order is one fulfillment order here (sourcing is not measured);
 * - one bin per product, `A-01-01` style (aisle, position, level: 20 positions of 5 levels per aisle), numbered
 *   along the serpentine route; the best-selling products get the bins nearest the depot (ABC slotting);
 * - every item gets a GTIN-13 in the restricted-circulation range (prefix 20, the way in-house barcodes are
 *   made), so pickers and packers scan GTINs, and its real Olist weight and dimensions;
 * - stock: exactly the units the sampled orders need, received in receipts of at most 1,000 lines;
 * - orders placed like POST /v1/orders/batch: 1,000 per transaction through `placeOrders`.
 */
import { performance } from 'node:perf_hooks';
import { type App, compose } from '../../src/compose.js';
import { createBins, createItem, createLocation, gs1CheckDigit } from '../../src/contexts/catalog/index.js';
import { receiveStock } from '../../src/contexts/inventory/index.js';
import { type IntakeRequest, placeOrders } from '../../src/contexts/orders/index.js';
import type { LabelRequest } from '../../src/contexts/shipping/index.js';
import { assignSlots, parseBinCode, serpentinePickSequence } from '../../src/contexts/warehouse/index.js';
import type { Clock } from '../../src/kernel/clock.js';
import { limits } from '../../src/kernel/limits.js';
import { type Db, openDb } from '../../src/storage/index.js';
import type { BenchDatabase } from '../lib/databases.js';
import { benchWarehouseAddress } from './labels.js';
import type { OlistOrder, OlistProduct } from './olist.js';
import { SqlProfile } from './sql-profile.js';

export const benchActor = 'bench';
export const warehouseCode = 'WH-SP';
const levelsPerPosition = 5;
const positionsPerAisle = 20;
const binsPerRequest = 2_000;

/**
 * Transactions the services ran: how many, the time from asking for one to its end (waiting for the single
 * SQLite writer included), and the time from the end of its body to its end: the commit and, on SQLite, the wait
 * for the fdatasync that makes it durable (shared by the transactions of a group, ADR 0011).
 */
export interface TransactionStats {
  count: number;
  ms: number;
  commitMs: number;
}

/** Time spent inside the table-rate carrier's `buyLabel` (rating again, rendering the label files). */
export interface CarrierStats {
  calls: number;
  ms: number;
}

export interface BenchApp {
  readonly app: App;
  readonly transactions: TransactionStats;
  readonly carrier: CarrierStats;
  /** Per-statement timings, when the app was opened to profile. */
  readonly sql: SqlProfile | undefined;
  close(): Promise<void>;
}

/**
 * A clock on today's date that starts just after midnight UTC and moves with real time: the whole run has one
 * ship date (the manifest closes one day), and every duration is real.
 */
export function benchClock(): Clock {
  const started = Date.now();
  const base = Date.parse(`${new Date(started).toISOString().slice(0, 10)}T00:01:00.000Z`);
  return { now: () => new Date(base + (Date.now() - started)) };
}

function countTransactions(db: Db, stats: TransactionStats, profile: SqlProfile | undefined): Db {
  return {
    dialect: db.dialect,
    read: profile ? db.read.withPlugin(profile) : db.read,
    write: db.write,
    close: () => db.close(),
    durability: () => db.durability(),
    async transaction(fn) {
      stats.count += 1;
      const start = performance.now();
      let bodyDone = start;
      try {
        return await db.transaction(async (tx) => {
          try {
            return await fn(profile ? tx.withPlugin(profile) : tx);
          } finally {
            bodyDone = performance.now();
          }
        });
      } finally {
        const end = performance.now();
        stats.ms += end - start;
        stats.commitMs += end - bodyDone;
      }
    },
  };
}

/** The composed app on a bench database, with its transactions counted and the carrier's label calls timed. */
export async function openBenchApp(database: BenchDatabase, options: { profileSql: boolean }): Promise<BenchApp> {
  const transactions: TransactionStats = { count: 0, ms: 0, commitMs: 0 };
  const carrier: CarrierStats = { calls: 0, ms: 0 };
  const opened = await openDb(database.composeOptions);
  const sql = options.profileSql
    ? new SqlProfile((node, queryId) => opened.write.getExecutor().compileQuery(node, queryId).sql)
    : undefined;
  const db = countTransactions(opened, transactions, sql);
  const app = await compose({ db, clock: benchClock() });
  const tableRate = app.carriers.get('table-rate');
  if (!tableRate) throw new Error('the table-rate carrier is not configured');
  // Timed in place (the warehouse services treat the built-in carrier by its class, so it is not wrapped).
  const buyLabel = tableRate.buyLabel.bind(tableRate);
  Object.assign(tableRate, {
    async buyLabel(request: LabelRequest) {
      const start = performance.now();
      try {
        return await buyLabel(request);
      } finally {
        carrier.calls += 1;
        carrier.ms += performance.now() - start;
      }
    },
  });
  return { app, transactions, carrier, sql, close: () => app.close() };
}

const must = <T>(what: string, result: { ok: true; value: T } | { ok: false; error: { code: string; detail: string } }): T => {
  if (!result.ok) throw new Error(`${what}: ${result.error.code}: ${result.error.detail}`);
  return result.value;
};

/** A GTIN-13 in the restricted-circulation range 20: `20`, ten digits of the index, the GS1 check digit. */
export function benchGtin(index: number): string {
  const twelve = `20${String(index).padStart(10, '0')}`;
  return `${twelve}${gs1CheckDigit(twelve)}`;
}

/** Aisle letters: A..Z, then AA, AB... */
function aisleLetters(aisle: number): string {
  return aisle < 26
    ? String.fromCharCode(65 + aisle)
    : `${aisleLetters(Math.floor(aisle / 26) - 1)}${String.fromCharCode(65 + (aisle % 26))}`;
}

/** The n-th bin along the serpentine route (0 is nearest the depot). */
function binCode(n: number): string {
  const level = (n % levelsPerPosition) + 1;
  const stop = Math.floor(n / levelsPerPosition);
  const aisle = Math.floor(stop / positionsPerAisle);
  const along = stop % positionsPerAisle;
  // Odd aisles are walked back to front, so the route's next stop there has the next lower position.
  const position = aisle % 2 === 0 ? along + 1 : positionsPerAisle - along;
  return `${aisleLetters(aisle)}-${String(position).padStart(2, '0')}-${String(level).padStart(2, '0')}`;
}

export interface CatalogPlan {
  /** Product id -> GTIN. */
  readonly gtins: ReadonlyMap<string, string>;
  /** Product id -> units the orders need. */
  readonly demand: ReadonlyMap<string, number>;
}

/** Creates the warehouse, its items, bins and slotting; returns what picking and packing scan. */
export async function setUpCatalog(app: App, products: readonly OlistProduct[], orders: readonly OlistOrder[]): Promise<CatalogPlan> {
  const demand = new Map<string, number>();
  for (const o of orders) for (const l of o.lines) demand.set(l.productId, (demand.get(l.productId) ?? 0) + 1);
  const used = products.filter((p) => demand.has(p.id));
  must(
    'location',
    await createLocation(
      app,
      {
        code: warehouseCode,
        name: 'Bench warehouse Sao Paulo',
        kind: 'warehouse',
        priority: 1,
        address: {
          name: benchWarehouseAddress.name,
          line1: benchWarehouseAddress.line1,
          city: benchWarehouseAddress.city,
          region: benchWarehouseAddress.region,
          postal_code: benchWarehouseAddress.postalCode,
          country: benchWarehouseAddress.country,
        },
      },
      benchActor,
    ),
  );
  const gtins = new Map<string, string>();
  for (const [i, p] of used.entries()) {
    gtins.set(p.id, benchGtin(i + 1));
    must(
      `item ${p.id}`,
      await createItem(
        app,
        {
          sku: p.id,
          name: `${p.category} ${p.id.slice(0, 8)}`,
          kind: 'physical',
          barcode: benchGtin(i + 1),
          ...(p.weightG !== null ? { weight_g: p.weightG } : {}),
          ...(p.dimensionsMm !== null ? { dimensions_mm: p.dimensionsMm } : {}),
          inventory_policy: 'deny',
        },
        benchActor,
      ),
    );
  }
  // Best sellers first along the route; ties by product id so the layout is the same every run.
  const bySales = [...used].sort((a, b) => (demand.get(b.id) ?? 0) - (demand.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1));
  const slots = bySales.map((p, n) => {
    const code = binCode(n);
    const address = parseBinCode(code);
    if (!address) throw new Error(`bin code ${code} does not parse`);
    return { sku: p.id, bin: code, pick_sequence: serpentinePickSequence(address) };
  });
  for (let i = 0; i < slots.length; i += binsPerRequest) {
    const part = slots.slice(i, i + binsPerRequest);
    must(
      'bins',
      await createBins(
        app,
        warehouseCode,
        part.map(({ bin, pick_sequence }) => ({ code: bin, pick_sequence })),
        benchActor,
      ),
    );
    must('slotting', await assignSlots(app, warehouseCode, part, benchActor));
  }
  return { gtins, demand };
}

export async function receiveDemand(app: App, demand: ReadonlyMap<string, number>): Promise<void> {
  const lines = [...demand].map(([sku, quantity]) => ({ sku, quantity }));
  for (let i = 0; i < lines.length; i += limits.receiptLinesMax) {
    must(
      'receipt',
      await receiveStock(
        app,
        { location: warehouseCode, lines: lines.slice(i, i + limits.receiptLinesMax), reference: 'bench stock' },
        benchActor,
      ),
    );
  }
}

function orderRequest(o: OlistOrder): IntakeRequest {
  return {
    actor: benchActor,
    input: {
      channel: 'olist',
      external_id: o.id,
      currency: 'BRL',
      customer: { email: `${o.customer.uniqueId}@customers.olist.example` },
      shipping_address: {
        name: `Customer ${o.customer.uniqueId.slice(0, 8)}`,
        line1: '(street not in the Olist sample)',
        city: o.customer.city,
        region: o.customer.state,
        postal_code: o.customer.zip,
        country: 'BR',
      },
      lines: o.lines.map((l) => ({ sku: l.productId, quantity: 1, unit_price: l.unitPriceCentavos })),
      service_level: 'standard',
      promise_date: o.promiseDate,
    },
  };
}

/** Places every order, 1,000 per transaction; returns order id by Olist order id. */
export async function placeAll(app: App, orders: readonly OlistOrder[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < orders.length; i += limits.batchOrdersMax) {
    const part = orders.slice(i, i + limits.batchOrdersMax);
    const outcomes = await app.db.transaction((tx) => placeOrders(tx, app, part.map(orderRequest)));
    outcomes.forEach((outcome, k) => {
      if (outcome.kind !== 'created') throw new Error(`order ${part[k]?.id} was not placed: ${JSON.stringify(outcome)}`);
      ids.set(part[k]?.id ?? '', outcome.orderId);
    });
  }
  return ids;
}
