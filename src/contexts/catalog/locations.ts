import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import { isUniqueViolation } from '../../storage/index.js';
import type { Actor, Deps } from '../deps.js';
import type { Address, Bin, Location, LocationKind } from './domain/types.js';
import { addressFieldErrors } from './domain/validate.js';
import { findLocationByCode, toBin, toLocation } from './store.js';

export interface LocationInput {
  readonly code: string;
  readonly name: string;
  readonly kind: LocationKind;
  readonly priority?: number | undefined;
  readonly active?: boolean | undefined;
  readonly address: Address;
}

export type LocationPatch = Partial<Omit<LocationInput, 'code' | 'kind'>>;

export const locationPriorityDefault = 100;

export async function createLocation(deps: Deps, input: LocationInput, _actor: Actor): Promise<Result<Location>> {
  const errors = addressFieldErrors(input.address, '/address');
  if (errors.length > 0) throw validationProblem(errors);
  const now = deps.clock.now().toISOString();
  const row = {
    id: deps.ids.next('location'),
    code: input.code,
    name: input.name,
    kind: input.kind,
    priority: input.priority ?? locationPriorityDefault,
    active: input.active === false ? 0 : 1,
    address: JSON.stringify(input.address),
    country: input.address.country,
    postal_code: input.address.postal_code,
    created_at: now,
    updated_at: now,
  };
  try {
    await deps.db.transaction((tx) => tx.insertInto('locations').values(row).execute());
  } catch (error) {
    if (isUniqueViolation(error)) return fail('already_exists', `a location with code ${input.code} already exists`);
    throw error;
  }
  return ok(toLocation(row));
}

export async function updateLocation(deps: Deps, code: string, patch: LocationPatch, _actor: Actor): Promise<Result<Location>> {
  if (patch.address) {
    const errors = addressFieldErrors(patch.address, '/address');
    if (errors.length > 0) throw validationProblem(errors);
  }
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction(async (tx) => {
    await tx
      .updateTable('locations')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
        ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
        ...(patch.address !== undefined
          ? {
              address: JSON.stringify(patch.address),
              country: patch.address.country,
              postal_code: patch.address.postal_code,
            }
          : {}),
        updated_at: now,
      })
      .where('code', '=', code)
      .execute();
    return findLocationByCode(tx, code);
  });
  return row ? ok(toLocation(row)) : fail('not_found', `no location with code ${code}`);
}

export async function getLocation(deps: Deps, code: string): Promise<Result<Location>> {
  const row = await findLocationByCode(deps.db.read, code);
  return row ? ok(toLocation(row)) : fail('not_found', `no location with code ${code}`);
}

export async function listLocations(
  deps: Deps,
  query: { kind?: LocationKind | undefined; active?: boolean | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<Location>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('locations')
    .selectAll()
    .orderBy('code')
    .limit(size + 1);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.active !== undefined) q = q.where('active', '=', query.active ? 1 : 0);
  if (after !== undefined) q = q.where('code', '>', after);
  return toPage(await q.execute(), size, (r) => r.code, toLocation);
}

export interface BinInput {
  readonly code: string;
  readonly pick_sequence: number;
}

const binLocationKinds: readonly LocationKind[] = ['warehouse', 'store'];

export async function createBins(deps: Deps, locationCode: string, bins: readonly BinInput[], _actor: Actor): Promise<Result<Bin[]>> {
  const location = await findLocationByCode(deps.db.read, locationCode);
  if (!location) return fail('not_found', `no location with code ${locationCode}`);
  if (!binLocationKinds.includes(location.kind as LocationKind)) {
    return fail('validation_failed', `bins belong to warehouses and stores, not to a ${location.kind} location`);
  }
  const now = deps.clock.now().toISOString();
  const rows = bins.map((b) => ({
    id: deps.ids.next('bin'),
    location_id: location.id,
    code: b.code,
    pick_sequence: b.pick_sequence,
    created_at: now,
  }));
  try {
    await deps.db.transaction((tx) => tx.insertInto('bins').values(rows).execute());
  } catch (error) {
    if (isUniqueViolation(error)) return fail('already_exists', `a bin with one of these codes already exists at ${locationCode}`);
    throw error;
  }
  return ok(rows.map((r) => toBin(r, location.code)));
}

export async function listBins(deps: Deps, locationCode: string): Promise<Result<Bin[]>> {
  const location = await findLocationByCode(deps.db.read, locationCode);
  if (!location) return fail('not_found', `no location with code ${locationCode}`);
  const rows = await deps.db.read
    .selectFrom('bins')
    .selectAll()
    .where('location_id', '=', location.id)
    .orderBy('pick_sequence')
    .orderBy('code')
    .execute();
  return ok(rows.map((r) => toBin(r, location.code)));
}
