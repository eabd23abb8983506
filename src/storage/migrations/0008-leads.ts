import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The leads area: forms, CRM destinations, leads, submissions (spam apart), consents, asset links, forwards. */
export function leads(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('forms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('consent_text', 'text', (c) => c.notNull())
        .addColumn('consent_version', 'text', (c) => c.notNull())
        .addColumn('double_opt_in', 'integer', (c) => c.notNull().check(sql`double_opt_in in (0,1)`))
        .addColumn('thank_you_message', 'text')
        .addColumn('redirect_url', 'text')
        .addColumn('allowed_origins', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('spam', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','closed')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('form_destinations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull().references('forms.id'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('webhook','hubspot')`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts >= 1`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('form_destinations_form').on('form_destinations').column('form_id').execute();

      await db.schema
        .createTable('leads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull().references('forms.id'))
        .addColumn('email_lower', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('submission_count', 'integer', (c) => c.notNull().check(sql`submission_count >= 1`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending_confirmation','confirmed')`))
        .addColumn('confirmed_at', 'text')
        .addColumn('asset_delivered_at', 'text')
        .addColumn('erased_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('leads_form_email', ['form_id', 'email_lower'])
        .execute();
      await db.schema.createIndex('leads_email').on('leads').column('email_lower').execute();
      await db.schema.createIndex('leads_form_created').on('leads').columns(['form_id', 'created_at']).execute();

      await db.schema
        .createTable('lead_submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('hosted','json')`))
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('page_uri', 'text')
        .addColumn('hutk', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lead_submissions_lead').on('lead_submissions').column('lead_id').execute();
      await db.schema.createIndex('lead_submissions_form').on('lead_submissions').column('form_id').execute();

      await db.schema
        .createTable('spam_submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('email_lower', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('hosted','json')`))
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('spam_submissions_form').on('spam_submissions').columns(['form_id', 'created_at']).execute();
      await db.schema.createIndex('spam_submissions_email').on('spam_submissions').column('email_lower').execute();

      await db.schema
        .createTable('lead_consents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('submission_id', 'text', (c) => c.notNull())
        .addColumn('email_hash', 'text', (c) => c.notNull())
        .addColumn('consent_text', 'text', (c) => c.notNull())
        .addColumn('consent_version', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('page_uri', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('anonymised_at', 'text')
        .execute();
      await db.schema.createIndex('lead_consents_lead').on('lead_consents').column('lead_id').execute();
      await db.schema.createIndex('lead_consents_email_hash').on('lead_consents').column('email_hash').execute();

      await db.schema
        .createTable('asset_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('submission_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('downloads', 'integer', (c) => c.notNull().check(sql`downloads >= 0`))
        .addColumn('max_downloads', 'integer', (c) => c.notNull().check(sql`max_downloads >= 1`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_download_at', 'text')
        .execute();
      await db.schema.createIndex('asset_links_lead').on('asset_links').column('lead_id').execute();

      await db.schema
        .createTable('lead_forwards')
        .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
        .addColumn('form_id', 'text', (c) => c.notNull())
        .addColumn('destination_id', 'text', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('submission_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','succeeded','dead','cancelled')`))
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lead_forwards_form_status').on('lead_forwards').columns(['form_id', 'status', 'updated_at']).execute();
      await db.schema.createIndex('lead_forwards_status').on('lead_forwards').columns(['status', 'updated_at']).execute();
      await db.schema.createIndex('lead_forwards_lead').on('lead_forwards').column('lead_id').execute();
    },
  };
}
