/**
 * The SSRF guard and the timeout: the address classifier on its own, then real deliveries refused before
 * any byte leaves (127.0.0.1, 10.x, 169.254.x, [::1], a host name resolving to loopback) when private
 * targets are not allowed, and a receiver that never answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dispatcher } from '../../src/contexts/outbox/index.js';
import { classifyAddress, retryAfterMs, webhooksModule } from '../../src/contexts/webhooks/index.js';
import { sealSecret } from '../../src/contexts/webhooks/secret-box.js';
import { ManualClock, systemClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf } from '../support/problems.js';
import { appendOrderEvents, createEndpoint, deleteEndpoint, deliveryLog, startReceiver } from './support.js';

describe('address classifier', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'],
    ['localhost', 'invalid'],
    ['999.1.1.1', 'invalid'],
  ];
  for (const [address, expected] of cases) {
    test(`${address} is ${expected}`, () => assert.equal(classifyAddress(address), expected));
  }

  test('Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-03-02T09:00:00.000Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Mon, 02 Mar 2026 09:10:00 GMT', now), 600_000);
    assert.equal(retryAfterMs('Mon, 02 Mar 2026 08:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('99999999', now), 7 * 24 * 3_600_000, 'capped at a week');
  });
});

for (const dialect of await testDialects()) {
  describe(`SSRF guard and timeout (${dialect})`, () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { clock, compose: { webhooks: { allowPrivate: false, signingClock: systemClock } } });
    });
    after(async () => {
      await t?.close();
    });

    test('URLs are checked when an endpoint is registered', async () => {
      const refused: [unknown, number, string, string][] = [
        [{ url: 'ftp://example.com/x', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'https://user:pw@example.com/x', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'https://example.com/x#frag', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'http://127.0.0.1:9/x', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'http://[::1]/x', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'http://169.254.169.254/latest', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'http://0x7f.1/x', event_types: ['*'] }, 422, 'webhook_url_not_allowed', '/url'],
        [{ url: 'not a url', event_types: ['*'] }, 400, 'validation_failed', '/url'],
        [{ url: `https://example.com/${'a'.repeat(2_100)}`, event_types: ['*'] }, 400, 'validation_failed', '/url'],
        [{ url: 'https://example.com/x', event_types: ['order.created', 'order.nope'] }, 422, 'unknown_event_type', '/event_types/1'],
        [{ url: 'https://example.com/x', event_types: ['*', 'order.created'] }, 400, 'validation_failed', '/event_types'],
        [{ url: 'https://example.com/x', event_types: [] }, 400, 'validation_failed', '/event_types'],
        [{ url: 'https://example.com/x', event_types: ['DROP TABLE'] }, 400, 'validation_failed', '/event_types/0'],
        [{ url: 'https://example.com/x', event_types: ['*'], secret: 'whsec_mine' }, 400, 'validation_failed', '/secret'],
        [{ event_types: ['*'] }, 400, 'validation_failed', '/url'],
      ];
      for (const [body, status, code, pointer] of refused) {
        const p = problemOf(await t.post('/v1/webhooks/endpoints', body), status, code);
        assert.ok(
          p.errors?.some((e: Json) => e.pointer === pointer),
          `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(p.errors)}`,
        );
      }
      const ok = await t.post('/v1/webhooks/endpoints', {
        url: 'https://hooks.example.com/fulfill?x=1',
        event_types: ['order.created', 'order.created'],
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.deepEqual(ok.json().event_types, ['order.created']);
      const id = ok.json().id;
      problemOf(await t.request({ method: 'PATCH', url: `/v1/webhooks/endpoints/${id}`, payload: {} }), 400, 'validation_failed');
      problemOf(
        await t.request({ method: 'PATCH', url: `/v1/webhooks/endpoints/${id}`, payload: { url: 'http://10.0.0.8/x' } }),
        422,
        'webhook_url_not_allowed',
      );
      problemOf(
        await t.request({ method: 'PATCH', url: '/v1/webhooks/endpoints/we_nope', payload: { status: 'enabled' } }),
        404,
        'not_found',
      );
      problemOf(await t.get('/v1/webhooks/endpoints/we_nope/deliveries'), 404, 'not_found');
      problemOf(await t.post(`/v1/webhooks/endpoints/${id}/replay`, { since: 'yesterday' }), 400, 'validation_failed');
      // A key without webhooks:write cannot register endpoints.
      const key = (await t.post('/v1/api-keys', { name: 'reader', scopes: ['webhooks:read'] })).json().key;
      problemOf(
        await t.post('/v1/webhooks/endpoints', { url: 'https://example.com', event_types: ['*'] }, { authorization: `Bearer ${key}` }),
        403,
        'forbidden',
      );
      assert.equal((await t.get('/v1/webhooks/endpoints', { authorization: `Bearer ${key}` })).statusCode, 200);
      await deleteEndpoint(t, id);
      problemOf(await t.request({ method: 'DELETE', url: `/v1/webhooks/endpoints/${id}` }), 404, 'not_found');
    });

    test('deliveries to private addresses are refused before connecting, including names that resolve to loopback', async () => {
      const receiver = await startReceiver();
      try {
        const port = new URL(receiver.url).port;
        const targets = [
          `http://127.0.0.1:${port}/a`,
          `http://[::1]:${port}/b`,
          `http://localhost:${port}/c`,
          'http://10.1.2.3/d',
          'http://169.254.169.254/e',
        ];
        const ids: string[] = [];
        for (const url of targets) {
          // Stored directly: the API refuses literal private addresses, and a name's address is only known when sending.
          const id = t.app.ids.next('webhookEndpoint');
          const now = clock.now().toISOString();
          await t.app.db.transaction((tx) =>
            tx
              .insertInto('webhook_endpoints')
              .values({
                id,
                url,
                description: null,
                event_types: '["*"]',
                secret: sealSecret(t.app.secret, id, 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA=='),
                status: 'enabled',
                disabled_reason: null,
                disabled_at: null,
                failing_since: null,
                event_seq: 0,
                created_at: now,
                updated_at: now,
              })
              .execute(),
          );
          ids.push(id);
        }
        await appendOrderEvents(t, 1);
        await t.drain();
        assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
        for (const [i, id] of ids.entries()) {
          const [attempt] = await deliveryLog(t, id);
          assert.equal(attempt?.outcome, 'failed', targets[i]);
          assert.equal(attempt?.response_status, null);
          assert.match(attempt?.error, /refused: .* is a (loopback|private|link-local) address/, targets[i]);
          const delivery = (await t.get(`/v1/webhooks/deliveries/${attempt?.delivery_id}`)).json();
          assert.equal(delivery.status, 'dead');
        }
        assert.match((await deliveryLog(t, ids[2] as string))[0]?.error, /localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
        for (const id of ids) await deleteEndpoint(t, id);
      } finally {
        await receiver.close();
      }
    });

    test('a receiver that never answers times out and the delivery is retried', async () => {
      const receiver = await startReceiver(() => 'hang');
      const quick = new Dispatcher(t.app, [webhooksModule(t.app, { allowPrivate: true, timeoutMs: 250, signingClock: systemClock })], {
        random: () => 0,
      });
      try {
        // Registered through a configuration that allows loopback (the module above re-registers it).
        const endpoint = await createEndpoint(t, receiver, ['order.created']);
        await appendOrderEvents(t, 1);
        await t.app.dispatcher.route();
        const began = performance.now();
        await quick.runJobs();
        const took = performance.now() - began;
        assert.ok(took >= 240 && took < 5_000, `gave up after ${took} ms`);
        assert.equal(receiver.received.length, 1, 'the request was sent');
        const [attempt] = await deliveryLog(t, endpoint.id);
        assert.equal(attempt?.outcome, 'retry');
        assert.equal(attempt?.response_status, null);
        assert.match(attempt?.error, /no complete response within 250 ms/);
        const delivery = (await t.get(`/v1/webhooks/deliveries/${attempt?.delivery_id}`)).json();
        assert.equal(delivery.status, 'pending');
        assert.equal(delivery.next_attempt_at, new Date(clock.now().getTime() + 5_000).toISOString());
        await deleteEndpoint(t, endpoint.id);
      } finally {
        await receiver.close();
        webhooksModule(t.app, { allowPrivate: false, signingClock: systemClock });
      }
    });
  });
}
