import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { BenchDatabase } from './databases.js';
import type { RawCatalog } from './raw-rows.js';
import { benchAdminKey, type Post, seedCatalog } from './workload.js';

/** POST through an HTTP server in another process, with the admin key. */
export function httpPost(baseUrl: string): Post {
  return async (url, body) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${benchAdminKey}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text() };
  };
}

/**
 * Migrates and seeds a database in this process through the real application (in-process HTTP), for the
 * measurements that run without a server: the raw-driver ceilings and the importer. Returns the ids the raw
 * ceilings need.
 */
export async function seedInProcess(db: BenchDatabase, skuCount: number): Promise<RawCatalog> {
  const app = await compose({ ...db.composeOptions, adminKey: benchAdminKey });
  try {
    const http = await buildHttpApp(app, { logLevel: false });
    try {
      await seedCatalog(async (url, body) => {
        const res = await http.inject({
          method: 'POST',
          url,
          payload: body as object,
          headers: { authorization: `Bearer ${benchAdminKey}` },
        });
        return { status: res.statusCode, body: res.body };
      }, skuCount);
    } finally {
      await http.close();
    }
    return await catalogOf(db);
  } finally {
    await app.close();
  }
}

/** Item ids by SKU and the first-priority location, read back from a seeded database. */
export async function catalogOf(db: BenchDatabase): Promise<RawCatalog> {
  const app = await compose({ ...db.composeOptions, migrate: false });
  try {
    const items = await app.db.read.selectFrom('items').select(['id', 'sku']).execute();
    const location = await app.db.read.selectFrom('locations').select(['id', 'code']).where('code', '=', 'WH1').executeTakeFirstOrThrow();
    return { itemIds: new Map(items.map((i) => [i.sku, i.id])), locationId: location.id, locationCode: location.code };
  } finally {
    await app.close();
  }
}

/** Orders whose external id starts with `prefix-`: every acknowledged order of a run must be there. */
export async function countOrders(db: BenchDatabase, prefix: string): Promise<number> {
  if (!/^[0-9a-z-]+$/.test(prefix)) throw new Error(`order prefix ${prefix} must be [0-9a-z-]`);
  const app = await compose({ ...db.composeOptions, migrate: false });
  try {
    const row = await app.db.read
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      // Prefixes are [0-9a-z-] only: no LIKE wildcards to escape.
      .where('external_id', 'like', `${prefix}-%`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await app.close();
  }
}
