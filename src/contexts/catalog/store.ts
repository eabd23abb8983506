import type { Selectable } from 'kysely';
import type { Tx } from '../../storage/index.js';
import type { Database } from '../../storage/schema.js';
import type { Address, Bin, InventoryPolicy, Item, ItemKind, Location, LocationKind } from './domain/types.js';

export type ItemRow = Selectable<Database['items']>;
export type LocationRow = Selectable<Database['locations']>;

export function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    kind: row.kind as ItemKind,
    weight_g: row.weight_g,
    dimensions_mm:
      row.length_mm !== null && row.width_mm !== null && row.height_mm !== null
        ? { length: row.length_mm, width: row.width_mm, height: row.height_mm }
        : null,
    barcode: row.barcode,
    hs_code: row.hs_code,
    country_of_origin: row.country_of_origin,
    customs_value:
      row.customs_value !== null && row.customs_currency !== null ? { amount: row.customs_value, currency: row.customs_currency } : null,
    inventory_policy: row.inventory_policy as InventoryPolicy,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toLocation(row: LocationRow): Location {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind as LocationKind,
    priority: row.priority,
    active: row.active === 1,
    address: JSON.parse(row.address) as Address,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export const findItemBySku = (tx: Tx, sku: string) => tx.selectFrom('items').selectAll().where('sku', '=', sku).executeTakeFirst();

export const findItemsBySkus = (tx: Tx, skus: readonly string[]) =>
  skus.length === 0 ? Promise.resolve([]) : tx.selectFrom('items').selectAll().where('sku', 'in', skus).execute();

export const findItemsByIds = (tx: Tx, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([]) : tx.selectFrom('items').selectAll().where('id', 'in', ids).execute();

export const findLocationByCode = (tx: Tx, code: string) =>
  tx.selectFrom('locations').selectAll().where('code', '=', code).executeTakeFirst();

export const findLocationsByIds = (tx: Tx, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([]) : tx.selectFrom('locations').selectAll().where('id', 'in', ids).execute();

export const findLocationsByCodes = (tx: Tx, codes: readonly string[]) =>
  codes.length === 0 ? Promise.resolve([]) : tx.selectFrom('locations').selectAll().where('code', 'in', codes).execute();

export function toBin(row: Selectable<Database['bins']>, locationCode: string): Bin {
  return { id: row.id, location: locationCode, code: row.code, pick_sequence: row.pick_sequence, created_at: row.created_at };
}
