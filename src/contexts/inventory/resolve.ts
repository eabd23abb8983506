import type { FieldError } from '../../kernel/problem.js';
import { validationProblem } from '../../kernel/problem.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Tx } from '../../storage/index.js';
import { findItemsBySkus, findLocationByCode, type ItemRow, type LocationRow } from '../catalog/index.js';

export interface SkuLine {
  readonly sku: string;
  readonly quantity: number;
}

/** Maps SKUs to stocked items; unknown SKUs and non-physical items are refused with field paths. */
export async function resolveStockLines<L extends SkuLine>(tx: Tx, lines: readonly L[]): Promise<Result<{ line: L; item: ItemRow }[]>> {
  const items = new Map((await findItemsBySkus(tx, [...new Set(lines.map((l) => l.sku))])).map((i) => [i.sku, i]));
  const unknown: FieldError[] = [];
  const notStocked: FieldError[] = [];
  const resolved: { line: L; item: ItemRow }[] = [];
  lines.forEach((line, i) => {
    const item = items.get(line.sku);
    if (!item) unknown.push({ pointer: `/lines/${i}/sku`, detail: `unknown SKU ${line.sku}` });
    else if (item.kind !== 'physical') notStocked.push({ pointer: `/lines/${i}/sku`, detail: `${line.sku} is ${item.kind}, not stocked` });
    else resolved.push({ line, item });
  });
  if (unknown.length > 0) return fail('unknown_sku', unknown.map((e) => e.detail).join('; '), { errors: unknown });
  if (notStocked.length > 0) return fail('not_stocked', notStocked.map((e) => e.detail).join('; '), { errors: notStocked });
  return ok(resolved);
}

export async function resolveLocation(tx: Tx, code: string, pointer: string): Promise<Result<LocationRow>> {
  const location = await findLocationByCode(tx, code);
  if (!location) return fail('unknown_location', `no location with code ${code}`, { errors: [{ pointer, detail: 'unknown location' }] });
  return ok(location);
}

/** The same SKU twice in one request is almost always a client bug; refuse it rather than guess. */
export function assertDistinctSkus(lines: readonly SkuLine[]): void {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  lines.forEach((l, i) => {
    if (seen.has(l.sku)) errors.push({ pointer: `/lines/${i}/sku`, detail: `SKU ${l.sku} appears twice` });
    seen.add(l.sku);
  });
  if (errors.length > 0) throw validationProblem(errors);
}
