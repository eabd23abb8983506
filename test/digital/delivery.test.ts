/**
 * The digital path end to end over HTTP: a digital order is delivered (entitlement, keys, the e-mail
 * received by a real SMTP server), the link from the e-mail downloads the exact bytes, the limit is
 * enforced, tampered links are refused, licenses activate within their limit, expiry follows the clock,
 * and a refund withdraws access and suspends the keys. Every suite runs on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { item, must, order } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf, uniqueNames } from '../support/problems.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';

const publicUrl = 'https://shop.example';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const uid = uniqueNames();
const json = { accept: 'application/json' };
const html = { accept: 'text/html,application/xhtml+xml' };

async function upload(t: TestApp, bytes: Buffer, name: string, type = 'application/pdf'): Promise<Json> {
  const res = await t.request({
    method: 'POST',
    url: `/v1/files?name=${encodeURIComponent(name)}`,
    payload: bytes,
    headers: { 'content-type': type },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

async function digitalItem(t: TestApp, sku: string, setup: Json): Promise<Json> {
  await must(t, '/v1/items', item(sku, { kind: 'digital', weight_g: undefined, dimensions_mm: undefined }));
  const res = await t.request({ method: 'PUT', url: `/v1/digital/items/${sku}`, payload: setup });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function placeDigital(t: TestApp, lines: { sku: string; quantity: number }[], extra: Json = {}): Promise<Json> {
  const { shipping_address: _unused, ...body } = order(uid('D-'), lines, extra);
  const res = await t.post('/v1/orders', body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

/** The path of a URL from an e-mail (the app is reached in-process). */
const pathOf = (url: string) => {
  assert.ok(url.startsWith(`${publicUrl}/d/`), url);
  return url.slice(publicUrl.length);
};

