import { sql } from 'kysely';
import { ProblemError } from '../../kernel/problem.js';
import type { Tx } from '../../storage/index.js';
import type { Actor, PlatformDeps } from '../deps.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import { deliveryKey, type WebhookJobPayload, webhookJobKind } from '../webhooks/index.js';
import { emailHash } from './crypto.js';

export interface ErasureReport {
  readonly leads_erased: number;
  readonly submissions_scrubbed: number;
  readonly spam_submissions_deleted: number;
  readonly consents_anonymised: number;
  readonly asset_links_revoked: number;
  readonly jobs_cancelled: number;
  readonly emails_scrubbed: number;
  /** The HMAC of the e-mail that the kept consent proofs carry: how the person's consent can still be shown. */
  readonly email_hash: string | null;
}

/** An IP address reduced to its network (IPv4 /24, IPv6 /48), as kept in an anonymised consent proof. */
export function anonymiseIp(ip: string | null): string | null {
  if (!ip) return null;
  if (ip.includes(':')) {
    const v4 = /::ffff:(\d+\.\d+\.\d+)\.\d+$/i.exec(ip);
    if (v4) return `${v4[1]}.0`;
    return `${ip.split(':').slice(0, 3).join(':')}::`;
  }
  return ip.replace(/\.\d+$/, '.0');
}

const pageWithoutQuery = (uri: string | null): string | null => (uri ? (uri.split(/[?#]/)[0] ?? '').slice(0, 500) : null);

/**
 * GDPR erasure (docs/leads.md#erasure), in one transaction: the leads' data and e-mail are removed, their
 * submissions scrubbed, asset links revoked, pending e-mails and forwards cancelled, the e-mail records'
 * addresses and variables scrubbed, suspected spam with the address deleted. The consent records stay as
 * anonymised proofs: text, version, time, the e-mail's HMAC, the IP's network, the page without its query.
 * Each erased lead is announced as `lead.erased`, carrying its ids only.
 */
export async function eraseLeads(
  deps: PlatformDeps,
  by: { leadId: string } | { email: string },
  actor: Actor = 'system',
): Promise<ErasureReport> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now().toISOString();
    let q = tx.selectFrom('leads').select(['id', 'email_lower']).where('erased_at', 'is', null);
    q = 'leadId' in by ? q.where('id', '=', by.leadId) : q.where('email_lower', '=', by.email.trim().toLowerCase());
    const leads = await q.execute();
    if ('leadId' in by && leads.length === 0) {
      const erased = await tx.selectFrom('leads').select('id').where('id', '=', by.leadId).executeTakeFirst();
      if (!erased) throw new ProblemError('not_found', `no lead ${by.leadId}`);
    }
    const emailLower = 'email' in by ? by.email.trim().toLowerCase() : leads[0]?.email_lower;
    const spam = emailLower
      ? await tx.deleteFrom('spam_submissions').where('email_lower', '=', emailLower).executeTakeFirst()
      : { numDeletedRows: 0n };
    const report = await eraseRows(
      tx,
      deps,
      now,
      leads.map((l) => l.id),
      actor,
    );
    return {
      ...report,
      spam_submissions_deleted: Number(spam.numDeletedRows),
      email_hash: emailLower ? emailHash(deps.secret, emailLower) : null,
    };
  });
}

async function eraseRows(tx: Tx, deps: PlatformDeps, now: string, ids: readonly string[], actor: Actor) {
  if (ids.length === 0) {
    return {
      leads_erased: 0,
      submissions_scrubbed: 0,
      consents_anonymised: 0,
      asset_links_revoked: 0,
      jobs_cancelled: 0,
      emails_scrubbed: 0,
    };
  }
  // Jobs and forward rows first, then the leads: the order the outbox's completion transaction locks them in
  // (a successful forward marks its job, its forward row, then moves its lead's event counter).
  const jobs = await tx
    .updateTable('jobs')
    .set({ status: 'dead', last_error: 'cancelled: lead erased', payload: '{}', completed_at: now, updated_at: now })
    .where('subject_id', 'in', ids)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  await tx
    .updateTable('lead_forwards')
    .set({ status: 'cancelled', last_error: 'lead erased', updated_at: now })
    .where('lead_id', 'in', ids)
    .where('status', 'in', ['pending', 'dead'])
    .execute();
  await scrubEvents(tx, ids);
  const events: DomainEvent[] = [];
  for (const id of ids) {
    const lead = await tx
      .updateTable('leads')
      .set({ email_lower: `erased:${id}`, data: '{}', erased_at: now, updated_at: now, event_seq: sql<number>`event_seq + 1` })
      .where('id', '=', id)
      .returning(['form_id', 'event_seq'])
      .executeTakeFirstOrThrow();
    // No personal data: the event outlives the erasure (webhook deliveries, the event log).
    events.push({
      id: deps.ids.next('event'),
      type: 'lead.erased',
      aggregateType: 'lead',
      aggregateId: id,
      aggregateSeq: Number(lead.event_seq),
      orderId: null,
      actor,
      data: { lead_id: id, form_id: lead.form_id, erased_at: now },
      createdAt: now,
    });
  }
  await appendEvents(tx, events);
  const submissions = await tx
    .updateTable('lead_submissions')
    .set({ data: '{}', ip: null, user_agent: null, page_uri: null, hutk: null })
    .where('lead_id', 'in', ids)
    .executeTakeFirst();
  const consents = await tx
    .selectFrom('lead_consents')
    .select(['id', 'ip', 'page_uri'])
    .where('lead_id', 'in', ids)
    .where('anonymised_at', 'is', null)
    .execute();
  for (const c of consents) {
    await tx
      .updateTable('lead_consents')
      .set({ ip: anonymiseIp(c.ip), user_agent: null, page_uri: pageWithoutQuery(c.page_uri), anonymised_at: now })
      .where('id', '=', c.id)
      .execute();
  }
  const links = await tx.deleteFrom('asset_links').where('lead_id', 'in', ids).executeTakeFirst();
  // Jobs that already ran keep their row but not the lead's data: the e-mail job's payload is only an e-mail id.
  const emails = await tx
    .updateTable('emails')
    .set({ to_address: sql<string>`'erased@invalid'`, data: '{}' })
    .where('subject_id', 'in', ids)
    .executeTakeFirst();
  return {
    leads_erased: ids.length,
    submissions_scrubbed: Number(submissions.numUpdatedRows),
    consents_anonymised: consents.length,
    asset_links_revoked: Number(links.numDeletedRows),
    jobs_cancelled: Number(jobs.numUpdatedRows),
    emails_scrubbed: Number(emails.numUpdatedRows),
  };
}

/** Keys of lead event data that are personal (`lead.created`, `lead.resubmitted`, `lead.confirmed`). */
const personalEventKeys = ['email', 'fields'] as const;
/** Dedupe keys per lookup of webhook deliveries. */
const deliveryKeyChunk = 500;

function withoutPersonalData(data: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!personalEventKeys.some((k) => k in data)) return undefined;
  const copy = { ...data };
  for (const k of personalEventKeys) delete copy[k];
  return copy;
}

