import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The digital area's tables (docs/digital.md): stored files (shared with leads), what a digital item
 * delivers, license pools, entitlements with their download log, licenses and their activations.
 * Secrets are never stored in clear: entitlement tokens and license keys are kept as keyed hashes for
 * lookup, and the codes the buyer must see again (pool codes, keys) are AES-256-GCM ciphertext.
 */
export function digital(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull().check(sql`size >= 0`))
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('storage_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('digital_products')
        .addColumn('item_id', 'text', (c) => c.primaryKey().references('items.id'))
        .addColumn('download_limit', 'integer', (c) => c.check(sql`download_limit >= 1`))
        .addColumn('access_days', 'integer', (c) => c.check(sql`access_days >= 1`))
        .addColumn('distinct_ip_limit', 'integer', (c) => c.check(sql`distinct_ip_limit >= 1`))
        .addColumn('license_source', 'text', (c) => c.notNull().check(sql`license_source in ('none','generated','pool')`))
        .addColumn('license_max_activations', 'integer', (c) => c.check(sql`license_max_activations >= 1`))
        .addColumn('license_days', 'integer', (c) => c.check(sql`license_days >= 1`))
        .addColumn('license_prefix', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('digital_product_files')
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('file_id', 'text', (c) => c.notNull().references('files.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('digital_product_files_pk', ['item_id', 'file_id'])
        .execute();

      await db.schema
        .createTable('license_pool_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('code_cipher', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('available','issued')`))
        .addColumn('license_id', 'text', (c) => c.unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text')
        .addUniqueConstraint('license_pool_codes_item_hash', ['item_id', 'code_hash'])
        .execute();
      await db.schema.createIndex('license_pool_codes_available').on('license_pool_codes').columns(['item_id', 'status', 'id']).execute();

      await db.schema
        .createTable('entitlements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('order_line_id', 'text', (c) => c.notNull().unique())
        .addColumn('fulfillment_order_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity >= 1`))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','revoked')`))
        .addColumn('download_count', 'integer', (c) => c.notNull().check(sql`download_count >= 0`))
        .addColumn('download_limit', 'integer', (c) => c.check(sql`download_limit >= 1`))
        .addColumn('distinct_ip_limit', 'integer', (c) => c.check(sql`distinct_ip_limit >= 1`))
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_reason', 'text')
        .addColumn('delivered_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('entitlements_order').on('entitlements').column('order_id').execute();

      await db.schema
        .createTable('entitlement_ips')
        .addColumn('entitlement_id', 'text', (c) => c.notNull().references('entitlements.id'))
        .addColumn('ip_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('entitlement_ips_pk', ['entitlement_id', 'ip_hash'])
        .execute();

      await db.schema
        .createTable('downloads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entitlement_id', 'text', (c) => c.notNull().references('entitlements.id'))
        .addColumn('file_id', 'text', (c) => c.notNull())
        .addColumn('ip_hash', 'text', (c) => c.notNull())
        .addColumn('range_start', 'bigint')
        .addColumn('counted', 'integer', (c) => c.notNull().check(sql`counted in (0,1)`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('downloads_entitlement').on('downloads').column('entitlement_id').execute();

      await db.schema
        .createTable('licenses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entitlement_id', 'text', (c) => c.notNull().references('entitlements.id'))
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_cipher', 'text', (c) => c.notNull())
        .addColumn('key_hint', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('generated','pool')`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('inactive','active','suspended','revoked')`))
        .addColumn('max_activations', 'integer', (c) => c.check(sql`max_activations >= 1`))
        .addColumn('expires_at', 'text')
        .addColumn('status_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('licenses_entitlement').on('licenses').column('entitlement_id').execute();
      await db.schema.createIndex('licenses_order').on('licenses').column('order_id').execute();

      await db.schema
        .createTable('license_activations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('license_id', 'text', (c) => c.notNull().references('licenses.id'))
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('license_activations_fingerprint', ['license_id', 'fingerprint'])
        .execute();
    },
  };
}
