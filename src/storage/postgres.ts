import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/** Parse int8 (counts, sums cast to bigint, bigint columns) as numbers: every amount here is < 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export const postgresPoolSize = 10;

export function openPostgres(url: string, options: { searchPath?: string; poolSize?: number } = {}) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? postgresPoolSize,
    types: types as pg.CustomTypesConfig,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { pool, kysely };
}
