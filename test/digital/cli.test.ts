/**
 * `fulfill digital upload` as users run it (a child process): a file stored and attached to a digital item,
 * pool codes added from a CSV, and a refused CSV. Read back through an in-process app on the same database.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compose } from '../../src/compose.js';
import { getDigitalProduct, putDigitalProduct } from '../../src/contexts/digital/index.js';
import { createTestDatabase, testDialects, testPostgresUrl } from '../support/dialects.js';

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..');

function cli(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of ['DATA_DIR', 'DATABASE_URL', 'FULFILL_ADMIN_KEY']) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...base, NO_COLOR: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const dialect of await testDialects()) {
  describe(`fulfill digital upload (${dialect})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-digital-cli-'));
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('stores and attaches a file, fills a pool, refuses a bad CSV', { timeout: 240_000 }, async () => {
      let env: Record<string, string> = { DATA_DIR: dir };
      let options: Parameters<typeof compose>[0] = { dataDir: dir };
      if (dialect === 'postgres') {
        const database = await createTestDatabase('postgres');
        cleanups.push(() => database.drop());
        const searchPath = database.searchPath ?? '';
        env = {
          DATA_DIR: dir,
          DATABASE_URL: `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${searchPath}`)}`,
        };
        options = { dataDir: dir, databaseUrl: testPostgresUrl, searchPath };
      }
      const app = await compose(options);
      cleanups.unshift(() => app.close());
      await app.db.transaction((tx) =>
        tx
          .insertInto('items')
          .values(
            ['BOOK-CLI', 'CODES-CLI'].map((sku) => ({
              id: app.ids.next('item'),
              sku,
              name: sku,
              kind: 'digital',
              weight_g: null,
              length_mm: null,
              width_mm: null,
              height_mm: null,
              barcode: null,
              hs_code: null,
              country_of_origin: null,
              customs_value: null,
              customs_currency: null,
              inventory_policy: 'continue',
              created_at: new Date().toISOString(),
              updated_at: new Date().toISOString(),
            })),
          )
          .execute(),
      );
      const bytes = randomBytes(50_000);
      const bookPath = path.join(dir, 'book.epub');
      fs.writeFileSync(bookPath, bytes);
      const stored = await cli(['digital', 'upload', bookPath, '--sku', 'BOOK-CLI'], env);
      assert.equal(stored.code, 0, stored.stderr);
      assert.match(stored.stdout, new RegExp(`sha256 ${createHash('sha256').update(bytes).digest('hex')}`));
      const book = await getDigitalProduct(app, 'BOOK-CLI');
      assert.deepEqual(
        book.files.map((f) => [f.name, f.content_type, f.size]),
        [['book.epub', 'application/epub+zip', bytes.length]],
      );

      await putDigitalProduct(app, 'CODES-CLI', { license: { source: 'pool' } });
      const csvPath = path.join(dir, 'codes.csv');
      fs.writeFileSync(csvPath, 'code\nAAA-1\nAAA-2\nAAA-2\n');
      const pool = await cli(['digital', 'upload', '--pool', 'CODES-CLI', csvPath], env);
      assert.equal(pool.code, 0, pool.stderr);
      assert.match(pool.stdout, /2 code\(s\) added, 1 duplicate\(s\) skipped, 2 available/);
      assert.deepEqual((await getDigitalProduct(app, 'CODES-CLI')).pool, { available: 2, issued: 0 });

      fs.writeFileSync(csvPath, 'code\n\u0007\n');
      const bad = await cli(['digital', 'upload', '--pool', 'CODES-CLI', csvPath], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^fulfill: .*\/rows\/2/);
      const missing = await cli(['digital', 'upload', path.join(dir, 'nope.pdf')], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no file/);
    });
  });
}
