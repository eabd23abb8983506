import fs from 'node:fs/promises';
import { type Locale, supportedLocales } from '../../kernel/locale.js';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import { replayJob } from '../outbox/index.js';
import {
  checkTemplate,
  defaultTemplate,
  isRegisteredTemplate,
  type RenderedEmail,
  registeredTemplateNames,
  renderEmail,
  sampleDataFor,
  type TemplateSource,
} from './render.js';
import { brandOf, composeEmail, forgetTemplateOverrides, hasDataResolver, type MailDeps } from './send.js';
import { buildMime, emlPath } from './transport.js';

/** What the API shows of an e-mail. */
export interface EmailView {
  readonly id: string;
  readonly to: string;
  readonly template: string;
  readonly locale: string;
  readonly status: 'queued' | 'sent' | 'failed';
  readonly subject: string | null;
  readonly order_id: string | null;
  readonly subject_id: string | null;
  readonly dedupe_key: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly provider_id: string | null;
  /** When a queued e-mail is tried next (null once sent or failed). */
  readonly next_attempt_at: string | null;
  readonly data: Record<string, unknown>;
  readonly created_at: string;
  readonly sent_at: string | null;
}

export interface EmailListQuery {
  readonly order_id?: string | undefined;
  readonly status?: 'queued' | 'sent' | 'failed' | undefined;
  readonly template?: string | undefined;
  readonly to?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

const emailSelect = [
  'emails.id as id',
  'emails.job_id as job_id',
  'emails.dedupe_key as dedupe_key',
  'emails.to_address as to_address',
  'emails.template as template',
  'emails.locale as locale',
  'emails.data as data',
  'emails.order_id as order_id',
  'emails.subject_id as subject_id',
  'emails.subject as subject',
  'emails.status as status',
  'emails.provider_id as provider_id',
  'emails.attempts as attempts',
  'emails.last_error as last_error',
  'emails.created_at as created_at',
  'emails.sent_at as sent_at',
  'jobs.next_attempt_at as next_attempt_at',
  'jobs.status as job_status',
] as const;

function baseQuery(deps: MailDeps) {
  return deps.db.read.selectFrom('emails').leftJoin('jobs', 'jobs.id', 'emails.job_id').select(emailSelect);
}

type EmailRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

const toView = (row: EmailRow): EmailView => ({
  id: row.id,
  to: row.to_address,
  template: row.template,
  locale: row.locale,
  status: row.status,
  subject: row.subject,
  order_id: row.order_id,
  subject_id: row.subject_id,
  dedupe_key: row.dedupe_key,
  attempts: Number(row.attempts),
  last_error: row.last_error,
  provider_id: row.provider_id,
  next_attempt_at: row.status === 'queued' && (row.job_status === 'pending' || row.job_status === 'running') ? row.next_attempt_at : null,
  data: JSON.parse(row.data) as Record<string, unknown>,
  created_at: row.created_at,
  sent_at: row.sent_at,
});

/** E-mails, newest first, filtered; one query per page. */
export async function listEmails(deps: MailDeps, query: EmailListQuery): Promise<Page<EmailView>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = baseQuery(deps)
    .orderBy('emails.id', 'desc')
    .limit(size + 1);
  if (query.order_id) q = q.where('emails.order_id', '=', query.order_id);
  if (query.status) q = q.where('emails.status', '=', query.status);
  if (query.template) q = q.where('emails.template', '=', query.template);
  if (query.to) q = q.where('emails.to_address', '=', query.to);
  if (after !== undefined) q = q.where('emails.id', '<', after);
  const rows = await q.execute();
  return toPage(rows, size, (r) => r.id, toView);
}

async function loadEmail(deps: MailDeps, id: string): Promise<EmailRow | undefined> {
  return baseQuery(deps).where('emails.id', '=', id).executeTakeFirst();
}

export async function getEmail(deps: MailDeps, id: string): Promise<Result<EmailView>> {
  const row = await loadEmail(deps, id);
  return row ? ok(toView(row)) : fail('not_found', `no e-mail ${id}`);
}

/** The e-mail rendered now from its stored variables (with today's templates and overrides). */
export async function previewEmail(deps: MailDeps, id: string): Promise<Result<RenderedEmail & { view: EmailView }>> {
  const row = await loadEmail(deps, id);
  if (!row) return fail('not_found', `no e-mail ${id}`);
  if (!isRegisteredTemplate(row.template)) return fail('unknown_template', `the template ${row.template} is no longer registered`);
  const content = await composeEmail(deps, row, new Date(row.sent_at ?? row.created_at), null, 'preview');
  return ok({ ...content.rendered, view: toView(row) });
}

/**
 * The MIME message: the .eml file written when it was sent in file mode, otherwise the message built again
 * from its stored variables (same Message-ID and Date; the body uses today's templates).
 */
export async function rawEmail(deps: MailDeps, id: string): Promise<Result<Buffer>> {
  const row = await loadEmail(deps, id);
  if (!row) return fail('not_found', `no e-mail ${id}`);
  // An e-mail that carries the recipient's secrets (download links, keys) is rebuilt with them masked.
  if (!hasDataResolver(row.template)) {
    try {
      return ok(await fs.readFile(emlPath(deps.dataDir, row.id)));
    } catch {
      // not written (SMTP mode, not sent yet, or the data directory was cleaned): rebuild it
    }
  }
  if (!isRegisteredTemplate(row.template)) return fail('unknown_template', `the template ${row.template} is no longer registered`);
  const content = await composeEmail(deps, row, new Date(row.sent_at ?? row.created_at), null, 'preview');
  return ok(await buildMime(content.message));
}

