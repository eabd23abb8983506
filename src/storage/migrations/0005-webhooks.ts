import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Outbound webhooks (docs/webhooks.md): the endpoints merchants register and the log of every delivery
 * attempt. A delivery itself is an outbox job of kind `webhook` (dedupe key `webhook:<endpoint>:<event>`).
 */
export function webhooks(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('enabled','disabled')`))
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', 'text')
        .addColumn('failing_since', 'text')
        .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_endpoints_status').on('webhook_endpoints').column('status').execute();

      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull().check(sql`attempt >= 1`))
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('response_body', 'text')
        .addColumn('error', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('succeeded','retry','failed')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_attempts_endpoint').on('webhook_attempts').columns(['endpoint_id', 'id']).execute();
      await db.schema.createIndex('webhook_attempts_job').on('webhook_attempts').columns(['job_id', 'attempt']).execute();
    },
  };
}
