import { pickLocale } from '../../kernel/locale.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { PlatformDeps } from '../deps.js';
import { type CanonicalStatus, compareScans, terminalStatuses } from './domain/status.js';
import { serviceFacts } from './facts.js';
import type { Flag } from './flags.js';
import { trackingLimits } from './limits.js';
import { ensureTracking } from './start.js';
import { type TrackingEventRow, toScan } from './store.js';
import { isTokenShaped, tokenHash, tokenMatches, trackingUrl } from './token.js';

export interface TimelineEntry {
  readonly occurred_at: string;
  readonly status: CanonicalStatus;
  readonly reason: string;
  readonly message: string;
  readonly location: { readonly city: string | null; readonly state: string | null; readonly country: string | null };
}

export interface TrackingView {
  readonly shipment_id: string;
  readonly order_id: string;
  readonly carrier: string;
  readonly carrier_name: string;
  readonly service: string;
  readonly tracking_numbers: readonly string[];
  readonly status: CanonicalStatus;
  readonly status_reason: string;
  readonly shipped_at: string;
  readonly expected_delivery_date: string | null;
  readonly expected_source: string | null;
  readonly last_event_at: string | null;
  readonly delivered_at: string | null;
  readonly late: boolean;
  readonly stuck: boolean;
  readonly flagged_at: string | null;
  readonly public_url: string;
}

type EventRow = Pick<
  TrackingEventRow,
  'tracking_code' | 'occurred_at' | 'raw_status' | 'status' | 'reason' | 'message' | 'city' | 'state' | 'country'
>;

/** Scans in true order (the fold's order), whatever order they arrived in. */
export function timelineOf(rows: readonly EventRow[]): TimelineEntry[] {
  return [...rows]
    .sort((a, b) => compareScans(toScan(a), toScan(b)))
    .map((r) => ({
      occurred_at: r.occurred_at,
      status: r.status as CanonicalStatus,
      reason: r.reason,
      message: r.message,
      location: { city: r.city, state: r.state, country: r.country },
    }));
}

async function loadTimeline(deps: PlatformDeps, shipmentId: string): Promise<TimelineEntry[]> {
  const rows = await deps.db.read
    .selectFrom('tracking_events')
    .select(['tracking_code', 'occurred_at', 'raw_status', 'status', 'reason', 'message', 'city', 'state', 'country'])
    .where('shipment_id', '=', shipmentId)
    .orderBy('occurred_at', 'desc')
    .limit(trackingLimits.timelineEventsMax)
    .execute();
  return timelineOf(rows);
}

async function loadView(deps: PlatformDeps, shipmentIds: readonly string[]): Promise<TrackingView[]> {
  if (shipmentIds.length === 0) return [];
  const rows = await deps.db.read
    .selectFrom('shipment_tracking as t')
    .innerJoin('shipments as s', 's.id', 't.shipment_id')
    .selectAll('t')
    .select(['s.service', 's.rate_choice'])
    .where('t.shipment_id', 'in', shipmentIds)
    .execute();
  const byId = new Map(rows.map((r) => [r.shipment_id, r]));
  return shipmentIds.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const facts = serviceFacts(r.rate_choice, { carrier: r.carrier, service: r.service });
    return [
      {
        shipment_id: r.shipment_id,
        order_id: r.order_id,
        carrier: r.carrier,
        carrier_name: facts.carrierName,
        service: r.service,
        tracking_numbers: JSON.parse(r.tracking_codes) as string[],
        status: r.status as CanonicalStatus,
        status_reason: r.status_reason,
        shipped_at: r.shipped_at,
        expected_delivery_date: r.expected_delivery_date,
        expected_source: r.expected_source,
        last_event_at: r.last_event_at,
        delivered_at: r.delivered_at,
        late: r.late === 1,
        stuck: r.stuck === 1,
        flagged_at: r.flagged_at,
        public_url: trackingUrl(deps.publicUrl, deps.secret, r.shipment_id),
      },
    ];
  });
}

