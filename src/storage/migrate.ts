import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './db.js';
import type { DialectName } from './dialect.js';
import { core } from './migrations/0001-core.js';
import { warehouse } from './migrations/0002-warehouse.js';
import { outbox } from './migrations/0003-outbox.js';
import { mail } from './migrations/0004-mail.js';
import { webhooks } from './migrations/0005-webhooks.js';
import { tracking } from './migrations/0006-tracking.js';
import { digital } from './migrations/0007-digital.js';
import { leads } from './migrations/0008-leads.js';
import { leadEvents } from './migrations/0009-lead-events.js';
import { webhookSecretRotation } from './migrations/0010-webhook-secret-rotation.js';

/** Migrations live in code (no files to find at run time) and run in order, once, under a lock. */
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-core': core(dialect),
    '0002-warehouse': warehouse(dialect),
    '0003-outbox': outbox(dialect),
    '0004-mail': mail(dialect),
    '0005-webhooks': webhooks(dialect),
    '0006-tracking': tracking(dialect),
    '0007-digital': digital(dialect),
    '0008-leads': leads(dialect),
    '0009-lead-events': leadEvents(dialect),
    '0010-webhook-secret-rotation': webhookSecretRotation(dialect),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // On PostgreSQL, Kysely looks for its migration tables in every schema of the database unless told which:
  // with another schema already migrated (a second deployment, a parallel test) it would skip creating its
  // own and fail. The tables live in the connection's current schema (set by search_path).
  const schema =
    db.dialect === 'postgres'
      ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db.write)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: db.write,
    provider: new InCodeProvider(db.dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
