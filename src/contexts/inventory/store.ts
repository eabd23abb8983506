import type { DialectName, Tx } from '../../storage/index.js';
import { chunkRows, forUpdate } from '../../storage/index.js';
import type { Deltas, Level, MovementKind } from './domain/ledger.js';

export interface MovementRow {
  readonly itemId: string;
  readonly locationId: string;
  readonly kind: MovementKind;
  readonly deltas: Deltas;
  readonly reason: string | null;
  readonly refType: string | null;
  readonly refId: string | null;
  readonly actor: string;
}

export const levelKey = (itemId: string, locationId: string): string => `${itemId}\u0000${locationId}`;

/**
 * Reads the levels of these items (every location, or one) and, on PostgreSQL, locks them in key order
 * until the transaction ends, so that concurrent writers serialize without deadlocks.
 */
export async function lockLevels(
  tx: Tx,
  dialect: DialectName,
  itemIds: readonly string[],
  locationId?: string,
): Promise<Map<string, Level>> {
  const levels = new Map<string, Level>();
  if (itemIds.length === 0) return levels;
  const ids = [...new Set(itemIds)].sort();
  for (let i = 0; i < ids.length; i += 5_000) {
    let q = tx
      .selectFrom('inventory_levels')
      .select(['item_id', 'location_id', 'on_hand', 'reserved', 'incoming'])
      .where('item_id', 'in', ids.slice(i, i + 5_000))
      .orderBy('item_id')
      .orderBy('location_id');
    if (locationId !== undefined) q = q.where('location_id', '=', locationId);
    for (const r of await forUpdate(q, dialect).execute()) {
      levels.set(levelKey(r.item_id, r.location_id), { onHand: r.on_hand, reserved: r.reserved, incoming: r.incoming });
    }
  }
  return levels;
}

export async function insertMovements(tx: Tx, movements: readonly MovementRow[], now: string): Promise<void> {
  const rows = movements.map((m) => ({
    item_id: m.itemId,
    location_id: m.locationId,
    kind: m.kind,
    on_hand_delta: m.deltas.onHand,
    reserved_delta: m.deltas.reserved,
    incoming_delta: m.deltas.incoming,
    reason: m.reason,
    ref_type: m.refType,
    ref_id: m.refId,
    actor: m.actor,
    created_at: now,
  }));
  for (const chunk of chunkRows(rows)) await tx.insertInto('inventory_movements').values(chunk).execute();
}
