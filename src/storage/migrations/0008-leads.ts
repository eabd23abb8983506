import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The leads area's tables. */
export function leads(_dialect: DialectName) {
  return {
    async up(_db: Kysely<unknown>): Promise<void> {},
  };
}
