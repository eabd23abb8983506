import { sql } from 'kysely';
import { decodeCursor, decodeSeqCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import type { Deps } from '../deps.js';

export interface LevelView {
  readonly sku: string;
  readonly location: string;
  readonly on_hand: number;
  readonly reserved: number;
  readonly available: number;
  readonly incoming: number;
  readonly updated_at: string;
}

/** Inventory levels by SKU and location, ordered by SKU then location code. */
export async function listLevels(
  deps: Deps,
  query: { sku?: string | undefined; location?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<LevelView>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('inventory_levels as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .innerJoin('locations as loc', 'loc.id', 'l.location_id')
    .select(['i.sku', 'loc.code', 'l.on_hand', 'l.reserved', 'l.incoming', 'l.updated_at'])
    .orderBy('i.sku')
    .orderBy('loc.code')
    .limit(size + 1);
  if (query.sku) q = q.where('i.sku', '=', query.sku);
  if (query.location) q = q.where('loc.code', '=', query.location);
  if (after !== undefined) {
    const [sku, code] = after.split('\u0000');
    q = q.where((eb) => eb.or([eb('i.sku', '>', sku ?? ''), eb.and([eb('i.sku', '=', sku ?? ''), eb('loc.code', '>', code ?? '')])]));
  }
  const rows = await q.execute();
  return toPage(
    rows,
    size,
    (r) => `${r.sku}\u0000${r.code}`,
    (r) => ({
      sku: r.sku,
      location: r.code,
      on_hand: r.on_hand,
      reserved: r.reserved,
      available: r.on_hand - r.reserved,
      incoming: r.incoming,
      updated_at: r.updated_at,
    }),
  );
}

export interface MovementView {
  readonly id: number;
  readonly sku: string;
  readonly location: string;
  readonly kind: string;
  readonly on_hand_delta: number;
  readonly reserved_delta: number;
  readonly incoming_delta: number;
  readonly reason: string | null;
  readonly ref_type: string | null;
  readonly ref_id: string | null;
  readonly actor: string;
  readonly created_at: string;
}

/** The ledger, newest first. */
export async function listMovements(
  deps: Deps,
  query: {
    sku?: string | undefined;
    location?: string | undefined;
    ref_id?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<Page<MovementView>> {
  const size = pageSize(query.limit);
  const after = decodeSeqCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('inventory_movements as m')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .innerJoin('locations as loc', 'loc.id', 'm.location_id')
    .select([
      'm.id',
      'i.sku',
      'loc.code',
      'm.kind',
      'm.on_hand_delta',
      'm.reserved_delta',
      'm.incoming_delta',
      'm.reason',
      'm.ref_type',
      'm.ref_id',
      'm.actor',
      'm.created_at',
    ])
    .orderBy('m.id', 'desc')
    .limit(size + 1);
  if (query.sku) q = q.where('i.sku', '=', query.sku);
  if (query.location) q = q.where('loc.code', '=', query.location);
  if (query.ref_id) q = q.where('m.ref_id', '=', query.ref_id);
  if (after !== undefined) q = q.where('m.id', '<', after);
  const rows = await q.execute();
  return toPage(
    rows,
    size,
    (r) => String(r.id),
    ({ code, ...r }) => ({ ...r, location: code }),
  );
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly levels_checked: number;
  readonly movements_checked: number;
  /** Levels that differ from the fold of their movements, or break 0 <= reserved <= on_hand. */
  readonly ledger_mismatches: readonly {
    readonly sku: string;
    readonly location: string;
    readonly level: { on_hand: number; reserved: number; incoming: number };
    readonly ledger: { on_hand: number; reserved: number; incoming: number };
  }[];
  /** Levels whose reserved differs from the open quantities of fulfillment orders at that location. */
  readonly reservation_mismatches: readonly {
    readonly sku: string;
    readonly location: string;
    readonly reserved: number;
    readonly open_demand: number;
  }[];
}

const mismatchesMax = 1_000;

/** Proves the ledger: every level equals the fold of its movements, and reserved equals open demand. */
export async function verifyInventory(deps: Deps): Promise<VerifyReport> {
  const db = deps.db.read;
  const folds = await db
    .selectFrom('inventory_movements')
    .select([
      'item_id',
      'location_id',
      sql<number>`cast(sum(on_hand_delta) as bigint)`.as('on_hand'),
      sql<number>`cast(sum(reserved_delta) as bigint)`.as('reserved'),
      sql<number>`cast(sum(incoming_delta) as bigint)`.as('incoming'),
      sql<number>`count(*)`.as('n'),
    ])
    .groupBy(['item_id', 'location_id'])
    .execute();
  const levels = await db.selectFrom('inventory_levels').selectAll().execute();
  const demand = await db
    .selectFrom('fulfillment_order_lines as l')
    .innerJoin('fulfillment_orders as fo', 'fo.id', 'l.fulfillment_order_id')
    .select(['l.item_id', 'fo.location_id', sql<number>`cast(sum(l.quantity) as bigint)`.as('quantity')])
    .where('fo.path', '=', 'physical')
    .where('fo.status', 'in', ['open', 'on_hold', 'in_progress'])
    .groupBy(['l.item_id', 'fo.location_id'])
    .execute();
  const names = await namesOf(deps);
  const key = (i: string, l: string | null) => `${i}\u0000${l}`;
  const foldMap = new Map(folds.map((f) => [key(f.item_id, f.location_id), f]));
  const demandMap = new Map(demand.map((d) => [key(d.item_id, d.location_id), Number(d.quantity)]));
  const ledgerMismatches: VerifyReport['ledger_mismatches'][number][] = [];
  const reservationMismatches: VerifyReport['reservation_mismatches'][number][] = [];
  const seen = new Set<string>();
  for (const level of levels) {
    const k = key(level.item_id, level.location_id);
    seen.add(k);
    const f = foldMap.get(k) ?? { on_hand: 0, reserved: 0, incoming: 0 };
    const broken = level.reserved < 0 || level.reserved > level.on_hand || level.on_hand < 0 || level.incoming < 0;
    if (broken || Number(f.on_hand) !== level.on_hand || Number(f.reserved) !== level.reserved || Number(f.incoming) !== level.incoming) {
      if (ledgerMismatches.length < mismatchesMax) {
        ledgerMismatches.push({
          sku: names.sku(level.item_id),
          location: names.location(level.location_id),
          level: { on_hand: level.on_hand, reserved: level.reserved, incoming: level.incoming },
          ledger: { on_hand: Number(f.on_hand), reserved: Number(f.reserved), incoming: Number(f.incoming) },
        });
      }
    }
    const open = demandMap.get(k) ?? 0;
    if (open !== level.reserved && reservationMismatches.length < mismatchesMax) {
      reservationMismatches.push({
        sku: names.sku(level.item_id),
        location: names.location(level.location_id),
        reserved: level.reserved,
        open_demand: open,
      });
    }
  }
  for (const f of folds) {
    const k = key(f.item_id, f.location_id);
    if (seen.has(k)) continue;
    const zero = Number(f.on_hand) === 0 && Number(f.reserved) === 0 && Number(f.incoming) === 0;
    if (!zero && ledgerMismatches.length < mismatchesMax) {
      ledgerMismatches.push({
        sku: names.sku(f.item_id),
        location: names.location(f.location_id),
        level: { on_hand: 0, reserved: 0, incoming: 0 },
        ledger: { on_hand: Number(f.on_hand), reserved: Number(f.reserved), incoming: Number(f.incoming) },
      });
    }
  }
  for (const [k, open] of demandMap) {
    if (!seen.has(k) && open !== 0 && reservationMismatches.length < mismatchesMax) {
      const [itemId, locationId] = k.split('\u0000');
      reservationMismatches.push({
        sku: names.sku(itemId ?? ''),
        location: names.location(locationId ?? ''),
        reserved: 0,
        open_demand: open,
      });
    }
  }
  return {
    ok: ledgerMismatches.length === 0 && reservationMismatches.length === 0,
    levels_checked: levels.length,
    movements_checked: folds.reduce((sum, f) => sum + Number(f.n), 0),
    ledger_mismatches: ledgerMismatches,
    reservation_mismatches: reservationMismatches,
  };
}

async function namesOf(deps: Deps) {
  const items = new Map((await deps.db.read.selectFrom('items').select(['id', 'sku']).execute()).map((r) => [r.id, r.sku]));
  const locations = new Map((await deps.db.read.selectFrom('locations').select(['id', 'code']).execute()).map((r) => [r.id, r.code]));
  return { sku: (id: string) => items.get(id) ?? id, location: (id: string) => locations.get(id) ?? id };
}
