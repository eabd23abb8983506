/**
 * Cartonization time per order: the pure `cartonize` over the Olist orders with the standard box catalog and
 * the default pricing, nothing else timed (no I/O, no plan checks). One untimed warm-up pass over a slice
 * lets the JIT settle first; then every order is timed on its own for the percentiles.
 */
import { performance } from 'node:perf_hooks';
import { cartonize, standardBoxCatalog, unpackableReason } from '../../src/contexts/warehouse/index.js';
import { loadOlist, packUnitsOf, spreadSubset } from './olist.js';

export interface CartonizationResult {
  readonly orders: number;
  readonly units: number;
  /** Orders that got parcels (every unit fits some box). */
  readonly packed: number;
  readonly parcels: number;
  readonly unpackable: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly perOrderMs: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
  /** The slowest order, to know what makes the tail. */
  readonly slowest: { readonly orderId: string; readonly units: number; readonly ms: number };
}

const warmupOrders = 500;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function measureCartonization(options: { orders?: number | undefined } = {}): CartonizationResult {
  const sample = loadOlist();
  const orders = spreadSubset(sample.orders, options.orders);
  const prepared = orders.map((o) => ({ id: o.id, units: packUnitsOf(o, sample.products) }));
  for (const o of prepared.slice(0, warmupOrders)) cartonize(o.units, standardBoxCatalog);
  const times: number[] = [];
  let packed = 0;
  let parcels = 0;
  let units = 0;
  let slowest = { orderId: '', units: 0, ms: -1 };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (const o of prepared) {
    const t0 = performance.now();
    const plan = cartonize(o.units, standardBoxCatalog);
    const ms = performance.now() - t0;
    times.push(ms);
    const count = o.units.reduce((sum, u) => sum + u.quantity, 0);
    units += count;
    if (ms > slowest.ms) slowest = { orderId: o.id, units: count, ms };
    if (plan.ok) {
      packed += 1;
      parcels += plan.value.parcels.length;
    }
  }
  const totalMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const unpackable = prepared.filter((o) => o.units.some((u) => unpackableReason(u, standardBoxCatalog) !== null)).length;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    orders: prepared.length,
    units,
    packed,
    parcels,
    unpackable,
    totalMs,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    perOrderMs: {
      mean: totalMs / Math.max(1, prepared.length),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
    },
    slowest,
  };
}
