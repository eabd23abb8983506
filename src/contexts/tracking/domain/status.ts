/**
 * Canonical tracking statuses and how a parcel's scans fold into one status (docs/tracking.md).
 *
 * Pure: no I/O, no clock. The rules:
 * - Progress statuses have a rank: pre_transit 0 < in_transit 1 < out_for_delivery 2 < available_for_pickup 3,
 *   then the terminal ones, cancelled 4 < return_to_sender 5 < delivered 6.
 * - A progress scan of lower rank than the current one is kept in the timeline but changes nothing: the
 *   status never moves backwards (a late in_transit after delivered stays in the timeline only).
 * - A problem scan (delivery_failed, exception) takes over the status at the current rank, unless the
 *   parcel is already terminal; the next progress scan of at least that rank clears it.
 * - Once terminal, only a higher terminal rank replaces it (a cancelled tracker that later shows delivered).
 * - `unknown` scans are stored and shown but never change the status.
 * - Scans are folded in true order (occurred_at, then a fixed tie-break), so whatever order they arrive in,
 *   duplicated or not, the result is the same.
 */
export const canonicalStatuses = [
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'available_for_pickup',
  'delivery_failed',
  'exception',
  'return_to_sender',
  'delivered',
  'cancelled',
  'unknown',
] as const;
export type CanonicalStatus = (typeof canonicalStatuses)[number];

export const isCanonicalStatus = (value: string): value is CanonicalStatus => (canonicalStatuses as readonly string[]).includes(value);

const progressRank: Readonly<Partial<Record<CanonicalStatus, number>>> = {
  pre_transit: 0,
  in_transit: 1,
  out_for_delivery: 2,
  available_for_pickup: 3,
  cancelled: 4,
  return_to_sender: 5,
  delivered: 6,
};
const terminalRankMin = 4;

export const terminalStatuses: readonly CanonicalStatus[] = ['cancelled', 'return_to_sender', 'delivered'];
export const problemStatuses: readonly CanonicalStatus[] = ['delivery_failed', 'exception'];

export const isTerminal = (status: CanonicalStatus): boolean => terminalStatuses.includes(status);
export const isProblem = (status: CanonicalStatus): boolean => problemStatuses.includes(status);

/** One scan as the fold sees it. `occurredAt` is a normalized ISO timestamp (`toISOString()`). */
export interface Scan {
  readonly trackingCode: string;
  readonly occurredAt: string;
  readonly rawStatus: string;
  readonly status: CanonicalStatus;
  readonly reason: string;
  readonly message: string;
}

/** The state of one tracking code (one parcel). `last` is the latest occurred_at seen, scans that changed nothing included. */
export interface CodeState {
  readonly rank: number;
  readonly status: CanonicalStatus;
  readonly reason: string;
  readonly last: string | null;
}

export const initialCodeState: CodeState = { rank: 0, status: 'pre_transit', reason: 'label_created', last: null };

/** The same key the database deduplicates on (carrier aside, which is one per shipment). */
export const scanKey = (s: Pick<Scan, 'trackingCode' | 'occurredAt' | 'rawStatus'>): string =>
  `${s.trackingCode}\u0000${s.occurredAt}\u0000${s.rawStatus}`;

const orderOf = (status: CanonicalStatus): number => canonicalStatuses.indexOf(status);

/** True order: time, then status, raw status and message so that equal times still fold the same way. */
export function compareScans(a: Scan, b: Scan): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  const byStatus = orderOf(a.status) - orderOf(b.status);
  if (byStatus !== 0) return byStatus;
  if (a.rawStatus !== b.rawStatus) return a.rawStatus < b.rawStatus ? -1 : 1;
  if (a.message !== b.message) return a.message < b.message ? -1 : 1;
  return 0;
}

/** One scan applied to one parcel's state (scans must come in true order). */
export function applyScan(state: CodeState, scan: Scan): CodeState {
  const last = state.last === null || scan.occurredAt > state.last ? scan.occurredAt : state.last;
  const moved = (rank: number): CodeState => ({ rank, status: scan.status, reason: scan.reason, last });
  if (scan.status === 'unknown') return { ...state, last };
  const rank = progressRank[scan.status];
  if (state.rank >= terminalRankMin) return rank !== undefined && rank > state.rank ? moved(rank) : { ...state, last };
  if (rank === undefined) return moved(state.rank);
  return rank >= state.rank ? moved(rank) : { ...state, last };
}

/** A parcel's state from all its scans, in any order, duplicates included. */
export function foldScans(scans: readonly Scan[], start: CodeState = initialCodeState): CodeState {
  const unique = new Map<string, Scan>();
  for (const s of scans) if (!unique.has(scanKey(s))) unique.set(scanKey(s), s);
  return [...unique.values()].sort(compareScans).reduce(applyScan, start);
}

/** Per tracking code state of a shipment. */
export type ShipmentCodes = Readonly<Record<string, CodeState>>;

export interface ShipmentStatus {
  readonly status: CanonicalStatus;
  readonly reason: string;
  readonly rank: number;
}

/**
 * A shipment of several parcels is as far as its least advanced parcel (delivered once all are), and shows a
 * problem when a parcel at that rank has one.
 */
export function shipmentStatusOf(codes: ShipmentCodes): ShipmentStatus {
  let best: CodeState | undefined;
  for (const code of Object.keys(codes).sort()) {
    const s = codes[code] as CodeState;
    if (best === undefined || s.rank < best.rank || (s.rank === best.rank && isProblem(s.status) && !isProblem(best.status))) best = s;
  }
  const chosen = best ?? initialCodeState;
  return { status: chosen.status, reason: chosen.reason, rank: chosen.rank };
}

/** The codes' states from every scan of the shipment (the slow path, after a scan arrived out of order). */
export function foldShipment(trackingCodes: readonly string[], scans: readonly Scan[]): Record<string, CodeState> {
  const byCode = new Map<string, Scan[]>(trackingCodes.map((c) => [c, []]));
  for (const s of scans) {
    const list = byCode.get(s.trackingCode);
    if (list) list.push(s);
    else byCode.set(s.trackingCode, [s]);
  }
  const out: Record<string, CodeState> = {};
  for (const [code, list] of byCode) out[code] = foldScans(list);
  return out;
}

/**
 * Whether new scans can be applied on top of the stored state: each comes strictly after everything
 * already seen for its code. Otherwise the shipment is folded again from all its stored scans.
 */
export function appliesInOrder(codes: ShipmentCodes, fresh: readonly Scan[]): boolean {
  return fresh.every((s) => {
    const last = codes[s.trackingCode]?.last ?? null;
    return last === null || s.occurredAt > last;
  });
}

/** Applies new (deduplicated) scans that `appliesInOrder` accepted. */
export function applyInOrder(codes: ShipmentCodes, fresh: readonly Scan[]): Record<string, CodeState> {
  const out: Record<string, CodeState> = { ...codes };
  for (const s of [...fresh].sort(compareScans)) out[s.trackingCode] = applyScan(out[s.trackingCode] ?? initialCodeState, s);
  return out;
}

/** The e-mail milestone a status change reaches, if any (one e-mail per milestone and shipment, ever). */
export type Milestone = 'shipped' | 'out_for_delivery' | 'delivered' | 'problem' | 'delay';

export function milestoneOf(status: CanonicalStatus): Milestone | null {
  if (status === 'out_for_delivery') return 'out_for_delivery';
  if (status === 'delivered') return 'delivered';
  if (status === 'delivery_failed' || status === 'exception' || status === 'return_to_sender') return 'problem';
  return null;
}
