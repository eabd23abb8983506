import { sql } from 'kysely';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { ProblemError } from '../../kernel/problem.js';
import type { LeadTable } from '../../storage/schema-leads.js';
import type { PlatformDeps } from '../deps.js';
import { replayJob } from '../outbox/index.js';
import { csvRow } from './domain/csv.js';
import type { FieldDefinition } from './domain/fields.js';
import { leadTemplates } from './templates.js';

export interface LeadQuery {
  readonly form_id?: string;
  /** A piece of the e-mail address (case-insensitive). */
  readonly email?: string;
  readonly status?: 'pending_confirmation' | 'confirmed';
  readonly created_from?: string;
  readonly created_to?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function leadsQuery(deps: PlatformDeps, query: LeadQuery) {
  let q = deps.db.read.selectFrom('leads').selectAll().where('erased_at', 'is', null);
  if (query.form_id !== undefined) q = q.where('form_id', '=', query.form_id);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.email !== undefined && query.email !== '')
    q = q.where(sql<boolean>`email_lower like ${`%${likeEscape(query.email.toLowerCase())}%`} escape '\\'`);
  if (query.created_from !== undefined) q = q.where('created_at', '>=', new Date(query.created_from).toISOString());
  if (query.created_to !== undefined) q = q.where('created_at', '<', new Date(query.created_to).toISOString());
  return q;
}

export const leadView = (row: LeadTable) => ({
  id: row.id,
  form_id: row.form_id,
  email: (JSON.parse(row.data) as { email?: string }).email ?? row.email_lower,
  fields: JSON.parse(row.data) as Record<string, unknown>,
  status: row.status,
  submission_count: Number(row.submission_count),
  locale: row.locale,
  confirmed_at: row.confirmed_at,
  asset_delivered_at: row.asset_delivered_at,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export async function listLeads(deps: PlatformDeps, query: LeadQuery): Promise<Page<ReturnType<typeof leadView>>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = leadsQuery(deps, query)
    .orderBy('id', 'desc')
    .limit(size + 1);
  if (after !== undefined) q = q.where('id', '<', after);
  return toPage(await q.execute(), size, (r) => r.id, leadView);
}

export async function getLead(deps: PlatformDeps, id: string) {
  const row = await deps.db.read.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.erased_at !== null) throw new ProblemError('not_found', `no lead ${id}`);
  const [submissions, consents, forwards] = await Promise.all([
    deps.db.read.selectFrom('lead_submissions').selectAll().where('lead_id', '=', id).orderBy('id').limit(100).execute(),
    deps.db.read.selectFrom('lead_consents').selectAll().where('lead_id', '=', id).orderBy('id').limit(100).execute(),
    forwardRows(deps, { lead_id: id, limit: 100 }),
  ]);
  return {
    ...leadView(row),
    submissions: submissions.map((s) => ({
      id: s.id,
      channel: s.channel,
      fields: JSON.parse(s.data),
      ip: s.ip,
      user_agent: s.user_agent,
      page_uri: s.page_uri,
      created_at: s.created_at,
    })),
    consents: consents.map((c) => ({
      id: c.id,
      submission_id: c.submission_id,
      text: c.consent_text,
      version: c.consent_version,
      ip: c.ip,
      user_agent: c.user_agent,
      page_uri: c.page_uri,
      created_at: c.created_at,
    })),
    forwards: forwards.data,
  };
}

const exportPageRows = 500;

/** The leads as CSV, streamed page by page (never the whole set in memory). Custom fields are columns when one form is exported. */
export async function* exportLeadsCsv(deps: PlatformDeps, query: LeadQuery): AsyncGenerator<string> {
  let fieldNames: string[] = ['name', 'company', 'phone', 'country'];
  if (query.form_id !== undefined) {
    const form = await deps.db.read.selectFrom('forms').select('fields').where('id', '=', query.form_id).executeTakeFirst();
    if (form) fieldNames = (JSON.parse(form.fields) as FieldDefinition[]).map((f) => f.name).filter((n) => n !== 'email');
  }
  yield csvRow(['id', 'form_id', 'email', 'status', 'submission_count', 'created_at', 'confirmed_at', 'asset_delivered_at', ...fieldNames]);
  let after: string | undefined;
  for (;;) {
    let q = leadsQuery(deps, query).orderBy('id').limit(exportPageRows);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.execute();
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) {
      const v = leadView(row);
      chunk += csvRow([
        v.id,
        v.form_id,
        v.email,
        v.status,
        v.submission_count,
        v.created_at,
        v.confirmed_at,
        v.asset_delivered_at,
        ...fieldNames.map((n) => v.fields[n]),
      ]);
    }
    yield chunk;
    after = rows.at(-1)?.id;
    if (rows.length < exportPageRows) return;
  }
}

