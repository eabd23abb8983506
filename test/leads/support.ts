import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import type { TestApp } from '../support/harness.js';
import type { Json } from '../support/problems.js';

/** A form body with sensible defaults; `over` replaces top-level keys. */
export function formBody(slug: string, asset: Json, over: Json = {}): Json {
  return {
    slug,
    name: `Report ${slug}`,
    fields: [
      { name: 'email' },
      { name: 'name', required: true },
      { name: 'company' },
      { name: 'country' },
      { name: 'employees', type: 'number', integer: true, min: 1, max: 1000000 },
      { name: 'role', type: 'select', options: ['cto', 'ceo', 'other'] },
      { name: 'newsletter', type: 'boolean' },
    ],
    asset,
    consent: { text: 'I agree that ACME stores my data to send me the report.', version: 'v1' },
    spam: { min_submit_seconds: 0, ip_per_minute: 1000 },
    ...over,
  };
}

export async function createForm(t: TestApp, body: Json): Promise<Json> {
  const res = await t.post('/v1/forms', body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

/** Uploads bytes as a stored file through the API. */
export async function uploadFile(t: TestApp, bytes: Buffer, name = 'report.pdf'): Promise<Json> {
  const res = await t.request({
    method: 'POST',
    url: `/v1/files?name=${name}`,
    payload: bytes,
    headers: { 'content-type': 'application/pdf' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

export async function submitJson(t: TestApp, slug: string, body: Json, headers: Record<string, string> = {}) {
  return t.request({
    method: 'POST',
    url: `/v1/public/forms/${slug}/submissions`,
    payload: body,
    headers: { authorization: '', ...headers },
  });
}

/** The first link in an e-mail's text that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const text = mail.text ?? '';
  const match = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s"<>]+`).exec(text);
  assert.ok(match, `no ${prefix} link in: ${text}`);
  return match[0];
}

export const addressOf = (mail: ParsedMail): string => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? '';
};
