import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The digital area's tables. */
export function digital(_dialect: DialectName) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  };
}
