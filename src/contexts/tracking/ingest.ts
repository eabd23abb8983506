import type { Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { type EmailRequest, queueEmails } from '../mail/index.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import {
  appliesInOrder,
  applyInOrder,
  type CanonicalStatus,
  foldShipment,
  milestoneOf,
  type Scan,
  type ShipmentCodes,
  shipmentStatusOf,
} from './domain/status.js';
import { loadCustomerFacts, milestoneEmail } from './facts.js';
import { ensureTracking } from './start.js';
import {
  insertTrackingEvents,
  scansOf,
  shipmentsForCodes,
  type TrackingEventRow,
  type TrackingRow,
  type TrackingUpdate,
  updateTrackingRows,
} from './store.js';

export type ScanSource = 'webhook' | 'poll' | 'api';

/** One scan as it came in, already mapped to the canonical status. */
export interface IncomingScan {
  readonly rawStatus: string;
  readonly rawDetail: string | null;
  readonly status: CanonicalStatus;
  readonly reason: string;
  readonly message: string;
  readonly city: string | null;
  readonly state: string | null;
  readonly country: string | null;
  /** Normalized with `toISOString()`, so the same instant written two ways is one scan. */
  readonly occurredAt: string;
  readonly raw: unknown;
}

/** What one carrier message says about one tracking code: a webhook's tracker, a poll's answer, an API post. */
export interface TrackerUpdate {
  /** Known when the caller named the shipment (the API); otherwise found from the tracking code. */
  readonly shipmentId?: string | undefined;
  readonly trackingCode: string;
  /** The carrier's own estimate, `YYYY-MM-DD`, when it sent one. */
  readonly estimatedDelivery: string | null;
  readonly source: ScanSource;
  readonly actor: string;
  readonly scans: readonly IncomingScan[];
}

export type UpdateOutcome =
  | {
      readonly kind: 'stored';
      readonly shipmentId: string;
      readonly stored: number;
      readonly duplicates: number;
      readonly status: CanonicalStatus;
    }
  | { readonly kind: 'unknown_tracking_code'; readonly trackingCode: string };

interface Working {
  row: TrackingRow;
  codes: ShipmentCodes;
  fresh: Scan[];
  estimatedDelivery: string | null;
  actor: string;
}

/** Per-shipment effects of a status change: events, e-mails. Collected for the whole batch, written at once. */
interface Effects {
  events: DomainEvent[];
  emails: { shipmentId: string; milestone: 'out_for_delivery' | 'delivered' | 'problem'; extra: Record<string, unknown> }[];
}

function toEventRows(deps: PlatformDeps, row: TrackingRow, update: TrackerUpdate, now: string): TrackingEventRow[] {
  return update.scans.map((s) => ({
    id: deps.ids.next('trackingEvent'),
    shipment_id: row.shipment_id,
    carrier: row.carrier,
    tracking_code: update.trackingCode,
    raw_status: s.rawStatus,
    raw_detail: s.rawDetail,
    status: s.status,
    reason: s.reason,
    message: s.message,
    city: s.city,
    state: s.state,
    country: s.country,
    occurred_at: s.occurredAt,
    received_at: now,
    source: update.source,
    raw: JSON.stringify(s.raw ?? null),
  }));
}

/**
 * Stores a batch of carrier updates in the caller's transaction and applies their effects there too: the
 * shipments' new status, `shipment.status_changed` / `shipment.delivered` events and the milestone e-mails.
 * Duplicate scans are skipped by the unique key; scans that arrive out of order make the shipment fold again
 * from all its stored scans. A constant number of statements per batch, whatever its size.
 */