async function timeline(t: TestApp, orderId: string): Promise<string[]> {
  const res = await t.get(`/v1/orders/${orderId}/events?limit=200`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data.map((e: Json) => e.type);
}

for (const dialect of await testDialects()) {
  describe(`digital delivery (${dialect})`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    before(async () => {
      smtp = await startSmtpServer();
      t = await createTestApp(dialect, { clock, compose: { smtpUrl: smtp.url, publicUrl } });
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    test('order -> entitlement -> e-mail over SMTP -> exact bytes -> limit -> licenses -> refund revokes', async () => {
      const bytes = randomBytes(300_000);
      const file = await upload(t, bytes, 'handbook.pdf');
      await digitalItem(t, 'EBOOK-1', { files: [file.id], download_limit: 2 });
      await digitalItem(t, 'APP-1', { license: { source: 'generated', max_activations: 2, prefix: 'APP' } });
      const placed = await placeDigital(
        t,
        [
          { sku: 'EBOOK-1', quantity: 1 },
          { sku: 'APP-1', quantity: 1 },
        ],
        { customer: { email: 'buyer@example.com', name: 'Bea Buyer' } },
      );
      await t.drain();

      const mails = await smtp.waitFor(1, 10_000);
      const mail = mails.find((m) => m.subject?.includes('download') && m.text?.includes(placed.external_id));
      assert.ok(mail, `delivery e-mail among ${mails.map((m) => m.subject).join(' | ')}`);
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined, 'buyer@example.com');
      const text = mail.text ?? '';
      const fileUrl = text.match(/https:\/\/shop\.example\/d\/[A-Za-z0-9_-]{43}\/files\/file_[A-Za-z0-9]+/)?.[0];
      assert.ok(fileUrl, text);
      const key = text.match(/APP-[0-9A-Z]{5}(-[0-9A-Z]{5}){4}/)?.[0];
      assert.ok(key, text);

      // The page and the storefront API show the same delivery.
      const pageUrl = fileUrl.replace(/\/files\/.*$/, '');
      const page = await t.request({ method: 'GET', url: pathOf(pageUrl), headers: { ...html, authorization: '' } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /handbook\.pdf/);
      assert.equal(page.headers['cache-control'], 'private, no-store');
      const pages = [...text.matchAll(/https:\/\/shop\.example\/d\/[A-Za-z0-9_-]{43}(?=\s)/g)].map((m) => m[0]);
      assert.equal(pages.length, 2, 'one page per line');
      const keyPage = await t.request({ method: 'GET', url: pathOf(pages.find((p) => p !== pageUrl) as string), headers: html });
      assert.match(keyPage.body, new RegExp(key));
      const api = (await t.get(`/v1/orders/${placed.id}/digital`)).json();
      assert.equal(api.status, 'delivered');
      assert.equal(api.entitlements.length, 2);
      const ebook = api.entitlements.find((e: Json) => e.sku === 'EBOOK-1');
      assert.equal(ebook.files[0].url, fileUrl);
      assert.equal(ebook.files[0].sha256, sha(bytes));
      assert.deepEqual(
        api.entitlements.find((e: Json) => e.sku === 'APP-1').licenses.map((l: Json) => [l.key, l.status]),
        [[key, 'inactive']],
      );
      const o = (await t.get(`/v1/orders/${placed.id}`)).json();
      assert.equal(o.status, 'fulfilled');

      // The merchant's view shows counts, never links or keys.
      const admin = await t.get(`/v1/orders/${placed.id}/entitlements`);
      assert.doesNotMatch(admin.body, new RegExp(key));
      assert.doesNotMatch(admin.body, /\/d\//);

      // Download: the exact bytes, twice; the third is refused.
      const first = await t.request({ method: 'GET', url: pathOf(fileUrl), headers: { authorization: '' } });
      assert.equal(first.statusCode, 200);
      assert.equal(sha(first.rawPayload), sha(bytes));
      assert.match(String(first.headers['content-disposition']), /^attachment; filename="handbook\.pdf"/);
      const resumed = await t.request({ method: 'GET', url: pathOf(fileUrl), headers: { range: 'bytes=1000-' } });
      assert.equal(resumed.statusCode, 206, 'a resumed download is not counted');
      assert.deepEqual(resumed.rawPayload, bytes.subarray(1000));
      const second = await t.request({ method: 'GET', url: pathOf(fileUrl), headers: { range: 'bytes=0-99' } });
      assert.equal(second.statusCode, 206);
      assert.deepEqual(second.rawPayload, bytes.subarray(0, 100));
      problemOf(await t.request({ method: 'GET', url: pathOf(fileUrl), headers: json }), 403, 'download_limit_reached');
      const friendly = await t.request({ method: 'GET', url: pathOf(fileUrl), headers: html });
      assert.equal(friendly.statusCode, 403);
      assert.match(String(friendly.headers['content-type']), /^text\/html/);
      assert.match(friendly.body, /used for all of its downloads/);
      const counts = (await t.get(`/v1/orders/${placed.id}/entitlements`)).json();
      assert.equal(counts.data.find((e: Json) => e.sku === 'EBOOK-1').download_count, 2);

      // Licenses: validate, activate within the limit, deactivate.
      const validate = (body: Json) => t.post('/v1/licenses/validate', body);
      assert.deepEqual((({ valid, code, license }) => ({ valid, code, status: license.status }))((await validate({ key })).json()), {
        valid: true,
        code: 'valid',
        status: 'inactive',
      });
      assert.equal((await validate({ key: key.toLowerCase().replaceAll('-', ' ') })).json().code, 'valid', 'keys are read leniently');
      assert.equal((await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-1' })).statusCode, 201);
      assert.equal((await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-1' })).statusCode, 200);
      assert.equal((await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-2', label: 'laptop' })).statusCode, 201);
      problemOf(await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-3' }), 409, 'activation_limit_reached');
      assert.equal((await validate({ key, fingerprint: 'machine-1' })).json().code, 'valid');
      assert.equal((await validate({ key, fingerprint: 'machine-3' })).json().code, 'not_activated');
      assert.equal((await validate({ key })).json().license.status, 'active');
      assert.equal((await t.post('/v1/licenses/deactivate', { key, fingerprint: 'machine-2' })).statusCode, 200);
      problemOf(await t.post('/v1/licenses/deactivate', { key, fingerprint: 'machine-2' }), 404, 'activation_not_found');
      assert.equal((await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-3' })).statusCode, 201);
      const typo = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
      assert.equal((await validate({ key: typo })).json().code, 'malformed_key');
      assert.equal((await validate({ key: 'NOT-A-KEY' })).json().code, 'not_found');
      problemOf(await t.post('/v1/licenses/activate', { key: typo, fingerprint: 'm' }), 404, 'license_not_found');

      // Refund: access withdrawn, keys suspended, all on the timeline.
      const refund = await t.post(`/v1/orders/${placed.id}/refunds`, { reason: 'customer asked' });
      assert.equal(refund.statusCode, 201, refund.body);
      assert.equal(refund.json().revoked_entitlements, 2);
      assert.equal(refund.json().suspended_licenses, 1);
      problemOf(await t.request({ method: 'GET', url: pathOf(fileUrl), headers: json }), 410, 'entitlement_revoked');
      const gone = await t.request({ method: 'GET', url: pathOf(pageUrl), headers: html });
      assert.equal(gone.statusCode, 410);
      assert.doesNotMatch(gone.body, new RegExp(key), 'a revoked page shows no key');
      assert.equal((await validate({ key })).json().code, 'suspended');
      problemOf(await t.post('/v1/licenses/activate', { key, fingerprint: 'machine-9' }), 403, 'license_suspended');
      const types = await timeline(t, placed.id);
      for (const type of [
        'order.created',
        'digital.delivered',
        'digital.downloaded',
        'license.activated',
        'order.refunded',
        'digital.revoked',
        'license.suspended',
      ]) {
        assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
      }
      assert.equal(types.filter((x) => x === 'digital.downloaded').length, 2);

      // Nothing secret in clear in the database: no token, no key, only hashes and ciphertext.
      const token = pageUrl.split('/d/')[1] as string;
      for (const table of ['entitlements', 'licenses', 'events', 'downloads', 'emails', 'jobs'] as const) {
        const rows = JSON.stringify(await t.app.db.read.selectFrom(table).selectAll().execute());
        assert.ok(!rows.includes(token), `${table} holds the token`);
        assert.ok(!rows.includes(key), `${table} holds the key`);
      }
      // The merchant's view of the e-mail record masks them too; the buyer got them (checked above).
      const emails = (await t.get(`/v1/emails?order_id=${placed.id}`)).json().data as { id: string }[];
      assert.ok(emails.length > 0);
      for (const email of emails) {
        for (const view of [`/v1/emails/${email.id}`, `/v1/emails/${email.id}/preview`, `/v1/emails/${email.id}/raw`]) {
          const body = (await t.get(view)).body;
          assert.ok(!body.includes(token), `${view} shows the token`);
          assert.ok(!body.includes(key), `${view} shows the key`);
        }
      }
    });

    test('every character of a valid link flipped is refused, and never gives the file', async () => {
      const bytes = randomBytes(1000);
      const file = await upload(t, bytes, 'flip.bin', 'application/octet-stream');
      await digitalItem(t, 'FLIP-1', { files: [file.id], download_limit: null });
      const placed = await placeDigital(t, [{ sku: 'FLIP-1', quantity: 1 }]);
      await t.drain();
      const link = pathOf((await t.get(`/v1/orders/${placed.id}/digital`)).json().entitlements[0].files[0].url);
      assert.equal((await t.request({ method: 'GET', url: link, headers: { authorization: '' } })).statusCode, 200);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      for (let i = 0; i < link.length; i += 1) {
        const c = link[i] as string;
        const replacement = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length] ?? 'A';
        const flipped = `${link.slice(0, i)}${c === replacement ? 'B' : replacement}${link.slice(i + 1)}`;
        const res = await t.request({ method: 'GET', url: flipped, headers: { ...json, authorization: '' } });
        assert.ok([404, 400].includes(res.statusCode), `${flipped}: ${res.statusCode}`);
        assert.notEqual(sha(res.rawPayload), sha(bytes));
      }
      // Still one counted download: refused requests count nothing.
      const admin = (await t.get(`/v1/orders/${placed.id}/entitlements`)).json();
      assert.equal(admin.data[0].download_count, 1);
    });

    test('expiry follows the clock; extend brings the link back; resend e-mails again and can reset the count', async () => {
      const file = await upload(t, randomBytes(100), 'short.pdf');
      await digitalItem(t, 'SHORT-1', { files: [file.id], access_days: 1, download_limit: 1 });
      const placed = await placeDigital(t, [{ sku: 'SHORT-1', quantity: 1 }]);
      await t.drain();
      const ent = (await t.get(`/v1/orders/${placed.id}/digital`)).json().entitlements[0];
      const link = pathOf(ent.files[0].url);
      assert.equal((await t.request({ method: 'GET', url: link })).statusCode, 200);
      problemOf(await t.request({ method: 'GET', url: link, headers: json }), 403, 'download_limit_reached');
      clock.advance(86_400_000 + 1);
      problemOf(await t.request({ method: 'GET', url: link, headers: json }), 410, 'entitlement_expired');
      problemOf(await t.request({ method: 'GET', url: pathOf(ent.page_url), headers: json }), 410, 'entitlement_expired');
      const extended = await t.post(`/v1/entitlements/${ent.entitlement_id}/extend`, { days: 7 });
      assert.equal(extended.statusCode, 200, extended.body);
      assert.equal(extended.json().status, 'active');
      problemOf(await t.request({ method: 'GET', url: link, headers: json }), 403, 'download_limit_reached');
      const before = smtp.messages.length;
      const resent = await t.post(`/v1/entitlements/${ent.entitlement_id}/resend`, { reset_downloads: true });
      assert.equal(resent.statusCode, 202, resent.body);
      await t.drain();
      await smtp.waitFor(before + 1, 10_000);
      assert.equal((await t.request({ method: 'GET', url: link })).statusCode, 200);
      const revoked = await t.post(`/v1/entitlements/${ent.entitlement_id}/revoke`, { reason: 'chargeback' });
      assert.equal(revoked.json().status, 'revoked');
      problemOf(await t.request({ method: 'GET', url: link, headers: json }), 410, 'entitlement_revoked');
      problemOf(await t.post(`/v1/entitlements/${ent.entitlement_id}/resend`, {}), 410, 'entitlement_revoked');
      const types = await timeline(t, placed.id);
      for (const type of ['digital.extended', 'digital.resent', 'digital.revoked']) assert.ok(types.includes(type), type);
    });

    test('a distinct-IP limit refuses a new network once reached', async () => {
      const file = await upload(t, randomBytes(100), 'ip.pdf');
      await digitalItem(t, 'IP-1', { files: [file.id], download_limit: null, distinct_ip_limit: 2 });
      const placed = await placeDigital(t, [{ sku: 'IP-1', quantity: 1 }]);
      await t.drain();
      const link = pathOf((await t.get(`/v1/orders/${placed.id}/digital`)).json().entitlements[0].files[0].url);
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.1']) {
        assert.equal((await t.request({ method: 'GET', url: link, remoteAddress: ip })).statusCode, 200, ip);
      }
      problemOf(await t.request({ method: 'GET', url: link, remoteAddress: '10.0.0.3', headers: json }), 403, 'download_ip_limit_reached');
    });

    test('held orders are delivered when the hold is released; cancelled undelivered orders deliver nothing', async () => {
      const file = await upload(t, randomBytes(100), 'held.pdf');
      await digitalItem(t, 'HELD-1', { files: [file.id] });
      const held = await placeDigital(t, [{ sku: 'HELD-1', quantity: 1 }], { holds: [{ reason: 'payment' }] });
      await t.drain();
      assert.equal((await t.get(`/v1/orders/${held.id}/digital`)).json().status, 'held');
      const holdId = (await t.get(`/v1/orders/${held.id}`)).json().holds[0].id;
      assert.equal((await t.request({ method: 'DELETE', url: `/v1/orders/${held.id}/holds/${holdId}` })).statusCode, 200);
      await t.drain();
      const delivered = (await t.get(`/v1/orders/${held.id}/digital`)).json();
      assert.equal(delivered.status, 'delivered');
      assert.equal(delivered.entitlements.length, 1);
    });

    test('validation: non-digital items, unknown files, bad bodies, scopes', async () => {
      await must(t, '/v1/items', item('PHYS-1'));
      problemOf(
        await t.request({ method: 'PUT', url: '/v1/digital/items/PHYS-1', payload: { license: { source: 'generated' } } }),
        422,
        'not_digital',
      );
      await must(t, '/v1/items', item('DIG-V', { kind: 'digital', weight_g: undefined, dimensions_mm: undefined }));
      problemOf(await t.request({ method: 'PUT', url: '/v1/digital/items/DIG-V', payload: { files: ['file_nope'] } }), 422, 'unknown_file');
      problemOf(await t.request({ method: 'PUT', url: '/v1/digital/items/DIG-V', payload: {} }), 400, 'validation_failed');
      problemOf(
        await t.request({ method: 'PUT', url: '/v1/digital/items/DIG-V', payload: { license: { source: 'x' } } }),
        400,
        'validation_failed',
      );
      problemOf(
        await t.request({ method: 'PUT', url: '/v1/digital/items/NOPE', payload: { license: { source: 'generated' } } }),
        404,
        'not_found',
      );
      problemOf(await t.post('/v1/licenses/validate', { key: '' }), 400, 'validation_failed');
      problemOf(await t.post('/v1/licenses/activate', { key: 'X' }), 400, 'validation_failed');
      problemOf(await t.post('/v1/orders/ord_missing/refunds', {}), 404, 'not_found');
      const key = await t.post('/v1/api-keys', { name: 'storefront', scopes: ['orders:read'] });
      const storefront = { authorization: `Bearer ${key.json().key}` };
      problemOf(await t.post('/v1/licenses/validate', { key: 'X' }, storefront), 403, 'forbidden');
      problemOf(await t.request({ method: 'PUT', url: '/v1/digital/items/DIG-V', payload: {}, headers: storefront }), 403, 'forbidden');
    });

    test('the license API is rate limited per key and IP, with Retry-After', async () => {
      const created = await t.post('/v1/api-keys', { name: 'app', scopes: ['licenses'] });
      const headers = { authorization: `Bearer ${created.json().key}` };
      const answers: number[] = [];
      for (let i = 0; i < 40; i += 1) answers.push((await t.post('/v1/licenses/validate', { key: 'NOPE' }, headers)).statusCode);
      assert.ok(answers.includes(200));
      const limited = await t.post('/v1/licenses/validate', { key: 'NOPE' }, headers);
      problemOf(limited, 429, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      // Another IP has its own bucket.
      assert.equal(
        (await t.request({ method: 'POST', url: '/v1/licenses/validate', payload: { key: 'NOPE' }, headers, remoteAddress: '10.9.9.9' }))
          .statusCode,
        200,
      );
    });
  });
}
