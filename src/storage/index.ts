export { type Db, type OpenOptions, openDb, sqliteFileName, type Tx } from './db.js';
export type { DialectName } from './dialect.js';
export { migrateToLatest } from './migrate.js';
export type { Database } from './schema.js';
export {
  chunkRows,
  forUpdate,
  insertRows,
  isCheckViolation,
  isTransient,
  isUniqueViolation,
  type LevelDelta,
  updateLevelDeltas,
} from './sql-helpers.js';
