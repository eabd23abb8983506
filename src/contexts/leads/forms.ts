import { pickLocale } from '../../kernel/locale.js';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import type { FieldError } from '../../kernel/problem.js';
import { ProblemError, validationProblem } from '../../kernel/problem.js';
import { isUniqueViolation } from '../../storage/index.js';
import type { FormTable } from '../../storage/schema-leads.js';
import type { PlatformDeps } from '../deps.js';
import { findFile } from '../files/index.js';
import { type DestinationInput, destinationRows } from './destinations.js';
import { defineFields, type FieldDefinition, type FieldInput } from './domain/fields.js';
import { type Asset, assetDefaults, type Form, normalizeOrigin } from './domain/form.js';
import { defaultSpamSettings, type SpamSettings } from './domain/spam.js';

export interface FormInput {
  readonly slug: string;
  readonly name: string;
  readonly fields: readonly FieldInput[];
  readonly asset: { readonly file_id?: string; readonly url?: string; readonly link_ttl_hours?: number; readonly max_downloads?: number };
  readonly consent: { readonly text: string; readonly version: string };
  readonly double_opt_in?: boolean;
  readonly thank_you?: { readonly message?: string; readonly redirect_url?: string };
  readonly allowed_origins?: readonly string[];
  readonly locale?: string;
  readonly spam?: Partial<SpamSettings>;
  readonly status?: 'active' | 'closed';
  readonly destinations?: readonly DestinationInput[];
}

export type FormPatch = Partial<Omit<FormInput, 'destinations'>>;

