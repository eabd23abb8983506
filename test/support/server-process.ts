/**
 * The real server process for end-to-end tests: `node dist/main.js serve` (what `npm start` runs) on a free
 * port, over real HTTP on loopback, with a temporary DATA_DIR or a fresh PostgreSQL schema.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DialectName } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase, testPostgresUrl } from './dialects.js';

export const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..');
export const adminKey = 'e2e-admin-key-0123456789abcdef';
export const auth = { authorization: `Bearer ${adminKey}` };
/** A guard against a hung process, not a timing assertion. */
export const testTimeoutMs = 120_000;

function newestMtimeMs(dir: string, suffix: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix))
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with `npm run build` unless it is already newer than every source file. */
export function buildIfNeeded(): void {
  const dist = path.join(repoRoot, 'dist');
  if (fs.existsSync(path.join(dist, 'main.js')) && newestMtimeMs(dist, '.js') >= newestMtimeMs(path.join(repoRoot, 'src'), '.ts')) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `node dist/main.js serve` on a free port (PORT=0) and resolves once it listens. */
export function startServer(env: Record<string, string>): Promise<Server> {
  const base = { ...process.env };
  for (const name of [
    'DATA_DIR',
    'DATABASE_URL',
    'FULFILL_ADMIN_KEY',
    'PORT',
    'HOST',
    'LOG_LEVEL',
    'SMTP_URL',
    'PUBLIC_URL',
    'FULFILL_SECRET',
    'FULFILL_DISPATCHER',
    'FULFILL_JOB_LEASE_MS',
  ])
    delete base[name];
  const child = spawn(process.execPath, ['dist/main.js', 'serve'], {
    cwd: repoRoot,
    env: { ...base, PORT: '0', HOST: '127.0.0.1', FULFILL_ADMIN_KEY: adminKey, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString();
        });
        resolve({ url, child, exited, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((e) => reject(new Error(`the server exited before listening (${JSON.stringify(e)}):\n${output}`)));
  });
}

export async function call(server: Server, method: string, url: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

export async function must(server: Server, url: string, body: unknown) {
  const res = await call(server, 'POST', url, body);
  assert.ok(res.status === 201 || res.status === 200, `${url} answered ${res.status}: ${res.text}`);
  return res.json();
}

export const order = (externalId: string, quantity = 1) => ({
  channel: 'web',
  external_id: externalId,
  currency: 'USD',
  customer: { email: 'ann@example.com', name: 'Ann Lee' },
  shipping_address: { name: 'Ann Lee', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
  lines: [{ sku: 'MUG-1', quantity, unit_price: 1999 }],
});

export async function seed(server: Server, units: number): Promise<void> {
  await must(server, '/v1/locations', {
    code: 'WH1',
    name: 'Main warehouse',
    kind: 'warehouse',
    priority: 1,
    address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' },
  });
  await must(server, '/v1/items', {
    sku: 'MUG-1',
    name: 'Mug',
    kind: 'physical',
    weight_g: 350,
    dimensions_mm: { length: 120, width: 90, height: 100 },
    barcode: '0012345678905',
    inventory_policy: 'deny',
  });
  await must(server, '/v1/inventory/receipts', { location: 'WH1', lines: [{ sku: 'MUG-1', quantity: units }] });
}

/** Where a server keeps its data: a temporary DATA_DIR, or a fresh PostgreSQL schema through DATABASE_URL. */
export async function serverDatabase(dialect: DialectName): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const database: TestDatabase = await createTestDatabase(dialect);
  if (database.sqliteFile) return { env: { DATA_DIR: path.dirname(database.sqliteFile) }, drop: () => database.drop() };
  const options = encodeURIComponent(`-c search_path=${database.searchPath}`);
  return {
    env: { DATABASE_URL: `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=${options}` },
    drop: () => database.drop(),
  };
}
