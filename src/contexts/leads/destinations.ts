import { randomBytes } from 'node:crypto';
import { type FieldError, ProblemError, validationProblem } from '../../kernel/problem.js';
import type { FormDestinationTable } from '../../storage/schema-leads.js';
import type { PlatformDeps } from '../deps.js';
import { decryptSecret, encryptSecret } from './crypto.js';

/** A CRM destination as the API takes it. */
export type DestinationInput =
  | {
      readonly kind: 'webhook';
      readonly name?: string;
      readonly url: string;
      /** `whsec_` + base64 of 24 to 64 bytes; generated when absent (and shown once). */
      readonly secret?: string;
      readonly max_attempts?: number;
    }
  | {
      readonly kind: 'hubspot';
      readonly name?: string;
      readonly portal_id: string;
      readonly form_guid: string;
      /** Default https://api.hsforms.com. */
      readonly base_url?: string;
      /** A private app token: sent as a Bearer token to the authenticated (`secure`) submit endpoint. */
      readonly token?: string;
      /** A subscription type the consent text also covers (legalConsentOptions.consent.communications). */
      readonly subscription_type_id?: number;
      readonly max_attempts?: number;
    };

/** The stored config (secrets encrypted). */
export type DestinationConfig =
  | { readonly url: string; readonly secret: string }
  | {
      readonly portal_id: string;
      readonly form_guid: string;
      readonly base_url: string;
      readonly token: string | null;
      readonly subscription_type_id: number | null;
    };

export interface Destination {
  readonly id: string;
  readonly formId: string;
  readonly kind: 'webhook' | 'hubspot';
  readonly name: string;
  readonly maxAttempts: number;
  readonly createdAt: string;
  readonly config: DestinationConfig;
}

export const defaultForwardAttempts = 10;
export const hubspotDefaultBaseUrl = 'https://api.hsforms.com';
const whsecPattern = /^whsec_[A-Za-z0-9+/]+=*$/;

export function destinationRows(
  deps: PlatformDeps,
  formId: string,
  inputs: readonly DestinationInput[],
  now: string,
  base: string,
): (FormDestinationTable & { revealedSecret?: string })[] {
  const errors: FieldError[] = [];
  const rows = inputs.map((input, i) => {
    const at = `${base}/${i}`;
    let config: Record<string, unknown>;
    const given = input as Record<string, unknown>;
    const needed = input.kind === 'webhook' ? ['url'] : ['portal_id', 'form_guid'];
    const foreign = input.kind === 'webhook' ? ['portal_id', 'form_guid', 'base_url', 'token', 'subscription_type_id'] : ['url', 'secret'];
    for (const key of needed)
      if (given[key] === undefined) errors.push({ pointer: `${at}/${key}`, detail: `is required for a ${input.kind} destination` });
    for (const key of foreign)
      if (given[key] !== undefined) errors.push({ pointer: `${at}/${key}`, detail: `is not a setting of a ${input.kind} destination` });
    if (needed.some((key) => given[key] === undefined)) return row(deps, formId, input, {}, now);
    if (input.kind === 'webhook') {
      if (!/^https?:\/\/[^\s]+$/i.test(input.url)) errors.push({ pointer: `${at}/url`, detail: 'must be an http(s) URL' });
      const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
      const bytes = whsecPattern.test(secret) ? Buffer.from(secret.slice(6), 'base64').length : 0;
      if (bytes < 24 || bytes > 64) errors.push({ pointer: `${at}/secret`, detail: 'must be whsec_ followed by base64 of 24 to 64 bytes' });
      config = { url: input.url, secret: encryptSecret(deps.secret, secret) };
      return { ...row(deps, formId, input, config, now), ...(input.secret === undefined ? { revealedSecret: secret } : {}) };
    }
    const baseUrl = (input.base_url ?? hubspotDefaultBaseUrl).replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s]+$/i.test(baseUrl)) errors.push({ pointer: `${at}/base_url`, detail: 'must be an http(s) URL' });
    config = {
      portal_id: input.portal_id,
      form_guid: input.form_guid,
      base_url: baseUrl,
      token: input.token ? encryptSecret(deps.secret, input.token) : null,
      subscription_type_id: input.subscription_type_id ?? null,
    };
    return row(deps, formId, input, config, now);
  });
  if (errors.length > 0) throw validationProblem(errors);
  return rows;
}

