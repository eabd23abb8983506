import type { FieldError } from '../../kernel/problem.js';
import { mapEasyPostStatus } from './domain/easypost-status.js';
import { type CanonicalStatus, isCanonicalStatus } from './domain/status.js';
import type { IncomingScan } from './ingest.js';
import { trackingLimits } from './limits.js';

/** Earliest and latest scan times accepted: anything else is a carrier bug or hostile input. */
const timeMin = Date.parse('2000-01-01T00:00:00Z');
const timeMax = Date.parse('2100-01-01T00:00:00Z');

/** A timestamp as one canonical ISO string (`toISOString()`), or null when it is not one. */
export function normalizeTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= timeMin && ms < timeMax ? new Date(ms).toISOString() : null;
}

/** `YYYY-MM-DD` from a date or date-time the carrier sent, or null. */
export function normalizeDate(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  if (!match?.[1]) return null;
  const ms = Date.parse(`${match[1]}T00:00:00Z`);
  return Number.isFinite(ms) && ms >= timeMin && ms < timeMax ? new Date(ms).toISOString().slice(0, 10) : null;
}

/** Printable text, control characters removed, trimmed and cut to `max`. */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, max);
}

const part = (value: unknown): string | null => cleanText(value, trackingLimits.locationPartLengthMax) || null;

/** Only city, state and country of a scan's place are kept: never a postal code or a street. */
export function cleanLocation(value: unknown): { city: string | null; state: string | null; country: string | null } {
  const where = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const country = part(where.country);
  return { city: part(where.city), state: part(where.state), country: country === null ? null : country.toUpperCase().slice(0, 3) };
}

export const trackingCodePattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** One EasyPost TrackingDetail as a scan, or field errors (pointers relative to `at`). */
export function easyPostScan(detail: unknown, at: string): { scan?: IncomingScan; errors: FieldError[] } {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return { errors: [{ pointer: at, detail: 'must be an object' }] };
  const d = detail as Record<string, unknown>;
  const occurredAt = normalizeTime(d.datetime);
  const errors: FieldError[] = [];
  if (occurredAt === null) errors.push({ pointer: `${at}/datetime`, detail: 'must be an ISO 8601 date-time' });
  const rawStatus = cleanText(d.status, 40).toLowerCase();
  if (rawStatus === '') errors.push({ pointer: `${at}/status`, detail: 'must be a non-empty string' });
  if (errors.length > 0 || occurredAt === null) return { errors };
  const rawDetail = cleanText(d.status_detail, 60).toLowerCase() || null;
  const mapped = mapEasyPostStatus(rawStatus, rawDetail);
  return {
    errors,
    scan: {
      rawStatus,
      rawDetail,
      status: mapped.status,
      reason: mapped.reason,
      message: cleanText(d.message, trackingLimits.messageLengthMax),
      ...cleanLocation(d.tracking_location),
      occurredAt,
      raw: { status: rawStatus, status_detail: rawDetail, message: d.message ?? null, datetime: d.datetime, source: d.source ?? null },
    },
  };
}

/** A scan posted through the API in canonical form. */
export interface CanonicalScanInput {
  readonly status: string;
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
  readonly occurred_at: string;
  readonly location?: { city?: string | undefined; state?: string | undefined; country?: string | undefined } | undefined;
  readonly raw_status?: string | undefined;
}

export function canonicalScan(input: CanonicalScanInput, at: string): { scan?: IncomingScan; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const occurredAt = normalizeTime(input.occurred_at);
  if (occurredAt === null) errors.push({ pointer: `${at}/occurred_at`, detail: 'must be a date-time from 2000 to 2099' });
  if (!isCanonicalStatus(input.status)) errors.push({ pointer: `${at}/status`, detail: 'must be a canonical tracking status' });
  if (errors.length > 0 || occurredAt === null) return { errors };
  const status = input.status as CanonicalStatus;
  const reason =
    cleanText(input.reason, 48)
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_') || status;
  return {
    errors,
    scan: {
      rawStatus: cleanText(input.raw_status, 40) || status,
      rawDetail: input.reason ?? null,
      status,
      reason,
      message: cleanText(input.message, trackingLimits.messageLengthMax),
      ...cleanLocation(input.location),
      occurredAt,
      raw: input,
    },
  };
}