/**
 * The leads' earlier events carried the e-mail and the submitted values: they keep their ids, types and order
 * but lose those, in the event log and in every outbound webhook delivery made of them (so a retry or a replay
 * after the erasure sends no personal data). An event the router has not handed on yet is scrubbed before it is.
 */
async function scrubEvents(tx: Tx, ids: readonly string[]): Promise<void> {
  const events = await tx
    .selectFrom('events')
    .select(['id', 'data'])
    .where('aggregate_type', '=', 'lead')
    .where('aggregate_id', 'in', ids)
    .execute();
  const scrubbed = events.filter((e) => withoutPersonalData(JSON.parse(e.data) as Record<string, unknown>) !== undefined);
  if (scrubbed.length === 0) return;
  for (const e of scrubbed) {
    const data = withoutPersonalData(JSON.parse(e.data) as Record<string, unknown>) as Record<string, unknown>;
    await tx
      .updateTable('events')
      .set({ data: JSON.stringify(data) })
      .where('id', '=', e.id)
      .execute();
  }
  // Deliveries are keyed by (endpoint, event); endpoints that were deleted since may still hold some.
  const endpoints = await tx.selectFrom('jobs').select('subject_id').distinct().where('kind', '=', webhookJobKind).execute();
  const keys = endpoints.flatMap((row) =>
    row.subject_id === null ? [] : scrubbed.map((e) => deliveryKey(row.subject_id as string, e.id)),
  );
  for (let i = 0; i < keys.length; i += deliveryKeyChunk) {
    const jobs = await tx
      .selectFrom('jobs')
      .select(['id', 'payload'])
      .where('dedupe_key', 'in', keys.slice(i, i + deliveryKeyChunk))
      .execute();
    for (const job of jobs) {
      const payload = JSON.parse(job.payload) as WebhookJobPayload;
      const data = payload.message ? withoutPersonalData(payload.message.data) : undefined;
      if (data === undefined) continue;
      const updated: WebhookJobPayload = { ...payload, message: { ...payload.message, data } };
      await tx
        .updateTable('jobs')
        .set({ payload: JSON.stringify(updated) })
        .where('id', '=', job.id)
        .execute();
    }
  }
}
