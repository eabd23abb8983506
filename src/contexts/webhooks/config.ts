import type { Clock } from '../../kernel/clock.js';
import { ConfigError } from '../../kernel/config.js';

/** The webhooks area's limits, named with their unit last. */
export const webhookLimits = {
  urlLengthMax: 2_000,
  descriptionLengthMax: 500,
  eventTypesMax: 50,
  /** Endpoints per installation: every event is checked against all enabled ones. */
  endpointsMax: 500,
  timeoutMsDefault: 10_000,
  timeoutMsMax: 60_000,
  /** Bytes of a response body kept in the delivery log. */
  responseExcerptBytes: 1_024,
  /** Bytes of a response body read at most; a longer body is cut off (the delivery still counts). */
  responseReadBytesMax: 65_536,
  /** A Retry-After longer than this is capped (a receiver cannot park a delivery for months). */
  retryAfterMsMax: 7 * 24 * 3_600_000,
  disableAfterFailingMsDefault: 5 * 24 * 3_600_000,
  /** Deliveries replayed by one `POST /v1/webhooks/endpoints/:id/replay`. */
  replayJobsMax: 10_000,
  /** Concurrent connections per receiver host. */
  socketsPerHostMax: 64,
  /** After a rotation, hours the old secret keeps signing deliveries too (`expire_previous_in_hours`). */
  rotationOverlapHoursDefault: 24,
  rotationOverlapHoursMax: 168,
} as const;

/**
 * The Standard Webhooks retry schedule (delays before attempts 2 to 8; the first attempt is immediate):
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. The outbox runner adds up to 20% jitter.
 */
export const webhookRetryScheduleMs: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const webhookAttemptsMax = webhookRetryScheduleMs.length + 1;

export interface WebhookOptions {
  /** Send to private, loopback, link-local... addresses too (local development, tests). Default: WEBHOOKS_ALLOW_PRIVATE=1. */
  readonly allowPrivate?: boolean;
  /** Per delivery: connect, send and read the response (ms). Default: WEBHOOKS_TIMEOUT_MS or 10 s. */
  readonly timeoutMs?: number;
  /** An endpoint failing without a single success for this long is disabled. Default: WEBHOOKS_DISABLE_AFTER_HOURS or 5 days. */
  readonly disableAfterFailingMs?: number;
  /**
   * The clock of the `webhook-timestamp` header. Receivers compare it with their own wall clock, so tests
   * that move the app's clock by hours keep signing with real time. Default: the app's clock.
   */
  readonly signingClock?: Clock;
}

export interface WebhookConfig {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly disableAfterFailingMs: number;
  readonly signingClock: Clock | null;
}

/** A bad WEBHOOKS_* setting: the process refuses to start and says which (like every ConfigError). */
export class WebhookConfigError extends ConfigError {}

function positiveInt(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new WebhookConfigError(`${name} must be a whole number from 1 to ${max}`);
  return value;
}

/** The options, with the environment's values where the caller gave none. */
export function webhookConfig(options: WebhookOptions = {}, env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const allowRaw = env.WEBHOOKS_ALLOW_PRIVATE?.trim();
  if (allowRaw && allowRaw !== '0' && allowRaw !== '1') throw new WebhookConfigError('WEBHOOKS_ALLOW_PRIVATE must be 0 or 1');
  return {
    allowPrivate: options.allowPrivate ?? allowRaw === '1',
    timeoutMs:
      options.timeoutMs ??
      positiveInt(env.WEBHOOKS_TIMEOUT_MS, 'WEBHOOKS_TIMEOUT_MS', webhookLimits.timeoutMsDefault, webhookLimits.timeoutMsMax),
    disableAfterFailingMs:
      options.disableAfterFailingMs ??
      positiveInt(
        env.WEBHOOKS_DISABLE_AFTER_HOURS,
        'WEBHOOKS_DISABLE_AFTER_HOURS',
        webhookLimits.disableAfterFailingMsDefault / 3_600_000,
        24 * 365,
      ) * 3_600_000,
    signingClock: options.signingClock ?? null,
  };
}

// The routes validate URLs against the same rules as the sender: the module registers its configuration
// for the database it serves, and the use cases look it up from their deps.
const configs = new WeakMap<object, WebhookConfig>();

export function registerWebhookConfig(db: object, config: WebhookConfig): void {
  configs.set(db, config);
}

export function webhookConfigOf(deps: { readonly db: object }): WebhookConfig {
  let config = configs.get(deps.db);
  if (!config) {
    config = webhookConfig();
    configs.set(deps.db, config);
  }
  return config;
}
