import { pickLocale } from '../../kernel/locale.js';
import { chunkRows, type Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { enqueueJobs } from '../outbox/index.js';

export interface EmailRequest {
  readonly to: string;
  /** A registered template name. */
  readonly template: string;
  /** 'en' | 'pt-BR' (any BCP 47 tag goes through `pickLocale`); falls back to 'en'. */
  readonly locale?: string | null;
  /** Template variables (Handlebars). */
  readonly data: Record<string, unknown>;
  /** One e-mail per key, ever (e.g. `shipment:${id}:delivered`). */
  readonly dedupeKey: string;
  readonly orderId?: string | null;
  /** Lead id, shipment id, entitlement id... */
  readonly subjectId?: string | null;
}

/** The job kind that sends e-mails. */
export const emailJobKind = 'email';

/** Jobs' dedupe keys are shared by every kind; an e-mail's is its own key under this prefix. */
export const emailJobKey = (dedupeKey: string): string => `email:${dedupeKey}`;

/**
 * Queues an e-mail in the caller's transaction: a row in `emails` and an `email` outbox job, so the e-mail
 * is sent if and only if the business change commits. Returns `{ queued: false }` when an e-mail with the
 * same dedupe key was already queued (at any time): one e-mail per key, ever.
 */
export async function queueEmail(tx: Tx, deps: PlatformDeps, email: EmailRequest): Promise<{ queued: boolean }> {
  const results = await queueEmails(tx, deps, [email]);
  return { queued: results[0] === true };
}

/** `queueEmail` for many e-mails at once (three statements for the whole batch). */
export async function queueEmails(tx: Tx, deps: PlatformDeps, emails: readonly EmailRequest[]): Promise<boolean[]> {
  if (emails.length === 0) return [];
  const now = deps.clock.now().toISOString();
  const prepared = emails.map((email) => ({ email, id: deps.ids.next('email'), jobKey: emailJobKey(email.dedupeKey) }));
  const inserted = await enqueueJobs(
    tx,
    deps,
    prepared.map(({ email, id, jobKey }) => ({
      kind: emailJobKind,
      dedupeKey: jobKey,
      payload: { emailId: id },
      subjectId: email.orderId ?? email.subjectId ?? null,
    })),
    now,
  );
  // Within one batch the same key may appear twice: the first one wins, like across batches.
  const seen = new Set<string>();
  const fresh = prepared.filter(({ jobKey }) => {
    if (!inserted.has(jobKey) || seen.has(jobKey)) return false;
    seen.add(jobKey);
    return true;
  });
  const jobIds = new Map<string, string>();
  for (let i = 0; i < fresh.length; i += 500) {
    const keys = fresh.slice(i, i + 500).map((f) => f.jobKey);
    for (const job of await tx.selectFrom('jobs').select(['id', 'dedupe_key']).where('dedupe_key', 'in', keys).execute())
      jobIds.set(job.dedupe_key, job.id);
  }
  const rows = fresh.map(({ email, id, jobKey }) => ({
    id,
    job_id: jobIds.get(jobKey) as string,
    dedupe_key: email.dedupeKey,
    to_address: email.to,
    template: email.template,
    locale: pickLocale(email.locale ?? null),
    data: JSON.stringify(email.data),
    order_id: email.orderId ?? null,
    subject_id: email.subjectId ?? null,
    subject: null,
    status: 'queued' as const,
    provider_id: null,
    attempts: 0,
    last_error: null,
    created_at: now,
    sent_at: null,
  }));
  for (const chunk of chunkRows(rows)) await tx.insertInto('emails').values(chunk).execute();
  return prepared.map((p) => fresh.includes(p));
}
