import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The outbox's second half (docs/outbox.md): events learn whether the router has handed them to the
 * subscribers, and jobs hold the side effects (e-mails, webhooks, CRM forwards) with their retry state.
 */
export function outbox(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('events').addColumn('dispatched_at', 'text').execute();
      await db.schema
        .alterTable('events')
        .addColumn('dispatch_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('events').addColumn('dispatch_after', 'text').execute();
      await db.schema.alterTable('events').addColumn('dispatch_error', 'text').execute();
      // Only undispatched events are in this index, so claiming stays cheap however long the history grows.
      await db.schema.createIndex('events_undispatched').on('events').column('seq').where(sql.ref('dispatched_at'), 'is', null).execute();

      // Server-wide settings, such as the generated signing key (shared by every process on one database).
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('subject_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','running','succeeded','dead')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
        .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts >= 1`))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('result', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .execute();
      await db.schema
        .createIndex('jobs_due')
        .on('jobs')
        .columns(['next_attempt_at'])
        .where(sql.ref('status'), 'in', sql`('pending','running')`)
        .execute();
      await db.schema.createIndex('jobs_kind_subject').on('jobs').columns(['kind', 'subject_id']).execute();
      await db.schema.createIndex('jobs_kind_status').on('jobs').columns(['kind', 'status', 'updated_at']).execute();
    },
  };
}
