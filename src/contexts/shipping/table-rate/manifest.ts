import type { Clock } from '../../../kernel/clock.js';
import { ok } from '../../../kernel/result.js';
import { isIsoDate } from '../business-days.js';
import { type CarrierResult, carrierFailure, type Manifest, type ManifestEntry, type ManifestRequest } from '../carrier.js';
import { shippingLimits } from '../limits.js';
import { invalidRequest, keyErrors } from '../validate-request.js';
import type { TableRateLabelRecord, TableRateStore } from './store.js';
import type { RandomInt } from './tracking-number.js';

/**
 * Closing a location's day: every active label of that location and ship date that is on no manifest yet
 * goes on a new one. A label on a manifest was handed over and can no longer be voided. The same key
 * returns the same manifest; a later key for the same day picks up labels made after the first close.
 */

export interface ManifestDeps {
  readonly store: TableRateStore;
  readonly clock: Clock;
  readonly random: RandomInt;
  readonly carrierId: string;
  readonly carrierName: string;
}

const manifestId = (shipDate: string, random: RandomInt): string =>
  `MF-${shipDate.replaceAll('-', '')}-${String(random(100_000_000)).padStart(8, '0')}`;

/** The listed labels of the location that are active and on no manifest yet. */
async function listedLabels(store: TableRateStore, request: ManifestRequest): Promise<TableRateLabelRecord[]> {
  const labels: TableRateLabelRecord[] = [];
  for (const ref of new Set(request.labelRefs)) {
    const label = await store.findLabelByRef(ref);
    if (label?.locationId === request.locationId && label.status === 'active' && label.manifestId === null) labels.push(label);
  }
  return labels;
}

export async function buildManifest(deps: ManifestDeps, request: ManifestRequest): Promise<CarrierResult<Manifest>> {
  const errors = [...keyErrors(request.idempotencyKey)];
  if (!isIsoDate(request.shipDate)) errors.push({ field: 'shipDate', message: 'must be a calendar date YYYY-MM-DD' });
  if (request.locationId.trim() === '') errors.push({ field: 'locationId', message: 'must not be empty' });
  if ((request.labelRefs?.length ?? 0) > shippingLimits.manifestParcelsMax)
    errors.push({ field: 'labelRefs', message: `at most ${shippingLimits.manifestParcelsMax}` });
  if (errors.length > 0) return invalidRequest(deps.carrierId, errors);
  const existing = await deps.store.findManifest(request.idempotencyKey);
  if (existing !== undefined) {
    if (existing.locationId === request.locationId && existing.shipDate === request.shipDate) return ok(existing);
    return carrierFailure(deps.carrierId, 'idempotency_conflict', `key ${request.idempotencyKey} closed another location or day`, {
      retryable: false,
    });
  }
  const labels =
    request.labelRefs === undefined
      ? await deps.store.unmanifestedLabels(request.locationId, request.shipDate)
      : await listedLabels(deps.store, request);
  if (labels.length > shippingLimits.manifestParcelsMax) {
    return carrierFailure(deps.carrierId, 'manifest_failed', `more than ${shippingLimits.manifestParcelsMax} parcels on one manifest`, {
      retryable: false,
    });
  }
  const id = manifestId(request.shipDate, deps.random);
  const entries: ManifestEntry[] = [];
  // The labels are claimed concurrently: a database store commits them together (group commit) rather than
  // one fsync per parcel. A label voided or manifested meanwhile is left out.
  const claimed = await Promise.all(
    labels.map((label) => deps.store.updateActiveLabel(label.labelRef, { status: 'active', voidedAt: null, manifestId: id })),
  );
  for (const [index, label] of labels.entries()) {
    if (!claimed[index]) continue;
    entries.push({
      parcelId: label.parcel.id,
      trackingNumber: label.trackingNumber,
      sscc: label.parcel.sscc,
      serviceCode: label.serviceCode,
      weightG: label.parcel.weightG,
      amount: label.amount,
    });
  }
  const currency = entries[0]?.amount.currency;
  const manifest: Manifest = {
    id,
    carrierId: deps.carrierId,
    carrierName: deps.carrierName,
    locationId: request.locationId,
    shipDate: request.shipDate,
    createdAt: deps.clock.now().toISOString(),
    entries,
    totalWeightG: entries.reduce((sum, e) => sum + e.weightG, 0),
    totalAmount: currency === undefined ? null : { amountMinor: entries.reduce((sum, e) => sum + e.amount.amountMinor, 0), currency },
  };
  return ok(await deps.store.insertManifestIfAbsent(request.idempotencyKey, manifest));
}
