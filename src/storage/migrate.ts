import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './db.js';
import type { DialectName } from './dialect.js';
import { core } from './migrations/0001-core.js';

/** Migrations live in code (no files to find at run time) and run in order, once, under a lock. */
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-core': core(dialect),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.write, provider: new InCodeProvider(db.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
