import { Type } from '@sinclair/typebox';
import { inventoryPolicies, itemKinds, locationKinds } from '../../contexts/catalog/index.js';
import { Address, AmountMinor, Code, Country, Currency, Name, Nullable, Sku, Timestamp } from './common.js';

const Dimensions = Type.Object(
  {
    length: Type.Integer({ minimum: 1, maximum: 100_000 }),
    width: Type.Integer({ minimum: 1, maximum: 100_000 }),
    height: Type.Integer({ minimum: 1, maximum: 100_000 }),
  },
  { additionalProperties: false },
);
const CustomsValue = Type.Object({ amount: AmountMinor, currency: Currency }, { additionalProperties: false });

const itemFields = {
  name: Name,
  weight_g: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 10_000_000 }))),
  dimensions_mm: Type.Optional(Nullable(Dimensions)),
  barcode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }))),
  hs_code: Type.Optional(Nullable(Type.String({ pattern: '^[0-9.]{6,13}$' }))),
  country_of_origin: Type.Optional(Nullable(Country)),
  customs_value: Type.Optional(Nullable(CustomsValue)),
  inventory_policy: Type.Optional(Type.Union(inventoryPolicies.map((p) => Type.Literal(p)))),
};

export const ItemCreate = Type.Object(
  { sku: Sku, kind: Type.Union(itemKinds.map((k) => Type.Literal(k))), ...itemFields },
  { additionalProperties: false },
);
export const ItemPatch = Type.Partial(Type.Object(itemFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

export const Item = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  weight_g: Nullable(Type.Integer()),
  dimensions_mm: Nullable(Type.Object({ length: Type.Integer(), width: Type.Integer(), height: Type.Integer() })),
  barcode: Nullable(Type.String()),
  hs_code: Nullable(Type.String()),
  country_of_origin: Nullable(Type.String()),
  customs_value: Nullable(Type.Object({ amount: Type.Integer(), currency: Type.String() })),
  inventory_policy: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const locationFields = {
  name: Name,
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Lower is preferred by sourcing (default 100)' })),
  active: Type.Optional(Type.Boolean()),
  address: Address,
};

export const LocationCreate = Type.Object(
  { code: Code, kind: Type.Union(locationKinds.map((k) => Type.Literal(k))), ...locationFields },
  { additionalProperties: false },
);
export const LocationPatch = Type.Partial(Type.Object(locationFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

export const Location = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  priority: Type.Integer(),
  active: Type.Boolean(),
  address: Type.Object({}, { additionalProperties: true }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const BinCreate = Type.Object(
  {
    bins: Type.Array(
      Type.Object(
        {
          code: Type.String({ pattern: '^[A-Z0-9]+(-[A-Z0-9]+)*$', maxLength: 32, description: 'Aisle-rack-shelf, for example A-01-03' }),
          pick_sequence: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 5_000 },
    ),
  },
  { additionalProperties: false },
);
export const Bin = Type.Object({
  id: Type.String(),
  location: Type.String(),
  code: Type.String(),
  pick_sequence: Type.Integer(),
  created_at: Timestamp,
});