/** Per-form counts: submissions, leads, confirmed, delivered (asset e-mail sent), downloads, forwarded, spam. */
export async function formStats(deps: PlatformDeps, formId: string) {
  const db = deps.db.read;
  const [leads, submissions, spam, downloads, forwarded, delivered] = await Promise.all([
    db
      .selectFrom('leads')
      .select([sql<number>`count(*)`.as('leads'), sql<number>`sum(case when status = 'confirmed' then 1 else 0 end)`.as('confirmed')])
      .where('form_id', '=', formId)
      .where('erased_at', 'is', null)
      .executeTakeFirstOrThrow(),
    db.selectFrom('lead_submissions').select(sql<number>`count(*)`.as('n')).where('form_id', '=', formId).executeTakeFirstOrThrow(),
    db.selectFrom('spam_submissions').select(sql<number>`count(*)`.as('n')).where('form_id', '=', formId).executeTakeFirstOrThrow(),
    db
      .selectFrom('asset_links')
      .select(sql<number>`coalesce(sum(downloads), 0)`.as('n'))
      .where('form_id', '=', formId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('lead_forwards')
      .select(sql<number>`count(distinct lead_id)`.as('n'))
      .where('form_id', '=', formId)
      .where('status', '=', 'succeeded')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('emails')
      .innerJoin('leads', 'leads.id', 'emails.subject_id')
      .select(sql<number>`count(distinct emails.subject_id)`.as('n'))
      .where('leads.form_id', '=', formId)
      .where('emails.template', '=', leadTemplates.asset)
      .where('emails.status', '=', 'sent')
      .executeTakeFirstOrThrow(),
  ]);
  return {
    submissions: Number(submissions.n),
    leads: Number(leads.leads),
    confirmed: Number(leads.confirmed ?? 0),
    delivered: Number(delivered.n),
    downloads: Number(downloads.n),
    forwarded: Number(forwarded.n),
    spam: Number(spam.n),
  };
}

/** Forwarding health per destination: forwards by status, and the latest error. */
export async function forwardingHealth(deps: PlatformDeps, formId: string) {
  const rows = await deps.db.read
    .selectFrom('lead_forwards')
    .select(['destination_id', 'status', sql<number>`count(*)`.as('n'), sql<number>`sum(attempts)`.as('attempts')])
    .where('form_id', '=', formId)
    .groupBy(['destination_id', 'status'])
    .execute();
  const errors = await deps.db.read
    .selectFrom('lead_forwards')
    .select(['destination_id', 'last_error', 'updated_at'])
    .where('form_id', '=', formId)
    .where('last_error', 'is not', null)
    .orderBy('updated_at', 'desc')
    .limit(200)
    .execute();
  const health = new Map<
    string,
    {
      pending: number;
      succeeded: number;
      dead: number;
      cancelled: number;
      attempts: number;
      last_error: string | null;
      last_error_at: string | null;
    }
  >();
  const entry = (id: string) => {
    let e = health.get(id);
    if (!e) {
      e = { pending: 0, succeeded: 0, dead: 0, cancelled: 0, attempts: 0, last_error: null, last_error_at: null };
      health.set(id, e);
    }
    return e;
  };
  for (const r of rows) {
    const e = entry(r.destination_id);
    e[r.status] += Number(r.n);
    e.attempts += Number(r.attempts ?? 0);
  }
  for (const r of errors) {
    const e = entry(r.destination_id);
    if (e.last_error === null) {
      e.last_error = r.last_error;
      e.last_error_at = r.updated_at;
    }
  }
  return health;
}

export interface ForwardQuery {
  readonly form_id?: string;
  readonly lead_id?: string;
  readonly status?: 'pending' | 'succeeded' | 'dead' | 'cancelled';
  readonly cursor?: string;
  readonly limit?: number;
}

export async function forwardRows(deps: PlatformDeps, query: ForwardQuery) {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('lead_forwards')
    .innerJoin('jobs', 'jobs.dedupe_key', 'lead_forwards.dedupe_key')
    .innerJoin('form_destinations', 'form_destinations.id', 'lead_forwards.destination_id')
    .select([
      'jobs.id as job_id',
      'lead_forwards.form_id',
      'lead_forwards.destination_id',
      'form_destinations.kind',
      'lead_forwards.lead_id',
      'lead_forwards.submission_id',
      'lead_forwards.status',
      'jobs.attempts',
      'jobs.next_attempt_at',
      'lead_forwards.last_error',
      'jobs.result',
      'lead_forwards.created_at',
      'lead_forwards.updated_at',
    ])
    .orderBy('jobs.id', 'desc')
    .limit(size + 1);
  if (query.form_id !== undefined) q = q.where('lead_forwards.form_id', '=', query.form_id);
  if (query.lead_id !== undefined) q = q.where('lead_forwards.lead_id', '=', query.lead_id);
  if (query.status !== undefined) q = q.where('lead_forwards.status', '=', query.status);
  if (after !== undefined) q = q.where('jobs.id', '<', after);
  const rows = await q.execute();
  return toPage(
    rows,
    size,
    (r) => r.job_id,
    (r) => ({
      ...r,
      attempts: Number(r.attempts),
      next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
      response: r.result ? (JSON.parse(r.result) as unknown) : null,
      result: undefined,
    }),
  );
}

/** Sends a dead (or delivered) forward once more, as the same job (the webhook id does not change). */
export async function replayForward(deps: PlatformDeps, jobId: string): Promise<void> {
  const replayed = await deps.db.transaction(async (tx) => {
    const forward = await tx
      .selectFrom('lead_forwards')
      .innerJoin('jobs', 'jobs.dedupe_key', 'lead_forwards.dedupe_key')
      .select(['lead_forwards.dedupe_key', 'lead_forwards.status'])
      .where('jobs.id', '=', jobId)
      .executeTakeFirst();
    if (!forward) return 'missing';
    if (forward.status === 'cancelled') return 'cancelled';
    if (!(await replayJob(tx, deps, jobId))) return 'busy';
    await tx
      .updateTable('lead_forwards')
      .set({ status: 'pending', updated_at: deps.clock.now().toISOString() })
      .where('dedupe_key', '=', forward.dedupe_key)
      .execute();
    return 'ok';
  });
  if (replayed === 'missing') throw new ProblemError('not_found', `no forward with job ${jobId}`);
  if (replayed === 'cancelled')
    throw new ProblemError('forward_not_replayable', 'the forward was cancelled (its lead was erased or its destination removed)');
  if (replayed === 'busy')
    throw new ProblemError('forward_not_replayable', 'the forward is still pending; only dead or delivered forwards are replayed');
}
