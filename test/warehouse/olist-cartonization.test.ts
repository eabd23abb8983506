import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import {
  type CartonizationPlan,
  cartonize,
  defaultPricing,
  fitsInSomeRotation,
  type PackUnit,
  standardBoxCatalog,
  type UnpackableReason,
  unpackableReason,
} from '../../src/contexts/warehouse/domain/index.js';
import { type BruteUnit, optimalCost, parcelCost } from './brute-force.js';
import { assertValidPlan } from './plan-checks.js';

/**
 * Cartonization on real products: the 10,000 Olist orders (Brazil, 2017) and their products' weights
 * and sizes, read from the shared data folder at test time (never copied into the repository), packed
 * with the standard box catalog and the default pricing.
 */

const olistDir = process.env.OLIST_DIR ?? '/work/shared/data/olist';
const timeLimitMs = 60_000;
/** Orders of up to this many units are also solved exactly (every split, box and rotation). */
const exactUnitsMax = 3;

interface Product {
  readonly dimensionsMm: PackUnit['dimensionsMm'];
  readonly weightG: number | null;
}

function readCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(join(olistDir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** Olist gives whole centimetres and grams; a blank is an unknown. */
function readProducts(): Map<string, Product> {
  const number = (text: string | undefined): number | null => (text === undefined || text.trim() === '' ? null : Number(text));
  const products = new Map<string, Product>();
  for (const row of readCsv('olist10k_products.csv')) {
    const l = number(row.product_length_cm);
    const h = number(row.product_height_cm);
    const w = number(row.product_width_cm);
    const dimensionsMm =
      l === null || h === null || w === null ? null : { length: Math.round(l * 10), width: Math.round(w * 10), height: Math.round(h * 10) };
    products.set(row.product_id ?? '', { dimensionsMm, weightG: number(row.product_weight_g) });
  }
  return products;
}

/** Each order's units: one per order item row, grouped by product. */
function readOrders(products: Map<string, Product>): Map<string, PackUnit[]> {
  const quantities = new Map<string, Map<string, number>>();
  for (const row of readCsv('olist10k_order_items.csv')) {
    const order = quantities.get(row.order_id ?? '') ?? new Map<string, number>();
    order.set(row.product_id ?? '', (order.get(row.product_id ?? '') ?? 0) + 1);
    quantities.set(row.order_id ?? '', order);
  }
  const orders = new Map<string, PackUnit[]>();
  for (const [orderId, lines] of quantities) {
    orders.set(
      orderId,
      [...lines].map(([productId, quantity]) => {
        const product = products.get(productId);
        assert.ok(product, `product ${productId} is in the products file`);
        return { id: productId, dimensionsMm: product.dimensionsMm, weightG: product.weightG, quantity };
      }),
    );
  }
  return orders;
}

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

let loaded: Map<string, PackUnit[]> | null = null;
/** The orders, read once for all the tests of this file. */
function olistOrders(): Map<string, PackUnit[]> {
  loaded ??= readOrders(readProducts());
  return loaded;
}

interface Packing {
  readonly plans: CartonizationPlan[];
  readonly unpackableOrders: Map<UnpackableReason, number>;
  readonly unpackableUnits: Map<UnpackableReason, number>;
  partlyPacked: number;
  unitsTotal: number;
}

const countUp = <K>(counts: Map<K, number>, key: K, by = 1): void => {
  counts.set(key, (counts.get(key) ?? 0) + by);
};

/** Cartonizes every order; when some units fit no box, the others of the order are packed on their own. */
function packAll(orders: Iterable<readonly PackUnit[]>): Packing {
  const packing: Packing = { plans: [], unpackableOrders: new Map(), unpackableUnits: new Map(), partlyPacked: 0, unitsTotal: 0 };
  for (const units of orders) {
    packing.unitsTotal += units.reduce((sum, u) => sum + u.quantity, 0);
    const result = cartonize(units, standardBoxCatalog);
    if (result.ok) {
      assertValidPlan(result.value, units);
      packing.plans.push(result.value);
      continue;
    }
    assert.ok(result.error.code === 'unit_unpackable', result.error.detail);
    for (const reason of new Set(result.error.units.map((u) => u.reason))) countUp(packing.unpackableOrders, reason);
    const failed = new Map(result.error.units.map((u) => [u.unitId, u.reason]));
    for (const u of units) {
      const reason = failed.get(u.id);
      if (reason !== undefined) countUp(packing.unpackableUnits, reason, u.quantity);
    }
    // The items that do fit still get boxes: a warehouse packs them and deals with the rest by hand.
    const rest = units.filter((u) => !failed.has(u.id));
    if (rest.length === 0) continue;
    const partial = cartonize(rest, standardBoxCatalog);
    assert.ok(partial.ok, 'the units that fit some box alone always get parcels');
    assertValidPlan(partial.value, rest);
    packing.plans.push(partial.value);
    packing.partlyPacked += 1;
  }
  return packing;
}

const listCounts = (counts: Map<string, number>): string =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

function describePacking(packing: Packing, orderCount: number, withoutItems: number): string[] {
  const parcels = packing.plans.flatMap((p) => p.parcels);
  const fillMean = parcels.reduce((sum, p) => sum + p.fillRatio, 0) / parcels.length;
  const innerVolume = parcels.reduce((sum, p) => sum + p.box.innerMm.length * p.box.innerMm.width * p.box.innerMm.height, 0);
  const fillByVolume = parcels.reduce((sum, p) => sum + p.contentVolumeMm3, 0) / innerVolume;
  const packedWhole = packing.plans.length - packing.partlyPacked;
  const unitsPacked = parcels.reduce((sum, p) => sum + p.placements.length, 0);
  const boxUse = new Map<string, number>();
  for (const p of parcels) countUp(boxUse, p.box.code);
  return [
    `[olist cartonization] ${orderCount} orders with items (${withoutItems} of the 10k have none), ${packing.unitsTotal} units, ${standardBoxCatalog.length} boxes, default pricing`,
    `  packed whole: ${packedWhole} orders (${percent(packedWhole, orderCount)}); cannot be packed whole: ${orderCount - packedWhole} (${listCounts(packing.unpackableOrders)})`,
    `  of those, ${packing.partlyPacked} orders had their other items packed; units without a box: ${packing.unitsTotal - unitsPacked} (${listCounts(packing.unpackableUnits)})`,
    `  parcels: ${parcels.length} (${packing.plans.filter((p) => p.parcels.length > 1).length} orders split into several)`,
    `  average box fill ${percent(fillMean, 1)} per parcel, ${percent(fillByVolume, 1)} by volume`,
    `  boxes used: ${listCounts(boxUse)}`,
  ];
}

describe('cartonization of the 10k Olist orders', {
  skip: !existsSync(join(olistDir, 'olist10k_order_items.csv')) && 'Olist data not found',
}, () => {
  test('every order whose items fit some box gets parcels; figures for the issue note', () => {
    const orders = olistOrders();
    const sample = readCsv('olist10k_orders.csv');
    assert.equal(sample.length, 10_000);
    // Orders that never got an item (mostly status unavailable or canceled) have nothing to pack.
    const withoutItems = sample.filter((row) => !orders.has(row.order_id ?? '')).length;
    assert.equal(orders.size + withoutItems, 10_000);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const packing = packAll(orders.values());
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuMs = (cpu.user + cpu.system) / 1_000;
    const timing = `  time ${(elapsedMs / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU, ${(cpuMs / orders.size).toFixed(2)} ms CPU per order (plan checks included)`;
    console.log([...describePacking(packing, orders.size, withoutItems), timing].join('\n'));
    assert.ok(elapsedMs < timeLimitMs, `cartonizing 10k orders takes under ${timeLimitMs / 1000} s`);
    for (const units of orders.values()) {
      const fits = units.every((u) => unpackableReason(u, standardBoxCatalog) === null);
      assert.equal(cartonize(units, standardBoxCatalog).ok, fits, 'an order gets parcels exactly when each of its items fits some box');
    }
  });

  test('single-item orders get the cheapest box that fits, by brute force over every box and rotation', () => {
    let singles = 0;
    for (const units of olistOrders().values()) {
      const [only] = units;
      if (units.length !== 1 || only?.quantity !== 1 || only.dimensionsMm === null || only.weightG === null) continue;
      const size = only.dimensionsMm;
      const weightG = only.weightG;
      // A single unit fits a box in some rotation exactly when its sorted sides fit the box's sorted sides.
      let cheapest: number | null = null;
      for (const box of standardBoxCatalog) {
        if (!fitsInSomeRotation(size, box.innerMm) || weightG + box.boxWeightG > box.maxWeightG) continue;
        const cost = parcelCost(box, weightG, defaultPricing);
        if (cost !== null && (cheapest === null || cost < cheapest)) cheapest = cost;
      }
      const result = cartonize(units, standardBoxCatalog);
      assert.equal(result.ok, cheapest !== null);
      if (!result.ok || cheapest === null) continue;
      singles += 1;
      assert.equal(result.value.parcels.length, 1);
      assert.equal(result.value.costMinor, cheapest, 'the chosen box is the cheapest that fits');
    }
    console.log(`[olist vs brute force] single-item orders: the cheapest box that fits in ${singles} of ${singles}`);
    assert.ok(singles > 8_000);
  });

  test(`orders of 2-${exactUnitsMax} units against the exact optimum (every split, box and rotation)`, () => {
    let small = 0;
    let optimal = 0;
    let gapSum = 0;
    let gapMax = 0;
    for (const units of olistOrders().values()) {
      const count = units.reduce((sum, u) => sum + u.quantity, 0);
      if (count < 2 || count > exactUnitsMax || units.some((u) => unpackableReason(u, standardBoxCatalog) !== null)) continue;
      const brute: BruteUnit[] = units.flatMap((u) =>
        Array.from({ length: u.quantity }, () => ({ size: u.dimensionsMm ?? { length: 0, width: 0, height: 0 }, weightG: u.weightG ?? 0 })),
      );
      const best = optimalCost(brute, standardBoxCatalog, defaultPricing);
      const result = cartonize(units, standardBoxCatalog);
      assert.ok(result.ok && best !== null);
      assert.ok(result.value.costMinor >= best, 'no plan beats the optimum');
      small += 1;
      const gap = (result.value.costMinor - best) / best;
      if (gap === 0) optimal += 1;
      gapSum += gap;
      gapMax = Math.max(gapMax, gap);
    }
    console.log(
      `[olist vs brute force] orders of 2-${exactUnitsMax} units: optimal in ${optimal} of ${small} (${percent(optimal, small)}), ` +
        `mean gap ${percent(gapSum, small)}, max gap ${percent(gapMax, 1)}`,
    );
    assert.ok(gapSum / small < 0.01, 'within 1% of the optimum on average');
  });
});
