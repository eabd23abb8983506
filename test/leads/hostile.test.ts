import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { type Json, pointers, problemOf, uniqueNames } from '../support/problems.js';
import { createForm, formBody, submitJson } from './support.js';

/** Form definitions, the public endpoints under hostile input (4xx problems, never 5xx), CORS, CSV export. */
const uid = uniqueNames();
const asset = { url: 'https://cdn.example.com/r.pdf' };

for (const dialect of await testDialects()) {
  describe(`leads API and hostile input (${dialect})`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-05-01T08:00:00.000Z');
    before(async () => {
      t = await createTestApp(dialect, { clock });
    });
    after(() => t.close());

    test('form definitions are validated with field-level errors', async () => {
      const bad = await t.post('/v1/forms', {
        ...formBody(uid('bad-'), { file_id: 'file_missing', url: 'ftp://x' }),
        fields: [
          { name: 'email', required: false },
          { name: 'phone', type: 'text' },
          { name: 'size', type: 'number', min: 5, max: 1 },
          { name: 'pick', type: 'select' },
          { name: 'Bad Name' },
          { name: 'consent' },
          { name: 'pick', type: 'text', max_length: 10 },
        ],
        allowed_origins: ['https://ok.example', 'https://bad.example/path'],
        destinations: [{ kind: 'webhook' }, { kind: 'hubspot', portal_id: '1', form_guid: 'g', url: 'https://x.example' }],
      });
      const body = problemOf(bad, 400, 'validation_failed');
      for (const p of [
        '/fields/0/required',
        '/fields/1/type',
        '/fields/2/min',
        '/fields/3/options',
        '/fields/4/name',
        '/fields/5/name',
        '/fields/6/name',
        '/asset',
        '/allowed_origins/1',
      ]) {
        assert.ok(pointers(body).includes(p), `${p} in ${pointers(body)}`);
      }
      const noEmail = problemOf(
        await t.post('/v1/forms', { ...formBody(uid('ne-'), asset), fields: [{ name: 'name' }] }),
        400,
        'validation_failed',
      );
      assert.deepEqual(pointers(noEmail), ['/fields']);
      const missingFile = problemOf(await t.post('/v1/forms', formBody(uid('mf-'), { file_id: 'file_nope' })), 400, 'validation_failed');
      assert.deepEqual(pointers(missingFile), ['/asset/file_id']);
      const dest = problemOf(
        await t.post('/v1/forms', {
          ...formBody(uid('d-'), asset),
          destinations: [{ kind: 'webhook' }, { kind: 'hubspot', portal_id: '1', form_guid: 'g', url: 'https://x.example' }],
        }),
        400,
        'validation_failed',
      );
      assert.deepEqual(pointers(dest).sort(), ['/destinations/0/url', '/destinations/1/url']);
      const slug = uid('dup-');
      await createForm(t, formBody(slug, asset));
      problemOf(await t.post('/v1/forms', formBody(slug, asset)), 409, 'already_exists');
      problemOf(await t.post('/v1/forms', { ...formBody(uid('x-'), asset), extra: 1 }), 400, 'validation_failed');
      problemOf(await t.get('/v1/forms/form_nope'), 404, 'not_found');
      const noScope = await t.request({ method: 'GET', url: '/v1/forms', headers: { authorization: '' } });
      problemOf(noScope, 401, 'unauthorized');
    });

    test('CRUD: list, get, patch, close, destinations with a generated secret shown once', async () => {
      const slug = uid('crud-');
      const form = await createForm(t, { ...formBody(slug, asset), destinations: [{ kind: 'webhook', url: 'http://127.0.0.1:9/x' }] });
      assert.match(form.destinations[0].secret, /^whsec_/);
      const got = (await t.get(`/v1/forms/${form.id}`)).json();
      assert.equal(got.destinations[0].secret, undefined);
      assert.equal(got.destinations[0].config.secret_set, true);
      const stored = await t.app.db.read
        .selectFrom('form_destinations')
        .select('config')
        .where('form_id', '=', form.id)
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(stored.config, /whsec_/, 'the secret is stored encrypted');
      const patched = await t.request({
        method: 'PATCH',
        url: `/v1/forms/${form.id}`,
        payload: { consent: { text: 'New text', version: 'v2' }, thank_you: { message: 'Merci' } },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().consent.version, 'v2');
      const hub = await t.post(`/v1/forms/${form.id}/destinations`, {
        kind: 'hubspot',
        portal_id: '42',
        form_guid: 'abc-def',
        token: 'pat-secret',
      });
      assert.equal(hub.statusCode, 201, hub.body);
      assert.equal(hub.json().config.token_set, true);
      assert.equal((await t.request({ method: 'DELETE', url: `/v1/forms/${form.id}/destinations/${hub.json().id}` })).statusCode, 204);
      const list = (await t.get('/v1/forms?limit=1')).json();
      assert.equal(list.data.length, 1);
      assert.ok(list.next_cursor);
      const closed = await t.request({ method: 'DELETE', url: `/v1/forms/${form.id}` });
      assert.equal(closed.json().status, 'closed');
      problemOf(await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'A' }, consent: true }), 409, 'form_closed');
      assert.equal((await t.request({ method: 'GET', url: `/f/${slug}`, headers: { authorization: '' } })).statusCode, 410);
    });

    test('the JSON endpoint: only defined fields, limits, consent, CORS limited to allowed origins', async () => {
      const slug = uid('json-');
      await createForm(t, { ...formBody(slug, asset), allowed_origins: ['https://www.acme.example'] });
      const unknown = problemOf(
        await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'A', salary: 1, 'a/b': 'x' }, consent: true }),
        422,
        'submission_invalid',
      );
      assert.deepEqual(pointers(unknown).sort(), ['/fields/a~1b', '/fields/salary']);
      const invalid = problemOf(
        await submitJson(t, slug, {
          fields: { email: 'not an email', name: '', country: 'XX', employees: 2.5, role: 'janitor', newsletter: 'yes' },
          consent: false,
        }),
        422,
        'submission_invalid',
      );
      assert.deepEqual(pointers(invalid).sort(), [
        '/consent',
        '/fields/country',
        '/fields/email',
        '/fields/employees',
        '/fields/name',
        '/fields/newsletter',
        '/fields/role',
      ]);
      problemOf(
        await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'x'.repeat(2001) }, consent: true }),
        400,
        'validation_failed',
      );
      problemOf(
        await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'A\u0000' }, consent: true }),
        400,
        'validation_failed',
      );
      problemOf(
        await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'A\u0007' }, consent: true }),
        422,
        'submission_invalid',
      );
      problemOf(await submitJson(t, slug, { fields: { email: 'a@example.com' }, consent: true, other: 1 }), 400, 'validation_failed');
      problemOf(await submitJson(t, slug, { fields: [], consent: true }), 400, 'validation_failed');
      problemOf(await submitJson(t, 'no-such-form', { fields: { email: 'a@example.com' }, consent: true }), 404, 'not_found');
      problemOf(await submitJson(t, '..%2f..', { fields: {}, consent: true }), 400, 'validation_failed');
      const big = await t.request({
        method: 'POST',
        url: `/v1/public/forms/${slug}/submissions`,
        payload: JSON.stringify({ fields: { name: 'x'.repeat(70_000) }, consent: true }),
        headers: { 'content-type': 'application/json' },
      });
      problemOf(big, 413, 'payload_too_large');
      problemOf(
        await t.request({
          method: 'POST',
          url: `/v1/public/forms/${slug}/submissions`,
          payload: '{"fields":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'malformed_json',
      );
      const preflight = await t.request({
        method: 'OPTIONS',
        url: `/v1/public/forms/${slug}/submissions`,
        headers: { origin: 'https://www.acme.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://www.acme.example');
      const evil = await t.request({
        method: 'OPTIONS',
        url: `/v1/public/forms/${slug}/submissions`,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(evil.headers['access-control-allow-origin'], undefined);
      problemOf(
        await submitJson(t, slug, { fields: { email: 'a@example.com', name: 'A' }, consent: true }, { origin: 'https://evil.example' }),
        403,
        'origin_not_allowed',
      );
      const allowed = await submitJson(
        t,
        slug,
        { fields: { email: 'a@example.com', name: 'A' }, consent: true },
        { origin: 'https://www.acme.example' },
      );
      assert.equal(allowed.statusCode, 202, allowed.body);
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://www.acme.example');
    });

    test('the hosted page under hostile posts: inline errors with 422, never a 5xx', async () => {
      const slug = uid('html-');
      await createForm(t, formBody(slug, asset));
      const post = (payload: string, type = 'application/x-www-form-urlencoded') =>
        t.request({ method: 'POST', url: `/f/${slug}`, payload, headers: { 'content-type': type, authorization: '' } });
      const page = await t.request({ method: 'GET', url: `/f/${slug}`, headers: { authorization: '' } });
      assert.equal(page.statusCode, 200);
      const token = /name="render_token" value="([^"]+)"/.exec(page.body)?.[1] as string;
      const res = await post(`email=bad&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&render_token=${token}&__proto__=x&constructor=y`);
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /aria-invalid="true" aria-describedby="f-email-error"/);
      assert.match(res.body, /must be an e-mail address/);
      assert.doesNotMatch(res.body, /<script>alert/);
      assert.match(res.body, /&lt;script&gt;/);
      assert.match(res.body, /__proto__/, 'unknown names are reported, not merged');
      const twice = await post(`email=a@example.com&email=b@example.com&name=A&consent=yes&render_token=${token}`);
      assert.equal(twice.statusCode, 422);
      // Without a render token these are bots: answered like a success (and kept as spam), never a 5xx.
      for (const payload of ['%', '&&&=', 'a=%zz', '=x', `${'a='.repeat(5000)}`]) {
        const r = await post(payload);
        assert.equal(r.statusCode, 200, `${payload.slice(0, 20)} -> ${r.statusCode}`);
      }
      for (const payload of ['%', '&&&=', 'a=%zz', '=x']) {
        const r = await post(`${payload}&render_token=${token}`);
        assert.equal(r.statusCode, 422, `${payload.slice(0, 20)} -> ${r.statusCode}`);
      }
      assert.equal((await post('x'.repeat(70_000))).statusCode, 413);
      assert.equal((await post('email=a', 'text/plain')).statusCode, 415);
      assert.equal((await t.request({ method: 'GET', url: '/f/nope', headers: { authorization: '' } })).statusCode, 404);
      assert.equal((await t.request({ method: 'GET', url: '/l/short', headers: { authorization: '' } })).statusCode, 404);
      assert.equal((await t.request({ method: 'GET', url: `/l/${'A'.repeat(32)}`, headers: { authorization: '' } })).statusCode, 404);
      assert.equal(
        (await t.request({ method: 'GET', url: `/f/${slug}/confirm/lead_x.1.${'a'.repeat(43)}`, headers: { authorization: '' } }))
          .statusCode,
        404,
      );
      const embed = await t.request({ method: 'GET', url: `/f/${slug}/embed.js`, headers: { authorization: '' } });
      assert.equal(embed.statusCode, 200);
      assert.match(embed.body, /iframe/);
    });

    test('leads search, CSV export with formula guard', async () => {
      const slug = uid('csv-');
      const form = await createForm(t, formBody(slug, asset));
      const people = [
        { email: `${uid('eve')}@example.com`, name: '=HYPERLINK("http://evil")', company: 'Quote "Co", Ltd\nline' },
        { email: `${uid('fay')}@example.org`, name: '+1 Fay', company: '@corp' },
        { email: `${uid('gil')}@example.com`, name: '-Gil', company: 'Plain' },
      ];
      for (const p of people)
        assert.equal(
          (await submitJson(t, slug, { fields: { ...p, company: p.company.replace('\n', ' ') }, consent: true })).statusCode,
          202,
        );
      const byEmail = (await t.get(`/v1/leads?form_id=${form.id}&email=EXAMPLE.ORG`)).json().data as Json[];
      assert.deepEqual(
        byEmail.map((l) => l.email),
        [people[1]?.email],
      );
      assert.equal((await t.get(`/v1/leads?form_id=${form.id}&email=%25`)).json().data.length, 0, '% is literal');
      assert.equal(
        (await t.get(`/v1/leads?form_id=${form.id}&created_from=2026-05-01T00:00:00Z&created_to=2026-05-02T00:00:00Z`)).json().data.length,
        3,
      );
      assert.equal((await t.get(`/v1/leads?form_id=${form.id}&created_from=2027-01-01T00:00:00Z`)).json().data.length, 0);
      const page1 = (await t.get(`/v1/leads?form_id=${form.id}&limit=2`)).json();
      const page2 = (await t.get(`/v1/leads?form_id=${form.id}&limit=2&cursor=${page1.next_cursor}`)).json();
      assert.equal(page1.data.length + page2.data.length, 3);
      problemOf(await t.get('/v1/leads?cursor=garbage'), 400, 'validation_failed');
      const csv = await t.get(`/v1/leads/export.csv?form_id=${form.id}`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, 3);
      const eve = rows.find((r) => r.email === people[0]?.email) as Record<string, string>;
      assert.equal(eve.name, `'=HYPERLINK("http://evil")`);
      assert.equal(eve.company, 'Quote "Co", Ltd line');
      assert.equal(rows.find((r) => r.email === people[1]?.email)?.company, "'@corp");
      assert.equal(rows.find((r) => r.email === people[2]?.email)?.name, "'-Gil");
      assert.ok('employees' in eve, 'custom fields are columns');
    });
  });
}
