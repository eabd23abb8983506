import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The tracking area's tables. */
export function tracking(_dialect: DialectName) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  };
}
