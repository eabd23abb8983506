import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The mail area's tables. */
export function mail(_dialect: DialectName) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  };
}
