import { parse } from 'csv-parse/sync';
import { ProblemError } from '../../kernel/problem.js';
import type { Tx } from '../../storage/index.js';
import type { DigitalProductTable } from '../../storage/schema-digital.js';
import type { PlatformDeps } from '../deps.js';
import { fileView, findFiles } from '../files/index.js';
import { releaseHold } from '../orders/index.js';
import { lookupHash, seal } from './crypto.js';
import { digitalActor, poolCodeContext } from './delivery.js';

/** Files one digital item may deliver, and codes one pool upload may add. */
export const digitalLimits = { filesPerItemMax: 20, poolUploadCodesMax: 100_000, poolCodeLengthMax: 200 } as const;

export interface LicensePolicyInput {
  readonly source: 'generated' | 'pool';
  /** Machines per key; null or absent for no limit. */
  readonly max_activations?: number | null | undefined;
  /** Days a key stays valid after delivery; null or absent for ever. */
  readonly valid_days?: number | null | undefined;
  /** Generated keys only: 1 to 10 letters/digits put before the key (`PRO-XXXXX-...`). */
  readonly prefix?: string | null | undefined;
}

export interface DigitalProductInput {
  readonly files?: readonly string[] | undefined;
  readonly download_limit?: number | null | undefined;
  readonly access_days?: number | null | undefined;
  readonly distinct_ip_limit?: number | null | undefined;
  readonly license?: LicensePolicyInput | null | undefined;
}

/** Defaults for a digital item: 5 downloads per link, no expiry, no IP limit, no license. */
export const productDefaults = { download_limit: 5, access_days: null, distinct_ip_limit: null } as const;

async function digitalItem(db: Tx, sku: string): Promise<{ id: string; sku: string; name: string }> {
  const item = await db.selectFrom('items').select(['id', 'sku', 'name', 'kind']).where('sku', '=', sku).executeTakeFirst();
  if (!item) throw new ProblemError('not_found', `no item ${sku}`);
  if (item.kind !== 'digital') throw new ProblemError('not_digital', `${sku} is a ${item.kind} item; only digital items have deliverables`);
  return item;
}

/** A digital item's deliverables as the merchant sees them (files, limits, license policy, pool counts). */
export async function getDigitalProduct(deps: PlatformDeps, sku: string, tx?: Tx) {
  const db = tx ?? deps.db.read;
  const item = await digitalItem(db, sku);
  const product = (await db.selectFrom('digital_products').selectAll().where('item_id', '=', item.id).executeTakeFirst()) as
    | DigitalProductTable
    | undefined;
  const links = await db
    .selectFrom('digital_product_files')
    .select(['file_id'])
    .where('item_id', '=', item.id)
    .orderBy('position')
    .execute();
  const files = new Map(
    (
      await findFiles(
        deps,
        links.map((l) => l.file_id),
        tx,
      )
    ).map((f) => [f.id, f]),
  );
  const pool = await poolCounts(db, item.id);
  return {
    sku: item.sku,
    item_id: item.id,
    name: item.name,
    configured: product !== undefined,
    files: links.flatMap((l) => {
      const f = files.get(l.file_id);
      return f ? [fileView(f)] : [];
    }),
    download_limit: product ? product.download_limit : productDefaults.download_limit,
    access_days: product ? product.access_days : productDefaults.access_days,
    distinct_ip_limit: product ? product.distinct_ip_limit : productDefaults.distinct_ip_limit,
    license:
      product && product.license_source !== 'none'
        ? {
            source: product.license_source,
            max_activations: product.license_max_activations,
            valid_days: product.license_days,
            prefix: product.license_prefix,
          }
        : null,
    pool,
    updated_at: product?.updated_at ?? null,
  };
}

/** Codes in an item's pool: `available` is the item's stock of codes. */
export async function poolCounts(db: Tx, itemId: string): Promise<{ available: number; issued: number }> {
  const rows = await db
    .selectFrom('license_pool_codes')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('item_id', '=', itemId)
    .groupBy('status')
    .execute();
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { available: count('available'), issued: count('issued') };
}

