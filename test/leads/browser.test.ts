import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type App, compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { launchBrowser } from '../support/browser.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../support/dialects.js';
import { adminKey } from '../support/harness.js';
import { uniqueNames } from '../support/problems.js';

/**
 * The hosted form in headless Chromium, over a real listening server: a person fills it and sees the thank-you
 * page; a bad e-mail gets an inline error tied to its field. Time is a manual clock moved past the minimum
 * time-to-submit between loading and sending, as a person would take.
 */
const uid = uniqueNames();

for (const dialect of await testDialects()) {
  describe(`hosted form in a browser (${dialect})`, () => {
    let browser: Browser;
    let closeBrowser: () => Promise<void>;
    let database: TestDatabase;
    let app: App;
    let http: Awaited<ReturnType<typeof buildHttpApp>>;
    let base: string;
    const clock = new ManualClock('2026-06-01T09:00:00.000Z');

    before(async () => {
      database = await createTestDatabase(dialect);
      app = await compose({
        ...(database.sqliteFile
          ? { sqliteFile: database.sqliteFile }
          : { databaseUrl: database.databaseUrl, searchPath: database.searchPath }),
        dataDir: `/tmp/fulfill-leads-browser-${process.pid}-${dialect}`,
        adminKey,
        clock,
      });
      http = await buildHttpApp(app, { logLevel: false });
      await http.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
      ({ browser, close: closeBrowser } = await launchBrowser());
    });
    after(async () => {
      await closeBrowser?.();
      await http?.close();
      await app?.close();
      await database?.drop();
    });

    async function newForm(): Promise<string> {
      const slug = uid('page-');
      const res = await http.inject({
        method: 'POST',
        url: '/v1/forms',
        headers: { authorization: `Bearer ${adminKey}` },
        payload: {
          slug,
          name: 'The Fulfillment Report',
          fields: [
            { name: 'email' },
            { name: 'name', required: true },
            { name: 'country' },
            { name: 'role', type: 'select', options: ['CTO', 'Other'] },
          ],
          asset: { url: 'https://cdn.example.com/report.pdf' },
          consent: { text: 'I agree that ACME stores my data.', version: 'v1' },
          thank_you: { message: 'Thanks, the report is on its way.' },
          spam: { min_submit_seconds: 3 },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      return slug;
    }

    test('fill, submit, see the thank-you page; the lead is stored', async () => {
      const slug = await newForm();
      const page = await browser.newPage({ javaScriptEnabled: false });
      await page.goto(`${base}/f/${slug}`);
      await page.getByLabel('E-mail').fill('Reader@Example.com');
      await page.getByLabel('Name').fill('Rita Reader');
      await page.getByLabel('Country').selectOption('BR');
      await page.getByLabel('role').selectOption('CTO');
      await page.getByLabel('I agree that ACME stores my data.').check();
      clock.advance(10_000);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForLoadState();
      assert.equal(await page.locator('h1').textContent(), 'Thank you!');
      assert.match((await page.locator('[role=status]').textContent()) ?? '', /on its way/);
      await page.close();
      const leads = await app.db.read.selectFrom('leads').select(['email_lower', 'data']).execute();
      const lead = leads.find((l) => l.email_lower === 'reader@example.com');
      assert.ok(lead, 'the lead was stored, not taken for spam');
      assert.equal(JSON.parse(lead.data).country, 'BR');
    });

    test('a bad e-mail shows an inline error and keeps what was typed', async () => {
      const slug = await newForm();
      const page = await browser.newPage();
      await page.goto(`${base}/f/${slug}`);
      await page.getByLabel('E-mail').fill('not-an-address');
      await page.getByLabel('Name').fill('Sam');
      clock.advance(10_000);
      const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send' }).click()]);
      assert.equal(response?.status(), 422);
      const email = page.getByLabel('E-mail');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#f-email-error').textContent(), 'must be an e-mail address');
      assert.equal(await page.locator('#f-consent-error').textContent(), 'must be accepted');
      assert.equal(await email.inputValue(), 'not-an-address');
      assert.equal(await page.getByLabel('Name').inputValue(), 'Sam');
      assert.equal(await page.locator('[role=alert] li').count(), 2);
      await page.close();
    });
  });
}
