import fs from 'node:fs';
import path from 'node:path';
import type { BenchDialect } from './databases.js';

/** `--only sqlite|postgres`: that dialect alone, or `all` when the flag is absent; anything else is an error. */
export function onlyDialects(only: string | undefined, all: readonly BenchDialect[] = ['sqlite', 'postgres']): BenchDialect[] {
  if (only === undefined) return [...all];
  if (only !== 'sqlite' && only !== 'postgres') throw new Error(`--only takes sqlite or postgres, got "${only}"`);
  return [only];
}

/** A `--<name> <n>` flag that must be a positive whole number when given. */
export function positiveCount(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, got "${raw}"`);
  return n;
}

/** Writes a bench's results as JSON and says where. */
export function saveResults(file: string, results: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
}
