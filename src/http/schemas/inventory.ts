import { Type } from '@sinclair/typebox';
import { adjustReasons, transferStatuses } from '../../contexts/inventory/index.js';
import { limits } from '../../kernel/limits.js';
import { Code, Nullable, Quantity, Sku, Text, Timestamp } from './common.js';

const StockLine = Type.Object({ sku: Sku, quantity: Quantity }, { additionalProperties: false });

export const Receipt = Type.Object(
  {
    location: Code,
    reference: Type.Optional(Type.String({ maxLength: 200, description: 'Purchase order, ASN or delivery note' })),
    lines: Type.Array(StockLine, { minItems: 1, maxItems: limits.receiptLinesMax }),
  },
  { additionalProperties: false },
);

export const Adjustment = Type.Object(
  {
    location: Code,
    reason: Type.Union(adjustReasons.map((r) => Type.Literal(r))),
    note: Type.Optional(Text),
    lines: Type.Array(
      Type.Union([
        Type.Object(
          { sku: Sku, delta: Type.Integer({ minimum: -limits.lineQuantityMax, maximum: limits.lineQuantityMax, not: { const: 0 } }) },
          { additionalProperties: false },
        ),
        Type.Object(
          { sku: Sku, on_hand: Type.Integer({ minimum: 0, maximum: limits.lineQuantityMax * 100 }) },
          { additionalProperties: false },
        ),
      ]),
      { minItems: 1, maxItems: limits.receiptLinesMax },
    ),
  },
  { additionalProperties: false },
);

export const StockChange = Type.Object({
  id: Type.String(),
  location: Type.String(),
  reference: Nullable(Type.String()),
  lines: Type.Array(
    Type.Object({
      sku: Type.String(),
      quantity: Type.Integer(),
      on_hand: Type.Integer(),
      reserved: Type.Integer(),
      available: Type.Integer(),
    }),
  ),
  backorders_allocated: Type.Integer(),
});

export const TransferCreate = Type.Object(
  {
    from: Code,
    to: Code,
    reference: Type.Optional(Type.String({ maxLength: 200 })),
    receive: Type.Optional(Type.Boolean({ description: 'Receive at the destination at once' })),
    lines: Type.Array(StockLine, { minItems: 1, maxItems: limits.receiptLinesMax }),
  },
  { additionalProperties: false },
);

export const Transfer = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  status: Type.Union(transferStatuses.map((s) => Type.Literal(s))),
  reference: Nullable(Type.String()),
  lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const Level = Type.Object({
  sku: Type.String(),
  location: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
  incoming: Type.Integer(),
  updated_at: Timestamp,
});

export const Movement = Type.Object({
  id: Type.Integer(),
  sku: Type.String(),
  location: Type.String(),
  kind: Type.String(),
  on_hand_delta: Type.Integer(),
  reserved_delta: Type.Integer(),
  incoming_delta: Type.Integer(),
  reason: Nullable(Type.String()),
  ref_type: Nullable(Type.String()),
  ref_id: Nullable(Type.String()),
  actor: Type.String(),
  created_at: Timestamp,
});

export const VerifyReport = Type.Object({
  ok: Type.Boolean(),
  levels_checked: Type.Integer(),
  movements_checked: Type.Integer(),
  ledger_mismatches: Type.Array(Type.Object({}, { additionalProperties: true })),
  reservation_mismatches: Type.Array(Type.Object({}, { additionalProperties: true })),
});