/** A shipment's tracking state and its timeline, for the merchant. */
export async function getTracking(deps: PlatformDeps, shipmentId: string): Promise<Result<TrackingView & { timeline: TimelineEntry[] }>> {
  let [view] = await loadView(deps, [shipmentId]);
  if (!view) {
    const shipment = await deps.db.read.selectFrom('shipments').select('id').where('id', '=', shipmentId).executeTakeFirst();
    if (!shipment) return fail('not_found', `no shipment ${shipmentId}`);
    // Shipped a moment ago and the outbox has not routed it yet: the tracking state starts now (idempotent).
    await deps.db.transaction((tx) => ensureTracking(tx, deps, [shipmentId]));
    [view] = await loadView(deps, [shipmentId]);
    if (!view) return fail('not_found', `no shipment ${shipmentId}`);
  }
  return ok({ ...view, timeline: await loadTimeline(deps, shipmentId) });
}

/** Open (not terminal) shipments flagged late or stuck, most recently flagged first, cursor-paginated by shipment id. */
export async function listFlagged(
  deps: PlatformDeps,
  query: { flag?: Flag | undefined; cursor?: string | undefined; limit: number },
): Promise<{ data: TrackingView[]; next_cursor: string | null }> {
  let q = deps.db.read
    .selectFrom('shipment_tracking')
    .select('shipment_id')
    .where('flagged_at', 'is not', null)
    .where('status', 'not in', terminalStatuses);
  if (query.flag) q = q.where(query.flag, '=', 1);
  if (query.cursor) q = q.where('shipment_id', '>', query.cursor);
  const ids = await q
    .orderBy('shipment_id')
    .limit(query.limit + 1)
    .execute();
  const page = ids.slice(0, query.limit).map((r) => r.shipment_id);
  return { data: await loadView(deps, page), next_cursor: ids.length > query.limit ? (page.at(-1) ?? null) : null };
}

/** What the public page shows: no name, e-mail, phone, street or postal code; the destination city only. */
export interface PublicTracking {
  readonly status: CanonicalStatus;
  readonly status_reason: string;
  readonly carrier: string;
  readonly service: string;
  readonly tracking_numbers: readonly string[];
  readonly shipped_at: string;
  readonly expected_delivery_date: string | null;
  readonly delivered_at: string | null;
  readonly destination: { readonly city: string | null };
  readonly timeline: readonly TimelineEntry[];
  readonly locale: 'en' | 'pt-BR';
}

/**
 * The shipment a public token opens, or null. The token is looked up by its SHA-256 and then checked
 * against the HMAC of the shipment found, in constant time: a forged token and a missing one both give null.
 */
export async function publicTracking(deps: PlatformDeps, token: string, acceptLanguage?: string | null): Promise<PublicTracking | null> {
  if (!isTokenShaped(token)) return null;
  const row = await deps.db.read
    .selectFrom('shipment_tracking as t')
    .innerJoin('shipments as s', 's.id', 't.shipment_id')
    .innerJoin('orders as o', 'o.id', 't.order_id')
    .select([
      't.shipment_id',
      't.carrier',
      't.status',
      't.status_reason',
      't.tracking_codes',
      't.shipped_at',
      't.expected_delivery_date',
      't.delivered_at',
      's.service',
      's.rate_choice',
      'o.shipping_address',
      'o.locale',
    ])
    .where('t.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || !tokenMatches(deps.secret, row.shipment_id, token)) return null;
  const address = JSON.parse(row.shipping_address) as { city?: string; country?: string } | null;
  const facts = serviceFacts(row.rate_choice, { carrier: row.carrier, service: row.service });
  const requested = acceptLanguage ? preferredLanguage(acceptLanguage) : null;
  return {
    status: row.status as CanonicalStatus,
    status_reason: row.status_reason,
    carrier: facts.carrierName,
    service: facts.serviceName,
    tracking_numbers: JSON.parse(row.tracking_codes) as string[],
    shipped_at: row.shipped_at,
    expected_delivery_date: row.expected_delivery_date,
    delivered_at: row.delivered_at,
    destination: { city: address?.city ?? null },
    timeline: (await loadTimeline(deps, row.shipment_id)).reverse(),
    locale: pickLocale(requested ?? row.locale ?? null, address?.country ?? null),
  };
}

/** The first language of an Accept-Language header that we write (`pt*` or `en*`), else null. */
export function preferredLanguage(header: string): string | null {
  const tags = header
    .slice(0, 200)
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((t) => t.tag !== '' && t.q > 0)
    .sort((a, b) => b.q - a.q);
  const known = tags.find((t) => t.tag === 'en' || t.tag.startsWith('en-') || t.tag === 'pt' || t.tag.startsWith('pt-'));
  return known?.tag ?? null;
}
