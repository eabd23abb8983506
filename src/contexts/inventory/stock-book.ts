import { assert } from '../../kernel/assert.js';
import { type LevelDelta, type Tx, updateLevelDeltas } from '../../storage/index.js';
import { applyDeltas, available, type Deltas, emptyLevel, type Level, levelHolds, type MovementKind } from './domain/ledger.js';
import { insertMovements, levelKey, type MovementRow } from './store.js';

export interface MovementRef {
  readonly reason?: string | null;
  readonly refType?: string | null;
  readonly refId?: string | null;
  readonly actor: string;
}

/**
 * The one way stock changes inside a transaction: start from levels read (and locked) in the same
 * transaction, `apply` movements (each checked against the invariant in memory), then `flush` the
 * movements and the summed level deltas. The database CHECK constraints check the result once more.
 */
export class StockBook {
  readonly #levels: Map<string, Level>;
  /** Levels that exist as rows: they are updated; any other level is inserted. */
  readonly #existing: Set<string>;
  readonly #movements: MovementRow[] = [];
  readonly #deltas: LevelDelta[] = [];

  constructor(levels: Map<string, Level>) {
    this.#levels = levels;
    this.#existing = new Set(levels.keys());
  }

  level(itemId: string, locationId: string): Level {
    return this.#levels.get(levelKey(itemId, locationId)) ?? emptyLevel;
  }

  available(itemId: string, locationId: string): number {
    return available(this.level(itemId, locationId));
  }

  /** Applies a movement. Callers check business rules first; breaking the invariant here is a bug. */
  apply(itemId: string, locationId: string, kind: MovementKind, deltas: Deltas, ref: MovementRef): void {
    const next = applyDeltas(this.level(itemId, locationId), deltas);
    assert(levelHolds(next), `${kind} keeps 0 <= reserved <= on_hand for ${itemId} at ${locationId}`);
    this.#levels.set(levelKey(itemId, locationId), next);
    this.#movements.push({
      itemId,
      locationId,
      kind,
      deltas,
      reason: ref.reason ?? null,
      refType: ref.refType ?? null,
      refId: ref.refId ?? null,
      actor: ref.actor,
    });
    this.#deltas.push({ itemId, locationId, onHand: deltas.onHand, reserved: deltas.reserved, incoming: deltas.incoming });
  }

  get movementCount(): number {
    return this.#movements.length;
  }

  async flush(tx: Tx, now: string): Promise<void> {
    if (this.#movements.length === 0) return;
    await insertMovements(tx, this.#movements, now);
    await updateLevelDeltas(tx, this.#deltas, this.#existing, now);
    for (const d of this.#deltas) this.#existing.add(levelKey(d.itemId, d.locationId));
    this.#movements.length = 0;
    this.#deltas.length = 0;
  }
}
