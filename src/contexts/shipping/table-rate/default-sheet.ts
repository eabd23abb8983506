import { readFile } from 'node:fs/promises';
import { assert } from '../../../kernel/assert.js';
import type { FieldError } from '../../../kernel/problem.js';
import type { Result } from '../../../kernel/result.js';
import defaultSheetJson from './default-rate-sheet.json' with { type: 'json' };
import { parseRateSheet, type RateSheet } from './rate-sheet.js';

/**
 * The rate sheet shipped with the platform, so it rates and labels offline out of the box: US-origin
 * zones (regional, national, non-contiguous, Canada and Mexico), Netherlands-origin zones (domestic, EU)
 * and the rest of the world; services ground, express, economy and international; prices in USD.
 * Copy default-rate-sheet.json, edit it and load it with `readRateSheetFile`.
 */
function loadDefault(): RateSheet {
  const parsed = parseRateSheet(defaultSheetJson);
  assert(parsed.ok, `the shipped default rate sheet is invalid: ${parsed.ok ? '' : JSON.stringify(parsed.error)}`);
  return parsed.value;
}

export const defaultRateSheet: RateSheet = loadDefault();

export type RateSheetFileError =
  | { readonly kind: 'unreadable'; readonly detail: string }
  | { readonly kind: 'invalid'; readonly errors: readonly FieldError[] };

/** Reads and validates a rate sheet JSON file: an operator's own sheet. */
export async function readRateSheetFile(path: string): Promise<Result<RateSheet, RateSheetFileError>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    return { ok: false, error: { kind: 'unreadable', detail: error instanceof Error ? error.message : String(error) } };
  }
  const parsed = parseRateSheet(json);
  return parsed.ok ? parsed : { ok: false, error: { kind: 'invalid', errors: parsed.error } };
}
