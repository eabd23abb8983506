import { Type } from '@sinclair/typebox';
import { Code, Id, Nullable, Quantity, Sku, Timestamp } from './common.js';

const BinCode = Type.String({ pattern: '^[A-Z0-9]+(-[A-Z0-9]+)*$', maxLength: 32 });

export const SlottingBody = Type.Object(
  { slots: Type.Array(Type.Object({ sku: Sku, bin: BinCode }, { additionalProperties: false }), { minItems: 1, maxItems: 5_000 }) },
  { additionalProperties: false },
);
export const Slot = Type.Object({ sku: Type.String(), bin: Type.String(), pick_sequence: Type.Integer() });

export const WaveBody = Type.Object(
  {
    location: Code,
    strategy: Type.Union([Type.Literal('single'), Type.Literal('batch')], {
      description: 'single: one order per pick list; batch: many orders in one walk, a tote per order',
    }),
    service_level: Type.Optional(Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 32 })),
    promise_date_before: Type.Optional(Type.String({ format: 'date', description: 'only orders promised on or before this date' })),
    max_orders: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    max_units: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    orders_per_pick_list: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, description: 'batch strategy: totes per cart (default 12)' }),
    ),
  },
  { additionalProperties: false },
);

export const PickTask = Type.Object({
  id: Type.String(),
  position: Type.Integer(),
  bin: Nullable(Type.String()),
  pick_sequence: Type.Integer(),
  sku: Type.String(),
  barcode: Nullable(Type.String()),
  name: Type.String(),
  quantity: Type.Integer(),
  picked_quantity: Type.Integer(),
  short_quantity: Type.Integer(),
  tote: Type.String(),
  fulfillment_order_id: Type.String(),
  status: Type.String(),
});

export const PickList = Type.Object({
  id: Type.String(),
  wave_id: Type.String(),
  location: Type.String(),
  status: Type.String(),
  walk_length: Type.Integer(),
  naive_walk_length: Type.Integer(),
  tasks: Type.Array(PickTask),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const Wave = Type.Object({
  id: Type.String(),
  location: Type.String(),
  strategy: Type.String(),
  status: Type.String(),
  filters: Type.Object({}, { additionalProperties: true }),
  fulfillment_order_ids: Type.Array(Type.String()),
  pick_lists: Type.Array(PickList),
  created_at: Timestamp,
});

export const ScanBody = Type.Object(
  {
    bin: Type.String({ minLength: 1, maxLength: 32 }),
    barcode: Type.String({ minLength: 1, maxLength: 64 }),
    quantity: Type.Optional(Quantity),
  },
  { additionalProperties: false },
);
export const ScanResult = Type.Object({
  task_id: Type.String(),
  sku: Type.String(),
  tote: Type.String(),
  picked_quantity: Type.Integer(),
  remaining_quantity: Type.Integer(),
  pick_list: PickList,
});
export const ShortBody = Type.Object({ task_id: Id, quantity: Quantity }, { additionalProperties: false });
export const ShortResult = Type.Object({
  reallocated: Type.Array(Type.Object({ location: Type.String(), quantity: Type.Integer() })),
  backordered: Type.Integer(),
  pick_list: PickList,
});

const Mm = Type.Object(
  {
    length: Type.Integer({ minimum: 1, maximum: 3_000 }),
    width: Type.Integer({ minimum: 1, maximum: 3_000 }),
    height: Type.Integer({ minimum: 1, maximum: 3_000 }),
  },
  { additionalProperties: false },
);
export const BoxesBody = Type.Object(
  {
    boxes: Type.Array(
      Type.Object(
        {
          code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 32 }),
          kind: Type.Optional(Type.Union([Type.Literal('box'), Type.Literal('mailer')])),
          inner_mm: Mm,
          outer_mm: Type.Optional(Mm),
          box_weight_g: Type.Integer({ minimum: 0, maximum: 50_000 }),
          max_weight_g: Type.Integer({ minimum: 1, maximum: 100_000 }),
          cost: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
const Dims = Type.Object({ length: Type.Integer(), width: Type.Integer(), height: Type.Integer() });
export const BoxView = Type.Object({
  code: Type.String(),
  kind: Type.String(),
  inner_mm: Dims,
  outer_mm: Dims,
  box_weight_g: Type.Integer(),
  max_weight_g: Type.Integer(),
  cost: Type.Integer(),
  source: Type.String(),
});

const SkuQuantity = Type.Object({ sku: Sku, quantity: Quantity }, { additionalProperties: false });
export const PackBody = Type.Object(
  {
    scans: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 1,
        maxItems: 1_000,
        description: 'one scan (GTIN or SKU) per unit',
      }),
    ),
    items: Type.Optional(Type.Array(SkuQuantity, { minItems: 1, maxItems: 500 })),
    box: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: "the packer's box; overrides the proposal" })),
  },
  { additionalProperties: false },
);
export const Proposal = Type.Object({
  parcels: Type.Array(
    Type.Object({
      box: Type.String(),
      items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
      actual_weight_g: Type.Integer(),
      billable_weight_g: Type.Integer(),
      fill_ratio: Type.Number(),
      box_cost: Type.Integer(),
      rate: Type.Integer(),
      cost: Type.Integer(),
    }),
  ),
  cost: Type.Integer(),
});
export const Parcel = Type.Object({
  id: Type.String(),
  fulfillment_order_id: Type.String(),
  status: Type.String(),
  box: Type.String(),
  dimensions_mm: Dims,
  weight_g: Type.Integer(),
  billable_weight_g: Nullable(Type.Integer()),
  sscc: Type.String(),
  items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
  label: Type.Object({
    state: Type.String(),
    carrier: Nullable(Type.String()),
    service: Nullable(Type.String()),
    tracking_number: Nullable(Type.String()),
    cost: Nullable(Type.Integer()),
    currency: Nullable(Type.String()),
    attempts: Type.Integer(),
    error: Nullable(Type.String()),
    formats: Type.Array(Type.String()),
  }),
  rate_choice: Type.Unknown(),
  shipment_id: Nullable(Type.String()),
  manifest_id: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const LabelBody = Type.Object(
  {
    strategy: Type.Optional(
      Type.Union([Type.Literal('cheapest'), Type.Literal('fastest'), Type.Literal('promise')], {
        description: 'promise: the cheapest that meets the order promise date',
      }),
    ),
    carrier: Type.Optional(Type.String({ maxLength: 64 })),
    service: Type.Optional(Type.String({ maxLength: 64 })),
    ship_date: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);
export const Shipment = Type.Object({
  id: Type.String(),
  fulfillment_order_id: Type.String(),
  order_id: Type.String(),
  carrier: Type.String(),
  service: Type.String(),
  status: Type.String(),
  tracking_numbers: Type.Array(Type.String()),
  cost: Type.Integer(),
  currency: Type.String(),
  shipped_at: Timestamp,
  remainder_fulfillment_order_id: Nullable(Type.String()),
  parcels: Type.Array(Parcel),
});
export const ManifestBody = Type.Object(
  { location: Code, carrier: Type.String({ minLength: 1, maxLength: 64 }), ship_date: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);
export const Manifest = Type.Object({
  id: Type.String(),
  location: Type.String(),
  carrier: Type.String(),
  ship_date: Type.String(),
  parcels: Type.Array(
    Type.Object({
      id: Type.String(),
      tracking_number: Nullable(Type.String()),
      sscc: Type.String(),
      service: Nullable(Type.String()),
      weight_g: Type.Integer(),
      fulfillment_order_id: Type.String(),
    }),
  ),
  created_at: Timestamp,
});
