/**
 * API key scopes. `admin` grants everything; a `:write` scope grants the matching `:read`.
 * `warehouse` is for floor devices: reading orders and inventory and doing warehouse work.
 */
export const scopes = [
  'admin',
  'orders:read',
  'orders:write',
  'inventory:read',
  'inventory:write',
  'catalog:read',
  'catalog:write',
  'warehouse',
  'mail:read',
  'mail:write',
  'webhooks:read',
  'webhooks:write',
  'tracking:read',
  'tracking:write',
  'digital:read',
  'digital:write',
  'licenses',
  'leads:read',
  'leads:write',
] as const;
export type Scope = (typeof scopes)[number];

const implied: Readonly<Record<Scope, readonly Scope[]>> = {
  admin: scopes,
  'orders:read': ['orders:read'],
  'orders:write': ['orders:write', 'orders:read', 'catalog:read'],
  'inventory:read': ['inventory:read'],
  'inventory:write': ['inventory:write', 'inventory:read', 'catalog:read'],
  'catalog:read': ['catalog:read'],
  'catalog:write': ['catalog:write', 'catalog:read'],
  warehouse: ['warehouse', 'orders:read', 'inventory:read', 'catalog:read'],
  'mail:read': ['mail:read'],
  'mail:write': ['mail:write', 'mail:read'],
  'webhooks:read': ['webhooks:read'],
  'webhooks:write': ['webhooks:write', 'webhooks:read'],
  'tracking:read': ['tracking:read'],
  'tracking:write': ['tracking:write', 'tracking:read'],
  'digital:read': ['digital:read'],
  'digital:write': ['digital:write', 'digital:read'],
  // For the merchant's own software: validate, activate and deactivate license keys, nothing else.
  licenses: ['licenses'],
  'leads:read': ['leads:read'],
  'leads:write': ['leads:write', 'leads:read'],
};

export const isScope = (value: string): value is Scope => (scopes as readonly string[]).includes(value);

/** True when a key holding `granted` may do what `required` protects. */
export const allows = (granted: readonly Scope[], required: Scope): boolean => granted.some((g) => implied[g].includes(required));
