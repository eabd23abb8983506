/**
 * Outbound webhooks end to end on both databases: real orders make events, the outbox delivers them to a
 * real HTTP receiver that verifies every request with the official `standardwebhooks` library and fails the
 * first attempts on purpose. The clock is moved step by step through the published retry schedule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, systemClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { item, location, must, order, seed } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import type { Json } from '../support/problems.js';
import { appendOrderEvents, createEndpoint, deleteEndpoint, deliveryLog, type Received, startReceiver } from './support.js';

// The receivers listen on 127.0.0.1: allowed here as a deployment would allow a private network.
process.env.WEBHOOKS_ALLOW_PRIVATE = '1';

const dialects = await testDialects();
const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;

/** Requests grouped by webhook-id, in arrival order. */
function byId(received: readonly Received[]): Map<string, Received[]> {
  const groups = new Map<string, Received[]>();
  for (const r of received) groups.set(r.id, [...(groups.get(r.id) ?? []), r]);
  return groups;
}

for (const dialect of dialects) {
  describe(`webhook delivery (${dialect})`, () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    let t: TestApp;
    const count = (() => {
      let n = 0;
      return () => {
        n += 1;
        return n;
      };
    })();

    before(async () => {
      t = await createTestApp(dialect, {
        clock,
        // Jitter fixed at +10% so the schedule can be checked to the millisecond; real time in the signature
        // header because the verifying library compares it with its own clock.
        compose: { webhooks: { signingClock: systemClock }, dispatcherOptions: { random: () => 0.5 } },
      });
      await seed(t, { locations: [location('WH1')], items: [item('MUG-1')], stock: { WH1: { 'MUG-1': 1_000 } } });
    });
    after(async () => {
      await t?.close();
    });

    test('the event-type catalog is published', async () => {
      const res = await t.get('/v1/webhooks/event-types');
      assert.equal(res.statusCode, 200, res.body);
      const types = res.json().data.map((e: Json) => e.type);
      for (const type of [
        'order.created',
        'order.cancelled',
        'fulfillment_order.shipped',
        'shipment.status_changed',
        'shipment.delivered',
      ]) {
        assert.ok(types.includes(type), type);
      }
      assert.ok(types.includes('webhook_endpoint.disabled'));
      assert.ok(!types.includes('inventory.received'), 'internal events are not published');
    });

    test('every event arrives signed; 500 then 429 Retry-After then success, on the schedule, with one webhook-id per delivery', async () => {
      // Every delivery: first attempt 500, second 429 with Retry-After 15 min, third 204.
      const receiver = await startReceiver((r, _n) => {
        const seen = receiver.received.filter((x) => x.id === r.id).length;
        if (seen === 1) return { status: 500, body: 'boom' };
        if (seen === 2) return { status: 429, headers: { 'retry-after': '900' }, body: 'slow down' };
        return { status: 204 };
      });
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created', 'order.cancelled']);
        const orders: Json[] = [];
        for (let i = 0; i < 3; i++) orders.push(await must(t, '/v1/orders', order(`WH-A-${count()}`, [{ sku: 'MUG-1', quantity: 1 }])));
        await must(t, `/v1/orders/${orders[1]?.id}/cancel`, {});
        const expectedEvents: Json[] = [];
        for (const o of orders) {
          const res = await t.get(`/v1/orders/${o.id}/events`);
          expectedEvents.push(...res.json().data.filter((e: Json) => e.type === 'order.created' || e.type === 'order.cancelled'));
        }
        assert.equal(expectedEvents.length, 4);

        const start = clock.now().getTime();
        await t.drain();
        assert.equal(receiver.received.length, 4, 'first attempts');
        assert.ok(
          receiver.received.every((r) => r.verified),
          receiver.received.map((r) => r.verifyError).join(),
        );
        const ids = [...byId(receiver.received).keys()];
        assert.equal(ids.length, 4, 'one webhook-id per delivery');

        // Attempt 2 is due 5 s after the first, plus the runner's jitter (+10% here): not a moment before.
        const first = (await t.get(`/v1/webhooks/deliveries/${ids[0]}`)).json();
        assert.equal(first.status, 'pending');
        assert.equal(first.attempts, 1);
        assert.equal(first.next_attempt_at, new Date(start + 5_500).toISOString());
        clock.advance(5_499);
        await t.drain();
        assert.equal(receiver.received.length, 4, 'nothing before 5.5 s');
        clock.advance(1);
        await t.drain();
        assert.equal(receiver.received.length, 8, 'second attempts');

        // The schedule says 5 min (+10%) next, but the receiver asked for 15 min: Retry-After wins.
        const afterSecond = clock.now().getTime();
        const second429 = (await t.get(`/v1/webhooks/deliveries/${ids[0]}`)).json();
        assert.equal(second429.next_attempt_at, new Date(afterSecond + 900 * second).toISOString());
        clock.advance(5.5 * minute);
        await t.drain();
        assert.equal(receiver.received.length, 8, 'Retry-After is honoured over the shorter schedule');
        clock.advance(900 * second - 5.5 * minute);
        await t.drain();
        assert.equal(receiver.received.length, 12, 'third attempts');

        // Every request verified; each delivery came three times with the same webhook-id and the same body.
        assert.ok(
          receiver.received.every((r) => r.verified),
          receiver.received.map((r) => r.verifyError).join(),
        );
        for (const [id, group] of byId(receiver.received)) {
          assert.equal(group.length, 3, id);
          assert.equal(new Set(group.map((g) => g.body)).size, 1, 'the body does not change between attempts');
          assert.ok(id.startsWith('job_'));
        }
        // Every event arrived, in the Standard Webhooks shape.
        const bodies = [...byId(receiver.received).values()].map((g) => g[0]?.json as Json);
        assert.deepEqual(bodies.map((b) => b.data.id).sort(), expectedEvents.map((e) => e.id).sort());
        for (const body of bodies) {
          const event = expectedEvents.find((e) => e.id === body.data.id) as Json;
          assert.deepEqual(Object.keys(body).sort(), ['data', 'timestamp', 'type']);
          assert.equal(body.type, event.type);
          assert.equal(body.timestamp, event.created_at);
          assert.equal(body.data.aggregate_id, event.aggregate_id);
          assert.equal(body.data.sequence, event.aggregate_seq);
          assert.equal(body.data.order_id, event.aggregate_id);
        }
        // The signature timestamp is the moment of sending, in seconds.
        for (const r of receiver.received) assert.ok(Math.abs(Number(r.timestamp) - Date.now() / 1000) < 300);

        // The log: three attempts per delivery with their statuses, bodies and outcomes.
        const delivery = (await t.get(`/v1/webhooks/deliveries/${ids[0]}`)).json();
        assert.equal(delivery.status, 'succeeded');
        assert.equal(delivery.attempts, 3);
        assert.deepEqual(
          delivery.attempt_log.map((a: Json) => [a.attempt, a.response_status, a.outcome]),
          [
            [1, 500, 'retry'],
            [2, 429, 'retry'],
            [3, 204, 'succeeded'],
          ],
        );
        assert.equal(delivery.attempt_log[0].response_body, 'boom');
        assert.equal(delivery.attempt_log[0].error, 'HTTP 500');
        const log = await deliveryLog(t, endpoint.id);
        assert.equal(log.length, 12);
        const page = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}/deliveries?limit=5`)).json();
        assert.equal(page.data.length, 5);
        const rest = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}/deliveries?limit=500&cursor=${page.next_cursor}`)).json();
        assert.equal(rest.data.length, 7);
        assert.deepEqual(
          [...page.data, ...rest.data].map((a: Json) => a.id),
          log.map((a) => a.id),
        );
        const retries = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}/deliveries?outcome=retry&limit=500`)).json();
        assert.equal(retries.data.length, 8);
        // A success ends the failure streak.
        assert.equal((await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json().failing_since, null);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('410 Gone disables the endpoint at once, announces it, and a re-enabled endpoint gets the period replayed with the same ids', async () => {
      let gone = true;
      const receiver = await startReceiver(() => (gone ? { status: 410, body: 'gone' } : { status: 200, body: 'ok' }));
      const watcher = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const watch = await createEndpoint(t, watcher, ['webhook_endpoint.disabled']);
        const since = clock.now().toISOString();
        const events = await appendOrderEvents(t, 3);
        await t.drain();
        assert.equal(receiver.received.length, 3, 'one attempt each: 410 is final');
        const ids = receiver.received.map((r) => r.id);

        const shown = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json();
        assert.equal(shown.status, 'disabled');
        assert.match(shown.disabled_reason, /410 Gone/);
        assert.equal(shown.disabled_at, clock.now().toISOString());
        const disabledList = (await t.get('/v1/webhooks/endpoints?status=disabled')).json().data;
        assert.ok(disabledList.some((e: Json) => e.id === endpoint.id));
        // Announced once, to the endpoint that subscribed to it.
        assert.equal(watcher.received.length, 1);
        const notice = watcher.received[0] as Received;
        assert.ok(notice.verified, notice.verifyError ?? '');
        assert.equal(notice.json.type, 'webhook_endpoint.disabled');
        assert.equal(notice.json.data.endpoint_id, endpoint.id);
        assert.equal(notice.json.data.aggregate_id, endpoint.id);
        assert.equal(notice.json.data.sequence, 1);
        for (const id of ids) assert.equal((await t.get(`/v1/webhooks/deliveries/${id}`)).json().status, 'dead');

        // While disabled: no new deliveries, no replays.
        await appendOrderEvents(t, 1);
        await t.drain();
        assert.equal(receiver.received.length, 3);
        const refused = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/replay`, { since });
        assert.equal(refused.statusCode, 409, refused.body);
        assert.equal(refused.json().code, 'webhook_endpoint_disabled');

        // Re-enabled: the failure is forgotten, and the period is replayed with the original webhook-ids.
        gone = false;
        const enabled = await t.request({ method: 'PATCH', url: `/v1/webhooks/endpoints/${endpoint.id}`, payload: { status: 'enabled' } });
        assert.equal(enabled.statusCode, 200, enabled.body);
        assert.equal(enabled.json().status, 'enabled');
        assert.equal(enabled.json().disabled_reason, null);
        const replay = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/replay`, { since });
        assert.equal(replay.statusCode, 200, replay.body);
        assert.equal(replay.json().replayed, 3);
        assert.equal(replay.json().more, false);
        await t.drain();
        assert.equal(receiver.received.length, 6);
        assert.deepEqual(
          receiver.received
            .slice(3)
            .map((r) => r.id)
            .sort(),
          [...ids].sort(),
        );
        assert.deepEqual(
          receiver.received
            .slice(3)
            .map((r) => r.json.data.id)
            .sort(),
          [...events].sort(),
        );
        assert.ok(receiver.received.every((r) => r.verified));
        await deleteEndpoint(t, endpoint.id);
        await deleteEndpoint(t, watch.id);
      } finally {
        await receiver.close();
        await watcher.close();
      }
    });

    test('redirects are not followed: a 3xx is a failed attempt and the target never hears of it', async () => {
      const target = await startReceiver();
      const receiver = await startReceiver(() => ({ status: 307, headers: { location: target.url } }));
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        await appendOrderEvents(t, 1);
        await t.drain();
        assert.equal(receiver.received.length, 1);
        assert.equal(target.received.length, 0);
        const [attempt] = await deliveryLog(t, endpoint.id);
        assert.equal(attempt?.response_status, 307);
        assert.equal(attempt?.outcome, 'retry');
        assert.match(attempt?.error, /redirects are not followed/);
        assert.ok((await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json().failing_since);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
        await target.close();
      }
    });

    test('a delivery replayed by hand is sent again with the same webhook-id; a pending one cannot be', async () => {
      const receiver = await startReceiver(() => ({ status: 200 }));
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        await appendOrderEvents(t, 1);
        await t.drain();
        const [sent] = receiver.received;
        assert.ok(sent?.verified);
        const replay = await t.post(`/v1/webhooks/deliveries/${sent?.id}/replay`);
        assert.equal(replay.statusCode, 202, replay.body);
        assert.equal(replay.json().status, 'pending');
        const again = await t.post(`/v1/webhooks/deliveries/${sent?.id}/replay`);
        assert.equal(again.statusCode, 409, again.body);
        assert.equal(again.json().code, 'delivery_in_progress');
        await t.drain();
        assert.equal(receiver.received.length, 2);
        assert.equal(receiver.received[1]?.id, sent?.id);
        assert.equal(receiver.received[1]?.body, sent?.body);
        assert.ok(receiver.received[1]?.verified);
        const delivery = (await t.get(`/v1/webhooks/deliveries/${sent?.id}`)).json();
        assert.equal(delivery.status, 'succeeded');
        assert.deepEqual(
          delivery.attempt_log.map((a: Json) => a.attempt),
          [1, 2],
        );
        assert.equal((await t.post('/v1/webhooks/deliveries/job_nope/replay')).statusCode, 404);
        assert.equal((await t.get('/v1/webhooks/deliveries/job_nope')).statusCode, 404);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('a test ping arrives signed as webhook.test and is logged', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.cancelled']);
        const res = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/test`);
        assert.equal(res.statusCode, 202, res.body);
        await t.drain();
        assert.equal(receiver.received.length, 1);
        const [ping] = receiver.received;
        assert.ok(ping?.verified, ping?.verifyError ?? '');
        assert.equal(ping?.id, res.json().delivery_id);
        assert.equal(ping?.json.type, 'webhook.test');
        assert.equal(ping?.json.data.endpoint_id, endpoint.id);
        const [logged] = await deliveryLog(t, endpoint.id);
        assert.equal(logged?.event_type, 'webhook.test');
        assert.equal(logged?.outcome, 'succeeded');
        assert.equal(logged?.response_status, 204);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('a failing delivery dies after the eighth attempt; an endpoint failing for 5 days is disabled and says why', async () => {
      const receiver = await startReceiver(() => ({ status: 500 }));
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        const began = clock.now().getTime();
        await appendOrderEvents(t, 1);
        await t.drain();
        const id = receiver.received[0]?.id as string;
        const due: number[] = [];
        for (let i = 0; i < 7; i++) {
          const d = (await t.get(`/v1/webhooks/deliveries/${id}`)).json();
          assert.equal(d.status, 'pending');
          due.push(Date.parse(d.next_attempt_at));
          clock.advance(Date.parse(d.next_attempt_at) - clock.now().getTime());
          await t.drain();
        }
        assert.equal(receiver.received.length, 8);
        // The delays: the published schedule plus the runner's +10% jitter (fixed in this test).
        const schedule = [5 * second, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour, 10 * hour];
        let at = began;
        for (const [i, delay] of schedule.entries()) {
          at += delay * 1.1;
          assert.equal(due[i], at, `attempt ${i + 2}`);
        }
        const dead = (await t.get(`/v1/webhooks/deliveries/${id}`)).json();
        assert.equal(dead.status, 'dead');
        assert.equal(dead.attempts, 8);
        let shown = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json();
        assert.equal(shown.status, 'enabled', 'about 36 h of failures is not yet 5 days');
        assert.equal(shown.failing_since, new Date(began).toISOString());

        clock.advance(began + 5 * 24 * hour - clock.now().getTime());
        await appendOrderEvents(t, 1);
        await t.drain();
        shown = (await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json();
        assert.equal(shown.status, 'disabled');
        assert.match(shown.disabled_reason, /failed since/);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });

    test('a secret rotated without overlap signs the next deliveries; the old one no longer verifies', async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        // No overlap: the old secret is dropped at once (test/webhooks/rotation.test.ts covers the overlap).
        const rotated = await t.post(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, { expire_previous_in_hours: 0 });
        assert.equal(rotated.statusCode, 200, rotated.body);
        assert.notEqual(rotated.json().secret, endpoint.secret);
        receiver.secret = endpoint.secret;
        await appendOrderEvents(t, 1);
        await t.drain();
        assert.equal(receiver.received[0]?.verified, false);
        receiver.secret = rotated.json().secret;
        const replay = await t.post(`/v1/webhooks/deliveries/${receiver.received[0]?.id}/replay`);
        assert.equal(replay.statusCode, 202, replay.body);
        await t.drain();
        assert.equal(receiver.received[1]?.verified, true, receiver.received[1]?.verifyError ?? '');
        // The secret is stored sealed, never as written.
        const row = await t.app.db.read
          .selectFrom('webhook_endpoints')
          .select('secret')
          .where('id', '=', endpoint.id)
          .executeTakeFirstOrThrow();
        assert.ok(!row.secret.includes(rotated.json().secret.slice(6, 20)));
        assert.match(row.secret, /^v1\./);
        assert.equal('secret' in (await t.get(`/v1/webhooks/endpoints/${endpoint.id}`)).json(), false);
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
      }
    });
  });
}
