/**
 * What the benchmarks send and write: one catalog (two warehouses, a few hundred SKUs, plenty of stock) and a
 * deterministic generator of realistic orders. The HTTP runs, the importer and the raw-driver ceilings all draw
 * their orders from here, so they do the same work.
 */

export const benchAdminKey = 'bench-admin-key-0123456789abcdef';

/** SKUs an ordinary order picks its lines from (the smoke test uses fewer to seed faster). */
export const spreadSkuCountDefault = 500;
/** The hot-SKU runs put every line on these. */
export const hotSkus = ['HOT-1', 'HOT-2', 'HOT-3'] as const;
/** Units received per SKU and location: the receipt line maximum, far more than any run orders. */
export const stockPerLevel = 1_000_000;
/** Receipt lines per request (the API's limit is 1,000). */
const receiptLinesMax = 1_000;

export const benchLocations = [
  {
    code: 'WH1',
    name: 'Main warehouse',
    kind: 'warehouse',
    priority: 1,
    address: { line1: '1 Dock Rd', city: 'Newark', region: 'NJ', postal_code: '07102', country: 'US' },
  },
  {
    code: 'WH2',
    name: 'West warehouse',
    kind: 'warehouse',
    priority: 2,
    address: { line1: '9 Harbor Way', city: 'Oakland', region: 'CA', postal_code: '94607', country: 'US' },
  },
] as const;

export const spreadSku = (i: number): string => `SKU-${String(i + 1).padStart(4, '0')}`;

export function benchItems(skuCount = spreadSkuCountDefault): { sku: string; name: string }[] {
  const items = Array.from({ length: skuCount }, (_, i) => ({ sku: spreadSku(i), name: `Catalog item ${i + 1}` }));
  return [...items, ...hotSkus.map((sku) => ({ sku, name: `Hot item ${sku}` }))];
}

/** Anything that can POST JSON to the API with the admin key and return the status and body. */
export type Post = (url: string, body: unknown) => Promise<{ status: number; body: string }>;

async function must(post: Post, url: string, body: unknown): Promise<void> {
  const res = await post(url, body);
  if (res.status < 200 || res.status >= 300) throw new Error(`seeding: ${url} answered ${res.status}: ${res.body.slice(0, 500)}`);
}

/** Creates the locations, the items and their stock through the public API. */
export async function seedCatalog(post: Post, skuCount = spreadSkuCountDefault): Promise<void> {
  for (const location of benchLocations) await must(post, '/v1/locations', location);
  const items = benchItems(skuCount);
  const concurrency = 8;
  for (let i = 0; i < items.length; i += concurrency) {
    await Promise.all(
      items.slice(i, i + concurrency).map((item) =>
        must(post, '/v1/items', {
          sku: item.sku,
          name: item.name,
          kind: 'physical',
          weight_g: 350,
          dimensions_mm: { length: 120, width: 90, height: 100 },
          inventory_policy: 'deny',
        }),
      ),
    );
  }
  for (const location of benchLocations) {
    for (let i = 0; i < items.length; i += receiptLinesMax) {
      const lines = items.slice(i, i + receiptLinesMax).map((item) => ({ sku: item.sku, quantity: stockPerLevel }));
      await must(post, '/v1/inventory/receipts', { location: location.code, lines });
    }
  }
}

const addresses = [
  { name: 'Ann Lee', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
  { name: 'Bo Chen', line1: '220 Pine Ave', line2: 'Apt 4B', city: 'Seattle', region: 'WA', postal_code: '98101', country: 'US' },
  { name: 'Cara Diaz', line1: '77 Elm St', city: 'Austin', region: 'TX', postal_code: '73301', country: 'US' },
  { name: 'Dev Patel', line1: '5 Ocean Blvd', city: 'Miami', region: 'FL', postal_code: '33101', country: 'US' },
  { name: 'Eve Moss', line1: '18 Birch Rd', city: 'Portland', region: 'OR', postal_code: '97201', country: 'US' },
] as const;

export interface BenchLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unit_price: number;
}

export interface BenchOrder {
  readonly channel: string;
  readonly external_id: string;
  readonly currency: string;
  readonly customer: { readonly email: string; readonly name: string; readonly phone: string };
  readonly shipping_address: (typeof addresses)[number];
  readonly lines: readonly BenchLine[];
  readonly service_level: string;
}

/** A small, fast, seedable generator (mulberry32): the same n gives the same order on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Order number n of a run: one to three lines of distinct SKUs (from the whole catalog, or from the three hot
 * SKUs), one to three units each. `prefix` keeps external ids unique across runs that share a database.
 */
export function benchOrder(n: number, options: { prefix: string; hot?: boolean; channel?: string; skuCount?: number }): BenchOrder {
  const skuCount = options.skuCount ?? spreadSkuCountDefault;
  const rnd = random(n * 2654435761 + (options.hot ? 7 : 0));
  const lineCount = Math.min(1 + Math.floor(rnd() * 3), options.hot ? hotSkus.length : skuCount);
  const skus = new Set<string>();
  while (skus.size < lineCount) {
    skus.add(options.hot ? (hotSkus[Math.floor(rnd() * hotSkus.length)] as string) : spreadSku(Math.floor(rnd() * skuCount)));
  }
  const name = addresses[n % addresses.length] as (typeof addresses)[number];
  return {
    channel: options.channel ?? 'web',
    external_id: `${options.prefix}-${n}`,
    currency: 'USD',
    customer: { email: `buyer${n}@example.com`, name: name.name, phone: '+15555550100' },
    shipping_address: name,
    lines: [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(rnd() * 3), unit_price: 499 + Math.floor(rnd() * 9_500) })),
    service_level: n % 5 === 0 ? 'express' : 'standard',
  };
}
