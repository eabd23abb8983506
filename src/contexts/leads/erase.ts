import { sql } from 'kysely';
import { ProblemError } from '../../kernel/problem.js';
import type { Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
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
 */
export async function eraseLeads(deps: PlatformDeps, by: { leadId: string } | { email: string }): Promise<ErasureReport> {
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
      now,
      leads.map((l) => l.id),
    );
    return {
      ...report,
      spam_submissions_deleted: Number(spam.numDeletedRows),
      email_hash: emailLower ? emailHash(deps.secret, emailLower) : null,
    };
  });
}

async function eraseRows(tx: Tx, now: string, ids: readonly string[]) {
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
  for (const id of ids) {
    await tx
      .updateTable('leads')
      .set({ email_lower: `erased:${id}`, data: '{}', erased_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
  }
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
