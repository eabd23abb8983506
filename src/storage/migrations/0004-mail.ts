import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Customer e-mails (docs/mail.md): the e-mail log, merchant template overrides, and an order's language. */
export function mail(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('orders').addColumn('locale', 'text').execute();

      await db.schema
        .createTable('emails')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('subject', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued','sent','failed')`))
        .addColumn('provider_id', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('emails_order').on('emails').columns(['order_id', 'id']).execute();
      await db.schema.createIndex('emails_status').on('emails').columns(['status', 'id']).execute();
      await db.schema.createIndex('emails_job').on('emails').column('job_id').execute();
      await db.schema.createIndex('emails_to').on('emails').columns(['to_address', 'id']).execute();

      await db.schema
        .createTable('mail_templates')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('mail_templates_pk', ['name', 'locale'])
        .execute();
    },
  };
}