function row(
  deps: PlatformDeps,
  formId: string,
  input: DestinationInput,
  config: Record<string, unknown>,
  now: string,
): FormDestinationTable {
  return {
    id: deps.ids.next('formDestination'),
    form_id: formId,
    kind: input.kind,
    name: input.name?.trim() || input.kind,
    config: JSON.stringify(config),
    max_attempts: input.max_attempts ?? defaultForwardAttempts,
    created_at: now,
  };
}

export function toDestination(row: FormDestinationTable): Destination {
  return {
    id: row.id,
    formId: row.form_id,
    kind: row.kind,
    name: row.name,
    maxAttempts: row.max_attempts,
    createdAt: row.created_at,
    config: JSON.parse(row.config) as DestinationConfig,
  };
}

/** The plain secret of a webhook destination, or the HubSpot token (null when none). */
export function destinationSecret(deps: PlatformDeps, destination: Destination): string | null {
  const config = destination.config as { secret?: string; token?: string | null };
  const stored = destination.kind === 'webhook' ? config.secret : config.token;
  return stored ? decryptSecret(deps.secret, stored) : null;
}

/** The API view: never a secret, only whether one is set. */
export function destinationView(d: Destination) {
  const c = d.config as Record<string, unknown>;
  const config =
    d.kind === 'webhook'
      ? { url: c.url, secret_set: true }
      : {
          portal_id: c.portal_id,
          form_guid: c.form_guid,
          base_url: c.base_url,
          token_set: c.token !== null,
          subscription_type_id: c.subscription_type_id,
        };
  return { id: d.id, kind: d.kind, name: d.name, max_attempts: d.maxAttempts, config, created_at: d.createdAt };
}

export async function formDestinations(deps: PlatformDeps, formId: string): Promise<Destination[]> {
  const rows = await deps.db.read.selectFrom('form_destinations').selectAll().where('form_id', '=', formId).orderBy('id').execute();
  return rows.map(toDestination);
}

export async function addDestination(
  deps: PlatformDeps,
  formId: string,
  input: DestinationInput,
): Promise<{ destination: Destination; secret?: string }> {
  const exists = await deps.db.read.selectFrom('forms').select('id').where('id', '=', formId).executeTakeFirst();
  if (!exists) throw new ProblemError('not_found', `no form ${formId}`);
  const [made] = destinationRows(deps, formId, [input], deps.clock.now().toISOString(), '');
  const { revealedSecret, ...rowValues } = made as FormDestinationTable & { revealedSecret?: string };
  await deps.db.transaction((tx) => tx.insertInto('form_destinations').values(rowValues).execute());
  return { destination: toDestination(rowValues), ...(revealedSecret ? { secret: revealedSecret } : {}) };
}

/** Removes a destination; leads already queued for it are cancelled. */
export async function removeDestination(deps: PlatformDeps, formId: string, destinationId: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  const removed = await deps.db.transaction(async (tx) => {
    const result = await tx
      .deleteFrom('form_destinations')
      .where('id', '=', destinationId)
      .where('form_id', '=', formId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    const pending = await tx
      .selectFrom('lead_forwards')
      .select('dedupe_key')
      .where('destination_id', '=', destinationId)
      .where('status', '=', 'pending')
      .execute();
    const keys = pending.map((p) => p.dedupe_key);
    if (keys.length > 0) {
      await tx
        .updateTable('lead_forwards')
        .set({ status: 'cancelled', updated_at: now, last_error: 'destination removed' })
        .where('dedupe_key', 'in', keys)
        .execute();
      await tx
        .updateTable('jobs')
        .set({ status: 'dead', last_error: 'cancelled: destination removed', completed_at: now, updated_at: now })
        .where('dedupe_key', 'in', keys)
        .where('status', '=', 'pending')
        .execute();
    }
    return true;
  });
  if (!removed) throw new ProblemError('not_found', `no destination ${destinationId} on form ${formId}`);
}
