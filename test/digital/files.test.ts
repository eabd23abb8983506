import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { findFile, parseRange, saveFile } from '../../src/contexts/files/index.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { problemOf } from '../support/problems.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under the store's root except the temporary directory. */
function storedBlobs(dataDir: string): string[] {
  const root = path.join(dataDir, 'files');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

for (const dialect of await testDialects()) {
  describe(`files (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('upload streams, hashes and records; metadata and bytes come back with Range support', async () => {
      const bytes = randomBytes(200_000);
      const res = await t.request({
        method: 'POST',
        url: '/v1/files?name=Guide%20%C3%A9dition%20%221%22.pdf',
        payload: bytes,
        headers: { 'content-type': 'application/pdf' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const file = res.json();
      assert.equal(file.size, bytes.length);
      assert.equal(file.sha256, sha(bytes));
      assert.equal(file.content_type, 'application/pdf');
      assert.equal(file.name, 'Guide édition "1".pdf');
      assert.match(file.id, /^file_/);

      const meta = await t.get(`/v1/files/${file.id}`);
      assert.deepEqual(meta.json(), file);

      const whole = await t.get(`/v1/files/${file.id}/content`);
      assert.equal(whole.statusCode, 200);
      assert.equal(sha(whole.rawPayload), sha(bytes));
      assert.equal(whole.headers.etag, `"${sha(bytes)}"`);
      assert.equal(whole.headers['accept-ranges'], 'bytes');
      assert.equal(
        whole.headers['content-disposition'],
        `attachment; filename="Guide _dition _1_.pdf"; filename*=UTF-8''Guide%20%C3%A9dition%20%221%22.pdf`,
      );

      const part = await t.get(`/v1/files/${file.id}/content`, { range: 'bytes=100-199' });
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers['content-range'], `bytes 100-199/${bytes.length}`);
      assert.deepEqual(part.rawPayload, bytes.subarray(100, 200));

      const suffix = await t.get(`/v1/files/${file.id}/content`, { range: 'bytes=-10' });
      assert.deepEqual(suffix.rawPayload, bytes.subarray(bytes.length - 10));

      const beyond = await t.get(`/v1/files/${file.id}/content`, { range: `bytes=${bytes.length}-` });
      assert.equal(beyond.statusCode, 416);
      assert.equal(beyond.headers['content-range'], `bytes */${bytes.length}`);

      const stale = await t.get(`/v1/files/${file.id}/content`, { range: 'bytes=0-9', 'if-range': '"other"' });
      assert.equal(stale.statusCode, 200);

      const cached = await t.get(`/v1/files/${file.id}/content`, { 'if-none-match': `"${sha(bytes)}"` });
      assert.equal(cached.statusCode, 304);
    });

    test('refused uploads leave nothing behind: too large, empty, bad name, bad type, no scope', async () => {
      const before = storedBlobs(t.dataDir).length;
      const rowsBefore = (await t.app.db.read.selectFrom('files').select('id').execute()).length;
      await assert.rejects(
        saveFile(t.app, Readable.from([randomBytes(600), randomBytes(600)]), {
          name: 'big.bin',
          contentType: 'application/octet-stream',
          maxBytes: 1000,
        }),
        (error: Error & { problem?: { code: string } }) => error.problem?.code === 'payload_too_large',
      );
      await assert.rejects(saveFile(t.app, Readable.from([]), { name: 'empty.bin', contentType: 'application/octet-stream' }));
      problemOf(
        await t.request({ method: 'POST', url: '/v1/files?name=..', payload: 'x', headers: { 'content-type': 'text/plain' } }),
        400,
        'validation_failed',
      );
      problemOf(
        await t.request({ method: 'POST', url: '/v1/files?name=a.txt', payload: 'x', headers: { 'content-type': 'not a type' } }),
        415,
        'unsupported_media_type',
      );
      problemOf(
        await t.request({ method: 'POST', url: '/v1/files', payload: 'x', headers: { 'content-type': 'text/plain' } }),
        400,
        'validation_failed',
      );
      problemOf(
        await t.request({
          method: 'POST',
          url: '/v1/files?name=a.txt',
          payload: 'x',
          headers: { 'content-type': 'text/plain', authorization: 'Bearer nope' },
        }),
        401,
        'unauthorized',
      );
      assert.equal(storedBlobs(t.dataDir).length, before);
      assert.equal((await t.app.db.read.selectFrom('files').select('id').execute()).length, rowsBefore);
      problemOf(await t.get('/v1/files/file_nope'), 404, 'not_found');
    });

    test('saveFile/findFile from code; a path in the name keeps only its last segment', async () => {
      const stored = await saveFile(t.app, Readable.from([Buffer.from('hello')]), { name: '../../etc/passwd', contentType: 'text/plain' });
      assert.equal(stored.name, 'passwd');
      assert.deepEqual(await findFile(t.app, stored.id), stored);
      assert.equal(await findFile(t.app, 'file_missing'), undefined);
    });
  });
}

test('parseRange follows RFC 9110', () => {
  assert.deepEqual(parseRange(undefined, 10), { kind: 'full' });
  assert.deepEqual(parseRange('bytes=0-4', 10), { kind: 'partial', range: { start: 0, end: 4 } });
  assert.deepEqual(parseRange('bytes=5-', 10), { kind: 'partial', range: { start: 5, end: 9 } });
  assert.deepEqual(parseRange('bytes=8-100', 10), { kind: 'partial', range: { start: 8, end: 9 } });
  assert.deepEqual(parseRange('bytes=-3', 10), { kind: 'partial', range: { start: 7, end: 9 } });
  assert.deepEqual(parseRange('bytes=-30', 10), { kind: 'partial', range: { start: 0, end: 9 } });
  assert.deepEqual(parseRange('bytes=10-', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,3-4', 10), { kind: 'full' });
  assert.deepEqual(parseRange('items=0-1', 10), { kind: 'full' });
  assert.deepEqual(parseRange('bytes=5-2', 10), { kind: 'full' });
});
