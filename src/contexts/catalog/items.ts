import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import { isUniqueViolation } from '../../storage/index.js';
import type { Actor, Deps } from '../deps.js';
import type { Dimensions, InventoryPolicy, Item, ItemKind } from './domain/types.js';
import { itemFieldErrors } from './domain/validate.js';
import { findItemBySku, toItem } from './store.js';

export interface ItemInput {
  readonly sku: string;
  readonly name: string;
  readonly kind: ItemKind;
  readonly weight_g?: number | null | undefined;
  readonly dimensions_mm?: Dimensions | null | undefined;
  readonly barcode?: string | null | undefined;
  readonly hs_code?: string | null | undefined;
  readonly country_of_origin?: string | null | undefined;
  readonly customs_value?: { readonly amount: number; readonly currency: string } | null | undefined;
  readonly inventory_policy?: InventoryPolicy | undefined;
}

export type ItemPatch = Partial<Omit<ItemInput, 'sku' | 'kind'>>;

function columns(input: ItemPatch) {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.weight_g !== undefined ? { weight_g: input.weight_g } : {}),
    ...(input.dimensions_mm !== undefined
      ? {
          length_mm: input.dimensions_mm?.length ?? null,
          width_mm: input.dimensions_mm?.width ?? null,
          height_mm: input.dimensions_mm?.height ?? null,
        }
      : {}),
    ...(input.barcode !== undefined ? { barcode: input.barcode } : {}),
    ...(input.hs_code !== undefined ? { hs_code: input.hs_code?.replaceAll('.', '') ?? null } : {}),
    ...(input.country_of_origin !== undefined ? { country_of_origin: input.country_of_origin } : {}),
    ...(input.customs_value !== undefined
      ? { customs_value: input.customs_value?.amount ?? null, customs_currency: input.customs_value?.currency ?? null }
      : {}),
    ...(input.inventory_policy !== undefined ? { inventory_policy: input.inventory_policy } : {}),
  };
}

export async function createItem(deps: Deps, input: ItemInput, _actor: Actor): Promise<Result<Item>> {
  const errors = itemFieldErrors(input);
  if (errors.length > 0) throw validationProblem(errors);
  const now = deps.clock.now().toISOString();
  const row = {
    id: deps.ids.next('item'),
    sku: input.sku,
    name: input.name,
    kind: input.kind,
    weight_g: null,
    length_mm: null,
    width_mm: null,
    height_mm: null,
    barcode: null,
    hs_code: null,
    country_of_origin: null,
    customs_value: null,
    customs_currency: null,
    inventory_policy: input.inventory_policy ?? 'deny',
    ...columns(input),
    created_at: now,
    updated_at: now,
  };
  try {
    await deps.db.transaction((tx) => tx.insertInto('items').values(row).execute());
  } catch (error) {
    if (isUniqueViolation(error)) return fail('already_exists', `an item with SKU ${input.sku} already exists`);
    throw error;
  }
  return ok(toItem(row));
}

export async function updateItem(deps: Deps, sku: string, patch: ItemPatch, _actor: Actor): Promise<Result<Item>> {
  const errors = itemFieldErrors(patch);
  if (errors.length > 0) throw validationProblem(errors);
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction(async (tx) => {
    await tx
      .updateTable('items')
      .set({ ...columns(patch), updated_at: now })
      .where('sku', '=', sku)
      .execute();
    return findItemBySku(tx, sku);
  });
  return row ? ok(toItem(row)) : fail('not_found', `no item with SKU ${sku}`);
}

export async function getItem(deps: Deps, sku: string): Promise<Result<Item>> {
  const row = await findItemBySku(deps.db.read, sku);
  return row ? ok(toItem(row)) : fail('not_found', `no item with SKU ${sku}`);
}

export async function listItems(
  deps: Deps,
  query: { kind?: ItemKind | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<Item>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('items')
    .selectAll()
    .orderBy('sku')
    .limit(size + 1);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (after !== undefined) q = q.where('sku', '>', after);
  return toPage(await q.execute(), size, (r) => r.sku, toItem);
}
