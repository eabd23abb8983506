import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEasyPostCarrier } from '../../src/contexts/shipping/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { type FakeEasyPost, startFakeEasyPost } from '../shipping/fake-easypost.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, problemOf } from '../support/problems.js';
import { startSmtpServer, type TestSmtp } from '../support/smtp.js';
import { mailsTo, postWebhook, type Shipped, shipOne, trackerEvent, webhookSecret } from './support.js';

/**
 * Tracking end to end on each database: shipments reach `shipped` through the warehouse API, carrier scans
 * arrive as signed EasyPost webhooks, API posts and polling, e-mails go through a real SMTP server.
 */

const start = '2026-03-02T14:00:00.000Z';
const count = async (t: TestApp, table: 'tracking_events' | 'events') =>
  Number(
    (
      await t.app.db.read
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const dialect of await testDialects()) {
  describe(`tracking on ${dialect}`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    let fake: FakeEasyPost;
    const clock = new ManualClock(start);

    before(async () => {
      smtp = await startSmtpServer();
      fake = await startFakeEasyPost();
      const easypost = createEasyPostCarrier({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 3_000, retryBackoffMs: 10, clock });
      t = await createTestApp(dialect, {
        clock,
        compose: { carriers: [easypost], smtpUrl: smtp.url, publicUrl: 'https://shop.example', easypostWebhookSecret: webhookSecret },
      });
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
      await fake?.close();
    });

    const tracking = async (id: string): Promise<Json> => {
      const res = await t.get(`/v1/shipments/${id}/tracking`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    test('a scripted feed with duplicates, out-of-order scans and unknown codes ends delivered, one e-mail per milestone', async () => {
      const s: Shipped = await shipOne(t, 'TK1');
      await t.drain();
      const [shippedMail] = mailsTo(await smtp.waitFor(1), s.email);
      assert.ok(shippedMail, 'the shipped e-mail arrived');
      assert.match(shippedMail.subject ?? '', /TK1-1 has shipped/);
      const link = /https:\/\/shop\.example\/track\/[A-Za-z0-9_-]{32}/.exec(shippedMail.text ?? '')?.[0];
      assert.ok(link, `the text part carries the tracking link: ${shippedMail.text}`);
      assert.ok(String(shippedMail.html).includes(link), 'and so does the HTML part');
      assert.match(shippedMail.text ?? '', new RegExp(s.trackingNumber));
      assert.match(shippedMail.text ?? '', /TK1-SKU/, 'the items are listed');
      const page = await t.http.inject({ method: 'GET', url: new URL(link).pathname });
      assert.equal(page.statusCode, 200, 'the link in the e-mail opens the tracking page');
      assert.match(page.body, /Label created/);

      const A = { at: '2026-03-02T20:00:00Z', status: 'in_transit', detail: 'arrived_at_facility', city: 'NEWARK' };
      const B = { at: '2026-03-03T08:00:00Z', status: 'in_transit', detail: 'departed_facility', city: 'CHICAGO' };
      const U = { at: '2026-03-03T12:00:00Z', status: 'teleported', detail: 'beam' };
      const C = { at: '2026-03-04T07:00:00Z', status: 'out_for_delivery', detail: 'out_for_delivery', city: 'SPRINGFIELD' };
      const D = { at: '2026-03-04T15:00:00Z', status: 'delivered', detail: 'arrived_at_destination', city: 'SPRINGFIELD' };
      const lateScan = { at: '2026-03-04T16:00:00Z', status: 'in_transit', detail: 'status_update' };
      const feed = [[A], [A], [C], [B, U], [A], [D], [D, C], [lateScan]];
      const answers: Json[] = [];
      for (const scans of feed) {
        const res = await postWebhook(t, trackerEvent(s.trackingNumber, scans));
        assert.equal(res.statusCode, 200, res.body);
        answers.push(res.json());
        await t.drain();
      }
      assert.deepEqual(
        answers.map((a) => [a.stored, a.duplicates, a.status]),
        [
          [1, 0, 'in_transit'],
          [0, 1, 'in_transit'],
          [1, 0, 'out_for_delivery'],
          [2, 0, 'out_for_delivery'],
          [0, 1, 'out_for_delivery'],
          [1, 0, 'delivered'],
          [0, 2, 'delivered'],
          [1, 0, 'delivered'],
        ],
      );
      const view = await tracking(s.shipmentId);
      assert.equal(view.status, 'delivered');
      assert.equal(view.delivered_at, '2026-03-04T15:00:00.000Z');
      assert.deepEqual(
        view.timeline.map((e: Json) => [e.occurred_at.slice(0, 16), e.status]),
        [
          ['2026-03-02T20:00', 'in_transit'],
          ['2026-03-03T08:00', 'in_transit'],
          ['2026-03-03T12:00', 'unknown'],
          ['2026-03-04T07:00', 'out_for_delivery'],
          ['2026-03-04T15:00', 'delivered'],
          ['2026-03-04T16:00', 'in_transit'],
        ],
        'the timeline is in true order, the late scan included',
      );
      assert.deepEqual(view.timeline[0].location, { city: 'NEWARK', state: 'IL', country: 'US' }, 'no postal code is kept');

      const mails = mailsTo(smtp.messages, s.email);
      assert.deepEqual(mails.map((m) => m.subject).sort(), [
        'Order TK1-1 has shipped',
        'Order TK1-1 is out for delivery',
        'Order TK1-1 was delivered',
      ]);
      for (const m of mails) assert.ok((m.text ?? '').includes(link), 'every shipment e-mail links the tracking page');

      const events = await t.app.db.read
        .selectFrom('events')
        .select(['type', 'aggregate_seq', 'data'])
        .where('aggregate_type', '=', 'shipment')
        .where('aggregate_id', '=', s.shipmentId)
        .orderBy('aggregate_seq')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.aggregate_seq, e.type, JSON.parse(e.data).to ?? null]),
        [
          [1, 'shipment.status_changed', 'in_transit'],
          [2, 'shipment.status_changed', 'out_for_delivery'],
          [3, 'shipment.status_changed', 'delivered'],
          [4, 'shipment.delivered', null],
        ],
      );
    });

    test('the webhook refuses a wrong, missing or replayed-onto-other-body signature and stores nothing', async () => {
      const s = await shipOne(t, 'TK2');
      const body = trackerEvent(s.trackingNumber, [{ at: '2026-03-02T21:00:00Z', status: 'in_transit' }]);
      const before = await count(t, 'tracking_events');
      problemOf(await postWebhook(t, body, { secret: 'not-the-secret' }), 401, 'webhook_signature_invalid');
      problemOf(await postWebhook(t, body, { signature: null }), 401, 'webhook_signature_invalid');
      problemOf(await postWebhook(t, body, { signature: 'hmac-sha256-hex=00' }), 401, 'webhook_signature_invalid');
      const signedOther = (await import('../../src/contexts/tracking/index.js')).easyPostSignature(webhookSecret, '{}');
      problemOf(await postWebhook(t, body, { signature: signedOther }), 401, 'webhook_signature_invalid');
      assert.equal(await count(t, 'tracking_events'), before, 'nothing stored');
      assert.equal((await tracking(s.shipmentId)).status, 'pre_transit');

      // Signed but hostile or foreign: answered without a 5xx, stored only when valid.
      problemOf(await postWebhook(t, '{"description": "tracker.updated", "result": '), 400, 'malformed_json');
      const bad = problemOf(
        await postWebhook(t, { description: 'tracker.updated', result: { tracking_code: 'X 1', tracking_details: 'no' } }),
        400,
        'validation_failed',
      );
      assert.deepEqual(
        bad.errors.map((e: Json) => e.pointer),
        ['/result/tracking_code', '/result/tracking_details'],
      );
      const badScan = problemOf(
        await postWebhook(t, trackerEvent(s.trackingNumber, [{ at: 'yesterday', status: 'in_transit' }])),
        400,
        'validation_failed',
      );
      assert.equal(badScan.errors[0].pointer, '/result/tracking_details/0/datetime');
      const foreign = await postWebhook(t, trackerEvent('NOTOURS123', [{ at: '2026-03-02T21:00:00Z', status: 'in_transit' }]));
      assert.equal(foreign.statusCode, 200);
      assert.equal(foreign.json().outcome, 'unknown_tracking_code');
      const other = await postWebhook(t, { object: 'Event', description: 'batch.updated', result: {} });
      assert.equal(other.json().outcome, 'ignored');
      assert.equal(await count(t, 'tracking_events'), before);
      // The right signature with a case-insensitive hex digest is accepted.
      const ok = await postWebhook(t, body, {
        signature: (await import('../../src/contexts/tracking/index.js'))
          .easyPostSignature(webhookSecret, JSON.stringify(body))
          .toUpperCase()
          .replace('HMAC-SHA256-HEX=', 'hmac-sha256-hex='),
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await tracking(s.shipmentId)).status, 'in_transit');
    });

    test('canonical scans through the API: validated, deduplicated, one problem e-mail however many problems', async () => {
      const s = await shipOne(t, 'TK3', { country: 'BR', city: 'Curitiba' });
      const url = `/v1/shipments/${s.shipmentId}/tracking-events`;
      const post = (events: Json[], extra: Json = {}) => t.post(url, { events, ...extra });
      let res = await post(
        [
          {
            status: 'in_transit',
            occurred_at: '2026-03-02T18:00:00Z',
            message: 'Objeto postado',
            location: { city: 'São Paulo', country: 'BR' },
          },
        ],
        { estimated_delivery_date: '2026-03-09' },
      );
      assert.equal(res.statusCode, 200, res.body);
      res = await post([{ status: 'exception', reason: 'weather_delay', occurred_at: '2026-03-03T09:00:00Z' }]);
      assert.equal(res.json().status, 'exception');
      res = await post([{ status: 'exception', reason: 'weather_delay', occurred_at: '2026-03-03T09:00:00Z' }]);
      assert.deepEqual([res.json().stored, res.json().duplicates], [0, 1]);
      res = await post([
        { status: 'in_transit', occurred_at: '2026-03-03T19:00:00Z' },
        { status: 'delivery_failed', reason: 'recipient_unavailable', occurred_at: '2026-03-04T10:00:00Z' },
      ]);
      assert.equal(res.json().status, 'delivery_failed');
      await t.drain();
      const view = await tracking(s.shipmentId);
      assert.deepEqual([view.expected_delivery_date, view.expected_source], ['2026-03-09', 'carrier']);
      const mails = mailsTo(smtp.messages, s.email);
      assert.deepEqual(
        mails.map((m) => m.subject).sort(),
        ['Pedido TK3-1 enviado', 'Problema na entrega do pedido TK3-1'],
        'Portuguese from the shipping country; one problem e-mail for two problems',
      );

      problemOf(
        await t.post('/v1/shipments/shp_nope/tracking-events', { events: [{ status: 'in_transit', occurred_at: '2026-03-03T19:00:00Z' }] }),
        404,
        'not_found',
      );
      problemOf(
        await post([{ status: 'in_transit', occurred_at: '2026-03-03T19:00:00Z' }], { tracking_number: 'ZZ999' }),
        422,
        'unknown_tracking_code',
      );
      const invalid = problemOf(await post([{ status: 'teleported', occurred_at: 'soon' }]), 400, 'validation_failed');
      assert.ok(
        invalid.errors.some((e: Json) => e.pointer.startsWith('/events/0')),
        JSON.stringify(invalid.errors),
      );
      problemOf(await post([]), 400, 'validation_failed');
      problemOf(await post([{ status: 'in_transit', occurred_at: '1970-01-01T00:00:00Z' }]), 400, 'validation_failed');
      problemOf(await t.get(`/v1/shipments/${s.shipmentId}/tracking`, { authorization: 'Bearer nope' }), 401, 'unauthorized');
    });

    test('late and stuck shipments are flagged once, listed, announced and mailed once', async () => {
      const late = await shipOne(t, 'TK4');
      const moving = await shipOne(t, 'TK5');
      await t.drain();
      const expected = (await tracking(late.shipmentId)).expected_delivery_date as string;
      assert.match(expected, /^2026-03-\d\d$/, 'ship date plus the table-rate transit days');
      await t.post(`/v1/shipments/${moving.shipmentId}/tracking-events`, {
        events: [{ status: 'in_transit', occurred_at: clock.now().toISOString() }],
      });

      clock.advance(73 * 3_600_000);
      await t.app.dispatcher.tick(true);
      assert.equal((await tracking(moving.shipmentId)).stuck, true, 'no scan for 72 hours: stuck');
      const stuck = (await t.get('/v1/tracking/exceptions?flag=stuck&limit=500')).json().data.map((r: Json) => r.shipment_id);
      assert.ok(stuck.includes(moving.shipmentId) && stuck.includes(late.shipmentId));
      await t.post(`/v1/shipments/${moving.shipmentId}/tracking-events`, {
        events: [{ status: 'in_transit', occurred_at: clock.now().toISOString() }],
      });
      assert.equal((await tracking(moving.shipmentId)).stuck, false, 'a new scan clears it');

      clock.advance(Date.parse(`${expected}T00:00:00Z`) + 86_400_000 + 3_600_000 - clock.now().getTime());
      await t.app.dispatcher.tick(true);
      await t.app.dispatcher.tick(true);
      const view = await tracking(late.shipmentId);
      assert.equal(view.late, true);
      const lateList = (await t.get('/v1/tracking/exceptions?flag=late&limit=500')).json().data.map((r: Json) => r.shipment_id);
      assert.ok(lateList.includes(late.shipmentId));
      await t.drain();
      const delayed = await t.app.db.read
        .selectFrom('events')
        .select('data')
        .where('type', '=', 'shipment.delayed')
        .where('aggregate_id', '=', late.shipmentId)
        .execute();
      assert.deepEqual(delayed.map((e) => JSON.parse(e.data).flag).sort(), ['late', 'stuck']);
      assert.deepEqual(
        mailsTo(smtp.messages, late.email)
          .map((m) => m.subject)
          .sort(),
        ['Order TK4-1 has shipped', 'Order TK4-1 is delayed'],
        'one delay e-mail, whichever flag came first',
      );
      // Delivered shipments leave the list.
      await t.post(`/v1/shipments/${late.shipmentId}/tracking-events`, {
        events: [{ status: 'delivered', occurred_at: clock.now().toISOString() }],
      });
      const after = (await t.get('/v1/tracking/exceptions?limit=500')).json().data.map((r: Json) => r.shipment_id);
      assert.ok(!after.includes(late.shipmentId));
    });

    test('polling asks EasyPost about open shipments and stores what it answers', async () => {
      const s = await shipOne(t, 'TK6', { carrier: 'easypost' });
      await t.drain();
      const tracker = fake.tracker(s.trackingNumber);
      assert.ok(tracker, 'EasyPost made a tracker with the label');
      const detail = (status: string, at: string) => ({
        object: 'TrackingDetail',
        message: `Poll ${status}`,
        status,
        status_detail: 'status_update',
        datetime: at,
        source: 'USPS',
        tracking_location: { object: 'TrackingLocation', city: 'DALLAS', state: 'TX', country: 'US', zip: '75201' },
      });
      const now = clock.now().getTime();
      tracker.status = 'out_for_delivery';
      tracker.tracking_details = [
        detail('in_transit', new Date(now + 3_600_000).toISOString()),
        detail('out_for_delivery', new Date(now + 7_200_000).toISOString()),
      ];
      clock.advance(3 * 3_600_000);
      await t.app.dispatcher.tick(true);
      const view = await tracking(s.shipmentId);
      assert.equal(view.status, 'out_for_delivery');
      assert.deepEqual(view.timeline.at(-1).location, { city: 'DALLAS', state: 'TX', country: 'US' }, 'the postal code is dropped');
      const sources = await t.app.db.read.selectFrom('tracking_events').select('source').where('shipment_id', '=', s.shipmentId).execute();
      assert.ok(sources.length >= 2 && sources.every((r) => r.source === 'poll'));
      await t.drain();
      assert.deepEqual(
        mailsTo(smtp.messages, s.email)
          .map((m) => m.subject)
          .sort(),
        ['Order TK6-1 has shipped', 'Order TK6-1 is out for delivery'],
      );
    });
  });
}
