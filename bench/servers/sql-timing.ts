/**
 * Opt-in statement timing for the bench server (npm run bench -- --profile): wraps the drivers' entry points
 * so each statement's wall time is added to its kind ("insert orders", "select items", "commit", ...). On
 * SQLite the time is spent on the event loop (better-sqlite3 is synchronous, the COMMIT includes the fsync);
 * on PostgreSQL it is the round trip. Installed before the app opens its database.
 */
import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export type SqlTimes = Record<string, { count: number; ms: number }>;

let times: SqlTimes = {};

export const sqlTimes = (): SqlTimes => times;
export const resetSqlTimes = (): void => {
  times = {};
};

/** "insert orders", "select inventory_levels", "update inventory_levels", "commit", "begin". */
function kindOf(text: string): string {
  const t = text.trimStart().toLowerCase();
  const insert = /^insert into "?(\w+)/.exec(t);
  if (insert) return `insert ${insert[1]}`;
  if (t.startsWith('select')) return `select ${/ from "?(\w+)/.exec(t)?.[1] ?? '?'}`;
  if (t.startsWith('with') && t.includes('update inventory_levels')) return 'update inventory_levels';
  const update = /^update "?(\w+)/.exec(t);
  if (update) return `update ${update[1]}`;
  return t.split(/\s+/, 2).join(' ');
}

function record(kind: string, started: number): void {
  const entry = times[kind] ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += performance.now() - started;
  times[kind] = entry;
}

export function installSqlTiming(): void {
  const sqlite = SqliteDatabase.prototype as unknown as { prepare(sql: string): Record<string, unknown> };
  const prepare = sqlite.prepare;
  sqlite.prepare = function (this: unknown, text: string) {
    const statement = prepare.call(this, text);
    const kind = kindOf(text);
    for (const method of ['run', 'all', 'get', 'iterate']) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      statement[method] = function (this: unknown, ...args: unknown[]) {
        const started = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          record(kind, started);
        }
      };
    }
    return statement;
  };
  const client = pg.Client.prototype as unknown as { query(...args: unknown[]): unknown };
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '');
    const started = performance.now();
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      const kind = kindOf(text);
      result.then(
        () => record(kind, started),
        () => record(kind, started),
      );
    }
    return result;
  };
}
