import { CompiledQuery, PostgresAdapter, type SelectQueryBuilder, sql } from 'kysely';
import { limits } from '../kernel/limits.js';
import type { Tx } from './db.js';
import type { DialectName } from './dialect.js';
import type { Database } from './schema.js';

/** Splits rows for multi-row inserts so no statement exceeds the dialects' parameter limits. */
export function chunkRows<T extends object>(rows: readonly T[]): T[][] {
  const first = rows[0];
  if (first === undefined) return [];
  const perChunk = Math.max(1, Math.floor(limits.statementParamsMax / Object.keys(first).length));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += perChunk) chunks.push(rows.slice(i, i + perChunk));
  return chunks;
}

/**
 * A multi-row INSERT written straight to SQL text with one parameter per value: the same statement Kysely's
 * `insertInto(table).values(rows)` produces, without building and compiling a node per value (on the intake hot
 * path, with dozens of orders per group commit, that was a fifth of the server's CPU). Every row must have the
 * same keys and no undefined value (undefined means DEFAULT to Kysely); otherwise the chunk goes through Kysely.
 * Table and column names come from code, never from input.
 */
export async function insertRows<T extends object>(tx: Tx, table: keyof Database, rows: readonly T[]): Promise<void> {
  const postgres = tx.getExecutor().adapter instanceof PostgresAdapter;
  for (const chunk of chunkRows(rows)) {
    const columns = Object.keys(chunk[0] as object);
    const parameters: unknown[] = [];
    const tuples: string[] = [];
    let plain = true;
    for (const row of chunk) {
      const values = row as Record<string, unknown>;
      if (Object.keys(values).length !== columns.length) plain = false;
      const marks: string[] = [];
      for (const column of columns) {
        const value = values[column];
        if (value === undefined) plain = false;
        parameters.push(value);
        marks.push(postgres ? `$${parameters.length}` : '?');
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    if (!plain) {
      await tx
        .insertInto(table)
        .values(chunk as never)
        .execute();
      continue;
    }
    const text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`;
    await tx.executeQuery(CompiledQuery.raw(text, parameters));
  }
}

/** Row locks exist on PostgreSQL; SQLite has one writer, so its transactions are already serial. */
// biome-ignore lint/suspicious/noExplicitAny: generic over every select builder
export function forUpdate<Q extends SelectQueryBuilder<any, any, any>>(query: Q, dialect: DialectName): Q {
  return dialect === 'postgres' ? (query.forUpdate() as Q) : query;
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isCheckViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK';
}

/** Serialization failures and deadlocks: the whole transaction may simply be run again. */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

export interface LevelDelta {
  readonly itemId: string;
  readonly locationId: string;
  onHand: number;
  reserved: number;
  incoming: number;
}

/**
 * Applies level deltas: summed per key, then one UPDATE for the levels that exist and one upsert for the
 * new ones (a new level only ever receives stock). Rows are handled in key order. The CHECK constraints
 * reject any result with reserved > on_hand or a negative level: the database is the last line of defence
 * against oversell, and a violation aborts the whole transaction.
 */
export async function updateLevelDeltas(tx: Tx, deltas: readonly LevelDelta[], existing: ReadonlySet<string>, now: string): Promise<void> {
  const merged = new Map<string, LevelDelta>();
  for (const d of deltas) {
    const key = `${d.itemId}\u0000${d.locationId}`;
    const seen = merged.get(key);
    if (seen) {
      seen.onHand += d.onHand;
      seen.reserved += d.reserved;
      seen.incoming += d.incoming;
    } else merged.set(key, { ...d });
  }
  const keys = [...merged.keys()].sort();
  const changed = keys
    .map((k) => [k, merged.get(k) as LevelDelta] as const)
    .filter(([, d]) => d.onHand !== 0 || d.reserved !== 0 || d.incoming !== 0);
  const updates = changed.filter(([k]) => existing.has(k)).map(([, d]) => d);
  const inserts = changed
    .filter(([k]) => !existing.has(k))
    .map(([, d]) => ({
      item_id: d.itemId,
      location_id: d.locationId,
      on_hand: d.onHand,
      reserved: d.reserved,
      incoming: d.incoming,
      updated_at: now,
    }));
  for (let i = 0; i < updates.length; i += levelUpdatesPerStatement) {
    const rows = updates
      .slice(i, i + levelUpdatesPerStatement)
      .map(
        (d) =>
          sql`(${d.itemId}, ${d.locationId}, cast(${d.onHand} as bigint), cast(${d.reserved} as bigint), cast(${d.incoming} as bigint))`,
      );
    await sql`with v(item_id, location_id, dh, dr, di) as (values ${sql.join(rows)})
      update inventory_levels
      set on_hand = inventory_levels.on_hand + v.dh,
          reserved = inventory_levels.reserved + v.dr,
          incoming = inventory_levels.incoming + v.di,
          updated_at = ${now}
      from v
      where inventory_levels.item_id = v.item_id and inventory_levels.location_id = v.location_id`.execute(tx);
  }
  for (const chunk of chunkRows(inserts)) {
    await tx
      .insertInto('inventory_levels')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['item_id', 'location_id']).doUpdateSet({
          on_hand: sql`inventory_levels.on_hand + excluded.on_hand`,
          reserved: sql`inventory_levels.reserved + excluded.reserved`,
          incoming: sql`inventory_levels.incoming + excluded.incoming`,
          updated_at: sql`excluded.updated_at`,
        }),
      )
      .execute();
  }
}

const levelUpdatesPerStatement = 5_000;
