import { type TSchema, Type } from '@sinclair/typebox';
import { limits } from '../../kernel/limits.js';

export const Sku = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  minLength: 1,
  maxLength: limits.skuLengthMax,
  description: 'Stock keeping unit: letters, digits, dot, dash, underscore',
  examples: ['MUG-1'],
});
export const Code = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  minLength: 1,
  maxLength: limits.codeLengthMax,
  examples: ['WH1'],
});
export const Name = Type.String({ minLength: 1, maxLength: limits.nameLengthMax });
export const Text = Type.String({ maxLength: limits.textLengthMax });
export const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['US'] });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217', examples: ['USD'] });
export const Quantity = Type.Integer({ minimum: 1, maximum: limits.lineQuantityMax, description: 'Units, a positive whole number' });
export const AmountMinor = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Money in integer minor units (cents)' });
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Address = Type.Object(
  {
    name: Type.Optional(Name),
    company: Type.Optional(Name),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9][A-Za-z0-9 -]*$' }),
    country: Country,
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem document' },
);

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pageSizeMax })),
};

export const page = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), next_cursor: Nullable(Type.String()) });

/** Standard error responses every route documents. */
export const problemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
};
