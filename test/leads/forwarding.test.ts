import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf, uniqueNames } from '../support/problems.js';
import { type HubSpotFake, startHubSpotFake, startWebhookReceiver, type WebhookReceiver } from './receivers.js';
import { createForm, formBody, submitJson } from './support.js';

/**
 * CRM forwarding through the outbox against local receivers: a signed webhook whose receiver fails at first,
 * and a HubSpot Forms API stand-in. Every lead arrives exactly once by its dedupe key (the webhook id), retries
 * are recorded, dead forwards are listed and replayed. Spam never reaches a CRM and is never e-mailed.
 */
const uid = uniqueNames();
const secret = `whsec_${Buffer.from('a-test-secret-of-at-least-24-bytes!!').toString('base64')}`;

for (const dialect of await testDialects()) {
  describe(`CRM forwarding (${dialect})`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    let hubspot: HubSpotFake;
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');

    before(async () => {
      receiver = await startWebhookReceiver(secret, () => clock.now());
      hubspot = await startHubSpotFake('1234567', 'b7e2a4c1-0000-4000-8000-000000000001');
      t = await createTestApp(dialect, { clock, compose: { publicUrl: 'http://leads.test' } });
    });
    after(async () => {
      await t.close();
      await receiver.close();
      await hubspot.close();
    });

    /** Runs the outbox, then moves time past every retry delay and runs it again, `rounds` times. */
    async function drainWithRetries(rounds: number): Promise<void> {
      for (let i = 0; i < rounds; i++) {
        await t.drain();
        clock.advance(7 * 3_600_000);
      }
      await t.drain();
    }

    test('a receiver that fails at first gets every lead exactly once; retries are recorded', async () => {
      const slug = uid('crm-');
      const form = await createForm(
        t,
        formBody(
          slug,
          { url: 'https://cdn.example.com/r.pdf' },
          {
            destinations: [
              { kind: 'webhook', url: receiver.url, secret },
              {
                kind: 'hubspot',
                portal_id: '1234567',
                form_guid: 'b7e2a4c1-0000-4000-8000-000000000001',
                base_url: hubspot.baseUrl,
                subscription_type_id: 999,
              },
            ],
          },
        ),
      );
      assert.equal(form.destinations[0].secret, undefined, 'a given secret is never echoed');
      receiver.failNext(3, 503);
      const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'A@example.com'].map((e) => `${uid('x')}-${e}`);
      emails[3] = emails[0]?.toUpperCase() as string;
      for (const email of emails) {
        const res = await submitJson(t, slug, {
          fields: { email, name: 'Lia', company: 'ACME', country: 'PT' },
          consent: true,
          hutk: 'hutk-1',
          page_uri: 'https://acme.example/lp',
        });
        assert.equal(res.statusCode, 202, res.body);
      }
      await drainWithRetries(3);
      // 4 submissions (the 4th repeats the 1st person): 4 forwards, each accepted once, whatever the failures.
      assert.equal(receiver.accepted.size, 4);
      const requests = receiver.requests.length;
      assert.ok(requests >= 7, `3 failures then 4 deliveries, got ${requests}`);
      assert.ok(
        receiver.requests.every((r) => r.verified),
        'every request carries a valid Standard Webhooks signature',
      );
      const bodies = [...receiver.accepted.values()].map((r) => r.body.data as Json);
      assert.equal(new Set(bodies.map((b) => b.submission_id)).size, 4);
      assert.equal(new Set(bodies.map((b) => b.lead_id)).size, 3);
      assert.equal(bodies[0]?.consent.version, 'v1');
      // Retried deliveries kept their webhook id: each id that failed was later accepted.
      for (const failed of receiver.requests.filter((r) => r.status >= 500)) assert.ok(receiver.accepted.has(failed.id));
      assert.equal(hubspot.submissions.length, 4);
      const hs = hubspot.submissions[0]?.body as Json;
      assert.deepEqual(hs.fields.find((f: Json) => f.name === 'email').objectTypeId, '0-1');
      assert.ok(hs.fields.some((f: Json) => f.name === 'firstname' && f.value === 'Lia'));
      assert.deepEqual(hs.context, { pageName: form.name, pageUri: 'https://acme.example/lp', ipAddress: '127.0.0.1', hutk: 'hutk-1' });
      assert.equal(hs.legalConsentOptions.consent.consentToProcess, true);
      assert.deepEqual(hs.legalConsentOptions.consent.communications, [{ value: true, subscriptionTypeId: 999, text: form.consent.text }]);
      const got = (await t.get(`/v1/forms/${form.id}`)).json();
      assert.equal(got.stats.forwarded, 3);
      const webhook = got.destinations.find((d: Json) => d.kind === 'webhook');
      assert.equal(webhook.health.succeeded, 4);
      assert.equal(webhook.health.attempts, 7);
      assert.match(webhook.health.last_error, /HTTP 503/);
      const forwards = (await t.get(`/v1/leads/forwards?form_id=${form.id}&status=succeeded`)).json().data;
      assert.equal(forwards.length, 8);
      assert.equal(forwards.filter((f: Json) => f.attempts > 1).length, 3, 'the retried forwards show their attempts');
    });

    test('dead forwards are listed and replayed with the same webhook id; HubSpot 400 is final', async () => {
      const slug = uid('dead-');
      const form = await createForm(
        t,
        formBody(
          slug,
          { url: 'https://cdn.example.com/r.pdf' },
          {
            destinations: [
              { kind: 'webhook', url: receiver.url, secret, max_attempts: 2 },
              { kind: 'hubspot', portal_id: '1234567', form_guid: 'b7e2a4c1-0000-4000-8000-000000000001', base_url: hubspot.baseUrl },
            ],
          },
        ),
      );
      receiver.failAll(500);
      const email = `${uid('z')}@blocked.example`;
      assert.equal((await submitJson(t, slug, { fields: { email, name: 'Zed' }, consent: true })).statusCode, 202);
      await drainWithRetries(3);
      receiver.failAll(undefined);
      const dead = (await t.get(`/v1/forms/${form.id}/dead-letters`)).json().data as Json[];
      assert.equal(dead.length, 2);
      const hub = dead.find((d) => d.kind === 'hubspot') as Json;
      assert.equal(hub.attempts, 1, 'a 400 is not retried');
      assert.match(hub.last_error, /HTTP 400.*BLOCKED_EMAIL/);
      const hook = dead.find((d) => d.kind === 'webhook') as Json;
      assert.equal(hook.attempts, 2);
      const failedIds = new Set(receiver.requests.filter((r) => r.status === 500).map((r) => r.id));
      assert.equal(failedIds.size, 1);
      assert.deepEqual((await t.get(`/v1/leads/forwards?status=dead&form_id=${form.id}`)).json().data.length, 2);
      const replay = await t.post(`/v1/leads/forwards/${hook.job_id}/replay`);
      assert.equal(replay.statusCode, 202, replay.body);
      problemOf(await t.post(`/v1/leads/forwards/${hook.job_id}/replay`), 409, 'forward_not_replayable');
      await t.drain();
      assert.ok(receiver.accepted.has([...failedIds][0] as string), 'the replay used the same webhook id');
      assert.equal((await t.get(`/v1/forms/${form.id}/dead-letters`)).json().data.length, 1);
      problemOf(await t.post('/v1/leads/forwards/job_missing/replay'), 404, 'not_found');
    });

    test('spam: honeypot, too fast, disposable and rate-limited submissions never reach the CRM nor the mailbox', async () => {
      const slug = uid('spam-');
      const form = await createForm(
        t,
        formBody(
          slug,
          { url: 'https://cdn.example.com/r.pdf' },
          {
            destinations: [{ kind: 'webhook', url: receiver.url, secret }],
            spam: { min_submit_seconds: 5, json_requires_token: true, ip_per_minute: 6 },
          },
        ),
      );
      const before = receiver.requests.length;
      const token = (await t.get(`/v1/public/forms/${slug}`)).json().render_token as string;
      const ok = { status: 'received', confirmation_required: false, message: null, redirect_url: null };
      const honeypot = await submitJson(t, slug, {
        fields: { email: 'bot1@example.com', name: 'Bot' },
        consent: true,
        render_token: token,
        hp_website: 'http://spam',
      });
      const tooFast = await submitJson(t, slug, { fields: { email: 'bot2@example.com', name: 'Bot' }, consent: true, render_token: token });
      const noToken = await submitJson(t, slug, { fields: { email: 'bot3@example.com', name: 'Bot' }, consent: true });
      const forged = await submitJson(t, slug, {
        fields: { email: 'bot4@example.com', name: 'Bot' },
        consent: true,
        render_token: `${token.split('.')[0]}.${'A'.repeat(43)}`,
      });
      clock.advance(6_000);
      const disposable = await submitJson(t, slug, {
        fields: { email: 'bot5@mailinator.com', name: 'Bot' },
        consent: true,
        render_token: token,
      });
      for (const res of [honeypot, tooFast, noToken, forged, disposable]) {
        assert.equal(res.statusCode, 202, res.body);
        assert.deepEqual(res.json(), ok, 'spam is answered like a success');
      }
      const human = await submitJson(t, slug, {
        fields: { email: `${uid('h')}@example.com`, name: 'Human' },
        consent: true,
        render_token: token,
      });
      assert.equal(human.statusCode, 202);
      const limited = await submitJson(t, slug, {
        fields: { email: `${uid('h')}@example.com`, name: 'Human' },
        consent: true,
        render_token: token,
      });
      problemOf(limited, 429, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      await drainWithRetries(1);
      assert.equal(receiver.requests.length - before, 1, 'only the human reached the CRM');
      const spam = (await t.get(`/v1/forms/${form.id}/spam`)).json().data as Json[];
      assert.deepEqual(spam.map((s) => s.reason).sort(), ['disposable_email', 'honeypot', 'token_invalid', 'token_missing', 'too_fast']);
      const stats = (await t.get(`/v1/forms/${form.id}`)).json().stats;
      assert.equal(stats.spam, 5);
      assert.equal(stats.leads, 1);
      const mails = await t.app.db.read.selectFrom('emails').select('to_address').where('to_address', 'like', 'bot%').execute();
      assert.equal(mails.length, 0, 'spam is never e-mailed');
    });
  });
}
