import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';

/** The next value of a named counter, taken inside the caller's transaction (unique across processes). */
export async function nextCounter(tx: Tx, name: string): Promise<number> {
  const row = await tx
    .insertInto('counters')
    .values({ name, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
