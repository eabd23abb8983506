import type { SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { type Locale, pickLocale } from '../../kernel/locale.js';
import type { Db, Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import type { ClaimedJob, JobHandler, JobOutcome, RecordedOutcome } from '../outbox/index.js';
import { emailJobKind } from './queue.js';
import { isRegisteredTemplate, type RenderedEmail, renderEmail, type TemplateSource } from './render.js';
import { fileTransport, isPermanentSmtpError, type MailTransport, smtpTransport } from './transport.js';

/** What the mail module needs besides the platform: who e-mails come from and where they go. */
export interface MailDeps extends PlatformDeps {
  /** `From:` of every e-mail, e.g. `Shop <orders@shop.example>` (MAIL_FROM). */
  readonly mailFrom: string;
  /** SMTP server URL (SMTP_URL); without it e-mails are written as .eml files under `<dataDir>/mail/`. */
  readonly smtpUrl: string | undefined;
}

/**
 * Delays before attempts 2, 3, ... of a failed send (plus up to 20% jitter); the last one repeats until the
 * job's 12 attempts are used: 1 min, 5 min, 15 min, 1 h, 3 h, then every 6 h (about 40 hours in all).
 */
export const emailRetryScheduleMs: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000];

/** The display name of `From:`, shown as the brand at the top of every e-mail. */
export function brandOf(mailFrom: string): string {
  const [first] = addressparser(mailFrom);
  return (first && 'name' in first && first.name) || (first && 'address' in first && first.address) || 'Fulfill';
}

/** The domain of `From:`, for Message-IDs. */
function domainOf(mailFrom: string): string {
  const [first] = addressparser(mailFrom);
  const address = first && 'address' in first ? (first.address ?? '') : '';
  return address.split('@')[1] || 'fulfill.localhost';
}

/** A syntactically usable single recipient (one address, no group, no display-name tricks). */
export function isSendableAddress(to: string): boolean {
  if (to.length > 254 || /[\r\n]/.test(to)) return false;
  const parsed = addressparser(to);
  if (parsed.length !== 1) return false;
  const first = parsed[0];
  if (!first || !('address' in first) || 'group' in first) return false;
  return first.address === to.trim() && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(first.address);
}

// Merchant overrides: read in one query, kept for a few seconds (a change made through this process's API
// applies at once; other processes see it within `overrideTtlMs`).
const overrideTtlMs = 5_000;
let overrideCache: { at: number; db: Db; rows: Map<string, TemplateSource> } | null = null;

export function forgetTemplateOverrides(): void {
  overrideCache = null;
}

async function overrideFor(db: Db, name: string, locale: Locale): Promise<TemplateSource | null> {
  const now = Date.now();
  if (!overrideCache || overrideCache.db !== db || now - overrideCache.at > overrideTtlMs) {
    const rows = await db.read.selectFrom('mail_templates').select(['name', 'locale', 'subject', 'html', 'text']).execute();
    overrideCache = { at: now, db, rows: new Map(rows.map((r) => [`${r.name}\u0000${r.locale}`, r])) };
  }
  return overrideCache.rows.get(`${name}\u0000${locale}`) ?? null;
}

/**
 * Who the rendering is for: the recipient (`send`), or the merchant looking at the record (`preview`), who
 * must not see the recipient's secrets (download links, license keys, pool codes).
 */
export type RenderPurpose = 'send' | 'preview';

/**
 * Fills in an e-mail's variables when it is rendered, from references stored with it. Areas whose e-mails
 * carry secrets store only ids in `emails.data` and register a resolver that derives the links and decrypts
 * the keys at send time, so the e-mail record never holds them in clear.
 */
export type EmailDataResolver = (
  deps: PlatformDeps,
  data: Record<string, unknown>,
  purpose: RenderPurpose,
) => Promise<Record<string, unknown>>;

const resolvers = new Map<string, EmailDataResolver>();

export function registerDataResolver(template: string, resolve: EmailDataResolver): void {
  resolvers.set(template, resolve);
}

export const hasDataResolver = (template: string): boolean => resolvers.has(template);

export interface EmailContent {
  readonly rendered: RenderedEmail;
  readonly message: SendMailOptions;
}

interface EmailRow {
  id: string;
  to_address: string;
  template: string;
  locale: string;
  data: string;
  created_at: string;
  sent_at: string | null;
}

/**
 * Renders an e-mail row into the message nodemailer sends (the merchant's override first). The Message-ID is
 * the e-mail's id, so a send repeated after a crash carries the same one (receivers drop the copy); a resend of
 * an e-mail that was already delivered gets a new one (`resentAfter`), or mail systems would drop it as well.
 */
export async function composeEmail(
  deps: MailDeps,
  row: EmailRow,
  date: Date,
  resentAfter: string | null = null,
  purpose: RenderPurpose = 'send',
): Promise<EmailContent> {
  const locale = pickLocale(row.locale);
  const stored = JSON.parse(row.data) as Record<string, unknown>;
  const resolve = resolvers.get(row.template);
  const data = resolve ? await resolve(deps, stored, purpose) : stored;
  const brand = brandOf(deps.mailFrom);
  const override = await overrideFor(deps.db, row.template, locale);
  let rendered: RenderedEmail;
  try {
    rendered = renderEmail(row.template, locale, data, brand, override);
  } catch (error) {
    // An override that compiled but fails on real data must not stop the e-mail: the default goes out.
    if (!override) throw error;
    rendered = renderEmail(row.template, locale, data, brand, null);
  }
  return {
    rendered,
    message: {
      from: deps.mailFrom,
      to: row.to_address,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: `<${row.id}${resentAfter ? `.${Date.parse(resentAfter).toString(36)}` : ''}@${domainOf(deps.mailFrom)}>`,
      date,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Fulfill-Email-Id': row.id },
    },
  };
}

const emailColumns = ['id', 'to_address', 'template', 'locale', 'data', 'created_at', 'sent_at'] as const;

/** The `email` job: renders the e-mail, sends it, and records the outcome on the `emails` row. */
export function emailJobHandler(deps: MailDeps, transport: () => MailTransport): JobHandler {
  return {
    kind: emailJobKind,
    retryScheduleMs: emailRetryScheduleMs,
    async run(job: ClaimedJob): Promise<JobOutcome> {
      const emailId = String(job.payload.emailId ?? '');
      const row = await deps.db.read.selectFrom('emails').select(emailColumns).where('id', '=', emailId).executeTakeFirst();
      if (!row) return { status: 'failed', error: `no e-mail ${emailId}` };
      if (!isRegisteredTemplate(row.template)) return { status: 'failed', error: `no e-mail template named ${row.template}` };
      if (!isSendableAddress(row.to_address))
        return { status: 'failed', error: `not a deliverable address: ${row.to_address.slice(0, 100)}` };
      let content: EmailContent;
      try {
        content = await composeEmail(deps, row, deps.clock.now(), row.sent_at);
      } catch (error) {
        return { status: 'failed', error: `the template did not render: ${messageOf(error)}` };
      }
      const subject = content.rendered.subject;
      try {
        const { providerId } = await transport().send(row.id, content.message);
        return { status: 'succeeded', result: { providerId, subject } };
      } catch (error) {
        const text = messageOf(error);
        return isPermanentSmtpError(error)
          ? { status: 'failed', error: text, result: { subject } }
          : { status: 'retry', error: text, result: { subject } };
      }
    },
    async record(tx: Tx, job: ClaimedJob, recorded: RecordedOutcome): Promise<void> {
      const emailId = String(job.payload.emailId ?? '');
      const outcome = recorded.outcome;
      const result = outcome.result ?? {};
      const subject = typeof result.subject === 'string' ? result.subject : undefined;
      const now = deps.clock.now().toISOString();
      if (recorded.status === 'succeeded') {
        await tx
          .updateTable('emails')
          .set({
            status: 'sent',
            attempts: job.attempt,
            provider_id: typeof result.providerId === 'string' ? result.providerId : null,
            last_error: null,
            sent_at: now,
            ...(subject !== undefined ? { subject } : {}),
          })
          .where('id', '=', emailId)
          .execute();
        return;
      }
      await tx
        .updateTable('emails')
        .set({
          status: recorded.status === 'dead' ? 'failed' : 'queued',
          attempts: job.attempt,
          last_error: outcome.status === 'succeeded' ? null : outcome.error.slice(0, 2000),
          ...(subject !== undefined ? { subject } : {}),
        })
        .where('id', '=', emailId)
        .execute();
    },
  };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    return typeof code === 'number' && !error.message.includes(String(code)) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}

/** The transport for these deps: SMTP when a URL is configured, else .eml files. Created on first use. */
export function transportFor(deps: MailDeps): MailTransport {
  return deps.smtpUrl ? smtpTransport(deps.smtpUrl) : fileTransport(deps.dataDir);
}
