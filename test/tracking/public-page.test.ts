import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { trackingToken } from '../../src/contexts/tracking/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { launchBrowser } from '../support/browser.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import type { Json } from '../support/problems.js';
import { customer, postalCode, postWebhook, shipOne, street, trackerEvent, webhookSecret } from './support.js';

/**
 * The public tracking page in headless Chromium over real HTTP: it renders without script, shows the
 * timeline newest first, speaks the customer's language (Accept-Language may override), and its text and
 * HTML hold none of the order's personal data. A forged token gets the same 404 as a missing one.
 */
for (const dialect of await testDialects()) {
  describe(`public tracking page on ${dialect}`, () => {
    let t: TestApp;
    let base: string;
    let browser: Awaited<ReturnType<typeof launchBrowser>>;

    before(async () => {
      t = await createTestApp(dialect, {
        clock: new ManualClock('2026-03-02T14:00:00.000Z'),
        compose: { easypostWebhookSecret: webhookSecret },
      });
      await t.http.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.http.server.address() as AddressInfo).port}`;
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    test('renders status, timeline and expected date, responsive, with no personal data', async () => {
      const s = await shipOne(t, 'PP1', { city: 'Springfield' });
      await t.drain();
      const feed = [
        {
          at: '2026-03-02T20:00:00Z',
          status: 'in_transit',
          detail: 'arrived_at_facility',
          city: 'NEWARK',
          message: 'Arrived at USPS facility',
        },
        {
          at: '2026-03-03T09:00:00Z',
          status: 'out_for_delivery',
          city: 'SPRINGFIELD',
          message: 'Out for delivery <script>alert(1)</script>',
        },
      ];
      assert.equal((await postWebhook(t, trackerEvent(s.trackingNumber, feed))).statusCode, 200);
      const token = trackingToken(t.app.secret, s.shipmentId);

      const context = await browser.browser.newContext({
        javaScriptEnabled: false,
        viewport: { width: 360, height: 740 },
        locale: 'en-US',
      });
      const page = await context.newPage();
      const response = await page.goto(`${base}/track/${token}`);
      assert.equal(response?.status(), 200);
      const headers = response?.headers() ?? {};
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers['x-robots-tag'], 'noindex');
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(await page.title(), 'Track your parcel');
      assert.equal((await page.locator('#status').textContent())?.trim(), 'Out for delivery');
      const items = await page.locator('ol.timeline li').allTextContents();
      assert.equal(items.length, 2);
      assert.match(items[0] ?? '', /Out for delivery/, 'newest first');
      assert.match(items[1] ?? '', /Arrived at USPS facility.*NEWARK, IL, US/s);
      assert.match((await page.locator('dl').textContent()) ?? '', new RegExp(s.trackingNumber));
      assert.ok((await page.locator('[data-expected]').count()) === 1, 'the expected delivery date is shown');
      const width = await page.evaluate('document.documentElement.scrollWidth');
      assert.ok(Number(width) <= 360, `no horizontal scrolling on a phone (${width}px)`);
      assert.equal(await page.locator('script').count(), 0, 'carrier text is escaped, never markup');

      const html = await page.content();
      const text = ((await page.locator('body').textContent()) ?? '').toLowerCase();
      const who = customer('pp1');
      for (const secret of [who.email, who.name, who.phone, street, postalCode, '0199']) {
        assert.ok(!html.toLowerCase().includes(secret.toLowerCase()), `the HTML does not contain ${secret}`);
        assert.ok(!text.includes(secret.toLowerCase()), `the page text does not contain ${secret}`);
      }
      assert.match(text, /springfield/, 'the destination city is shown');
      await context.close();

      const pt = await browser.browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { 'accept-language': 'pt-BR,pt;q=0.9' } });
      const ptPage = await pt.newPage();
      await ptPage.goto(`${base}/track/${token}`);
      assert.equal((await ptPage.locator('#status').textContent())?.trim(), 'Saiu para entrega');
      assert.equal(await ptPage.locator('html').getAttribute('lang'), 'pt-BR');
      await pt.close();

      const json = await fetch(`${base}/track/${token}.json`);
      assert.equal(json.status, 200);
      const body = (await json.json()) as Json;
      assert.equal(body.status, 'out_for_delivery');
      assert.deepEqual(body.destination, { city: 'Springfield' });
      assert.equal(body.timeline.length, 2);
      const raw = JSON.stringify(body).toLowerCase();
      for (const secret of [who.email, who.name, who.phone, street, postalCode]) assert.ok(!raw.includes(secret.toLowerCase()), secret);
      const same = await fetch(`${base}/v1/public/track/${token}`);
      assert.deepEqual(await same.json(), body);
    });

    test('a forged, truncated or unknown token gets the same 404 page', async () => {
      const s = await shipOne(t, 'PP2');
      await t.drain();
      const real = trackingToken(t.app.secret, s.shipmentId);
      const forged = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
      const page = await browser.browser.newPage();
      const bodies: string[] = [];
      for (const token of [
        forged,
        real.slice(0, 20),
        'x'.repeat(32),
        trackingToken(Buffer.from('another-secret-0123456789abcdef!'), s.shipmentId),
      ]) {
        const res = await page.goto(`${base}/track/${token}`);
        assert.equal(res?.status(), 404, token);
        assert.equal(res?.headers()['cache-control'], 'no-store');
        bodies.push(await page.content());
      }
      assert.equal(new Set(bodies).size, 1, 'the same answer whatever was wrong');
      assert.match(bodies[0] ?? '', /Tracking link not found/);
      const json = await fetch(`${base}/track/${forged}.json`);
      assert.equal(json.status, 404);
      assert.equal(((await json.json()) as Json).code, 'not_found');
      await page.close();
    });
  });
}
