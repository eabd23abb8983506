import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';
import type { Deps, PlatformDeps } from '../deps.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import type { ClaimedJob, JobHandler, JobOutcome, RecordedOutcome } from '../outbox/index.js';
import { forwardJobKinds } from './delivery.js';
import { type Destination, destinationSecret, toDestination } from './destinations.js';

/** How long one CRM call may take. */
export const forwardTimeoutMs = 10_000;
/** Delays before attempts 2, 3, ... of a forward (then the last one repeats): 10 s up to 6 h. */
export const forwardRetryScheduleMs = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const;
const responseTextMax = 500;

interface LeadForForward {
  readonly destination: Destination;
  readonly form: { id: string; slug: string; name: string };
  readonly lead: { id: string; status: string; created_at: string; confirmed_at: string | null; submission_count: number };
  readonly submission: {
    id: string;
    data: Record<string, unknown>;
    channel: string;
    ip: string | null;
    page_uri: string | null;
    hutk: string | null;
    created_at: string;
  };
  readonly consent: { text: string; version: string; created_at: string } | null;
}

/** Everything a forward sends, read when the job runs (so an erased lead is never sent). */
async function load(deps: Deps, payload: Record<string, unknown>): Promise<LeadForForward | string> {
  const db = deps.db.read;
  const row = await db.selectFrom('form_destinations').selectAll().where('id', '=', String(payload.destination_id)).executeTakeFirst();
  if (!row) return 'the destination was removed';
  const lead = await db
    .selectFrom('leads')
    .select(['id', 'form_id', 'status', 'created_at', 'confirmed_at', 'submission_count', 'erased_at'])
    .where('id', '=', String(payload.lead_id))
    .executeTakeFirst();
  if (!lead || lead.erased_at !== null) return 'the lead was erased';
  const submission = await db.selectFrom('lead_submissions').selectAll().where('id', '=', String(payload.submission_id)).executeTakeFirst();
  if (!submission) return 'the submission is gone';
  const form = await db.selectFrom('forms').select(['id', 'slug', 'name']).where('id', '=', lead.form_id).executeTakeFirstOrThrow();
  const consent = await db
    .selectFrom('lead_consents')
    .select(['consent_text', 'consent_version', 'created_at'])
    .where('submission_id', '=', submission.id)
    .executeTakeFirst();
  return {
    destination: toDestination(row),
    form,
    lead,
    submission: { ...submission, data: JSON.parse(submission.data) as Record<string, unknown> },
    consent: consent ? { text: consent.consent_text, version: consent.consent_version, created_at: consent.created_at } : null,
  };
}

/** The outcome of an HTTP answer: 2xx done; 408, 425, 429 and 5xx again later (honouring Retry-After); other 4xx final. */
async function outcomeOf(response: Response): Promise<JobOutcome> {
  const text = (await response.text().catch(() => '')).slice(0, responseTextMax);
  const result = { status: response.status, body: text };
  if (response.ok) return { status: 'succeeded', result };
  const error = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
  if ([408, 425, 429].includes(response.status) || response.status >= 500) {
    const after = Number(response.headers.get('retry-after'));
    return {
      status: 'retry',
      error,
      result,
      ...(Number.isFinite(after) && after > 0 ? { retryAfterMs: Math.min(after, 86_400) * 1000 } : {}),
    };
  }
  return { status: 'failed', error, result };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<JobOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(forwardTimeoutMs),
    });
    return await outcomeOf(response);
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { status: 'retry', error: `network: ${cause}`.slice(0, responseTextMax) };
  }
}

/** Standard Webhooks signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" under the whsec_ key>`. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
}

/** The webhook's body: the lead as submitted, with the consent the person gave. */
export function webhookBody(f: LeadForForward, timestamp: string): string {
  return JSON.stringify({
    type: 'lead.submitted',
    timestamp,
    data: {
      lead_id: f.lead.id,
      submission_id: f.submission.id,
      form: f.form,
      email: f.submission.data.email,
      fields: f.submission.data,
      status: f.lead.status,
      submission_count: f.lead.submission_count,
      submitted_at: f.submission.created_at,
      confirmed_at: f.lead.confirmed_at,
      page_uri: f.submission.page_uri,
      consent: f.consent,
    },
  });
}

/** The HubSpot Forms API body (POST /submissions/v3/integration/submit/:portalId/:formGuid). */
export function hubspotBody(f: LeadForForward): Record<string, unknown> {
  const config = f.destination.config as { subscription_type_id: number | null };
  const fields = Object.entries(f.submission.data).map(([name, value]) => ({
    objectTypeId: '0-1',
    name: name === 'name' ? 'firstname' : name,
    value: String(value),
  }));
  const context: Record<string, string> = { pageName: f.form.name };
  if (f.submission.page_uri) context.pageUri = f.submission.page_uri;
  if (f.submission.ip) context.ipAddress = f.submission.ip;
  if (f.submission.hutk) context.hutk = f.submission.hutk;
  const consentText = f.consent?.text ?? '';
  return {
    submittedAt: String(Date.parse(f.submission.created_at)),
    fields,
    context,
    legalConsentOptions: {
      consent: {
        consentToProcess: true,
        text: consentText,
        communications:
          config.subscription_type_id === null ? [] : [{ value: true, subscriptionTypeId: config.subscription_type_id, text: consentText }],
      },
    },
  };
}

