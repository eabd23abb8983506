import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The core schema: catalog, inventory ledger, orders, fulfillment orders, holds, events, idempotency. */
export function core(dialect: DialectName) {
  const serialKey = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull().unique())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();

      await db.schema
        .createTable('items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sku', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('physical','digital','service')`))
        .addColumn('weight_g', 'integer', (c) => c.check(sql`weight_g >= 0`))
        .addColumn('length_mm', 'integer', (c) => c.check(sql`length_mm > 0`))
        .addColumn('width_mm', 'integer', (c) => c.check(sql`width_mm > 0`))
        .addColumn('height_mm', 'integer', (c) => c.check(sql`height_mm > 0`))
        .addColumn('barcode', 'text')
        .addColumn('hs_code', 'text')
        .addColumn('country_of_origin', 'text')
        .addColumn('customs_value', 'bigint', (c) => c.check(sql`customs_value >= 0`))
        .addColumn('customs_currency', 'text')
        .addColumn('inventory_policy', 'text', (c) => c.notNull().check(sql`inventory_policy in ('deny','continue')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('items_barcode').on('items').column('barcode').execute();

      await db.schema
        .createTable('locations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('warehouse','store','3pl','supplier')`))
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().check(sql`active in (0,1)`))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('postal_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('bins')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('pick_sequence', 'integer', (c) => c.notNull().check(sql`pick_sequence >= 0`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('bins_location_code', ['location_id', 'code'])
        .execute();

      await db.schema
        .createTable('inventory_levels')
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('on_hand', 'bigint', (c) => c.notNull())
        .addColumn('reserved', 'bigint', (c) => c.notNull())
        .addColumn('incoming', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('inventory_levels_pk', ['item_id', 'location_id'])
        .addCheckConstraint('inventory_levels_on_hand_nonnegative', sql`on_hand >= 0`)
        .addCheckConstraint('inventory_levels_reserved_nonnegative', sql`reserved >= 0`)
        .addCheckConstraint('inventory_levels_no_oversell', sql`reserved <= on_hand`)
        .addCheckConstraint('inventory_levels_incoming_nonnegative', sql`incoming >= 0`)
        .execute();
      await db.schema.createIndex('inventory_levels_location').on('inventory_levels').column('location_id').execute();

      await db.schema
        .createTable('inventory_movements')
        .addColumn('id', serialKey, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('on_hand_delta', 'bigint', (c) => c.notNull())
        .addColumn('reserved_delta', 'bigint', (c) => c.notNull())
        .addColumn('incoming_delta', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('ref_type', 'text')
        .addColumn('ref_id', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_movements_item_location')
        .on('inventory_movements')
        .columns(['item_id', 'location_id'])
        .execute();
      await db.schema.createIndex('inventory_movements_ref').on('inventory_movements').columns(['ref_type', 'ref_id']).execute();

      await db.schema
        .createTable('transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('from_location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('to_location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addColumn('reference', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('customer', 'text', (c) => c.notNull())
        .addColumn('customer_email', 'text', (c) => c.notNull())
        .addColumn('shipping_address', 'text', (c) => c.notNull())
        .addColumn('service_level', 'text', (c) => c.notNull())
        .addColumn('promise_date', 'text')
        .addColumn('subtotal', 'bigint', (c) => c.notNull())
        .addColumn('unit_count', 'integer', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('cancel_reason', 'text')
        .addColumn('event_seq', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('orders_channel_external_id', ['channel', 'external_id'])
        .execute();
      await db.schema.createIndex('orders_status_id').on('orders').columns(['status', 'id']).execute();
      await db.schema.createIndex('orders_channel_id').on('orders').columns(['channel', 'id']).execute();
      await db.schema.createIndex('orders_email').on('orders').column('customer_email').execute();

      await db.schema
        .createTable('order_lines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('line_no', 'integer', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('cancelled_quantity', 'integer', (c) => c.notNull())
        .addColumn('unit_price', 'bigint', (c) => c.notNull().check(sql`unit_price >= 0`))
        .addCheckConstraint('order_lines_cancel_bound', sql`cancelled_quantity >= 0 and cancelled_quantity <= quantity`)
        .execute();
      await db.schema.createIndex('order_lines_order').on('order_lines').column('order_id').execute();

      await db.schema
        .createTable('fulfillment_orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('location_id', 'text', (c) => c.references('locations.id'))
        .addColumn('path', 'text', (c) => c.notNull().check(sql`path in ('physical','digital','service')`))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fulfillment_orders_order').on('fulfillment_orders').column('order_id').execute();
      await db.schema
        .createIndex('fulfillment_orders_location_status')
        .on('fulfillment_orders')
        .columns(['location_id', 'status', 'id'])
        .execute();

      await db.schema
        .createTable('fulfillment_order_lines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fulfillment_order_id', 'text', (c) => c.notNull().references('fulfillment_orders.id'))
        .addColumn('order_line_id', 'text', (c) => c.notNull().references('order_lines.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity >= 0`))
        .addColumn('cancelled_quantity', 'integer', (c) => c.notNull().check(sql`cancelled_quantity >= 0`))
        .execute();
      await db.schema.createIndex('fulfillment_order_lines_fo').on('fulfillment_order_lines').column('fulfillment_order_id').execute();

      await db.schema
        .createTable('backorders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('order_line_id', 'text', (c) => c.notNull().references('order_lines.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity >= 0`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('backorders_item').on('backorders').columns(['item_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('backorders_order').on('backorders').column('order_id').execute();

      await db.schema
        .createTable('holds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('fulfillment_order_id', 'text', (c) => c.references('fulfillment_orders.id'))
        .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('payment','fraud','address','inventory','manual')`))
        .addColumn('note', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','released')`))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('released_by', 'text')
        .addColumn('released_at', 'text')
        .execute();
      await db.schema.createIndex('holds_order').on('holds').column('order_id').execute();

      await db.schema
        .createTable('events')
        .addColumn('seq', serialKey, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('aggregate_type', 'text', (c) => c.notNull())
        .addColumn('aggregate_id', 'text', (c) => c.notNull())
        .addColumn('aggregate_seq', 'integer', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('events_aggregate_seq', ['aggregate_type', 'aggregate_id', 'aggregate_seq'])
        .execute();
      await db.schema.createIndex('events_order').on('events').columns(['order_id', 'seq']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
    },
  };
}