export function toForm(row: FormTable): Form {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    fields: JSON.parse(row.fields) as FieldDefinition[],
    asset: JSON.parse(row.asset) as Asset,
    consentText: row.consent_text,
    consentVersion: row.consent_version,
    doubleOptIn: row.double_opt_in === 1,
    thankYouMessage: row.thank_you_message,
    redirectUrl: row.redirect_url,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    locale: pickLocale(row.locale),
    spam: { ...defaultSpamSettings, ...(JSON.parse(row.spam) as Partial<SpamSettings>) },
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Checks what JSON Schema cannot (field rules, asset, origins) and builds the row's columns. */
async function formColumns(deps: PlatformDeps, input: FormPatch, current: Form | undefined): Promise<Partial<FormTable>> {
  const errors: FieldError[] = [];
  const columns: Partial<FormTable> = {};
  if (input.slug !== undefined) columns.slug = input.slug;
  if (input.name !== undefined) columns.name = input.name.trim();
  if (input.fields !== undefined) {
    const defined = defineFields(input.fields);
    errors.push(...defined.errors);
    columns.fields = JSON.stringify(defined.fields);
  }
  if (input.asset !== undefined) {
    const { file_id, url } = input.asset;
    if ((file_id === undefined) === (url === undefined)) errors.push({ pointer: '/asset', detail: 'give exactly one of file_id and url' });
    if (file_id !== undefined && !(await findFile(deps, file_id)))
      errors.push({ pointer: '/asset/file_id', detail: 'no stored file has this id' });
    if (url !== undefined && !/^https?:\/\//i.test(url)) errors.push({ pointer: '/asset/url', detail: 'must be an http(s) URL' });
    const asset = {
      ...(file_id !== undefined ? { file_id } : { url }),
      link_ttl_hours: input.asset.link_ttl_hours ?? assetDefaults.link_ttl_hours,
      max_downloads: input.asset.max_downloads ?? assetDefaults.max_downloads,
    };
    columns.asset = JSON.stringify(asset);
  }
  if (input.consent !== undefined) {
    columns.consent_text = input.consent.text.trim();
    columns.consent_version = input.consent.version;
  }
  if (input.double_opt_in !== undefined) columns.double_opt_in = input.double_opt_in ? 1 : 0;
  if (input.thank_you !== undefined) {
    const { message, redirect_url } = input.thank_you;
    if (redirect_url !== undefined && !/^https?:\/\//i.test(redirect_url))
      errors.push({ pointer: '/thank_you/redirect_url', detail: 'must be an http(s) URL' });
    columns.thank_you_message = message?.trim() || null;
    columns.redirect_url = redirect_url ?? null;
  }
  if (input.allowed_origins !== undefined) {
    const origins: string[] = [];
    for (const [i, raw] of input.allowed_origins.entries()) {
      const origin = normalizeOrigin(raw);
      if (origin === undefined) errors.push({ pointer: `/allowed_origins/${i}`, detail: 'must be an origin such as https://example.com' });
      else origins.push(origin);
    }
    columns.allowed_origins = JSON.stringify([...new Set(origins)]);
  }
  if (input.locale !== undefined) columns.locale = pickLocale(input.locale);
  if (input.spam !== undefined) columns.spam = JSON.stringify({ ...(current?.spam ?? defaultSpamSettings), ...input.spam });
  if (input.status !== undefined) columns.status = input.status;
  if (errors.length > 0) throw validationProblem(errors);
  return columns;
}

export async function createForm(deps: PlatformDeps, input: FormInput): Promise<Form> {
  const columns = await formColumns(deps, input, undefined);
  const now = deps.clock.now().toISOString();
  const row: FormTable = {
    id: deps.ids.next('form'),
    slug: input.slug,
    name: columns.name as string,
    fields: columns.fields as string,
    asset: columns.asset as string,
    consent_text: columns.consent_text as string,
    consent_version: columns.consent_version as string,
    double_opt_in: columns.double_opt_in ?? 0,
    thank_you_message: columns.thank_you_message ?? null,
    redirect_url: columns.redirect_url ?? null,
    allowed_origins: columns.allowed_origins ?? '[]',
    locale: columns.locale ?? 'en',
    spam: columns.spam ?? JSON.stringify(defaultSpamSettings),
    status: input.status ?? 'active',
    created_at: now,
    updated_at: now,
  };
  const destinations = destinationRows(deps, row.id, input.destinations ?? [], now, '/destinations').map(
    ({ revealedSecret: _, ...d }) => d,
  );
  try {
    await deps.db.transaction(async (tx) => {
      await tx.insertInto('forms').values(row).execute();
      if (destinations.length > 0) await tx.insertInto('form_destinations').values(destinations).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ProblemError('already_exists', `a form with slug ${input.slug} already exists`, {
        errors: [{ pointer: '/slug', detail: 'is taken' }],
      });
    throw error;
  }
  return toForm(row);
}

export async function updateForm(deps: PlatformDeps, id: string, patch: FormPatch): Promise<Form> {
  const current = await getForm(deps, id);
  const columns = await formColumns(deps, patch, current);
  const now = deps.clock.now().toISOString();
  try {
    await deps.db.transaction((tx) =>
      tx
        .updateTable('forms')
        .set({ ...columns, updated_at: now })
        .where('id', '=', id)
        .execute(),
    );
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ProblemError('already_exists', `a form with slug ${patch.slug} already exists`, {
        errors: [{ pointer: '/slug', detail: 'is taken' }],
      });
    throw error;
  }
  cacheOf(deps).clear();
  return getForm(deps, id);
}

export async function getForm(deps: PlatformDeps, id: string): Promise<Form> {
  const row = await deps.db.read.selectFrom('forms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('not_found', `no form ${id}`);
  return toForm(row);
}

export async function listForms(
  deps: PlatformDeps,
  query: { cursor?: string; limit?: number; status?: 'active' | 'closed' },
): Promise<Page<Form>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('forms')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(size + 1);
  if (after !== undefined) q = q.where('id', '<', after);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  const rows = await q.execute();
  return toPage(rows, size, (r) => r.id, toForm);
}

/** How long a public request may see a form as it was (every process caches forms for the hot path). */
export const formCacheMs = 2_000;
const formCacheEntriesMax = 1_000;
const formCaches = new WeakMap<object, Map<string, { form: Form | undefined; at: number }>>();
const cacheOf = (deps: PlatformDeps) => {
  let cache = formCaches.get(deps.db);
  if (!cache) {
    cache = new Map();
    formCaches.set(deps.db, cache);
  }
  return cache;
};

/** The form a public URL names (its slug or its id), cached briefly; undefined when there is none. */
export async function findPublicForm(deps: PlatformDeps, slugOrId: string): Promise<Form | undefined> {
  const now = Date.now();
  const formCache = cacheOf(deps);
  const key = slugOrId;
  const hit = formCache.get(key);
  if (hit && now - hit.at < formCacheMs) return hit.form;
  const column = slugOrId.startsWith('form_') ? 'id' : 'slug';
  const row = await deps.db.read.selectFrom('forms').selectAll().where(column, '=', slugOrId).executeTakeFirst();
  const form = row ? toForm(row) : undefined;
  if (formCache.size >= formCacheEntriesMax) formCache.clear();
  formCache.set(key, { form, at: now });
  return form;
}

export const forgetCachedForms = (deps: PlatformDeps): void => cacheOf(deps).clear();
