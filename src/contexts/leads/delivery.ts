import { randomToken } from '../../kernel/ids.js';
import { safeEqual, sign } from '../../kernel/secret.js';
import type { Tx } from '../../storage/index.js';
import { insertRows } from '../../storage/index.js';
import type { AssetLinkTable, LeadForwardTable } from '../../storage/schema-leads.js';
import type { PlatformDeps } from '../deps.js';
import { enqueueJobs, type NewJob } from '../outbox/index.js';
import { tokenHash } from './crypto.js';
import type { Destination } from './destinations.js';
import type { Form } from './domain/form.js';
import { type EmailRequest, queueEmails } from './mail-port.js';
import { leadTemplates } from './templates.js';

/** Job kinds of CRM forwards (handlers in forward.ts). */
export const forwardJobKinds = { webhook: 'crm.webhook', hubspot: 'crm.hubspot' } as const;
export const forwardKey = (destinationId: string, leadId: string, submissionId: string): string =>
  `crm:${destinationId}:${leadId}:${submissionId}`;

/** How long a double opt-in confirmation link works. */
export const confirmLinkMs = 14 * 24 * 60 * 60 * 1000;

/** The person a delivery goes to, from the submission being answered. */
export interface Recipient {
  readonly leadId: string;
  readonly submissionId: string;
  readonly email: string;
  readonly name: string | null;
}

/**
 * The side effects of accepted submissions, gathered so that a group commit writes each kind in one
 * statement: asset links, e-mails (through the mail area's queue) and CRM forward jobs.
 */
export class Effects {
  readonly links: AssetLinkTable[] = [];
  readonly emails: EmailRequest[] = [];
  readonly jobs: NewJob[] = [];
  readonly forwards: Omit<LeadForwardTable, 'attempts'>[] = [];

  /** The asset e-mail with a fresh link, and the forwards to every destination: the lead is confirmed. */
  deliver(deps: PlatformDeps, form: Form, destinations: readonly Destination[], to: Recipient, dedupe: string): void {
    const now = deps.clock.now();
    const token = randomToken(24);
    const expiresAt = new Date(now.getTime() + form.asset.link_ttl_hours * 3_600_000).toISOString();
    this.links.push({
      token_hash: tokenHash(token),
      lead_id: to.leadId,
      form_id: form.id,
      submission_id: to.submissionId,
      expires_at: expiresAt,
      downloads: 0,
      max_downloads: form.asset.max_downloads,
      created_at: now.toISOString(),
      last_download_at: null,
    });
    this.emails.push({
      to: to.email,
      template: leadTemplates.asset,
      locale: form.locale,
      data: {
        form_name: form.name,
        name: to.name ?? '',
        asset_url: `${deps.publicUrl}/l/${token}`,
        expires_at: expiresAt,
        max_downloads: form.asset.max_downloads,
      },
      dedupeKey: `lead:${to.leadId}:asset:${dedupe}`,
      subjectId: to.leadId,
    });
    for (const d of destinations) {
      const key = forwardKey(d.id, to.leadId, to.submissionId);
      this.jobs.push({
        kind: forwardJobKinds[d.kind],
        dedupeKey: key,
        payload: { destination_id: d.id, lead_id: to.leadId, submission_id: to.submissionId },
        maxAttempts: d.maxAttempts,
        subjectId: to.leadId,
      });
      this.forwards.push({
        dedupe_key: key,
        form_id: form.id,
        destination_id: d.id,
        lead_id: to.leadId,
        submission_id: to.submissionId,
        status: 'pending',
        last_error: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
    }
  }

  /** The double opt-in e-mail: a signed link that confirms the lead. */
  askConfirmation(deps: PlatformDeps, form: Form, to: Recipient): void {
    const token = confirmToken(deps.secret, to.leadId, deps.clock.now().getTime() + confirmLinkMs);
    this.emails.push({
      to: to.email,
      template: leadTemplates.confirm,
      locale: form.locale,
      data: {
        form_name: form.name,
        name: to.name ?? '',
        confirm_url: `${deps.publicUrl}/f/${encodeURIComponent(form.slug)}/confirm/${token}`,
      },
      dedupeKey: `lead:${to.leadId}:confirm:${to.submissionId}`,
      subjectId: to.leadId,
    });
  }

  async flush(tx: Tx, deps: PlatformDeps): Promise<void> {
    if (this.links.length > 0) await insertRows(tx, 'asset_links', this.links);
    if (this.emails.length > 0) await queueEmails(tx, deps, this.emails);
    if (this.jobs.length === 0) return;
    const fresh = await enqueueJobs(tx, deps, this.jobs);
    const rows = this.forwards.filter((f) => fresh.has(f.dedupe_key)).map((f) => ({ ...f, attempts: 0 }));
    if (rows.length > 0) await insertRows(tx, 'lead_forwards', rows);
  }
}

/** `<lead id>.<expiry, base 36 ms>.<HMAC>`: a confirmation link that cannot be forged or reused for another lead. */
export function confirmToken(secret: Buffer, leadId: string, expiresMs: number): string {
  const exp = expiresMs.toString(36);
  return `${leadId}.${exp}.${sign(secret, `lead-confirm:${leadId}:${exp}`)}`;
}

export type ConfirmCheck = { readonly ok: true; readonly leadId: string } | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

export function checkConfirmToken(secret: Buffer, token: string, nowMs: number): ConfirmCheck {
  const match = /^(lead_[A-Za-z0-9]{1,60})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, leadId = '', exp = '', mac = ''] = match;
  if (!safeEqual(mac, sign(secret, `lead-confirm:${leadId}:${exp}`))) return { ok: false, reason: 'invalid' };
  if (Number.parseInt(exp, 36) < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, leadId };
}
