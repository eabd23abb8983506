import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The tracking area's tables (docs/tracking.md): one tracking state per shipment, and every carrier scan
 * ever received (duplicates are refused by the unique key, so a repeated webhook is harmless).
 */
export function tracking(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('shipment_tracking')
        .addColumn('shipment_id', 'text', (c) => c.primaryKey().references('shipments.id'))
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('carrier', 'text', (c) => c.notNull())
        // SHA-256 (hex) of the public tracking token; the token itself is HMAC(secret, shipment id), never stored.
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('tracking_codes', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text', (c) => c.notNull())
        .addColumn('codes', 'text', (c) => c.notNull())
        .addColumn('shipped_at', 'text', (c) => c.notNull())
        .addColumn('expected_delivery_date', 'text')
        .addColumn('expected_source', 'text')
        .addColumn('last_event_at', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('late', 'integer', (c) => c.notNull().check(sql`late in (0, 1)`))
        .addColumn('stuck', 'integer', (c) => c.notNull().check(sql`stuck in (0, 1)`))
        .addColumn('flagged_at', 'text')
        .addColumn('polled_at', 'text')
        .addColumn('event_seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Open shipments (not terminal) are what the tickers scan: late, stuck and polling.
      await db.schema
        .createIndex('shipment_tracking_status')
        .on('shipment_tracking')
        .columns(['status', 'expected_delivery_date'])
        .execute();
      await db.schema.createIndex('shipment_tracking_order').on('shipment_tracking').column('order_id').execute();
      await db.schema
        .createIndex('shipment_tracking_flags')
        .on('shipment_tracking')
        .columns(['flagged_at', 'shipment_id'])
        .where(sql.ref('flagged_at'), 'is not', null)
        .execute();

      await db.schema
        .createTable('tracking_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id'))
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('tracking_code', 'text', (c) => c.notNull())
        .addColumn('raw_status', 'text', (c) => c.notNull())
        .addColumn('raw_detail', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('city', 'text')
        .addColumn('state', 'text')
        .addColumn('country', 'text')
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('webhook','poll','api')`))
        .addColumn('raw', 'text', (c) => c.notNull())
        .addUniqueConstraint('tracking_events_dedupe', ['carrier', 'tracking_code', 'occurred_at', 'raw_status'])
        .execute();
      await db.schema.createIndex('tracking_events_shipment').on('tracking_events').columns(['shipment_id', 'occurred_at']).execute();
    },
  };
}