export async function ingestUpdates(tx: Tx, deps: PlatformDeps, updates: readonly TrackerUpdate[]): Promise<UpdateOutcome[]> {
  const now = deps.clock.now().toISOString();
  const byCode = await shipmentsForCodes(
    tx,
    updates.filter((u) => u.shipmentId === undefined).map((u) => u.trackingCode),
  );
  const shipmentOf = (u: TrackerUpdate) => u.shipmentId ?? byCode.get(u.trackingCode);
  const rows = await ensureTracking(
    tx,
    deps,
    updates.flatMap((u) => shipmentOf(u) ?? []),
  );
  const working = new Map<string, Working>();
  const allRows: TrackingEventRow[] = [];
  const seen = new Set<string>();
  const rowIds: string[][] = updates.map(() => []);
  for (const [i, update] of updates.entries()) {
    const id = shipmentOf(update);
    const row = id === undefined ? undefined : rows.get(id);
    if (row === undefined) continue;
    let w = working.get(row.shipment_id);
    if (w === undefined) {
      w = { row, codes: JSON.parse(row.codes) as ShipmentCodes, fresh: [], estimatedDelivery: null, actor: update.actor };
      working.set(row.shipment_id, w);
    }
    if (update.estimatedDelivery !== null) w.estimatedDelivery = update.estimatedDelivery;
    for (const r of toEventRows(deps, row, update, now)) {
      const key = `${r.carrier}\u0000${r.tracking_code}\u0000${r.occurred_at}\u0000${r.raw_status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      allRows.push(r);
      rowIds[i]?.push(r.id);
    }
  }
  const stored = await insertTrackingEvents(tx, allRows);
  for (const r of allRows) {
    if (!stored.has(r.id)) continue;
    const w = working.get(r.shipment_id) as Working;
    w.fresh.push({
      trackingCode: r.tracking_code,
      occurredAt: r.occurred_at,
      rawStatus: r.raw_status,
      status: r.status as CanonicalStatus,
      reason: r.reason,
      message: r.message,
    });
  }
  const statuses = await applyBatch(tx, deps, [...working.values()], now);
  return updates.map((u, i): UpdateOutcome => {
    const id = shipmentOf(u);
    if (id === undefined || !rows.has(id)) return { kind: 'unknown_tracking_code', trackingCode: u.trackingCode };
    const fresh = (rowIds[i] ?? []).filter((r) => stored.has(r)).length;
    return {
      kind: 'stored',
      shipmentId: id,
      stored: fresh,
      duplicates: u.scans.length - fresh,
      status: statuses.get(id) as CanonicalStatus,
    };
  });
}

/** New states, effects and one bulk update for the shipments of a batch. Returns each shipment's status. */
async function applyBatch(tx: Tx, deps: PlatformDeps, working: readonly Working[], now: string): Promise<Map<string, CanonicalStatus>> {
  const statuses = new Map<string, CanonicalStatus>();
  const changed = working.filter((w) => w.fresh.length > 0 || w.estimatedDelivery !== null);
  const refold = changed.filter((w) => !appliesInOrder(w.codes, w.fresh));
  const stored =
    refold.length > 0
      ? await scansOf(
          tx,
          refold.map((w) => w.row.shipment_id),
        )
      : new Map<string, Scan[]>();
  const effects: Effects = { events: [], emails: [] };
  const writes: TrackingUpdate[] = [];
  for (const w of working) statuses.set(w.row.shipment_id, w.row.status as CanonicalStatus);
  for (const w of changed) {
    const codes = refold.includes(w)
      ? foldShipment(JSON.parse(w.row.tracking_codes) as string[], stored.get(w.row.shipment_id) ?? [])
      : applyInOrder(w.codes, w.fresh);
    const next = shipmentStatusOf(codes);
    const from = w.row.status as CanonicalStatus;
    let seq = w.row.event_seq;
    const base = {
      aggregateType: 'shipment' as const,
      aggregateId: w.row.shipment_id,
      orderId: w.row.order_id,
      actor: w.actor,
      createdAt: now,
    };
    let deliveredAt = w.row.delivered_at;
    if (next.status !== from || next.reason !== w.row.status_reason) {
      const latest = w.fresh.reduce<Scan | null>((a, s) => (a === null || s.occurredAt > a.occurredAt ? s : a), null);
      if (next.status === 'delivered' && from !== 'delivered') {
        const times = w.fresh.filter((s) => s.status === 'delivered').map((s) => s.occurredAt);
        deliveredAt = times.sort().at(-1) ?? now;
      }
      if (next.status !== from) {
        const data = {
          shipment_id: w.row.shipment_id,
          order_id: w.row.order_id,
          from,
          to: next.status,
          reason: next.reason,
          occurred_at: latest?.occurredAt ?? now,
        };
        effects.events.push({ ...base, id: deps.ids.next('event'), type: 'shipment.status_changed', aggregateSeq: ++seq, data });
        if (next.status === 'delivered') {
          effects.events.push({
            ...base,
            id: deps.ids.next('event'),
            type: 'shipment.delivered',
            aggregateSeq: ++seq,
            data: { shipment_id: w.row.shipment_id, order_id: w.row.order_id, delivered_at: deliveredAt },
          });
        }
        const milestone = milestoneOf(next.status);
        if (milestone !== null && milestone !== 'shipped' && milestone !== 'delay') {
          effects.emails.push({
            shipmentId: w.row.shipment_id,
            milestone,
            extra: { status: next.status, reason: next.reason, delivered_at: deliveredAt },
          });
        }
      }
    }
    const lastScan = w.fresh.reduce<string | null>((a, s) => (a === null || s.occurredAt > a ? s.occurredAt : a), null);
    const lastEventAt =
      lastScan !== null && (w.row.last_event_at === null || lastScan > w.row.last_event_at) ? lastScan : w.row.last_event_at;
    statuses.set(w.row.shipment_id, next.status);
    writes.push({
      shipment_id: w.row.shipment_id,
      status: next.status,
      status_reason: next.reason,
      codes: JSON.stringify(codes),
      expected_delivery_date: w.estimatedDelivery ?? w.row.expected_delivery_date,
      expected_source: w.estimatedDelivery !== null ? 'carrier' : w.row.expected_source,
      last_event_at: lastEventAt,
      delivered_at: deliveredAt,
      // A new scan means the parcel moves again: it is no longer stuck.
      stuck: w.fresh.length > 0 ? 0 : w.row.stuck,
      event_seq: seq,
      updated_at: now,
    });
  }
  await updateTrackingRows(tx, deps.db.dialect, writes);
  if (effects.events.length > 0) await appendEvents(tx, effects.events);
  if (effects.emails.length > 0) {
    const facts = await loadCustomerFacts(
      tx,
      effects.emails.map((e) => e.shipmentId),
    );
    const emails: EmailRequest[] = effects.emails.flatMap((e) => {
      const f = facts.get(e.shipmentId);
      return f ? [milestoneEmail(deps, f, e.milestone, e.extra)] : [];
    });
    await queueEmails(tx, deps, emails);
  }
  return statuses;
}
