import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The webhooks area's tables. */
export function webhooks(_dialect: DialectName) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  };
}
