import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Lead events (`lead.created`, `lead.resubmitted`, `lead.confirmed`, `lead.forwarded`, `lead.erased`): a per-lead
 * counter that numbers them (`events.aggregate_seq`), bumped in the statement that changes the lead. Leads from
 * before this migration start at 0: they had no events.
 */
export function leadEvents(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('leads')
        .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