function webhookHandler(deps: PlatformDeps): JobHandler {
  return {
    kind: forwardJobKinds.webhook,
    retryScheduleMs: forwardRetryScheduleMs,
    async run(job) {
      const loaded = await load(deps, job.payload);
      if (typeof loaded === 'string') return { status: 'failed', error: `cancelled: ${loaded}` };
      const config = loaded.destination.config as { url: string };
      const secret = destinationSecret(deps, loaded.destination) as string;
      const now = deps.clock.now();
      const timestamp = Math.floor(now.getTime() / 1000);
      const body = webhookBody(loaded, now.toISOString());
      // The job id is the webhook id: the same on every retry and replay, so the receiver deduplicates on it.
      return post(
        config.url,
        { 'webhook-id': job.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, job.id, timestamp, body) },
        body,
      );
    },
    recordBatch: recordForwards,
  };
}

function hubspotHandler(deps: PlatformDeps): JobHandler {
  return {
    kind: forwardJobKinds.hubspot,
    retryScheduleMs: forwardRetryScheduleMs,
    async run(job) {
      const loaded = await load(deps, job.payload);
      if (typeof loaded === 'string') return { status: 'failed', error: `cancelled: ${loaded}` };
      const config = loaded.destination.config as { portal_id: string; form_guid: string; base_url: string };
      const token = destinationSecret(deps, loaded.destination);
      const path = `${token ? '/submissions/v3/integration/secure/submit' : '/submissions/v3/integration/submit'}/${encodeURIComponent(config.portal_id)}/${encodeURIComponent(config.form_guid)}`;
      return post(`${config.base_url}${path}`, token ? { authorization: `Bearer ${token}` } : {}, JSON.stringify(hubspotBody(loaded)));
    },
    recordBatch: recordForwards,
  };
}

/** Leads whose event counter one statement moves (two parameters each). */
const leadSeqChunk = 400;

/**
 * Mirrors each job's state on its forward row (forwarding health, dead letters) and announces every success as
 * `lead.forwarded`, in the runner's completion transaction: the event commits with the job's success, or not at
 * all. Rows are locked in the order jobs (the runner), forward rows, leads; erasure keeps the same order.
 */
async function recordForwards(tx: Tx, items: readonly { job: ClaimedJob; outcome: RecordedOutcome }[], deps: Deps): Promise<void> {
  const now = deps.clock.now().toISOString();
  for (const { job, outcome } of items) {
    const status = outcome.status === 'scheduled' ? 'pending' : outcome.status;
    const error = outcome.outcome.status === 'succeeded' ? null : outcome.outcome.error.slice(0, 2000);
    await tx
      .updateTable('lead_forwards')
      // A success keeps the last error seen: the row then tells that it needed retries and why.
      .set({ status, attempts: job.attempt, updated_at: now, ...(error === null ? {} : { last_error: error }) })
      .where('dedupe_key', '=', job.dedupeKey)
      .execute();
  }
  const succeeded = items.filter(({ job, outcome }) => outcome.status === 'succeeded' && typeof job.payload.lead_id === 'string');
  if (succeeded.length === 0) return;
  // Each lead's counter moves by its successes of the round, in one statement per chunk (two CRMs may answer together).
  const perLead = new Map<string, number>();
  for (const { job } of succeeded) perLead.set(String(job.payload.lead_id), (perLead.get(String(job.payload.lead_id)) ?? 0) + 1);
  const entries = [...perLead];
  const leads = new Map<string, { formId: string; nextSeq: number }>();
  for (let i = 0; i < entries.length; i += leadSeqChunk) {
    const values = sql.join(entries.slice(i, i + leadSeqChunk).map(([id, n]) => sql`(${id}, cast(${n} as integer))`));
    const { rows } = await sql<{ id: string; form_id: string; event_seq: number }>`
      with v(id, n) as (values ${values})
      update leads set event_seq = leads.event_seq + v.n
      from v
      where leads.id = v.id
      returning leads.id, leads.form_id, leads.event_seq`.execute(tx);
    for (const r of rows) leads.set(r.id, { formId: r.form_id, nextSeq: Number(r.event_seq) - (perLead.get(r.id) ?? 1) + 1 });
  }
  const events: DomainEvent[] = [];
  for (const { job } of succeeded) {
    const leadId = String(job.payload.lead_id);
    const lead = leads.get(leadId);
    if (!lead) continue; // the lead row is gone: nothing to number the event in
    events.push({
      id: deps.ids.next('event'),
      type: 'lead.forwarded',
      aggregateType: 'lead',
      aggregateId: leadId,
      aggregateSeq: lead.nextSeq++,
      orderId: null,
      actor: 'system',
      data: {
        lead_id: leadId,
        form_id: lead.formId,
        submission_id: job.payload.submission_id ?? null,
        destination_id: job.payload.destination_id ?? null,
        destination_kind: job.kind === forwardJobKinds.hubspot ? 'hubspot' : 'webhook',
        job_id: job.id,
        attempts: job.attempt,
      },
      createdAt: now,
    });
  }
  await appendEvents(tx, events);
}

export const forwardHandlers = (deps: PlatformDeps): JobHandler[] => [webhookHandler(deps), hubspotHandler(deps)];
