import path from 'node:path';

/** Configuration comes only from the environment; every setting has a documented default (README). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Unset means SQLite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly adminKey: string | undefined;
  readonly logLevel: string;
  /** EasyPost API key: with it the EasyPost carrier is offered beside the built-in table-rate carrier. */
  readonly easypostApiKey: string | undefined;
  readonly easypostBaseUrl: string | undefined;
  /** Secret of the EasyPost webhook (tracker events are HMAC-signed with it); unset means the webhook refuses every call. */
  readonly easypostWebhookSecret: string | undefined;
  /** Hours without a carrier scan after which an open shipment is flagged stuck. */
  readonly trackingStuckHours: number;
  /** GS1 company prefix for parcel SSCCs (7 to 10 digits); default GS1's documented example prefix. */
  readonly gs1CompanyPrefix: string;
  /** A rate sheet file for the table-rate carrier; default the sheet shipped with Fulfill. */
  readonly rateSheetPath: string | undefined;
  /** Where customers reach the public pages (tracking, downloads, forms); links in e-mails start with it. */
  readonly publicUrl: string;
  /** SMTP server for e-mail (smtp:// or smtps://); unset means e-mails are written as .eml files under DATA_DIR/mail. */
  readonly smtpUrl: string | undefined;
  /** From address of customer e-mails. */
  readonly mailFrom: string;
  /** Key for signed links and tokens (at least 32 characters); unset means one generated and kept in the database. */
  readonly secret: string | undefined;
  /** Run the outbox dispatcher (e-mails, webhooks, forwards) in this process; `0` turns it off. */
  readonly dispatcher: boolean;
  /** How long a claimed outbox job is reserved for its worker (ms); a crashed worker's jobs return after it. */
  readonly jobLeaseMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseUrl(raw: string | undefined, name: string): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(value)) throw new ConfigError(`${name} must be an http(s) URL`);
  return value.replace(/\/+$/, '');
}

function parseGs1Prefix(raw: string | undefined): string {
  const value = raw?.trim() || '0614141';
  if (!/^\d{7,10}$/.test(value)) throw new ConfigError('FULFILL_GS1_PREFIX must be a GS1 company prefix of 7 to 10 digits');
  return value;
}

function parseDuration(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000 || value > 86_400_000)
    throw new ConfigError(`${name} must be milliseconds from 1000 to 86400000`);
  return value;
}

function parseStuckHours(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 72;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 2_160)
    throw new ConfigError('TRACKING_STUCK_HOURS must be a whole number of hours from 1 to 2160');
  return value;
}

function parseSmtpUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!/^smtps?:\/\/[^\s]+$/.test(value)) throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL');
  return value;
}

function parseSecret(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (value.length < 32) throw new ConfigError('FULFILL_SECRET must be at least 32 characters');
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const adminKey = env.FULFILL_ADMIN_KEY?.trim() || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('FULFILL_ADMIN_KEY must be at least 16 characters');
  }
  return {
    port: parsePort(env.PORT, 3000),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    adminKey,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    easypostApiKey: env.EASYPOST_API_KEY?.trim() || undefined,
    easypostBaseUrl: parseUrl(env.EASYPOST_BASE_URL, 'EASYPOST_BASE_URL'),
    easypostWebhookSecret: env.EASYPOST_WEBHOOK_SECRET?.trim() || undefined,
    trackingStuckHours: parseStuckHours(env.TRACKING_STUCK_HOURS),
    gs1CompanyPrefix: parseGs1Prefix(env.FULFILL_GS1_PREFIX),
    rateSheetPath: env.FULFILL_RATE_SHEET?.trim() || undefined,
    publicUrl: parseUrl(env.PUBLIC_URL, 'PUBLIC_URL') ?? `http://localhost:${parsePort(env.PORT, 3000)}`,
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    mailFrom: env.MAIL_FROM?.trim() || 'Fulfill <no-reply@fulfill.localhost>',
    secret: parseSecret(env.FULFILL_SECRET),
    dispatcher: env.FULFILL_DISPATCHER?.trim() !== '0',
    jobLeaseMs: parseDuration(env.FULFILL_JOB_LEASE_MS, 'FULFILL_JOB_LEASE_MS', 60_000),
  };
}
