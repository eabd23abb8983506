import type { Db } from '../../storage/index.js';
import { isUniqueViolation } from '../../storage/index.js';
import type { Manifest } from './carrier.js';
import type { TableRateLabelRecord, TableRateStore } from './table-rate/store.js';

/**
 * The table-rate carrier's memory (labels it issued, manifests it closed) in the database, so that a label
 * bought before a restart is found again by its idempotency key instead of being issued twice.
 */
export function createDbTableRateStore(db: Db, carrierId: string): TableRateStore {
  const parse = (row: { record: string } | undefined) => (row ? (JSON.parse(row.record) as TableRateLabelRecord) : undefined);
  return {
    async insertLabelIfAbsent(record) {
      try {
        await db.transaction((tx) =>
          tx
            .insertInto('carrier_labels')
            .values({
              idempotency_key: record.idempotencyKey,
              carrier_id: carrierId,
              label_ref: record.labelRef,
              location_id: record.locationId,
              ship_date: record.shipDate,
              status: record.status,
              manifest_id: record.manifestId,
              record: JSON.stringify(record),
              created_at: record.createdAt,
            })
            .execute(),
        );
        return record;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = await this.findLabelByKey(record.idempotencyKey);
        if (!existing) throw error;
        return existing;
      }
    },
    async findLabelByKey(key) {
      return parse(
        await db.read
          .selectFrom('carrier_labels')
          .select('record')
          .where('idempotency_key', '=', key)
          .where('carrier_id', '=', carrierId)
          .executeTakeFirst(),
      );
    },
    async findLabelByRef(ref) {
      return parse(
        await db.read
          .selectFrom('carrier_labels')
          .select('record')
          .where('label_ref', '=', ref)
          .where('carrier_id', '=', carrierId)
          .executeTakeFirst(),
      );
    },
    async updateActiveLabel(ref, change) {
      return db.transaction(async (tx) => {
        const row = await tx
          .selectFrom('carrier_labels')
          .select('record')
          .where('label_ref', '=', ref)
          .where('status', '=', 'active')
          .where('manifest_id', 'is', null)
          .executeTakeFirst();
        const record = parse(row);
        if (!record) return false;
        const updated: TableRateLabelRecord = { ...record, ...change };
        const result = await tx
          .updateTable('carrier_labels')
          .set({ status: change.status, manifest_id: change.manifestId, record: JSON.stringify(updated) })
          .where('label_ref', '=', ref)
          .where('status', '=', 'active')
          .where('manifest_id', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
    },
    async unmanifestedLabels(locationId, shipDate) {
      const rows = await db.read
        .selectFrom('carrier_labels')
        .select('record')
        .where('carrier_id', '=', carrierId)
        .where('location_id', '=', locationId)
        .where('ship_date', '=', shipDate)
        .where('status', '=', 'active')
        .where('manifest_id', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => JSON.parse(r.record) as TableRateLabelRecord);
    },
    async insertManifestIfAbsent(key, manifest) {
      try {
        await db.transaction((tx) =>
          tx
            .insertInto('carrier_manifests')
            .values({ idempotency_key: key, carrier_id: carrierId, manifest: JSON.stringify(manifest) })
            .execute(),
        );
        return manifest;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        return (await this.findManifest(key)) ?? manifest;
      }
    },
    async findManifest(key) {
      const row = await db.read
        .selectFrom('carrier_manifests')
        .select('manifest')
        .where('idempotency_key', '=', key)
        .where('carrier_id', '=', carrierId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.manifest) as Manifest) : undefined;
    },
  };
}
