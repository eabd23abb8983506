import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { problemOf, uniqueNames } from '../support/problems.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';
import { addressOf, createForm, formBody, linkIn, submitJson, uploadFile } from './support.js';

/**
 * The lead path end to end over HTTP with a real SMTP server: a submission gets the asset e-mail whose link
 * downloads the stored file (bytes compared), counted and expiring; double opt-in sends a confirmation first.
 */
const uid = uniqueNames();
const publicUrl = 'http://leads.test';

for (const dialect of await testDialects()) {
  describe(`lead delivery (${dialect})`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const asset = randomBytes(50_000);
    let fileId: string;

    before(async () => {
      smtp = await startSmtpServer();
      t = await createTestApp(dialect, { clock, compose: { smtpUrl: smtp.url, publicUrl } });
      fileId = (await uploadFile(t, asset)).id;
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    const mailsTo = (address: string) => smtp.messages.filter((m) => addressOf(m).toLowerCase() === address.toLowerCase());
    const download = (link: string, headers: Record<string, string> = {}) =>
      t.request({ method: 'GET', url: link.slice(publicUrl.length), headers: { authorization: '', ...headers } });

    test('submit -> asset e-mail -> the link downloads the file, counted up to its limit, then expires', async () => {
      const slug = uid('wp-');
      const form = await createForm(t, formBody(slug, { file_id: fileId, max_downloads: 2, link_ttl_hours: 48 }));
      const email = `${uid('ana')}@example.com`;
      const before = smtp.messages.length;
      const res = await submitJson(t, slug, {
        fields: { email: email.toUpperCase(), name: 'Ana', country: 'br', employees: 12 },
        consent: true,
      });
      assert.equal(res.statusCode, 202, res.body);
      assert.deepEqual(res.json(), { status: 'received', confirmation_required: false, message: null, redirect_url: null });
      await t.drain();
      await smtp.waitFor(before + 1);
      const [mail] = mailsTo(email);
      assert.ok(mail, 'the asset e-mail arrived');
      assert.match(mail.subject ?? '', /Your download/);
      const link = linkIn(mail, `${publicUrl}/l/`);
      const first = await download(link);
      assert.equal(first.statusCode, 200);
      assert.deepEqual(first.rawPayload, asset);
      assert.match(String(first.headers['content-disposition']), /report\.pdf/);
      // A resumed download (Range past the start) is not counted again.
      const part = await download(link, { range: 'bytes=100-199' });
      assert.equal(part.statusCode, 206);
      assert.deepEqual(part.rawPayload, asset.subarray(100, 200));
      assert.equal((await download(link)).statusCode, 200);
      const over = await download(link);
      assert.equal(over.statusCode, 410);
      assert.match(over.body, /download limit/);
      const got = (await t.get(`/v1/forms/${form.id}`)).json();
      assert.equal(got.stats.submissions, 1);
      assert.equal(got.stats.leads, 1);
      assert.equal(got.stats.delivered, 1);
      assert.equal(got.stats.downloads, 2);
      // A tampered token is the same page as a missing one; an expired link says so.
      const tampered = await download(`${link.slice(0, -2)}xx`);
      assert.equal(tampered.statusCode, 404);
      assert.doesNotMatch(tampered.body, new RegExp(email, 'i'));
      const again = await submitJson(t, slug, { fields: { email, name: 'Ana B' }, consent: true });
      assert.equal(again.statusCode, 202);
      await t.drain();
      await smtp.waitFor(before + 2);
      const second = linkIn(mailsTo(email).at(-1) ?? mail, `${publicUrl}/l/`);
      clock.advance(49 * 3_600_000);
      const expired = await download(second);
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /expired/);
      const leads = (await t.get(`/v1/leads?form_id=${form.id}`)).json();
      assert.equal(leads.data.length, 1, 'one lead per e-mail and form');
      assert.equal(leads.data[0].submission_count, 2);
      assert.equal(leads.data[0].fields.name, 'Ana B');
    });

    test('a URL asset: the link redirects to it', async () => {
      const slug = uid('url-');
      await createForm(t, formBody(slug, { url: 'https://cdn.example.com/report.pdf' }));
      const email = `${uid('bo')}@example.com`;
      const before = smtp.messages.length;
      assert.equal((await submitJson(t, slug, { fields: { email, name: 'Bo' }, consent: true })).statusCode, 202);
      await t.drain();
      await smtp.waitFor(before + 1);
      const mail = mailsTo(email)[0];
      assert.ok(mail, 'the asset e-mail arrived');
      const res = await download(linkIn(mail, `${publicUrl}/l/`));
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, 'https://cdn.example.com/report.pdf');
    });

    test('double opt-in: confirmation e-mail -> click -> asset e-mail; clicking again sends nothing', async () => {
      const slug = uid('doi-');
      const form = await createForm(t, formBody(slug, { file_id: fileId }, { double_opt_in: true, locale: 'pt-BR' }));
      const email = `${uid('cai')}@example.com`;
      const before = smtp.messages.length;
      const res = await submitJson(t, slug, { fields: { email, name: 'Caio' }, consent: true });
      assert.equal(res.json().confirmation_required, true);
      await t.drain();
      await smtp.waitFor(before + 1);
      const confirmMail = mailsTo(email)[0];
      assert.ok(confirmMail);
      assert.match(confirmMail.subject ?? '', /Confirme/);
      assert.doesNotMatch(confirmMail.text ?? '', /\/l\//, 'no asset link before the confirmation');
      assert.equal((await t.get(`/v1/leads?form_id=${form.id}`)).json().data[0].status, 'pending_confirmation');
      const confirm = linkIn(confirmMail, `${publicUrl}/f/${slug}/confirm/`);
      const forged = await download(`${confirm.slice(0, -3)}abc`);
      assert.equal(forged.statusCode, 404);
      const click = await download(confirm);
      assert.equal(click.statusCode, 200, click.body);
      assert.match(click.body, /confirmado/);
      await t.drain();
      await smtp.waitFor(before + 2);
      const assetMail = mailsTo(email)[1];
      assert.ok(assetMail);
      assert.match(assetMail.subject ?? '', /Seu download/);
      const file = await download(linkIn(assetMail, `${publicUrl}/l/`));
      assert.deepEqual(file.rawPayload, asset);
      assert.equal((await download(confirm)).statusCode, 200);
      await t.drain();
      assert.equal(mailsTo(email).length, 2, 'a second click sends nothing');
      const lead = (await t.get(`/v1/leads?form_id=${form.id}`)).json().data[0];
      assert.equal(lead.status, 'confirmed');
      assert.ok(lead.confirmed_at);
    });

    test('erasure: one call removes the data, keeps an anonymised consent proof, scrubs e-mails', async () => {
      const slug = uid('gdpr-');
      const form = await createForm(t, formBody(slug, { file_id: fileId }));
      const email = `${uid('dora')}@example.com`;
      await submitJson(
        t,
        slug,
        { fields: { email, name: 'Dora' }, consent: true, page_uri: 'https://acme.example/offer?utm=x' },
        { 'user-agent': 'Test/1.0' },
      );
      await t.drain();
      const lead = (await t.get(`/v1/leads?email=${encodeURIComponent(email)}`)).json().data[0];
      const res = await t.post('/v1/leads/erase', { email: email.toUpperCase() });
      assert.equal(res.statusCode, 200, res.body);
      const report = res.json();
      assert.equal(report.leads_erased, 1);
      assert.equal(report.consents_anonymised, 1);
      assert.equal(report.emails_scrubbed, 1);
      problemOf(await t.get(`/v1/leads/${lead.id}`), 404, 'not_found');
      assert.equal((await t.get(`/v1/leads?email=${encodeURIComponent(email)}`)).json().data.length, 0);
      const db = t.app.db.read;
      const consent = await db.selectFrom('lead_consents').selectAll().where('lead_id', '=', lead.id).executeTakeFirstOrThrow();
      assert.equal(consent.email_hash, report.email_hash);
      assert.equal(consent.user_agent, null);
      assert.equal(consent.page_uri, 'https://acme.example/offer');
      assert.match(consent.ip ?? '', /\.0$/);
      assert.equal(consent.consent_version, 'v1');
      const mails = await db.selectFrom('emails').select(['to_address', 'data']).where('subject_id', '=', lead.id).execute();
      assert.ok(mails.every((m) => m.to_address === 'erased@invalid' && m.data === '{}'));
      const row = await db.selectFrom('leads').selectAll().where('id', '=', lead.id).executeTakeFirstOrThrow();
      assert.equal(row.data, '{}');
      assert.doesNotMatch(row.email_lower, /@/);
      // The same person may come back: a new lead.
      assert.equal((await submitJson(t, slug, { fields: { email, name: 'Dora' }, consent: true })).statusCode, 202);
      assert.equal((await t.get(`/v1/leads?form_id=${form.id}`)).json().data.length, 1);
      problemOf(await t.request({ method: 'DELETE', url: '/v1/leads/lead_nope' }), 404, 'not_found');
    });
  });
}