/** Sends a sent or failed e-mail again (same job, one more attempt); 409 while it is still queued. */
export async function resendEmail(deps: MailDeps, id: string): Promise<Result<EmailView>> {
  const outcome = await deps.db.transaction(async (tx) => {
    const row = await tx.selectFrom('emails').select(['id', 'job_id']).where('id', '=', id).executeTakeFirst();
    if (!row) return fail('not_found', `no e-mail ${id}`);
    if (!(await replayJob(tx, deps, row.job_id)))
      return fail('email_in_flight', `the e-mail ${id} is still queued; it is sent or retried on its own`);
    await tx.updateTable('emails').set({ status: 'queued', last_error: null }).where('id', '=', id).execute();
    return ok(null);
  });
  if (!outcome.ok) return outcome;
  return getEmail(deps, id);
}

// Template overrides ------------------------------------------------------------------------------------------

export interface TemplateView {
  readonly name: string;
  readonly locale: Locale;
  /** True when the merchant's override is in use. */
  readonly overridden: boolean;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly updated_at: string | null;
  /** The built-in source (what DELETE reverts to). */
  readonly default: TemplateSource;
  /** Variables the sample preview uses: what the template can count on. */
  readonly sample_data: Record<string, unknown>;
}

const sourceOf = (t: TemplateSource): TemplateSource => ({ subject: t.subject, html: t.html, text: t.text });

async function overridesOf(deps: MailDeps, name?: string) {
  let q = deps.db.read.selectFrom('mail_templates').selectAll();
  if (name) q = q.where('name', '=', name);
  const rows = await q.execute();
  return new Map(rows.map((r) => [`${r.name}\u0000${r.locale}`, r]));
}

function templateView(
  name: string,
  locale: Locale,
  override: { subject: string; html: string; text: string; updated_at: string } | undefined,
): TemplateView {
  const builtIn = defaultTemplate(name, locale) as TemplateSource;
  const effective = override ?? builtIn;
  return {
    name,
    locale,
    overridden: override !== undefined,
    ...sourceOf(effective),
    updated_at: override?.updated_at ?? null,
    default: sourceOf(builtIn),
    sample_data: sampleDataFor(name),
  };
}

/** Every registered template in every locale, with the override when there is one. */
export async function listTemplates(deps: MailDeps): Promise<TemplateView[]> {
  const overrides = await overridesOf(deps);
  return registeredTemplateNames().flatMap((name) =>
    supportedLocales.map((locale) => templateView(name, locale, overrides.get(`${name}\u0000${locale}`))),
  );
}

export async function getTemplate(deps: MailDeps, name: string, locale: Locale): Promise<Result<TemplateView>> {
  if (!isRegisteredTemplate(name))
    return fail('unknown_template', `no e-mail template named ${name}`, { templates: registeredTemplateNames() });
  const overrides = await overridesOf(deps, name);
  return ok(templateView(name, locale, overrides.get(`${name}\u0000${locale}`)));
}

/** Stores an override after checking it compiles and renders with the sample data. */
export async function putTemplate(deps: MailDeps, name: string, locale: Locale, source: TemplateSource): Promise<Result<TemplateView>> {
  if (!isRegisteredTemplate(name))
    return fail('unknown_template', `no e-mail template named ${name}`, { templates: registeredTemplateNames() });
  const { problems } = checkTemplate(name, locale, source, brandOf(deps.mailFrom));
  if (problems.length > 0) return fail('template_invalid', `${problems[0]?.pointer}: ${problems[0]?.detail}`, { errors: problems });
  const now = deps.clock.now().toISOString();
  const row = { name, locale, ...sourceOf(source), updated_at: now };
  await deps.db.transaction((tx) =>
    tx
      .insertInto('mail_templates')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['name', 'locale']).doUpdateSet({ subject: row.subject, html: row.html, text: row.text, updated_at: now }),
      )
      .execute(),
  );
  forgetTemplateOverrides();
  return ok(templateView(name, locale, row));
}

/** Removes an override: the built-in template applies again. */
export async function deleteTemplate(deps: MailDeps, name: string, locale: Locale): Promise<Result<TemplateView>> {
  if (!isRegisteredTemplate(name))
    return fail('unknown_template', `no e-mail template named ${name}`, { templates: registeredTemplateNames() });
  await deps.db.transaction((tx) => tx.deleteFrom('mail_templates').where('name', '=', name).where('locale', '=', locale).execute());
  forgetTemplateOverrides();
  return ok(templateView(name, locale, undefined));
}

/** Renders a template (the given sources, else the one in use) with sample data (or the given data). */
export async function previewTemplate(
  deps: MailDeps,
  name: string,
  locale: Locale,
  input: Partial<TemplateSource> & { data?: Record<string, unknown> | undefined },
): Promise<Result<RenderedEmail>> {
  const current = await getTemplate(deps, name, locale);
  if (!current.ok) return current;
  const source = {
    subject: input.subject ?? current.value.subject,
    html: input.html ?? current.value.html,
    text: input.text ?? current.value.text,
  };
  const brand = brandOf(deps.mailFrom);
  if (!current.value.overridden && input.subject === undefined && input.html === undefined && input.text === undefined) {
    return ok(renderEmail(name, locale, input.data ?? sampleDataFor(name), brand, null));
  }
  const { problems, rendered } = checkTemplate(name, locale, source, brand, input.data);
  if (!rendered) return fail('template_invalid', `${problems[0]?.pointer}: ${problems[0]?.detail}`, { errors: problems });
  return ok(rendered);
}
