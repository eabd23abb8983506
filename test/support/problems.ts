import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read as loose JSON; assertions check their shape
export type Json = Record<string, any>;

/** Asserts an RFC 9457 problem response with this status and code, and returns its body. */
export function problemOf(res: LightMyRequestResponse, status: number, code: string): Json {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  assert.equal(body.status, status);
  assert.equal(body.type, `https://fulfill.dev/problems/${code}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  return body;
}

/** The JSON pointers of a problem's field errors. */
export const pointers = (body: Json): string[] => (body.errors ?? []).map((e: Json) => e.pointer);

/** Names unique within one test process (tests of a file share one database per dialect). */
export function uniqueNames(): (prefix: string) => string {
  let counter = 0;
  return (prefix) => {
    counter += 1;
    return `${prefix}${counter}`;
  };
}
