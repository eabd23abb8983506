import { safeEqual, sign } from '../../../kernel/secret.js';

/** A form's spam settings (docs/leads.md#spam). */
export interface SpamSettings {
  /** A submission sooner than this after the page was rendered is spam (bots fill forms instantly). */
  readonly min_submit_seconds: number;
  /** JSON submissions must carry a render token too (the embed and the public form endpoint hand one out). */
  readonly json_requires_token: boolean;
  /** Submissions per client IP per minute (token bucket, per server process). */
  readonly ip_per_minute: number;
  /** Submissions to the form per minute, all IPs together (token bucket, per server process). */
  readonly form_per_minute: number;
}

export const defaultSpamSettings: SpamSettings = {
  min_submit_seconds: 3,
  json_requires_token: false,
  ip_per_minute: 10,
  form_per_minute: 6_000,
};

/** A render token older than this is stale: the page must be loaded again. */
export const renderTokenMaxAgeMs = 24 * 60 * 60 * 1000;

/**
 * The render token: `<ms since epoch>.<HMAC(form id, time)>`. The page carries it in a hidden field; on
 * submission it proves when the page was rendered, so the minimum time-to-submit cannot be faked.
 */
export function renderToken(secret: Buffer, formId: string, nowMs: number): string {
  return `${nowMs.toString(36)}.${sign(secret, `lead-render:${formId}:${nowMs}`)}`;
}

export type RenderCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'token_missing' | 'token_invalid' | 'too_fast' | 'token_stale' };

export function checkRenderToken(secret: Buffer, formId: string, token: unknown, nowMs: number, minSubmitMs: number): RenderCheck {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'token_missing' };
  const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'token_invalid' };
  const renderedMs = Number.parseInt(match[1] as string, 36);
  if (!safeEqual(match[2] as string, sign(secret, `lead-render:${formId}:${renderedMs}`))) return { ok: false, reason: 'token_invalid' };
  if (nowMs - renderedMs < minSubmitMs) return { ok: false, reason: 'too_fast' };
  if (nowMs - renderedMs > renderTokenMaxAgeMs) return { ok: false, reason: 'token_stale' };
  return { ok: true };
}

/**
 * Token buckets in memory, one per key: `perMinute` tokens, refilled continuously. Per process: with several
 * server processes each one counts on its own (docs/leads.md). Old buckets are swept so memory stays bounded.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #maxKeys: number;
  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys;
  }

  /** Takes one token; returns 0 when allowed, otherwise the milliseconds until a token is back. */
  take(key: string, perMinute: number, nowMs: number): number {
    const rate = perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: perMinute, at: nowMs };
    bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, nowMs - bucket.at) * rate);
    bucket.at = nowMs;
    if (!this.#buckets.has(key)) {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep(nowMs, rate);
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / rate);
  }

  /** Drops full buckets (they behave like absent ones); if none are full, the oldest half. */
  #sweep(nowMs: number, rate: number): void {
    for (const [key, b] of this.#buckets) if (nowMs - b.at > 60_000 || b.tokens + (nowMs - b.at) * rate >= 1e9) this.#buckets.delete(key);
    if (this.#buckets.size < this.#maxKeys) return;
    let n = 0;
    for (const key of this.#buckets.keys()) {
      if (n++ > this.#maxKeys / 2) break;
      this.#buckets.delete(key);
    }
  }
}
