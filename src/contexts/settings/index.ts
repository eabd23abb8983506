import { newSecret } from '../../kernel/secret.js';
import type { Db } from '../../storage/index.js';

/**
 * The signing key: FULFILL_SECRET when set, otherwise one generated on first start and kept in the
 * `settings` table, so every process on the same database signs and checks links alike and a restart does
 * not break the links already sent.
 */
export async function loadSecret(db: Db, configured: string | undefined, now: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured);
  return db.transaction(async (tx) => {
    await tx
      .insertInto('settings')
      .values({ key: 'signing_key', value: newSecret(), created_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await tx.selectFrom('settings').select('value').where('key', '=', 'signing_key').executeTakeFirstOrThrow();
    return Buffer.from(row.value);
  });
}
