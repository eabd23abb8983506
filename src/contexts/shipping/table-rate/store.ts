import type { LabelParcel, Manifest, Money, ShippingAddress } from '../carrier.js';

/**
 * What the table-rate carrier remembers: the labels it issued and the manifests it closed. The memory
 * store serves tests, the CLI demo and the simulation; the ship service can implement the same interface
 * on its tables (unique on `idempotencyKey`, on `labelRef` and on the manifest key) to survive restarts.
 */

export interface TableRateLabelRecord {
  readonly labelRef: string;
  readonly idempotencyKey: string;
  readonly trackingNumber: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly zone: string;
  readonly amount: Money;
  readonly billableWeightG: number;
  readonly locationId: string;
  readonly shipDate: string;
  readonly createdAt: string;
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  readonly parcel: LabelParcel;
  readonly reference?: string | undefined;
  readonly status: 'active' | 'voided';
  readonly voidedAt: string | null;
  readonly manifestId: string | null;
}

export interface TableRateStore {
  /** Stores the label unless a label with the same idempotency key exists; returns the stored label either way. */
  insertLabelIfAbsent(record: TableRateLabelRecord): Promise<TableRateLabelRecord>;
  findLabelByKey(idempotencyKey: string): Promise<TableRateLabelRecord | undefined>;
  findLabelByRef(labelRef: string): Promise<TableRateLabelRecord | undefined>;
  /**
   * Replaces a label's status fields when it is still in the expected state (`active`, not on a manifest):
   * a compare-and-set, so a void racing a manifest has exactly one winner. Returns false when it was not.
   */
  updateActiveLabel(
    labelRef: string,
    change: { readonly status: 'active' | 'voided'; readonly voidedAt: string | null; readonly manifestId: string | null },
  ): Promise<boolean>;
  /** Active labels of a location and ship date that are on no manifest yet, oldest first. */
  unmanifestedLabels(locationId: string, shipDate: string): Promise<readonly TableRateLabelRecord[]>;
  insertManifestIfAbsent(idempotencyKey: string, manifest: Manifest): Promise<Manifest>;
  findManifest(idempotencyKey: string): Promise<Manifest | undefined>;
}

export function createMemoryTableRateStore(): TableRateStore {
  const byKey = new Map<string, TableRateLabelRecord>();
  const byRef = new Map<string, TableRateLabelRecord>();
  const manifests = new Map<string, Manifest>();
  return {
    async insertLabelIfAbsent(record) {
      const existing = byKey.get(record.idempotencyKey);
      if (existing !== undefined) return existing;
      byKey.set(record.idempotencyKey, record);
      byRef.set(record.labelRef, record);
      return record;
    },
    async findLabelByKey(key) {
      return byKey.get(key);
    },
    async findLabelByRef(ref) {
      return byRef.get(ref);
    },
    async updateActiveLabel(ref, change) {
      const record = byRef.get(ref);
      if (record === undefined || record.status !== 'active' || record.manifestId !== null) return false;
      const updated = { ...record, ...change };
      byRef.set(ref, updated);
      byKey.set(updated.idempotencyKey, updated);
      return true;
    },
    async unmanifestedLabels(locationId, shipDate) {
      return [...byRef.values()].filter(
        (r) => r.locationId === locationId && r.shipDate === shipDate && r.status === 'active' && r.manifestId === null,
      );
    },
    async insertManifestIfAbsent(key, manifest) {
      const existing = manifests.get(key);
      if (existing !== undefined) return existing;
      manifests.set(key, manifest);
      return manifest;
    },
    async findManifest(key) {
      return manifests.get(key);
    },
  };
}
