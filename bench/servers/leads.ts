/**
 * The Fulfill API for the leads bench: `fulfill serve` on the bench's database (BENCH_SQLITE_FILE or
 * DATABASE_URL) with the outbox dispatcher off, so the figure is submissions accepted with their outbox
 * writes (lead, submission, consent, asset link, e-mail row + job, one CRM forward job). At start it defines
 * the form BENCH_LEADS_SLUG with a webhook destination and rate limits high enough for one load generator.
 */
import { compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import { serveBenchChild } from './child.js';

const sqliteFile = process.env.BENCH_SQLITE_FILE;
const databaseUrl = process.env.DATABASE_URL;
const slug = process.env.BENCH_LEADS_SLUG ?? 'bench-report';
if (!sqliteFile && !databaseUrl) throw new Error('set BENCH_SQLITE_FILE or DATABASE_URL');

const adminKey = 'bench-leads-admin-key-0123456789';
const app = await compose({ ...(sqliteFile ? { sqliteFile } : { databaseUrl }), adminKey, publicUrl: 'http://bench.localhost' });
const http = await buildHttpApp(app, { logLevel: false });
const created = await http.inject({
  method: 'POST',
  url: '/v1/forms',
  headers: { authorization: `Bearer ${adminKey}` },
  payload: {
    slug,
    name: 'The Bench Report',
    fields: [{ name: 'email' }, { name: 'name', required: true }, { name: 'company' }, { name: 'country' }],
    asset: { url: 'https://cdn.example.com/report.pdf' },
    consent: { text: 'I agree that ACME stores my data to send me the report.', version: 'v1' },
    spam: { min_submit_seconds: 0, ip_per_minute: 1_000_000, form_per_minute: 10_000_000 },
    destinations: [{ kind: 'webhook', url: 'http://127.0.0.1:9/crm' }],
  },
});
if (created.statusCode !== 201) throw new Error(`form not created: ${created.body}`);
await serveBenchChild(http, app);
