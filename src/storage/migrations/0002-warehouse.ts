import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Warehouse execution and shipping: slotting, boxes, waves, pick lists, parcels, shipments, manifests. */
export function warehouse(dialect: DialectName) {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('item_bins')
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('bin_id', 'text', (c) => c.notNull().references('bins.id'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('item_bins_pk', ['location_id', 'item_id'])
        .execute();

      await db.schema
        .createTable('boxes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('box','mailer')`))
        .addColumn('length_mm', 'integer', (c) => c.notNull().check(sql`length_mm > 0`))
        .addColumn('width_mm', 'integer', (c) => c.notNull().check(sql`width_mm > 0`))
        .addColumn('height_mm', 'integer', (c) => c.notNull().check(sql`height_mm > 0`))
        .addColumn('outer_length_mm', 'integer', (c) => c.notNull())
        .addColumn('outer_width_mm', 'integer', (c) => c.notNull())
        .addColumn('outer_height_mm', 'integer', (c) => c.notNull())
        .addColumn('max_weight_g', 'integer', (c) => c.notNull().check(sql`max_weight_g > 0`))
        .addColumn('box_weight_g', 'integer', (c) => c.notNull().check(sql`box_weight_g >= 0`))
        .addColumn('cost', 'bigint', (c) => c.notNull().check(sql`cost >= 0`))
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('boxes_location_code', ['location_id', 'code'])
        .execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('waves')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('strategy', 'text', (c) => c.notNull().check(sql`strategy in ('single','batch')`))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('pick_lists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('wave_id', 'text', (c) => c.notNull().references('waves.id'))
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('walk_length', 'integer', (c) => c.notNull())
        .addColumn('naive_walk_length', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pick_lists_wave').on('pick_lists').column('wave_id').execute();

      await db.schema
        .createTable('pick_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pick_list_id', 'text', (c) => c.notNull().references('pick_lists.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('fulfillment_order_id', 'text', (c) => c.notNull().references('fulfillment_orders.id'))
        .addColumn('fulfillment_order_line_id', 'text', (c) => c.notNull().references('fulfillment_order_lines.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('bin_code', 'text')
        .addColumn('pick_sequence', 'integer', (c) => c.notNull())
        .addColumn('tote', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('picked_quantity', 'integer', (c) => c.notNull())
        .addColumn('short_quantity', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addCheckConstraint(
          'pick_tasks_bounds',
          sql`picked_quantity >= 0 and short_quantity >= 0 and picked_quantity + short_quantity <= quantity`,
        )
        .execute();
      await db.schema.createIndex('pick_tasks_list').on('pick_tasks').columns(['pick_list_id', 'position']).execute();
      await db.schema.createIndex('pick_tasks_fo').on('pick_tasks').column('fulfillment_order_id').execute();

      await db.schema
        .createTable('parcels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fulfillment_order_id', 'text', (c) => c.notNull().references('fulfillment_orders.id'))
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('box_code', 'text', (c) => c.notNull())
        .addColumn('length_mm', 'integer', (c) => c.notNull())
        .addColumn('width_mm', 'integer', (c) => c.notNull())
        .addColumn('height_mm', 'integer', (c) => c.notNull())
        .addColumn('weight_g', 'integer', (c) => c.notNull())
        .addColumn('sscc', 'text', (c) => c.notNull().unique())
        .addColumn('label_state', 'text', (c) => c.notNull())
        .addColumn('carrier', 'text')
        .addColumn('service', 'text')
        .addColumn('tracking_number', 'text')
        .addColumn('carrier_shipment_id', 'text')
        .addColumn('billable_weight_g', 'integer')
        .addColumn('label_cost', 'bigint')
        .addColumn('label_currency', 'text')
        .addColumn('label_attempts', 'integer', (c) => c.notNull())
        .addColumn('label_error', 'text')
        .addColumn('rate_choice', 'text')
        .addColumn('shipment_id', 'text')
        .addColumn('manifest_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('parcels_fo').on('parcels').column('fulfillment_order_id').execute();
      await db.schema.createIndex('parcels_manifest').on('parcels').columns(['location_id', 'carrier', 'status', 'manifest_id']).execute();
      await db.schema.createIndex('parcels_tracking').on('parcels').column('tracking_number').execute();

      await db.schema
        .createTable('parcel_items')
        .addColumn('parcel_id', 'text', (c) => c.notNull().references('parcels.id'))
        .addColumn('fulfillment_order_line_id', 'text', (c) => c.notNull().references('fulfillment_order_lines.id'))
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addPrimaryKeyConstraint('parcel_items_pk', ['parcel_id', 'fulfillment_order_line_id'])
        .execute();

      await db.schema
        .createTable('parcel_documents')
        .addColumn('parcel_id', 'text', (c) => c.notNull().references('parcels.id'))
        .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('pdf','zpl')`))
        .addColumn('content', blob, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('parcel_documents_pk', ['parcel_id', 'format'])
        .execute();

      await db.schema
        .createTable('shipments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fulfillment_order_id', 'text', (c) => c.notNull().references('fulfillment_orders.id'))
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tracking_numbers', 'text', (c) => c.notNull())
        .addColumn('cost', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('rate_choice', 'text', (c) => c.notNull())
        .addColumn('shipped_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('shipments_fo').on('shipments').column('fulfillment_order_id').execute();
      await db.schema.createIndex('shipments_order').on('shipments').column('order_id').execute();

      // What the built-in table-rate carrier remembers (its TableRateStore), so labels survive restarts.
      await db.schema
        .createTable('carrier_labels')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('carrier_id', 'text', (c) => c.notNull())
        .addColumn('label_ref', 'text', (c) => c.notNull().unique())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('ship_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('manifest_id', 'text')
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('carrier_labels_open')
        .on('carrier_labels')
        .columns(['carrier_id', 'location_id', 'ship_date', 'status'])
        .execute();
      await db.schema
        .createTable('carrier_manifests')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('carrier_id', 'text', (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('manifests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('ship_date', 'text', (c) => c.notNull())
        .addColumn('parcel_count', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
