/**
 * Zero-downtime secret rotation on both databases: after `rotate-secret` every delivery, test ping and manual
 * replay carries two signatures until the overlap ends on the app clock, so a real receiver that verifies with the
 * official `standardwebhooks` library accepts them whether it holds the old secret or the new one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSecret } from '../../src/contexts/webhooks/secret-box.js';
import { ManualClock, systemClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, pointers, problemOf } from '../support/problems.js';
import { appendOrderEvents, createEndpoint, deleteEndpoint, type Received, type Receiver, startReceiver, verifyWith } from './support.js';

// The receivers listen on 127.0.0.1: allowed here as a deployment would allow a private network.
process.env.WEBHOOKS_ALLOW_PRIVATE = '1';

const dialects = await testDialects();
const second = 1_000;
const hour = 3_600 * second;

/** The `v1,...` entries of a request's webhook-signature header. */
const signaturesOf = (r: Received | undefined): string[] => (r?.signature ?? '').split(' ');

for (const dialect of dialects) {
  describe(`webhook secret rotation (${dialect})`, () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    let t: TestApp;

    before(async () => {
      // Real time in the signature header (the verifying library compares it with its own clock); the overlap
      // ends on the app clock, which the tests move.
      t = await createTestApp(dialect, { clock, compose: { webhooks: { signingClock: systemClock } } });
    });
    after(async () => {
      await t?.close();
    });

    /** Sends one order event, a test ping and a replay of the event's delivery; returns the three requests. */
    async function sendThree(receiver: Receiver, endpointId: string): Promise<Received[]> {
      const from = receiver.received.length;
      await appendOrderEvents(t, 1);
      await t.drain();
      const event = receiver.received[from];
      assert.ok(event, 'the event was delivered');
      assert.equal((await t.post(`/v1/webhooks/endpoints/${endpointId}/test`)).statusCode, 202);
      await t.drain();
      const replay = await t.post(`/v1/webhooks/deliveries/${event.id}/replay`);
      assert.equal(replay.statusCode, 202, replay.body);
      await t.drain();
      const sent = receiver.received.slice(from);
      assert.equal(sent.length, 3);
      assert.deepEqual(
        sent.map((r) => r.json.type),
        ['order.created', 'webhook.test', 'order.created'],
      );
      assert.equal(sent[2]?.id, event.id, 'the replay keeps its webhook-id');
      return sent;
    }

    async function storedRow(id: string) {
      return t.app.db.read
        .selectFrom('webhook_endpoints')
        .select(['secret', 'previous_secret', 'previous_secret_expires_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    }

    test('during a 24 h overlap a receiver with the old secret and one with the new both verify; after it only the new one does', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const oldSecret = endpoint.secret as string;
        assert.equal(endpoint.previous_secret_expires_at, null);
        const rotatedAt = clock.now().getTime();
        const res = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`);
        assert.equal(res.statusCode, 200, res.body);
        const rotated = res.json();
        const newSecret = rotated.secret as string;
        assert.match(newSecret, /^whsec_[A-Za-z0-9+/]+=*$/);
        assert.notEqual(newSecret, oldSecret);
        const expires = new Date(rotatedAt + 24 * hour).toISOString();
        assert.equal(rotated.previous_secret_expires_at, expires, 'the default overlap is 24 h');
        assert.equal(JSON.stringify(rotated).includes(oldSecret), false, 'the old secret is never shown again');

        const view = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json();
        assert.equal(view.previous_secret_expires_at, expires);
        assert.equal('secret' in view, false);
        assert.equal('previous_secret' in view, false);
        const listed = (await t.get('/v1/webhooks/endpoints')).json().data.find((e: Json) => e.id === endpoint.id);
        assert.equal(listed.previous_secret_expires_at, expires);

        // The previous secret is sealed like the current one, bound to the endpoint.
        const row = await storedRow(endpoint.id);
        assert.match(row.previous_secret ?? '', /^v1\./);
        assert.ok(!(row.previous_secret ?? '').includes(oldSecret.slice(6, 20)));
        assert.equal(openSecret(t.app.secret, endpoint.id, row.previous_secret ?? ''), oldSecret);
        assert.throws(() => openSecret(t.app.secret, 'we_other', row.previous_secret ?? ''));

        // The receiver holds only the OLD secret (it has not installed the new one yet).
        receiver.secret = oldSecret;
        for (const sent of await sendThree(receiver, endpoint.id)) {
          assert.equal(signaturesOf(sent).length, 2, sent.signature);
          assert.match(sent.signature, /^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
          assert.equal(sent.verified, true, `old secret, ${sent.json.type}: ${sent.verifyError}`);
          assert.equal(verifyWith(newSecret, sent), null, `new secret, ${sent.json.type}`);
          assert.equal(verifyWith(oldSecret, sent), null);
        }

        // One second before the end of the overlap: still both.
        clock.advance(rotatedAt + 24 * hour - second - clock.now().getTime());
        await appendOrderEvents(t, 1);
        await t.drain();
        const late = receiver.received.at(-1);
        assert.equal(signaturesOf(late).length, 2);
        assert.equal(late?.verified, true, late?.verifyError ?? '');

        // Past the expiry: only the new secret signs; a receiver still on the old one now fails.
        clock.advance(2 * second);
        assert.equal((await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json().previous_secret_expires_at, null);
        for (const sent of await sendThree(receiver, endpoint.id)) {
          assert.equal(signaturesOf(sent).length, 1, sent.signature);
          assert.equal(sent.verified, false, `the old secret must no longer verify (${sent.json.type})`);
          assert.match(sent.verifyError ?? '', /signature/i);
          assert.equal(verifyWith(newSecret, sent), null, `new secret, ${sent.json.type}`);
        }
        receiver.secret = newSecret;
        await appendOrderEvents(t, 1);
        await t.drain();
        assert.equal(receiver.received.at(-1)?.verified, true, receiver.received.at(-1)?.verifyError ?? '');
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('rotating again during an overlap keeps only the secret being rotated out, with a fresh expiry', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const first = endpoint.secret as string;
        const r1 = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { expire_previous_in_hours: 48 });
        assert.equal(r1.statusCode, 200, r1.body);
        assert.equal(r1.json().previous_secret_expires_at, new Date(clock.now().getTime() + 48 * hour).toISOString());
        const second_ = r1.json().secret as string;
        clock.advance(hour);
        const r2 = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { expire_previous_in_hours: 2 });
        assert.equal(r2.statusCode, 200, r2.body);
        const third = r2.json().secret as string;
        assert.equal(r2.json().previous_secret_expires_at, new Date(clock.now().getTime() + 2 * hour).toISOString());
        assert.equal(openSecret(t.app.secret, endpoint.id, (await storedRow(endpoint.id)).previous_secret ?? ''), second_);

        receiver.secret = second_;
        await appendOrderEvents(t, 1);
        await t.drain();
        const sent = receiver.received.at(-1) as Received;
        assert.equal(signaturesOf(sent).length, 2, sent.signature);
        assert.equal(sent.verified, true, `the secret rotated out verifies: ${sent.verifyError}`);
        assert.equal(verifyWith(third, sent), null, 'the newest secret verifies');
        assert.notEqual(verifyWith(first, sent), null, 'the secret of two rotations ago is gone');

        clock.advance(2 * hour);
        await appendOrderEvents(t, 1);
        await t.drain();
        const after = receiver.received.at(-1) as Received;
        assert.equal(signaturesOf(after).length, 1);
        assert.equal(after.verified, false, 'the 2 h overlap of the second rotation is over');
        assert.equal(verifyWith(third, after), null);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('expire_previous_in_hours: 0 drops the old secret at once, also one kept by an earlier rotation', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const oldSecret = endpoint.secret as string;
        const first = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, {});
        assert.equal(first.statusCode, 200, first.body);
        assert.notEqual(first.json().previous_secret_expires_at, null, '{} means the default overlap');
        const res = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { expire_previous_in_hours: 0 });
        assert.equal(res.statusCode, 200, res.body);
        const newSecret = res.json().secret as string;
        assert.equal(res.json().previous_secret_expires_at, null);
        assert.equal((await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json().previous_secret_expires_at, null);
        const row = await storedRow(endpoint.id);
        assert.equal(row.previous_secret, null);
        assert.equal(row.previous_secret_expires_at, null);

        receiver.secret = first.json().secret;
        for (const sent of await sendThree(receiver, endpoint.id)) {
          assert.equal(signaturesOf(sent).length, 1, sent.signature);
          assert.equal(sent.verified, false, `the rotated-out secret no longer verifies (${sent.json.type})`);
          assert.notEqual(verifyWith(oldSecret, sent), null);
          assert.equal(verifyWith(newSecret, sent), null, `new secret, ${sent.json.type}`);
        }
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('bad rotation bodies are 400 problems with a JSON pointer and change nothing', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const before = await storedRow(endpoint.id);
        const url = `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`;
        const cases: [unknown, string][] = [
          [{ expire_previous_in_hours: -1 }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: 169 }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: 'x' }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: '24' }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: 1.5 }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: null }, '/expire_previous_in_hours'],
          [{ expire_previous_in_hours: 24, extra: true }, '/extra'],
          [{ grace_hours: 24 }, '/grace_hours'],
        ];
        for (const [body, pointer] of cases) {
          const problem = problemOf(await t.post(url, body), 400, 'validation_failed');
          assert.ok(pointers(problem).includes(pointer), `${JSON.stringify(body)}: ${JSON.stringify(problem.errors)}`);
        }
        const list = problemOf(await t.post(url, [24]), 400, 'validation_failed');
        assert.ok(pointers(list).length > 0);
        const text = await t.post(url, 'expire_previous_in_hours=1', { 'content-type': 'application/json' });
        assert.equal(text.statusCode, 400, text.body);
        assert.deepEqual(await storedRow(endpoint.id), before, 'a refused rotation changes nothing');

        problemOf(await t.post('/v1/webhooks/endpoints/we_nope/rotate-secret', { expire_previous_in_hours: 1 }), 404, 'not_found');
        // The bounds themselves are accepted.
        assert.equal((await t.post(url, { expire_previous_in_hours: 168 })).statusCode, 200);
        assert.equal((await t.post(url)).statusCode, 200, 'no body at all');
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });
  });
}
