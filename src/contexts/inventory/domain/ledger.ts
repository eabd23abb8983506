/**
 * The inventory ledger. Stock changes only by appending movements; a level is the fold (sum) of the
 * movements of one item at one location. These functions are the model the database must agree with.
 */
export const movementKinds = [
  'receive',
  'adjust',
  'transfer_out',
  'transfer_in_transit',
  'transfer_receive',
  'transfer_cancel',
  'reserve',
  'release',
  'pick',
  'ship',
  'return',
  'restock',
] as const;
export type MovementKind = (typeof movementKinds)[number];

export interface Level {
  readonly onHand: number;
  readonly reserved: number;
  readonly incoming: number;
}

export interface Deltas {
  readonly onHand: number;
  readonly reserved: number;
  readonly incoming: number;
}

export const emptyLevel: Level = { onHand: 0, reserved: 0, incoming: 0 };

export const available = (level: Level): number => level.onHand - level.reserved;

/** The invariant every level holds after every committed transaction: 0 <= reserved <= on_hand, incoming >= 0. */
export const levelHolds = (level: Level): boolean =>
  level.onHand >= 0 && level.reserved >= 0 && level.reserved <= level.onHand && level.incoming >= 0;

export const applyDeltas = (level: Level, d: Deltas): Level => ({
  onHand: level.onHand + d.onHand,
  reserved: level.reserved + d.reserved,
  incoming: level.incoming + d.incoming,
});

export const fold = (movements: readonly Deltas[]): Level => movements.reduce(applyDeltas, emptyLevel);

export const deltas = {
  receive: (q: number): Deltas => ({ onHand: q, reserved: 0, incoming: 0 }),
  adjust: (d: number): Deltas => ({ onHand: d, reserved: 0, incoming: 0 }),
  transferOut: (q: number): Deltas => ({ onHand: -q, reserved: 0, incoming: 0 }),
  transferInTransit: (q: number): Deltas => ({ onHand: 0, reserved: 0, incoming: q }),
  transferReceive: (q: number): Deltas => ({ onHand: q, reserved: 0, incoming: -q }),
  reserve: (q: number): Deltas => ({ onHand: 0, reserved: q, incoming: 0 }),
  release: (q: number): Deltas => ({ onHand: 0, reserved: -q, incoming: 0 }),
  ship: (q: number): Deltas => ({ onHand: -q, reserved: -q, incoming: 0 }),
} as const;

export const adjustReasons = ['cycle_count', 'damaged', 'lost', 'found', 'expired', 'correction', 'other'] as const;
export type AdjustReason = (typeof adjustReasons)[number];
