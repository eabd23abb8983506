import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, systemClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, uniqueNames } from '../support/problems.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';
import { createEndpoint, type Receiver as MerchantReceiver, startReceiver } from '../webhooks/support.js';
import { startWebhookReceiver, type WebhookReceiver } from './receivers.js';
import { addressOf, createForm, formBody, linkIn, submitJson } from './support.js';

/**
 * Lead events on both databases: every change of a lead is announced in its own transaction, numbered per lead
 * (`lead.created` 1, `lead.resubmitted` 2, ...), spam never is, an erasure leaves no personal data in the event
 * log nor in pending webhook deliveries, and a merchant endpoint subscribed to `lead.created` gets it signed
 * (verified with the `standardwebhooks` library).
 */
const uid = uniqueNames();
const publicUrl = 'http://leads.test';
const crmSecret = `whsec_${Buffer.from('another-test-secret-of-24-bytes-or-more').toString('base64')}`;

interface LeadEvent {
  readonly type: string;
  readonly seq: number;
  readonly actor: string;
  readonly orderId: string | null;
  readonly data: Json;
  readonly raw: string;
}

for (const dialect of await testDialects()) {
  describe(`lead events (${dialect})`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    let crm: WebhookReceiver;
    let merchant: MerchantReceiver;
    const clock = new ManualClock('2026-05-04T09:00:00.000Z');

    before(async () => {
      smtp = await startSmtpServer();
      crm = await startWebhookReceiver(crmSecret, () => clock.now());
      merchant = await startReceiver();
      t = await createTestApp(dialect, {
        clock,
        // The merchant's receiver listens on 127.0.0.1 and verifies the signature timestamp against real time.
        compose: { smtpUrl: smtp.url, publicUrl, webhooks: { allowPrivate: true, signingClock: systemClock } },
      });
      await createEndpoint(t, merchant, ['lead.created']);
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await crm.close();
      await merchant.close();
    });

    async function eventsOf(leadId: string): Promise<LeadEvent[]> {
      const rows = await t.app.db.read
        .selectFrom('events')
        .select(['type', 'aggregate_seq', 'actor', 'order_id', 'data'])
        .where('aggregate_type', '=', 'lead')
        .where('aggregate_id', '=', leadId)
        .orderBy('aggregate_seq')
        .execute();
      return rows.map((r) => ({
        type: r.type,
        seq: Number(r.aggregate_seq),
        actor: r.actor,
        orderId: r.order_id,
        data: JSON.parse(r.data),
        raw: r.data,
      }));
    }
    const leadEventCount = async () =>
      Number(
        (
          await t.app.db.read
            .selectFrom('events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('aggregate_type', '=', 'lead')
            .executeTakeFirstOrThrow()
        ).n,
      );
    async function leadsOf(formId: string): Promise<Json[]> {
      const res = await t.get(`/v1/leads?form_id=${formId}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().data;
    }
    async function submit(slug: string, email: string, extra: Json = {}) {
      const res = await submitJson(t, slug, { fields: { email, name: 'Lia', company: 'ACME', ...extra }, consent: true });
      assert.equal(res.statusCode, 202, res.body);
    }

    test('a submission is lead.created (seq 1), a repeat lead.resubmitted (seq 2); the merchant endpoint gets lead.created, signed', async () => {
      const slug = uid('ev-');
      const form = await createForm(t, formBody(slug, { url: 'https://cdn.example.com/r.pdf' }));
      const email = `${uid('Ana')}@Example.com`;
      await submit(slug, email, { employees: 12 });
      const [lead] = await leadsOf(form.id);
      assert.ok(lead);
      const first = await eventsOf(lead.id);
      assert.deepEqual(
        first.map((e) => [e.type, e.seq]),
        [['lead.created', 1]],
      );
      const created = first[0] as LeadEvent;
      assert.equal(created.actor, 'public');
      assert.equal(created.orderId, null);
      const detail = (await t.get(`/v1/leads/${lead.id}`)).json();
      assert.deepEqual(created.data, {
        lead_id: lead.id,
        form_id: form.id,
        form_slug: slug,
        submission_id: detail.submissions[0].id,
        email,
        fields: { email, name: 'Lia', company: 'ACME', employees: 12 },
        status: 'confirmed',
        submission_count: 1,
        consent_version: 'v1',
      });

      await submit(slug, email.toLowerCase(), { company: 'ACME 2' });
      const second = await eventsOf(lead.id);
      assert.deepEqual(
        second.map((e) => [e.type, e.seq]),
        [
          ['lead.created', 1],
          ['lead.resubmitted', 2],
        ],
      );
      const resubmitted = (second[1] as LeadEvent).data;
      assert.equal(resubmitted.submission_count, 2);
      assert.equal(resubmitted.fields.company, 'ACME 2');
      assert.notEqual(resubmitted.submission_id, created.data.submission_id);

      await t.drain();
      const got = merchant.received.filter((r) => r.json?.data?.lead_id === lead.id);
      assert.equal(got.length, 1, 'only the subscribed type is delivered');
      const [delivery] = got;
      assert.ok(delivery?.verified, delivery?.verifyError ?? '');
      assert.equal(delivery.json.type, 'lead.created');
      assert.equal(delivery.json.data.email, email);
      assert.equal(delivery.json.data.aggregate_type, 'lead');
      assert.equal(delivery.json.data.aggregate_id, lead.id);
      assert.equal(delivery.json.data.sequence, 1);
    });

    test('one person twice in one group commit: lead.created then lead.resubmitted, numbered 1 and 2', async () => {
      const slug = uid('ev-batch-');
      const form = await createForm(t, formBody(slug, { url: 'https://cdn.example.com/r.pdf' }));
      const email = `${uid('bo')}@example.com`;
      const others = Array.from({ length: 6 }, (_, i) => `${uid(`p${i}`)}@example.com`);
      await Promise.all([submit(slug, email), submit(slug, email.toUpperCase()), ...others.map((o) => submit(slug, o))]);
      const leads = await leadsOf(form.id);
      assert.equal(leads.length, 7);
      const lead = leads.find((l) => l.email.toLowerCase() === email) as Json;
      const events = await eventsOf(lead.id);
      assert.deepEqual(
        events.map((e) => [e.type, e.seq]),
        [
          ['lead.created', 1],
          ['lead.resubmitted', 2],
        ],
      );
      for (const other of leads.filter((l) => l.id !== lead.id)) {
        assert.deepEqual(
          (await eventsOf(other.id)).map((e) => [e.type, e.seq]),
          [['lead.created', 1]],
        );
      }
    });

    test('spam is never announced', async () => {
      const slug = uid('ev-spam-');
      const form = await createForm(
        t,
        formBody(
          slug,
          { url: 'https://cdn.example.com/r.pdf' },
          { spam: { min_submit_seconds: 0, ip_per_minute: 1000, json_requires_token: true } },
        ),
      );
      const before = await leadEventCount();
      const token = (await t.get(`/v1/public/forms/${slug}`)).json().render_token as string;
      for (const body of [
        { fields: { email: 'bot1@example.com', name: 'Bot' }, consent: true, render_token: token, hp_website: 'http://spam' },
        { fields: { email: 'bot2@example.com', name: 'Bot' }, consent: true },
        { fields: { email: 'bot3@mailinator.com', name: 'Bot' }, consent: true, render_token: token },
      ]) {
        const res = await submitJson(t, slug, body);
        assert.equal(res.statusCode, 202, res.body);
      }
      assert.equal((await t.get(`/v1/forms/${form.id}/spam`)).json().data.length, 3, 'the three were taken for spam');
      assert.equal(await leadEventCount(), before);
    });

    test('double opt-in: lead.created (pending) then lead.confirmed on the click; a second click announces nothing', async () => {
      const slug = uid('ev-doi-');
      const form = await createForm(t, formBody(slug, { url: 'https://cdn.example.com/r.pdf' }, { double_opt_in: true }));
      const email = `${uid('caio')}@example.com`;
      const sent = smtp.messages.length;
      await submit(slug, email);
      const [lead] = await leadsOf(form.id);
      assert.ok(lead);
      const pending = await eventsOf(lead.id);
      assert.deepEqual(
        pending.map((e) => [e.type, e.seq, e.data.status]),
        [['lead.created', 1, 'pending_confirmation']],
      );
      await t.drain();
      await smtp.waitFor(sent + 1);
      const mail = smtp.messages.find((m) => addressOf(m).toLowerCase() === email);
      assert.ok(mail, 'the confirmation e-mail arrived');
      const link = linkIn(mail, `${publicUrl}/f/${slug}/confirm/`);
      const click = () => t.request({ method: 'GET', url: link.slice(publicUrl.length), headers: { authorization: '' } });
      assert.equal((await click()).statusCode, 200);
      const confirmed = await eventsOf(lead.id);
      assert.deepEqual(
        confirmed.map((e) => [e.type, e.seq]),
        [
          ['lead.created', 1],
          ['lead.confirmed', 2],
        ],
      );
      const event = confirmed[1] as LeadEvent;
      assert.equal(event.actor, 'public');
      assert.equal(event.data.lead_id, lead.id);
      assert.equal(event.data.form_id, form.id);
      assert.equal(event.data.status, 'confirmed');
      assert.equal(event.data.submission_id, pending[0]?.data.submission_id);
      assert.equal((await click()).statusCode, 200);
      assert.equal((await eventsOf(lead.id)).length, 2, 'the second click changes nothing');
    });

    test('a CRM forward that succeeds (after a failure) is one lead.forwarded with the destination and job', async () => {
      const slug = uid('ev-crm-');
      const form = await createForm(
        t,
        formBody(slug, { url: 'https://cdn.example.com/r.pdf' }, { destinations: [{ kind: 'webhook', url: crm.url, secret: crmSecret }] }),
      );
      const destinationId = form.destinations[0].id as string;
      crm.failNext(1, 503);
      await submit(slug, `${uid('dora')}@example.com`);
      const [lead] = await leadsOf(form.id);
      assert.ok(lead);
      await t.drain();
      assert.deepEqual(
        (await eventsOf(lead.id)).map((e) => e.type),
        ['lead.created'],
        'a failed attempt is not announced',
      );
      clock.advance(60_000);
      await t.drain();
      const accepted = [...crm.accepted.values()].filter((r) => (r.body.data as Json).lead_id === lead.id);
      assert.equal(accepted.length, 1);
      const events = await eventsOf(lead.id);
      assert.deepEqual(
        events.map((e) => [e.type, e.seq]),
        [
          ['lead.created', 1],
          ['lead.forwarded', 2],
        ],
      );
      const forwarded = events[1] as LeadEvent;
      assert.equal(forwarded.actor, 'system');
      assert.deepEqual(forwarded.data, {
        lead_id: lead.id,
        form_id: form.id,
        submission_id: events[0]?.data.submission_id,
        destination_id: destinationId,
        destination_kind: 'webhook',
        job_id: accepted[0]?.id,
        attempts: 2,
      });
    });

    test('erasure is lead.erased with ids only; earlier events and pending deliveries lose the personal data', async () => {
      const slug = uid('ev-gdpr-');
      const form = await createForm(t, formBody(slug, { url: 'https://cdn.example.com/r.pdf' }));
      const email = `${uid('eva')}@example.com`;
      // The merchant's receiver is down: the lead.created delivery waits for a retry, with the e-mail in it.
      merchant.respond = () => ({ status: 503 });
      await submit(slug, email, { company: 'Secret Corp' });
      const [lead] = await leadsOf(form.id);
      assert.ok(lead);
      await t.drain();
      const failed = merchant.received.filter((r) => r.json?.data?.lead_id === lead.id);
      assert.equal(failed.length, 1);
      assert.equal(failed[0]?.json.data.email, email);
      merchant.respond = () => ({ status: 204 });

      const res = await t.request({ method: 'DELETE', url: `/v1/leads/${lead.id}` });
      assert.equal(res.statusCode, 200, res.body);
      const events = await eventsOf(lead.id);
      assert.deepEqual(
        events.map((e) => [e.type, e.seq]),
        [
          ['lead.created', 1],
          ['lead.erased', 2],
        ],
      );
      const erased = events[1] as LeadEvent;
      assert.equal(erased.actor, 'admin');
      assert.deepEqual(Object.keys(erased.data).sort(), ['erased_at', 'form_id', 'lead_id']);
      assert.equal(erased.data.lead_id, lead.id);
      assert.equal(erased.data.form_id, form.id);
      for (const e of events) {
        assert.doesNotMatch(e.raw, new RegExp(email.split('@')[0] as string, 'i'), `${e.type} keeps no e-mail`);
        assert.doesNotMatch(e.raw, /Secret Corp/, `${e.type} keeps no field`);
      }
      assert.equal(events[0]?.data.submission_id !== undefined, true, 'the earlier event keeps its ids');

      clock.advance(10 * 60_000);
      await t.drain();
      const retried = merchant.received.filter((r) => r.json?.data?.lead_id === lead.id);
      assert.equal(retried.length, 2, 'the delivery was retried');
      const retry = retried[1] as (typeof retried)[number];
      assert.ok(retry.verified, retry.verifyError ?? '');
      assert.equal(retry.id, failed[0]?.id, 'same delivery');
      assert.equal(retry.json.type, 'lead.created');
      assert.doesNotMatch(retry.body, new RegExp(email.split('@')[0] as string, 'i'));
      assert.doesNotMatch(retry.body, /Secret Corp/);
    });
  });
}
