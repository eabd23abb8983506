import { createHmac } from 'node:crypto';
import type { FieldError } from '../../kernel/problem.js';
import { safeEqual } from '../../kernel/secret.js';
import type { IncomingScan, TrackerUpdate } from './ingest.js';
import { trackingLimits } from './limits.js';
import { easyPostScan, normalizeDate, normalizeTime, trackingCodePattern } from './scans.js';

/**
 * EasyPost webhooks: an Event object (`description` `tracker.created` / `tracker.updated`, `result` a
 * Tracker) signed with the webhook secret. EasyPost sends `X-Hmac-Signature: hmac-sha256-hex=<hex>`, the
 * HMAC-SHA256 of the raw body under the secret (NFKD-normalized, UTF-8, as EasyPost's own client libraries
 * compute it). The raw bytes are checked before anything is parsed.
 */
export const easyPostSignatureHeader = 'x-hmac-signature';

export function easyPostSignature(secret: string, body: Buffer | string): string {
  return `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
    .update(body)
    .digest('hex')}`;
}

/** Constant-time check of the header against the body. */
export function verifyEasyPostSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || header.length > 200) return false;
  const given = header.trim();
  const prefix = 'hmac-sha256-hex=';
  const normalized = given.toLowerCase().startsWith(prefix) ? `${prefix}${given.slice(prefix.length).toLowerCase()}` : given;
  return safeEqual(easyPostSignature(secret, body), normalized);
}

export type ParsedWebhook =
  | { readonly kind: 'tracker'; readonly eventId: string | null; readonly update: TrackerUpdate }
  | { readonly kind: 'ignored'; readonly description: string }
  | { readonly kind: 'invalid'; readonly errors: FieldError[] };

const trackerDescriptions = new Set(['tracker.created', 'tracker.updated']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads an EasyPost Event: a tracker update, an event of another kind (ignored), or what is wrong with it. */
export function parseEasyPostEvent(body: unknown): ParsedWebhook {
  if (!isObject(body)) return { kind: 'invalid', errors: [{ pointer: '', detail: 'must be an EasyPost Event object' }] };
  const description = typeof body.description === 'string' ? body.description.slice(0, 100) : '';
  if (!trackerDescriptions.has(description)) {
    return description === ''
      ? { kind: 'invalid', errors: [{ pointer: '/description', detail: 'must be a string such as tracker.updated' }] }
      : { kind: 'ignored', description };
  }
  const tracker = body.result;
  if (!isObject(tracker)) return { kind: 'invalid', errors: [{ pointer: '/result', detail: 'must be a Tracker object' }] };
  const errors: FieldError[] = [];
  const code = typeof tracker.tracking_code === 'string' ? tracker.tracking_code.trim() : '';
  if (!trackingCodePattern.test(code))
    errors.push({ pointer: '/result/tracking_code', detail: 'must be 1 to 64 letters, digits or dashes' });
  const details = tracker.tracking_details ?? [];
  if (!Array.isArray(details)) errors.push({ pointer: '/result/tracking_details', detail: 'must be an array' });
  else if (details.length > trackingLimits.scansPerRequestMax)
    errors.push({ pointer: '/result/tracking_details', detail: `at most ${trackingLimits.scansPerRequestMax} scans` });
  const scans: IncomingScan[] = [];
  if (Array.isArray(details) && details.length <= trackingLimits.scansPerRequestMax) {
    for (const [i, d] of details.entries()) {
      const read = easyPostScan(d, `/result/tracking_details/${i}`);
      errors.push(...read.errors);
      if (read.scan) scans.push(read.scan);
    }
  }
  // A tracker without details still says where it is: its own status at its update time.
  if (errors.length === 0 && scans.length === 0 && typeof tracker.status === 'string') {
    const at = normalizeTime(tracker.updated_at) ?? normalizeTime(body.updated_at) ?? normalizeTime(body.created_at);
    if (at !== null) {
      const read = easyPostScan({ status: tracker.status, status_detail: tracker.status_detail, datetime: at, message: '' }, '/result');
      if (read.scan) scans.push(read.scan);
    }
  }
  if (errors.length > 0) return { kind: 'invalid', errors: errors.slice(0, 20) };
  return {
    kind: 'tracker',
    eventId: typeof body.id === 'string' ? body.id.slice(0, 100) : null,
    update: {
      trackingCode: code,
      estimatedDelivery: normalizeDate(tracker.est_delivery_date),
      source: 'webhook',
      actor: 'carrier:easypost',
      scans,
    },
  };
}
