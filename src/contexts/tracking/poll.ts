import { sql } from 'kysely';
import type { Deps, PlatformDeps } from '../deps.js';
import type { Ticker } from '../outbox/index.js';
import type { CarrierAdapter, TrackingInfo } from '../shipping/index.js';
import { mapEasyPostStatus } from './domain/easypost-status.js';
import { terminalStatuses } from './domain/status.js';
import { serviceFacts } from './facts.js';
import { type IncomingScan, ingestUpdates, type TrackerUpdate } from './ingest.js';
import { trackingLimits } from './limits.js';
import { cleanText, normalizeDate, normalizeTime } from './scans.js';

/**
 * An adapter's location is one string ("HOUSTON TX 77063 US"): postal codes (any word with a digit) are
 * dropped, a trailing two-letter word is the country and the one before it the state.
 */
export function splitLocation(text: string | undefined): { city: string | null; state: string | null; country: string | null } {
  const words = cleanText(text, 200)
    .split(/[\s,]+/)
    .filter((w) => w !== '' && !/\d/.test(w));
  const two = (w: string | undefined) => w !== undefined && /^[A-Za-z]{2}$/.test(w);
  const country = words.length > 1 && two(words.at(-1)) ? (words.pop() as string).toUpperCase() : null;
  const state = words.length > 1 && two(words.at(-1)) ? (words.pop() as string).toUpperCase() : null;
  const city = words.join(' ').slice(0, trackingLimits.locationPartLengthMax) || null;
  return { city, state, country };
}

export function infoToUpdate(shipmentId: string, code: string, info: TrackingInfo): TrackerUpdate {
  const scans: IncomingScan[] = [];
  for (const e of info.events.slice(0, trackingLimits.scansPerRequestMax)) {
    const occurredAt = normalizeTime(e.at);
    if (occurredAt === null) continue;
    const mapped = mapEasyPostStatus(e.status, null);
    scans.push({
      rawStatus: e.status,
      rawDetail: null,
      status: mapped.status,
      reason: mapped.reason,
      message: cleanText(e.message, trackingLimits.messageLengthMax),
      ...splitLocation(e.location),
      occurredAt,
      raw: { status: e.status, message: e.message, at: e.at },
    });
  }
  return {
    shipmentId,
    trackingCode: code,
    estimatedDelivery: normalizeDate(info.estimatedDelivery),
    source: 'poll',
    actor: 'system',
    scans,
  };
}

/**
 * Asks carriers that can track (the `track` capability) about open shipments, oldest poll first, for
 * carriers that cannot push or whose pushes were lost. Carrier calls run outside any transaction; what
 * they return is stored like a webhook's scans (duplicates skipped), in one transaction per round.
 */
export function pollTicker(deps: PlatformDeps, carriers: ReadonlyMap<string, CarrierAdapter>): Ticker {
  return {
    name: 'tracking.poll',
    everyMs: trackingLimits.pollTickMs,
    async run(_: Deps) {
      await pollOnce(deps, carriers);
    },
  };
}

export async function pollOnce(deps: PlatformDeps, carriers: ReadonlyMap<string, CarrierAdapter>): Promise<number> {
  const trackers = [...carriers.values()].filter((c) => c.capabilities.has('track')).map((c) => c.id);
  if (trackers.length === 0) return 0;
  const now = deps.clock.now();
  const before = new Date(now.getTime() - trackingLimits.pollIntervalMs).toISOString();
  const due = await deps.db.read
    .selectFrom('shipment_tracking as t')
    .innerJoin('shipments as s', 's.id', 't.shipment_id')
    .select(['t.shipment_id', 't.carrier', 't.tracking_codes', 's.rate_choice', 's.service'])
    .where('t.status', 'not in', terminalStatuses)
    .where('t.carrier', 'in', trackers)
    .where(sql<boolean>`coalesce(t.polled_at, '') <= ${before}`)
    .orderBy(sql`coalesce(t.polled_at, '')`)
    .orderBy('t.shipment_id')
    .limit(trackingLimits.pollShipmentsPerRoundMax)
    .execute();
  if (due.length === 0) return 0;
  const updates: TrackerUpdate[] = [];
  for (const row of due) {
    const carrier = carriers.get(row.carrier) as CarrierAdapter;
    const facts = serviceFacts(row.rate_choice, { carrier: row.carrier, service: row.service });
    for (const code of JSON.parse(row.tracking_codes) as string[]) {
      const answer = await carrier.track({
        idempotencyKey: `track:${row.shipment_id}:${code}`,
        trackingNumber: code,
        carrierName: facts.carrierName,
      });
      if (answer.ok) updates.push(infoToUpdate(row.shipment_id, code, answer.value));
    }
  }
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    if (updates.length > 0) await ingestUpdates(tx, deps, updates);
    await tx
      .updateTable('shipment_tracking')
      .set({ polled_at: at })
      .where(
        'shipment_id',
        'in',
        due.map((d) => d.shipment_id),
      )
      .execute();
  });
  return due.length;
}
