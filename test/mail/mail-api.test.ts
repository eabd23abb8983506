import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { queueEmail } from '../../src/contexts/mail/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { item, location, order, seed } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, pointers, problemOf, uniqueNames } from '../support/problems.js';

/**
 * The mail API without a mail server: e-mails written as .eml files (the embedded default), the e-mail log,
 * template overrides and their validation, the preview page and its signed links, and hostile input.
 */

const uid = uniqueNames();

for (const dialect of await testDialects()) {
  describe(`mail API, file mode (${dialect})`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');

    before(async () => {
      t = await createTestApp(dialect, { clock });
      await seed(t, { locations: [location('WH1')], items: [item('MUG-1', { name: 'Enamel mug' })], stock: { WH1: { 'MUG-1': 1000 } } });
    });
    after(async () => {
      await t?.close();
    });

    async function placeAndSend(extra: Record<string, unknown> = {}): Promise<{ order: Json; email: Json }> {
      const res = await t.post('/v1/orders', order(uid('F-'), [{ sku: 'MUG-1', quantity: 2, unit_price: 1999 }], extra));
      assert.equal(res.statusCode, 201, res.body);
      await t.drain();
      const list = await t.get(`/v1/emails?order_id=${res.json().id}`);
      assert.equal(list.statusCode, 200, list.body);
      return { order: res.json(), email: list.json().data[0] };
    }

    test('without SMTP_URL every e-mail is written as a parseable .eml file under <dataDir>/mail', async () => {
      const { order: o, email } = await placeAndSend({ customer: { email: 'eml@example.com', name: 'Eve' } });
      assert.equal(email.status, 'sent');
      assert.equal(email.provider_id, `file:${email.id}.eml`);
      const file = path.join(t.dataDir, 'mail', `${email.id}.eml`);
      const parsed = await simpleParser(fs.readFileSync(file));
      assert.equal(parsed.subject, `Order ${o.external_id} confirmed`);
      assert.equal((parsed.to as { value: { address: string }[] }).value[0]?.address, 'eml@example.com');
      assert.match(String(parsed.text), /2 × Enamel mug \(MUG-1\): \$39\.98/);
      assert.match(String(parsed.html), /Hi Eve/);
      assert.equal(fs.readdirSync(path.join(t.dataDir, 'mail')).filter((f) => f.endsWith('.tmp')).length, 0, 'no partial files left');
      const raw = await t.get(`/v1/emails/${email.id}/raw`);
      assert.equal(raw.statusCode, 200);
      assert.equal(raw.body, fs.readFileSync(file, 'utf8'), 'raw serves the file as written');
    });

    test('queueEmail is one e-mail per dedupe key, in the caller transaction (a rollback queues nothing)', async () => {
      const key = uid('manual:');
      const request = {
        to: 'api@example.com',
        template: 'order_confirmation',
        data: { order: { number: 'X1' } },
        dedupeKey: key,
        subjectId: 'lead_1',
      };
      const first = await t.app.db.transaction((tx) => queueEmail(tx, t.app, request));
      const second = await t.app.db.transaction((tx) => queueEmail(tx, t.app, { ...request, to: 'other@example.com' }));
      assert.deepEqual([first, second], [{ queued: true }, { queued: false }]);
      const rolledBack = uid('manual:');
      await assert.rejects(
        t.app.db.transaction(async (tx) => {
          await queueEmail(tx, t.app, { ...request, dedupeKey: rolledBack });
          throw new Error('business rule failed');
        }),
      );
      const rows = await t.app.db.read
        .selectFrom('emails')
        .select(['dedupe_key', 'to_address'])
        .where('dedupe_key', 'in', [key, rolledBack])
        .execute();
      assert.deepEqual(rows, [{ dedupe_key: key, to_address: 'api@example.com' }]);
      await t.drain();
      const sent = await t.app.db.read
        .selectFrom('emails')
        .select(['status', 'subject', 'subject_id'])
        .where('dedupe_key', '=', key)
        .executeTakeFirstOrThrow();
      assert.deepEqual(sent, { status: 'sent', subject: 'Order X1 confirmed', subject_id: 'lead_1' });
    });

    test('an undeliverable address or an unknown template fails at once, without retries', async () => {
      await t.app.db.transaction(async (tx) => {
        await queueEmail(tx, t.app, { to: 'not an address', template: 'order_confirmation', data: {}, dedupeKey: uid('bad:') });
        await queueEmail(tx, t.app, { to: 'x@example.com', template: 'no_such_template', data: {}, dedupeKey: uid('bad:') });
      });
      await t.drain();
      const failed = (await t.get('/v1/emails?status=failed')).json().data as Json[];
      assert.ok(failed.some((e) => e.to === 'not an address' && /not a deliverable address/.test(e.last_error) && e.attempts === 1));
      assert.ok(failed.some((e) => e.template === 'no_such_template' && /no e-mail template/.test(e.last_error)));
    });

    test('the list filters by status, template and recipient, and pages with a cursor', async () => {
      for (let i = 0; i < 3; i += 1) await placeAndSend({ customer: { email: 'pager@example.com' } });
      const first = await t.get('/v1/emails?to=pager@example.com&limit=2');
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json();
      assert.equal(page1.data.length, 2);
      assert.ok(page1.next_cursor);
      const second = (await t.get(`/v1/emails?to=pager@example.com&limit=2&cursor=${page1.next_cursor}`)).json();
      assert.equal(second.data.length, 1);
      assert.equal(second.next_cursor, null);
      const ids = [...page1.data, ...second.data].map((e: Json) => e.id);
      assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');
      const byTemplate = (await t.get('/v1/emails?template=order_confirmation&status=sent&limit=100')).json().data as Json[];
      assert.ok(byTemplate.length >= 3 && byTemplate.every((e) => e.template === 'order_confirmation' && e.status === 'sent'));
      const one = await t.get(`/v1/emails/${ids[0]}`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().id, ids[0]);
    });

    test('template overrides are validated: broken syntax, unknown helpers, unknown names and locales are refused', async () => {
      const url = '/v1/mail/templates/order_confirmation/en';
      const good = { subject: 'Hi', html: '<p>{{order.number}}</p>', text: '{{order.number}}' };
      let body = problemOf(
        await t.request({ method: 'PUT', url, payload: { ...good, html: '<p>{{#if order}}unclosed</p>' } }),
        422,
        'template_invalid',
      );
      assert.deepEqual(pointers(body), ['/html']);
      body = problemOf(
        await t.request({ method: 'PUT', url, payload: { ...good, text: '{{shout order.number}}' } }),
        422,
        'template_invalid',
      );
      assert.deepEqual(pointers(body), ['/text']);
      assert.match(body.errors[0].detail, /shout/);
      body = problemOf(
        await t.request({ method: 'PUT', url, payload: { ...good, subject: '{{> missing_partial}}' } }),
        422,
        'template_invalid',
      );
      assert.deepEqual(pointers(body), ['/subject']);
      problemOf(await t.request({ method: 'PUT', url: '/v1/mail/templates/no_such/en', payload: good }), 404, 'unknown_template');
      body = problemOf(
        await t.request({ method: 'PUT', url: '/v1/mail/templates/order_confirmation/fr', payload: good }),
        400,
        'validation_failed',
      );
      assert.deepEqual(pointers(body), ['/params/locale']);
      body = problemOf(await t.request({ method: 'PUT', url, payload: { ...good, html: 'x'.repeat(100_001) } }), 400, 'validation_failed');
      assert.deepEqual(pointers(body), ['/html']);
      body = problemOf(await t.request({ method: 'PUT', url, payload: { ...good, extra: 1 } }), 400, 'validation_failed');
      problemOf(await t.request({ method: 'PUT', url, payload: { subject: 'only a subject' } }), 400, 'validation_failed');
      problemOf(await t.request({ method: 'PUT', url: '/v1/mail/templates/..%2F..%2Fetc/en', payload: good }), 400, 'validation_failed');
      // Nothing was stored by any of these.
      const current = (await t.get('/v1/mail/templates/order_confirmation/en')).json();
      assert.equal(current.overridden, false);
      assert.equal(await t.app.db.read.selectFrom('mail_templates').select('name').executeTakeFirst(), undefined);
    });

    test('templates are listed with their defaults, and preview renders sample data or unsaved sources', async () => {
      const list = (await t.get('/v1/mail/templates')).json().data as Json[];
      for (const name of ['order_confirmation', 'order_backorder', 'order_cancellation']) {
        for (const locale of ['en', 'pt-BR'])
          assert.ok(
            list.some((x) => x.name === name && x.locale === locale && !x.overridden),
            `${name} ${locale}`,
          );
      }
      let res = await t.post('/v1/mail/templates/order_cancellation/pt-BR/preview', {});
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().subject, 'Itens do pedido WEB-1001 cancelados');
      assert.match(res.json().text, /T-shirt, M/);
      res = await t.post('/v1/mail/templates/order_confirmation/en/preview', {
        subject: 'Yo {{customer_name}}',
        data: { customer_name: '<b>Bob</b>' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().subject, 'Yo <b>Bob</b>', 'subjects are not HTML');
      assert.match(res.json().html, /Hi &lt;b&gt;Bob&lt;\/b&gt;/, 'the HTML body escapes variables');
      problemOf(await t.post('/v1/mail/templates/order_confirmation/en/preview', { html: '{{#each}}' }), 422, 'template_invalid');
      problemOf(await t.post('/v1/mail/templates/order_confirmation/en/preview', { data: 'not an object' }), 400, 'validation_failed');
    });

    test('prototype tricks in an override render nothing', async () => {
      const res = await t.post('/v1/mail/templates/order_confirmation/en/preview', {
        subject: 'x{{constructor.name}}{{__proto__}}{{lookup this "constructor"}}y',
        html: '<p>ok</p>',
        text: 'ok',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().subject, 'xy');
    });

    test('the mail outbox page lists e-mails with signed preview links; it needs a key, and forged links fail', async () => {
      const { email } = await placeAndSend({
        customer: { email: 'page@example.com', name: 'Pat' },
        external_id: '<script>alert(1)</script>',
      });
      assert.ok(email);
      const anonymous = await t.request({ method: 'GET', url: '/v1/mail/outbox', headers: { authorization: '' } });
      problemOf(anonymous, 401, 'unauthorized');
      const page = await t.get('/v1/mail/outbox');
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.ok(!page.body.includes('<script>alert(1)</script>'), 'subjects are escaped');
      assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      const link = new RegExp(`href="(/mail/preview/${email.id}\\?expires=\\d+&amp;sig=[A-Za-z0-9_-]+)"`)
        .exec(page.body)?.[1]
        ?.replaceAll('&amp;', '&');
      assert.ok(link, 'a signed preview link');
      const opened = await t.request({ method: 'GET', url: link, headers: { authorization: '' } });
      assert.equal(opened.statusCode, 200, 'the link works without a key');
      assert.match(opened.body, /Hi Pat/);
      assert.equal(opened.headers['referrer-policy'], 'no-referrer');
      const other = await placeAndSend({ customer: { email: 'victim@example.com', name: 'Victim' } });
      problemOf(
        await t.request({ method: 'GET', url: link.replace(email.id, other.email.id), headers: { authorization: '' } }),
        404,
        'not_found',
      );
      problemOf(
        await t.request({ method: 'GET', url: link.replace(/sig=[^&]+/, 'sig=AAAA'), headers: { authorization: '' } }),
        404,
        'not_found',
      );
      const expires = Number(/expires=(\d+)/.exec(link)?.[1]);
      problemOf(
        await t.request({ method: 'GET', url: link.replace(/expires=\d+/, `expires=${expires + 3600}`), headers: { authorization: '' } }),
        404,
        'not_found',
      );
      clock.advance(31 * 60_000);
      problemOf(await t.request({ method: 'GET', url: link, headers: { authorization: '' } }), 404, 'not_found');
      problemOf(
        await t.request({ method: 'GET', url: `/mail/preview/${email.id}`, headers: { authorization: '' } }),
        400,
        'validation_failed',
      );
    });

    test('hostile input on the mail routes is a 4xx problem, never a 5xx', async () => {
      problemOf(await t.get('/v1/emails?status=bogus'), 400, 'validation_failed');
      problemOf(await t.get('/v1/emails?cursor=!!!not-a-cursor'), 400, 'validation_failed');
      problemOf(await t.get('/v1/emails?limit=100000'), 400, 'validation_failed');
      problemOf(await t.get('/v1/emails?order_id=a%27%20or%201%3D1'), 400, 'validation_failed');
      problemOf(await t.get(`/v1/emails?to=${'a'.repeat(300)}`), 400, 'validation_failed');
      problemOf(await t.get('/v1/emails?unknown=1'), 400, 'validation_failed');
      problemOf(await t.get('/v1/emails/msg_nope'), 404, 'not_found');
      problemOf(await t.get('/v1/emails/msg_nope/preview'), 404, 'not_found');
      problemOf(await t.get('/v1/emails/msg_nope/raw'), 404, 'not_found');
      problemOf(await t.get('/v1/emails/..%2F..%2Fetc%2Fpasswd/raw'), 400, 'validation_failed');
      problemOf(await t.post('/v1/emails/msg_nope/resend'), 404, 'not_found');
      problemOf(await t.get('/v1/mail/templates/no_such/en'), 404, 'unknown_template');
      problemOf(await t.request({ method: 'DELETE', url: '/v1/mail/templates/order_confirmation/xx' }), 400, 'validation_failed');
      problemOf(
        await t.request({
          method: 'PUT',
          url: '/v1/mail/templates/order_confirmation/en',
          payload: '{"subject":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'malformed_json',
      );
      const readOnly = await t.post('/v1/api-keys', { name: uid('ro'), scopes: ['mail:read'] });
      assert.equal(readOnly.statusCode, 201, readOnly.body);
      const auth = { authorization: `Bearer ${readOnly.json().key}` };
      assert.equal((await t.get('/v1/emails', auth)).statusCode, 200);
      problemOf(
        await t.request({
          method: 'PUT',
          url: '/v1/mail/templates/order_confirmation/en',
          payload: { subject: 'a', html: 'b', text: 'c' },
          headers: auth,
        }),
        403,
        'forbidden',
      );
      problemOf(await t.post('/v1/emails/msg_nope/resend', undefined, auth), 403, 'forbidden');
    });

    test('order intake accepts a BCP 47 locale and refuses anything else with a pointer', async () => {
      for (const locale of ['pt-BR!', 'p', 'x'.repeat(40), 'en_US', '<script>', 42]) {
        const res = await t.post('/v1/orders', order(uid('LC-'), [{ sku: 'MUG-1', quantity: 1 }], { locale }));
        const body = problemOf(res, 400, 'validation_failed');
        assert.deepEqual([...new Set(pointers(body))], ['/locale'], JSON.stringify(locale));
      }
      const res = await t.post('/v1/orders', order(uid('LC-'), [{ sku: 'MUG-1', quantity: 1 }], { locale: 'pt-PT' }));
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().locale, 'pt-PT');
      await t.drain();
      const [email] = (await t.get(`/v1/emails?order_id=${res.json().id}`)).json().data;
      assert.equal(email.locale, 'pt-BR', 'Portuguese e-mails are written in Brazilian Portuguese');
    });
  });
}
