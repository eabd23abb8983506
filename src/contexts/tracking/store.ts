import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';
import { chunkRows, type DialectName } from '../../storage/index.js';
import type { ShipmentTrackingTable, TrackingEventTable } from '../../storage/schema-tracking.js';
import type { CanonicalStatus, Scan } from './domain/status.js';

export type TrackingRow = Selectable<ShipmentTrackingTable>;
export type TrackingEventRow = Selectable<TrackingEventTable>;

const inChunks = <T>(values: readonly T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

/** The tracking rows of these shipments, locked (PostgreSQL) in id order so that concurrent batches never deadlock. */
export async function lockTracking(tx: Tx, dialect: DialectName, ids: readonly string[]): Promise<Map<string, TrackingRow>> {
  const out = new Map<string, TrackingRow>();
  for (const chunk of inChunks([...ids].sort())) {
    let q = tx.selectFrom('shipment_tracking').selectAll().where('shipment_id', 'in', chunk).orderBy('shipment_id');
    if (dialect === 'postgres') q = q.forUpdate();
    for (const row of await q.execute()) out.set(row.shipment_id, row);
  }
  return out;
}

/**
 * Which shipment carries each tracking code (through its parcels; a relabelled parcel carries its new code).
 * When a code was reused, the latest shipment wins.
 */
export async function shipmentsForCodes(tx: Tx, codes: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of inChunks([...new Set(codes)])) {
    const rows = await tx
      .selectFrom('parcels')
      .select(['tracking_number', 'shipment_id'])
      .where('tracking_number', 'in', chunk)
      .where('shipment_id', 'is not', null)
      .orderBy('shipment_id')
      .execute();
    for (const r of rows) if (r.tracking_number !== null && r.shipment_id !== null) out.set(r.tracking_number, r.shipment_id);
  }
  return out;
}

/** Inserts scans; a scan whose (carrier, code, time, raw status) is already stored is skipped. Returns the ids stored. */
export async function insertTrackingEvents(tx: Tx, rows: readonly TrackingEventRow[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const chunk of chunkRows(rows)) {
    const result = await tx
      .insertInto('tracking_events')
      .values(chunk)
      .onConflict((oc) => oc.columns(['carrier', 'tracking_code', 'occurred_at', 'raw_status']).doNothing())
      .returning('id')
      .execute();
    for (const r of result) stored.add(r.id);
  }
  return stored;
}

export const toScan = (
  r: Pick<TrackingEventRow, 'tracking_code' | 'occurred_at' | 'raw_status' | 'status' | 'reason' | 'message'>,
): Scan => ({
  trackingCode: r.tracking_code,
  occurredAt: r.occurred_at,
  rawStatus: r.raw_status,
  status: r.status as CanonicalStatus,
  reason: r.reason,
  message: r.message,
});

/** Every stored scan of these shipments (the slow path after an out-of-order arrival). */
export async function scansOf(tx: Tx, shipmentIds: readonly string[]): Promise<Map<string, Scan[]>> {
  const out = new Map<string, Scan[]>();
  for (const chunk of inChunks(shipmentIds)) {
    const rows = await tx
      .selectFrom('tracking_events')
      .select(['shipment_id', 'tracking_code', 'occurred_at', 'raw_status', 'status', 'reason', 'message'])
      .where('shipment_id', 'in', chunk)
      .execute();
    for (const r of rows) {
      const list = out.get(r.shipment_id) ?? [];
      list.push(toScan(r));
      out.set(r.shipment_id, list);
    }
  }
  return out;
}

/** The columns a batch changes on a tracking row. */
export interface TrackingUpdate {
  readonly shipment_id: string;
  readonly status: string;
  readonly status_reason: string;
  readonly codes: string;
  readonly expected_delivery_date: string | null;
  readonly expected_source: string | null;
  readonly last_event_at: string | null;
  readonly delivered_at: string | null;
  readonly stuck: number;
  readonly event_seq: number;
  readonly updated_at: string;
}

const updateColumns = [
  'status',
  'status_reason',
  'codes',
  'expected_delivery_date',
  'expected_source',
  'last_event_at',
  'delivered_at',
  'stuck',
  'event_seq',
  'updated_at',
] as const;

/**
 * Writes many tracking rows in one statement per chunk: `update ... from (values ...)`, the same SQL on
 * SQLite (3.33+) and PostgreSQL, instead of one round trip per shipment.
 */
export async function updateTrackingRows(tx: Tx, dialect: DialectName, updates: readonly TrackingUpdate[]): Promise<void> {
  const columns = ['shipment_id', ...updateColumns] as const;
  for (const chunk of inChunks(updates, 400)) {
    const tuples = chunk.map((u) => sql`(${sql.join(columns.map((c) => u[c]))})`);
    const integer = (c: string) => (dialect === 'postgres' ? sql`cast(v.${sql.ref(c)} as integer)` : sql`v.${sql.ref(c)}`);
    const text = (c: string) => (dialect === 'postgres' ? sql`cast(v.${sql.ref(c)} as text)` : sql`v.${sql.ref(c)}`);
    const sets = updateColumns.map((c) => sql`${sql.ref(c)} = ${c === 'stuck' || c === 'event_seq' ? integer(c) : text(c)}`);
    await sql`with v(${sql.join(columns.map((c) => sql.ref(c)))}) as (values ${sql.join(tuples)})
      update shipment_tracking set ${sql.join(sets)}
      from v where shipment_tracking.shipment_id = v.shipment_id`.execute(tx);
  }
}
