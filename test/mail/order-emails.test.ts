import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { address, item, location, order, seed } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, uniqueNames } from '../support/problems.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';

/**
 * Order e-mails end to end through a real SMTP server: an order placed over the API, the outbox drained, and
 * the message that arrived parsed and checked (recipient, subject, both parts, language, money formatting),
 * plus retries on 4xx, failure on 5xx, resend, and deduplication.
 */

const uid = uniqueNames();

for (const dialect of await testDialects()) {
  describe(`order e-mails over SMTP (${dialect})`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    const clock = new ManualClock('2026-03-02T12:00:00.000Z');

    before(async () => {
      smtp = await startSmtpServer();
      t = await createTestApp(dialect, { clock, compose: { smtpUrl: smtp.url, mailFrom: 'Acme Shop <orders@acme.example>' } });
      await seed(t, {
        locations: [location('WH1')],
        items: [
          item('MUG-1', { name: 'Enamel mug' }),
          item('TEE-M', { name: 'T-shirt <M> & co' }),
          item('LATE-1', { name: 'Slow lamp', inventory_policy: 'continue' }),
        ],
        stock: { WH1: { 'MUG-1': 1000, 'TEE-M': 1000 } },
      });
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    const to = () => `${uid('buyer')}@example.com`;
    const inbox = (addr: string): ParsedMail[] =>
      smtp.messages.filter((m) => {
        const list = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
        return list.some((a) => a.value.some((v) => v.address === addr));
      });

    async function place(payload: unknown): Promise<Json> {
      const res = await t.post('/v1/orders', payload);
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }
    /** The order's e-mails, newest first (at least one). */
    async function emailsOf(orderId: string): Promise<[Json, ...Json[]]> {
      const res = await t.get(`/v1/emails?order_id=${orderId}`);
      assert.equal(res.statusCode, 200, res.body);
      const data = res.json().data as Json[];
      assert.ok(data.length > 0, `no e-mail for ${orderId}`);
      return data as [Json, ...Json[]];
    }

    test('placing an order sends the confirmation: recipient, subject, HTML and text parts, money, address', async () => {
      const email = to();
      const o = await place(
        order(
          uid('US-'),
          [
            { sku: 'MUG-1', quantity: 2, unit_price: 1250 },
            { sku: 'TEE-M', quantity: 1, unit_price: 123456 },
          ],
          { customer: { email, name: 'Ann Lee' } },
        ),
      );
      assert.equal(inbox(email).length, 0, 'nothing is sent before the outbox runs');
      await t.drain();
      const [message, ...others] = inbox(email);
      assert.ok(message, 'the confirmation arrived');
      assert.equal(others.length, 0);
      assert.equal(message.subject, `Order ${o.external_id} confirmed`);
      assert.equal(message.from?.value[0]?.address, 'orders@acme.example');
      assert.match(message.messageId ?? '', /^<msg_[a-z0-9]+@acme\.example>$/);
      const html = String(message.html);
      const text = String(message.text);
      for (const part of [html, text]) {
        assert.match(part, /Hi Ann Lee/);
        assert.ok(part.includes('$25.00'), 'line total of 2 × $12.50');
        assert.ok(part.includes('$1,234.56'), 'thousands separator in USD for English');
        assert.ok(part.includes('$1,259.56'), 'subtotal');
        assert.match(part, /Springfield/);
        assert.match(part, /United States/);
      }
      assert.ok(html.includes('T-shirt &lt;M&gt; &amp; co'), 'item names are HTML-escaped in the HTML part');
      assert.ok(text.includes('T-shirt <M> & co'), 'and left alone in the text part');
      assert.match(html, /max-width:600px/);
      assert.match(html, /<html lang="en">/);

      const [row, ...more] = await emailsOf(o.id);
      assert.equal(more.length, 0);
      assert.equal(row.status, 'sent');
      assert.equal(row.template, 'order_confirmation');
      assert.equal(row.to, email);
      assert.equal(row.locale, 'en');
      assert.equal(row.attempts, 1);
      assert.equal(row.subject, message.subject);
      assert.equal(row.dedupe_key, `order:${o.id}:confirmation`);
      assert.match(row.provider_id, /^250 /);
      assert.equal(row.sent_at, clock.now().toISOString());
      assert.equal(row.next_attempt_at, null);
    });

    test('a Brazilian order is confirmed in Portuguese with reais formatted the Brazilian way', async () => {
      const email = to();
      const o = await place(
        order(uid('BR-'), [{ sku: 'MUG-1', quantity: 3, unit_price: 123456 }], {
          currency: 'BRL',
          customer: { email, name: 'João Silva' },
          shipping_address: { ...address('BR', '01310-100'), city: 'São Paulo', region: 'SP' },
        }),
      );
      await t.drain();
      const [message] = inbox(email);
      assert.ok(message);
      assert.equal(message.subject, `Pedido ${o.external_id} confirmado`);
      const text = String(message.text);
      assert.match(text, /Olá, João Silva/);
      assert.match(text, /R\$\s3\.703,68/, text);
      assert.match(text, /Brasil/);
      assert.match(String(message.html), /<html lang="pt-BR">/);
      assert.equal((await emailsOf(o.id))[0].locale, 'pt-BR');
    });

    test('an explicit order locale wins over the shipping country', async () => {
      const inPortuguese = to();
      const inEnglish = to();
      await place(order(uid('L-'), [{ sku: 'MUG-1', quantity: 1 }], { locale: 'pt-BR', customer: { email: inPortuguese } }));
      await place(
        order(uid('L-'), [{ sku: 'MUG-1', quantity: 1 }], {
          locale: 'en-GB',
          customer: { email: inEnglish },
          shipping_address: address('BR', '01310-100'),
        }),
      );
      await t.drain();
      assert.match(inbox(inPortuguese)[0]?.subject ?? '', /^Pedido .* confirmado$/);
      assert.match(inbox(inEnglish)[0]?.subject ?? '', /^Order .* confirmed$/);
      const get = await t.get(`/v1/orders?email=${encodeURIComponent(inPortuguese)}`);
      assert.equal(get.json().data[0].locale, 'pt-BR', 'the order keeps its locale');
    });

    test('a backordered order gets the confirmation and a backorder notice naming the missing items', async () => {
      const email = to();
      const o = await place(order(uid('BO-'), [{ sku: 'LATE-1', quantity: 4, unit_price: 900 }], { customer: { email, name: 'Bo' } }));
      assert.equal(o.status, 'backordered');
      await t.drain();
      const subjects = inbox(email)
        .map((m) => m.subject)
        .sort();
      assert.deepEqual(subjects, [`Order ${o.external_id} confirmed`, `Some items of order ${o.external_id} are delayed`].sort());
      const notice = inbox(email).find((m) => m.subject?.startsWith('Some items')) as ParsedMail;
      assert.match(String(notice.text), /- 4 × Slow lamp \(LATE-1\)/);
      assert.deepEqual((await emailsOf(o.id)).map((e) => e.template).sort(), ['order_backorder', 'order_confirmation']);
    });

    test('cancelling some lines, then the rest, sends a partial and then a full cancellation notice', async () => {
      const email = to();
      const o = await place(
        order(
          uid('CX-'),
          [
            { sku: 'MUG-1', quantity: 2, unit_price: 1000 },
            { sku: 'TEE-M', quantity: 1, unit_price: 2500 },
          ],
          { customer: { email } },
        ),
      );
      await t.drain();
      const tee = o.lines.find((l: Json) => l.sku === 'TEE-M');
      let res = await t.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line_id: tee.id, quantity: 1 }], reason: 'customer asked' });
      assert.equal(res.statusCode, 200, res.body);
      await t.drain();
      const partial = inbox(email).find((m) => m.subject === `Items of order ${o.external_id} cancelled`);
      assert.ok(partial, 'partial cancellation notice');
      assert.match(String(partial.text), /- 1 × T-shirt <M> & co \(TEE-M\): \$25\.00/);
      assert.doesNotMatch(String(partial.text), /MUG-1\)/, 'only the cancelled line is listed');
      res = await t.post(`/v1/orders/${o.id}/cancel`, {});
      assert.equal(res.statusCode, 200, res.body);
      await t.drain();
      const full = inbox(email).find((m) => m.subject === `Order ${o.external_id} cancelled`);
      assert.ok(full, 'full cancellation notice');
      assert.match(String(full.text), /Your order has been cancelled/);
      assert.match(String(full.text), /Cancelled: \$20\.00/);
      assert.equal(inbox(email).length, 3);
    });

    test('a temporary SMTP failure (421) is retried on the published schedule and the record shows the attempts', async () => {
      const email = to();
      smtp.rejectNext(1, 421);
      const o = await place(order(uid('R-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email } }));
      await t.drain();
      assert.equal(inbox(email).length, 0);
      let [row] = await emailsOf(o.id);
      assert.equal(row.status, 'queued');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error, /421/);
      const wait = new Date(row.next_attempt_at).getTime() - clock.now().getTime();
      assert.ok(wait >= 60_000 && wait <= 72_000, `first retry after 1 minute plus jitter, got ${wait} ms`);
      await t.drain();
      assert.equal(inbox(email).length, 0, 'not before its time');
      clock.advance(73_000);
      await t.drain();
      assert.equal(inbox(email).length, 1, 'sent on the second attempt');
      [row] = await emailsOf(o.id);
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
      assert.equal(row.last_error, null);
    });

    test('a permanent SMTP failure (550) marks the e-mail failed; a resend then delivers it', async () => {
      const email = to();
      smtp.rejectNext(1, 550);
      const o = await place(order(uid('P-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email } }));
      await t.drain();
      let [row] = await emailsOf(o.id);
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error, /550/);
      assert.equal(row.next_attempt_at, null);
      clock.advance(7 * 3_600_000);
      await t.drain();
      assert.equal(inbox(email).length, 0, 'never retried on its own');

      const resent = await t.post(`/v1/emails/${row.id}/resend`);
      assert.equal(resent.statusCode, 202, resent.body);
      assert.equal(resent.json().status, 'queued');
      const again = await t.post(`/v1/emails/${row.id}/resend`);
      assert.equal(again.statusCode, 409, 'a queued e-mail cannot be resent twice');
      assert.equal(again.json().code, 'email_in_flight');
      await t.drain();
      assert.equal(inbox(email).length, 1);
      [row] = await emailsOf(o.id);
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
    });

    test('an event routed twice sends one e-mail (dedupe key)', async () => {
      const email = to();
      const o = await place(order(uid('D-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email } }));
      await t.drain();
      assert.equal(inbox(email).length, 1);
      // As after a crash between the subscriber's work and the dispatch mark: the event comes round again.
      await t.app.db.transaction((tx) => tx.updateTable('events').set({ dispatched_at: null }).where('order_id', '=', o.id).execute());
      await t.drain();
      assert.equal(inbox(email).length, 1, 'still one e-mail');
      assert.equal((await emailsOf(o.id)).length, 1);
    });

    test('resending a delivered e-mail sends it again under a new Message-ID (receivers would drop a repeat)', async () => {
      const email = to();
      const o = await place(order(uid('RS-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email } }));
      await t.drain();
      const [row] = await emailsOf(o.id);
      clock.advance(1_000);
      const res = await t.post(`/v1/emails/${row.id}/resend`);
      assert.equal(res.statusCode, 202, res.body);
      await t.drain();
      const [first, second] = inbox(email);
      assert.ok(first && second, 'two deliveries');
      assert.equal(first.subject, second.subject);
      assert.equal(first.messageId, `<${row.id}@acme.example>`);
      assert.notEqual(second.messageId, first.messageId);
      const [after] = await emailsOf(o.id);
      assert.equal(after.status, 'sent');
      assert.equal(after.attempts, 2);
      assert.equal(after.sent_at, clock.now().toISOString());
    });

    test('a merchant override changes the next e-mail; deleting it reverts to the built-in template', async () => {
      const put = await t.request({
        method: 'PUT',
        url: '/v1/mail/templates/order_confirmation/en',
        payload: {
          subject: 'Thanks! {{order.number}} is in',
          html: '<p>Custom {{customer_name}}: {{order.subtotal}}</p>',
          text: 'Custom {{customer_name}}',
        },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().overridden, true);
      const email = to();
      const o = await place(order(uid('O-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email, name: 'Zoe' } }));
      await t.drain();
      const [message] = inbox(email);
      assert.equal(message?.subject, `Thanks! ${o.external_id} is in`);
      assert.match(String(message?.html), /<p>Custom Zoe: \$10\.00<\/p>/);
      assert.match(String(message?.html), /max-width:600px/, 'still inside the shared layout');
      assert.equal(String(message?.text).trim(), 'Custom Zoe');

      const portuguese = to();
      await place(order(uid('O-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email: portuguese }, locale: 'pt-BR' }));
      await t.drain();
      assert.match(inbox(portuguese)[0]?.subject ?? '', /^Pedido/, 'the override is per locale');

      const del = await t.request({ method: 'DELETE', url: '/v1/mail/templates/order_confirmation/en' });
      assert.equal(del.statusCode, 200, del.body);
      assert.equal(del.json().overridden, false);
      const later = to();
      const o2 = await place(order(uid('O-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email: later } }));
      await t.drain();
      assert.equal(inbox(later)[0]?.subject, `Order ${o2.external_id} confirmed`);
    });

    test('the preview shows the rendered HTML and the raw message is the MIME message', async () => {
      const email = to();
      const o = await place(order(uid('V-'), [{ sku: 'MUG-1', quantity: 1 }], { customer: { email, name: 'Vi' } }));
      await t.drain();
      const [row] = await emailsOf(o.id);
      const preview = await t.get(`/v1/emails/${row.id}/preview`);
      assert.equal(preview.statusCode, 200);
      assert.match(String(preview.headers['content-type']), /^text\/html/);
      assert.match(String(preview.headers['content-security-policy']), /sandbox/);
      assert.match(preview.body, /Hi Vi/);
      const raw = await t.get(`/v1/emails/${row.id}/raw`);
      assert.equal(raw.statusCode, 200);
      assert.match(String(raw.headers['content-type']), /^message\/rfc822/);
      assert.match(raw.body, new RegExp(`Message-ID: <${row.id}@acme\\.example>`, 'i'));
      assert.match(raw.body, /Content-Type: multipart\/alternative/i);
    });
  });
}