/** Sets what a digital item delivers (replacing the previous setup); at least one file or a license policy. */
export async function putDigitalProduct(deps: PlatformDeps, sku: string, input: DigitalProductInput) {
  const fileIds = input.files ?? [];
  if (fileIds.length === 0 && !input.license) {
    throw new ProblemError('validation_failed', 'a digital item delivers at least one file or a license', {
      errors: [{ pointer: '/files', detail: 'give files, a license, or both' }],
    });
  }
  const duplicate = fileIds.findIndex((id, i) => fileIds.indexOf(id) !== i);
  if (duplicate >= 0) {
    throw new ProblemError('validation_failed', `file ${fileIds[duplicate]} is listed twice`, {
      errors: [{ pointer: `/files/${duplicate}`, detail: 'duplicate file' }],
    });
  }
  if (input.license?.prefix && input.license.source !== 'generated') {
    throw new ProblemError('validation_failed', 'a key prefix applies to generated keys only', {
      errors: [{ pointer: '/license/prefix', detail: 'only with source generated' }],
    });
  }
  return deps.db.transaction(async (tx) => {
    const item = await digitalItem(tx, sku);
    const known = new Set((await findFiles(deps, fileIds, tx)).map((f) => f.id));
    const errors = fileIds.flatMap((id, i) => (known.has(id) ? [] : [{ pointer: `/files/${i}`, detail: `no file ${id}` }]));
    if (errors.length > 0) throw new ProblemError('unknown_file', errors.map((e) => e.detail).join('; '), { errors });
    const now = deps.clock.now().toISOString();
    const row = {
      item_id: item.id,
      download_limit: input.download_limit === undefined ? productDefaults.download_limit : input.download_limit,
      access_days: input.access_days ?? null,
      distinct_ip_limit: input.distinct_ip_limit ?? null,
      license_source: input.license?.source ?? ('none' as const),
      license_max_activations: input.license?.max_activations ?? null,
      license_days: input.license?.valid_days ?? null,
      license_prefix: input.license?.prefix ?? null,
      updated_at: now,
    };
    await tx
      .insertInto('digital_products')
      .values({ ...row, created_at: now })
      .onConflict((oc) => oc.column('item_id').doUpdateSet(row))
      .execute();
    await tx.deleteFrom('digital_product_files').where('item_id', '=', item.id).execute();
    if (fileIds.length > 0) {
      await tx
        .insertInto('digital_product_files')
        .values(fileIds.map((file_id, position) => ({ item_id: item.id, file_id, position })))
        .execute();
    }
    return getDigitalProduct(deps, sku, tx);
  });
}

/**
 * Reads a CSV of codes: a `code` column when the header names one, otherwise the first column of every
 * row (a header row is then only skipped when it reads `code`). Blank lines are ignored. Refuses the
 * whole file on any bad row, with a pointer per row (`/rows/<n>`, 1-based line numbers).
 */
export function parsePoolCsv(text: string): string[] {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true, bom: true }) as string[][];
  } catch (error) {
    throw new ProblemError('validation_failed', `the CSV cannot be read: ${(error as Error).message.slice(0, 200)}`, {
      errors: [{ pointer: '/body', detail: 'not valid CSV' }],
    });
  }
  const header = records[0]?.map((h) => h.toLowerCase()) ?? [];
  const column = header.includes('code') ? header.indexOf('code') : 0;
  const rows = header.includes('code') ? records.slice(1).map((r, i) => ({ r, line: i + 2 })) : records.map((r, i) => ({ r, line: i + 1 }));
  const errors: { pointer: string; detail: string }[] = [];
  const codes: string[] = [];
  for (const { r, line } of rows) {
    const code = r[column] ?? '';
    if (code === '' || code.length > digitalLimits.poolCodeLengthMax || !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(code)) {
      errors.push({ pointer: `/rows/${line}`, detail: `a code is 1 to ${digitalLimits.poolCodeLengthMax} printable ASCII characters` });
      if (errors.length >= 20) break;
      continue;
    }
    codes.push(code);
  }
  if (errors.length > 0) throw new ProblemError('validation_failed', `${errors.length} row(s) are not valid codes`, { errors });
  if (codes.length === 0)
    throw new ProblemError('validation_failed', 'the CSV holds no codes', { errors: [{ pointer: '/body', detail: 'no codes' }] });
  if (codes.length > digitalLimits.poolUploadCodesMax) {
    throw new ProblemError('limit_reached', `one upload holds at most ${digitalLimits.poolUploadCodesMax} codes`);
  }
  return codes;
}

