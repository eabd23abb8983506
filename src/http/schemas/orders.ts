import { Type } from '@sinclair/typebox';
import { fulfillmentOrderStatuses, holdReasons, orderStatuses } from '../../contexts/orders/index.js';
import { limits } from '../../kernel/limits.js';
import { Address, AmountMinor, Currency, Id, Name, Nullable, Quantity, Sku, Text, Timestamp } from './common.js';

const HoldReason = Type.Union(holdReasons.map((r) => Type.Literal(r)));

export const OrderCreate = Type.Object(
  {
    channel: Type.String({
      pattern: '^[a-z0-9][a-z0-9_.-]*$',
      minLength: 1,
      maxLength: 64,
      description: 'Sales channel, for example web or amazon',
      examples: ['web'],
    }),
    external_id: Type.String({
      minLength: 1,
      maxLength: limits.externalIdLengthMax,
      pattern: '^[\\x21-\\x7e]+$',
      description: "The channel's own order number; unique per channel",
    }),
    currency: Currency,
    customer: Type.Object(
      {
        email: Type.String({ format: 'email', maxLength: 254 }),
        name: Type.Optional(Name),
        phone: Type.Optional(Type.String({ maxLength: 40, pattern: '^[0-9+()./ -]+$' })),
      },
      { additionalProperties: false },
    ),
    shipping_address: Type.Optional(Address),
    lines: Type.Array(Type.Object({ sku: Sku, quantity: Quantity, unit_price: AmountMinor }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: limits.orderLinesMax,
    }),
    service_level: Type.Optional(
      Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 32, description: 'Requested service level (default standard)' }),
    ),
    promise_date: Type.Optional(Type.String({ format: 'date', description: 'Date promised to the customer' })),
    note: Type.Optional(Text),
    locale: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 35,
        pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
        description: "The customer's language as a BCP 47 tag (e-mails and pages use en or pt-BR); from the shipping country when absent",
        examples: ['pt-BR'],
      }),
    ),
    holds: Type.Optional(
      Type.Array(Type.Object({ reason: HoldReason, note: Type.Optional(Text) }, { additionalProperties: false }), { maxItems: 10 }),
    ),
  },
  { additionalProperties: false },
);

export const OrderBatch = Type.Object(
  { orders: Type.Array(OrderCreate, { minItems: 1, maxItems: limits.batchOrdersMax }) },
  { additionalProperties: false },
);

const FulfillmentOrder = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  location: Nullable(Type.String()),
  path: Type.String(),
  status: Type.Union(fulfillmentOrderStatuses.map((s) => Type.Literal(s))),
  lines: Type.Array(
    Type.Object({
      id: Type.String(),
      line_id: Type.String(),
      sku: Type.String(),
      quantity: Type.Integer(),
      cancelled_quantity: Type.Integer(),
    }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export { FulfillmentOrder };

const Hold = Type.Object({
  id: Type.String(),
  reason: Type.String(),
  note: Nullable(Type.String()),
  status: Type.String(),
  fulfillment_order_id: Nullable(Type.String()),
  created_by: Type.String(),
  created_at: Timestamp,
  released_by: Nullable(Type.String()),
  released_at: Nullable(Timestamp),
});

export const Order = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  external_id: Type.String(),
  status: Type.Union(orderStatuses.map((s) => Type.Literal(s))),
  on_hold: Type.Boolean(),
  currency: Type.String(),
  customer: Type.Object({ email: Type.String(), name: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) }),
  shipping_address: Nullable(Type.Object({}, { additionalProperties: true })),
  service_level: Type.String(),
  promise_date: Nullable(Type.String()),
  note: Nullable(Type.String()),
  locale: Nullable(Type.String()),
  subtotal: Type.Integer(),
  unit_count: Type.Integer(),
  cancel_reason: Nullable(Type.String()),
  lines: Type.Array(
    Type.Object({
      id: Type.String(),
      line_no: Type.Integer(),
      sku: Type.String(),
      kind: Type.String(),
      quantity: Type.Integer(),
      cancelled_quantity: Type.Integer(),
      backordered_quantity: Type.Integer(),
      unit_price: Type.Integer(),
      total: Type.Integer(),
    }),
  ),
  fulfillment_orders: Type.Array(FulfillmentOrder),
  holds: Type.Array(Hold),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const OrderListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(orderStatuses.map((s) => Type.Literal(s)))),
    channel: Type.Optional(Type.String({ maxLength: 64 })),
    external_id: Type.Optional(Type.String({ maxLength: limits.externalIdLengthMax })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    created_after: Type.Optional(Type.String({ format: 'date-time' })),
    created_before: Type.Optional(Type.String({ format: 'date-time' })),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageSizeMax })),
  },
  { additionalProperties: false },
);

export const CancelBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    lines: Type.Optional(
      Type.Array(Type.Object({ line_id: Id, quantity: Quantity }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: limits.orderLinesMax,
      }),
    ),
  },
  { additionalProperties: false },
);

export const HoldBody = Type.Object(
  { reason: HoldReason, note: Type.Optional(Text), fulfillment_order_id: Type.Optional(Id) },
  { additionalProperties: false },
);

export const Event = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  type: Type.String(),
  aggregate_type: Type.String(),
  aggregate_id: Type.String(),
  aggregate_seq: Type.Integer(),
  actor: Type.String(),
  data: Type.Unknown(),
  created_at: Timestamp,
});

export const BatchResult = Type.Object({
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      status: Type.Integer(),
      order: Type.Optional(Order),
      problem: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  ),
  created: Type.Integer(),
  rejected: Type.Integer(),
});
