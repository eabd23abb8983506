/**
 * The 10k-order Olist sample (Brazil, 2017) as the warehouse bench needs it, read in place from the shared
 * data folder at run time (never copied into the repository; licence CC BY-NC-SA 4.0, tests and benchmarks
 * only). The mapping follows test/replay/olist.test.ts and test/warehouse/olist-cartonization.test.ts, whose
 * parsing lives inside test files (importing them would run their tests), so it is repeated here:
 *
 * - a product is an item, SKU = product_id; weight in grams and the centimetres times 10 as millimetres are
 *   the real ones; a blank is unknown (left out, never 0);
 * - an order is one Olist order with at least one item row; each order item row is one line of quantity 1,
 *   in line-number order; the price is exact centavos; the ship-to is the customer's city, state and zip
 *   prefix (the CSV lost leading zeros: put back), in Brazil;
 * - for cartonization the units are grouped by product, as the cartonization test does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { PackUnit } from '../../src/contexts/warehouse/index.js';

export const olistDir = process.env.OLIST_DIR ?? '/work/shared/data/olist';

type Row = Record<string, string>;

export interface OlistProduct {
  readonly id: string;
  readonly category: string;
  readonly weightG: number | null;
  readonly dimensionsMm: { readonly length: number; readonly width: number; readonly height: number } | null;
}

export interface OlistLine {
  readonly productId: string;
  readonly unitPriceCentavos: number;
}

export interface OlistOrder {
  readonly id: string;
  readonly purchasedAt: string;
  /** `YYYY-MM-DD`, Olist's estimated delivery date. */
  readonly promiseDate: string;
  readonly customer: { readonly uniqueId: string; readonly city: string; readonly state: string; readonly zip: string };
  /** One per Olist order item, in line-number order. */
  readonly lines: readonly OlistLine[];
}

export interface OlistSample {
  readonly products: ReadonlyMap<string, OlistProduct>;
  /** Orders with at least one item, oldest purchase first. */
  readonly orders: readonly OlistOrder[];
  /** Orders of the 10k without any item row (nothing to place or pack). */
  readonly withoutItems: number;
}

export function olistAvailable(): boolean {
  return fs.existsSync(path.join(olistDir, 'olist10k_order_items.csv'));
}

function readCsv(file: string): Row[] {
  return parse(fs.readFileSync(path.join(olistDir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
}

/** BRL text such as "199.9" to integer centavos, exactly. */
function centavos(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`Olist price ${text} is not a decimal amount`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const blankOr = (text: string | undefined): number | null => (text === undefined || text.trim() === '' ? null : Number(text));

function readProducts(): Map<string, OlistProduct> {
  const translation = new Map(
    readCsv('product_category_name_translation.csv').map((r) => [r.product_category_name, r.product_category_name_english]),
  );
  const products = new Map<string, OlistProduct>();
  for (const row of readCsv('olist10k_products.csv')) {
    const id = row.product_id ?? '';
    const [l, w, h] = [blankOr(row.product_length_cm), blankOr(row.product_width_cm), blankOr(row.product_height_cm)];
    const weight = blankOr(row.product_weight_g);
    products.set(id, {
      id,
      category: translation.get(row.product_category_name ?? '') ?? (row.product_category_name || 'unknown category'),
      weightG: weight === null ? null : Math.round(weight),
      dimensionsMm:
        l === null || w === null || h === null
          ? null
          : { length: Math.round(l * 10), width: Math.round(w * 10), height: Math.round(h * 10) },
    });
  }
  return products;
}

let cached: OlistSample | undefined;

/** Reads the sample once per process. */
export function loadOlist(): OlistSample {
  if (cached) return cached;
  const products = readProducts();
  const lines = new Map<string, { productId: string; unitPriceCentavos: number; no: number }[]>();
  for (const r of readCsv('olist10k_order_items.csv')) {
    const orderId = r.order_id ?? '';
    const productId = r.product_id ?? '';
    if (!products.has(productId)) throw new Error(`Olist product ${productId} is missing from the products file`);
    const list = lines.get(orderId) ?? [];
    list.push({ productId, unitPriceCentavos: centavos(r.price ?? ''), no: Number(r.order_item_id) });
    lines.set(orderId, list);
  }
  const customers = new Map(readCsv('olist10k_customers.csv').map((c) => [c.customer_id ?? '', c]));
  const orders: OlistOrder[] = [];
  let withoutItems = 0;
  const sample = readCsv('olist10k_orders.csv').sort((a, b) =>
    (a.order_purchase_timestamp ?? '').localeCompare(b.order_purchase_timestamp ?? ''),
  );
  for (const o of sample) {
    const its = lines.get(o.order_id ?? '');
    if (!its) {
      withoutItems += 1;
      continue;
    }
    const c = customers.get(o.customer_id ?? '');
    if (!c) throw new Error(`Olist order ${o.order_id} has no customer`);
    its.sort((a, b) => a.no - b.no);
    orders.push({
      id: o.order_id ?? '',
      purchasedAt: o.order_purchase_timestamp ?? '',
      promiseDate: (o.order_estimated_delivery_date ?? '').slice(0, 10),
      customer: {
        uniqueId: c.customer_unique_id ?? '',
        city: c.customer_city ?? '',
        state: c.customer_state ?? '',
        zip: (c.customer_zip_code_prefix ?? '').padStart(5, '0'),
      },
      lines: its.map(({ productId, unitPriceCentavos }) => ({ productId, unitPriceCentavos })),
    });
  }
  cached = { products, orders, withoutItems };
  return cached;
}

/** An order's units for cartonization: one per product with its quantity (PackUnit.id = product id). */
export function packUnitsOf(order: OlistOrder, products: ReadonlyMap<string, OlistProduct>): PackUnit[] {
  const quantities = new Map<string, number>();
  for (const l of order.lines) quantities.set(l.productId, (quantities.get(l.productId) ?? 0) + 1);
  return [...quantities].map(([id, quantity]) => {
    const p = products.get(id);
    return { id, dimensionsMm: p?.dimensionsMm ?? null, weightG: p?.weightG ?? null, quantity };
  });
}

/** `n` orders spread over the whole sample (every k-th), so that a subset keeps the sample's mix. */
export function spreadSubset<T>(all: readonly T[], n: number | undefined): readonly T[] {
  if (n === undefined || n >= all.length) return all;
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)] as T);
}