/**
 * Adds codes to a digital item's pool (its license policy must be `pool`). Codes are sealed (AES-256-GCM)
 * and indexed by a keyed hash, so a code already in the pool (or twice in the file) is counted as a
 * duplicate and skipped. Afterwards, orders waiting on an `inventory` hold for this pool are released in
 * the order they were held, as far as the new codes go; their delivery follows through the outbox.
 */
export async function addPoolCodes(
  deps: PlatformDeps,
  sku: string,
  codes: readonly string[],
  actor: string,
): Promise<{ added: number; duplicates: number; available: number; released_orders: string[] }> {
  const outcome = await deps.db.transaction(async (tx) => {
    const item = await digitalItem(tx, sku);
    const product = await tx.selectFrom('digital_products').select('license_source').where('item_id', '=', item.id).executeTakeFirst();
    if (product?.license_source !== 'pool') {
      throw new ProblemError('not_digital', `${sku} does not draw its keys from a pool; set its license source to pool first`);
    }
    const now = deps.clock.now().toISOString();
    const unique = [...new Map(codes.map((c) => [lookupHash(deps.secret, 'code', c), c])).entries()];
    let added = 0;
    for (let i = 0; i < unique.length; i += 1000) {
      const rows = unique.slice(i, i + 1000).map(([hash, code]) => ({
        id: deps.ids.next('poolCode'),
        item_id: item.id,
        code_hash: hash,
        code_cipher: seal(deps.secret, code, poolCodeContext(item.id)),
        status: 'available' as const,
        license_id: null,
        created_at: now,
        issued_at: null,
      }));
      const inserted = await tx
        .insertInto('license_pool_codes')
        .values(rows)
        .onConflict((oc) => oc.columns(['item_id', 'code_hash']).doNothing())
        .returning('id')
        .execute();
      added += inserted.length;
    }
    const counts = await poolCounts(tx, item.id);
    return { itemId: item.id, added, duplicates: codes.length - added, available: counts.available };
  });
  const released = await releasePoolHolds(deps, outcome.itemId, outcome.available, actor);
  return { added: outcome.added, duplicates: outcome.duplicates, available: outcome.available, released_orders: released };
}

/** Releases the digital area's inventory holds on orders waiting for this item's codes, oldest first, while codes last. */
async function releasePoolHolds(deps: PlatformDeps, itemId: string, available: number, actor: string): Promise<string[]> {
  const holds = await deps.db.read
    .selectFrom('holds as h')
    .innerJoin('fulfillment_order_lines as l', 'l.fulfillment_order_id', 'h.fulfillment_order_id')
    .select(['h.id', 'h.order_id', 'l.quantity', 'l.cancelled_quantity'])
    .where('h.status', '=', 'active')
    .where('h.reason', '=', 'inventory')
    .where('h.created_by', '=', digitalActor)
    .where('l.item_id', '=', itemId)
    .orderBy('h.created_at')
    .orderBy('h.id')
    .execute();
  const released: string[] = [];
  let left = available;
  for (const hold of holds) {
    const need = hold.quantity - hold.cancelled_quantity;
    if (need > left) break;
    const result = await releaseHold(deps, hold.order_id, hold.id, actor);
    if (result.ok) {
      released.push(hold.order_id);
      left -= need;
    }
  }
  return released;
}
