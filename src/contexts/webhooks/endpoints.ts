import { isIP } from 'node:net';
import { sql } from 'kysely';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import { forUpdate, type Tx } from '../../storage/index.js';
import type { WebhookEndpointTable } from '../../storage/schema-webhooks.js';
import type { PlatformDeps } from '../deps.js';
import { appendEvents } from '../messaging/index.js';
import { webhookConfigOf, webhookLimits } from './config.js';
import { classifyAddress, unbracket } from './domain/address.js';
import { allEventTypes, isPublishedEventType } from './domain/event-types.js';
import { newWebhookSecret } from './domain/signature.js';
import { openSecret, sealSecret } from './secret-box.js';

export interface EndpointView {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly event_types: readonly string[];
  readonly status: 'enabled' | 'disabled';
  readonly disabled_reason: string | null;
  readonly disabled_at: string | null;
  readonly failing_since: string | null;
  /** After a rotation: until when deliveries are signed with the old secret too; null outside an overlap. */
  readonly previous_secret_expires_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface EndpointInput {
  readonly url: string;
  readonly description?: string | null | undefined;
  readonly event_types: readonly string[];
}

export interface EndpointPatch {
  readonly url?: string | undefined;
  readonly description?: string | null | undefined;
  readonly event_types?: readonly string[] | undefined;
  readonly status?: 'enabled' | 'disabled' | undefined;
}

/** Whether the secret before the last rotation still signs deliveries at `now` (the app clock). */
export const previousSecretActive = (
  row: Pick<WebhookEndpointTable, 'previous_secret' | 'previous_secret_expires_at'>,
  now: Date,
): boolean =>
  row.previous_secret !== null && row.previous_secret_expires_at !== null && Date.parse(row.previous_secret_expires_at) > now.getTime();

/** The API view of an endpoint: never a secret, sealed or not; an overlap that has ended shows as none. */
export const toEndpointView = (row: WebhookEndpointTable, now: Date): EndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  event_types: JSON.parse(row.event_types) as string[],
  status: row.status,
  disabled_reason: row.disabled_reason,
  disabled_at: row.disabled_at,
  failing_since: row.failing_since,
  previous_secret_expires_at: previousSecretActive(row, now) ? row.previous_secret_expires_at : null,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

const urlProblem = (detail: string) => fail('webhook_url_not_allowed', detail, { errors: [{ pointer: '/url', detail }] });

/** The URL rules of docs/webhooks.md: absolute http(s), no credentials, no fragment, a public literal address. */
export function checkEndpointUrl(deps: PlatformDeps, raw: string): Result<string> {
  if (raw.length > webhookLimits.urlLengthMax) return urlProblem(`the URL is longer than ${webhookLimits.urlLengthMax} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('validation_failed', 'the URL is not an absolute URL', { errors: [{ pointer: '/url', detail: 'not an absolute URL' }] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return urlProblem(`the scheme must be https or http, not ${url.protocol.slice(0, -1)}`);
  if (url.username || url.password) return urlProblem('the URL must not carry a user name or password; authenticate with the signature');
  if (url.hash) return urlProblem('the URL must not have a #fragment');
  if (url.hostname === '') return urlProblem('the URL has no host');
  const host = unbracket(url.hostname);
  if (isIP(host) !== 0 && !webhookConfigOf(deps).allowPrivate) {
    const kind = classifyAddress(host);
    if (kind !== 'public') return urlProblem(`${host} is a ${kind} address; private targets are refused unless WEBHOOKS_ALLOW_PRIVATE=1`);
  }
  return ok(url.href);
}

export function checkEventTypes(types: readonly string[]): Result<string[]> {
  const unique = [...new Set(types)];
  if (unique.length === 0) {
    return fail('validation_failed', 'name at least one event type, or "*"', { errors: [{ pointer: '/event_types', detail: 'empty' }] });
  }
  if (unique.includes(allEventTypes)) {
    if (unique.length > 1) {
      return fail('validation_failed', '"*" stands alone: it already means every type', {
        errors: [{ pointer: '/event_types', detail: '"*" with other types' }],
      });
    }
    return ok(unique);
  }
  const index = types.findIndex((t) => !isPublishedEventType(t));
  if (index >= 0) {
    return fail('unknown_event_type', `no event type ${types[index]}; GET /v1/webhooks/event-types lists them`, {
      errors: [{ pointer: `/event_types/${index}`, detail: 'unknown event type' }],
    });
  }
  return ok(unique);
}

export async function createEndpoint(deps: PlatformDeps, input: EndpointInput): Promise<Result<EndpointView & { secret: string }>> {
  const url = checkEndpointUrl(deps, input.url);
  if (!url.ok) return url;
  const types = checkEventTypes(input.event_types);
  if (!types.ok) return types;
  const id = deps.ids.next('webhookEndpoint');
  const secret = newWebhookSecret();
  const now = deps.clock.now().toISOString();
  const row: WebhookEndpointTable = {
    id,
    url: url.value,
    description: input.description ?? null,
    event_types: JSON.stringify(types.value),
    secret: sealSecret(deps.secret, id, secret),
    previous_secret: null,
    previous_secret_expires_at: null,
    status: 'enabled',
    disabled_reason: null,
    disabled_at: null,
    failing_since: null,
    event_seq: 0,
    created_at: now,
    updated_at: now,
  };
  return deps.db.transaction(async (tx) => {
    const count = await tx.selectFrom('webhook_endpoints').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    if (Number(count.n) >= webhookLimits.endpointsMax) {
      return fail('limit_reached', `at most ${webhookLimits.endpointsMax} webhook endpoints; delete unused ones`);
    }
    await tx.insertInto('webhook_endpoints').values(row).execute();
    return ok({ ...toEndpointView(row, deps.clock.now()), secret });
  });
}

export async function getEndpoint(deps: PlatformDeps, id: string): Promise<Result<EndpointView>> {
  const row = await deps.db.read.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? ok(toEndpointView(row, deps.clock.now())) : fail('not_found', `no webhook endpoint ${id}`);
}

export async function listEndpoints(
  deps: PlatformDeps,
  query: { status?: 'enabled' | 'disabled' | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<EndpointView>> {
  const size = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  let q = deps.db.read
    .selectFrom('webhook_endpoints')
    .selectAll()
    .orderBy('id')
    .limit(size + 1);
  if (query.status) q = q.where('status', '=', query.status);
  if (after !== undefined) q = q.where('id', '>', after);
  const now = deps.clock.now();
  return toPage(
    await q.execute(),
    size,
    (r) => r.id,
    (r) => toEndpointView(r, now),
  );
}

/**
 * Disables an enabled endpoint and announces it (`webhook_endpoint.disabled`) in the caller's transaction.
 * Returns false when it was not enabled (already disabled, or gone), so the event is emitted once.
 */
export async function disableEndpoint(
  tx: Tx,
  deps: PlatformDeps,
  id: string,
  reason: string,
  actor: string,
  now: string,
): Promise<boolean> {
  const row = await tx
    .updateTable('webhook_endpoints')
    .set({ status: 'disabled', disabled_reason: reason, disabled_at: now, updated_at: now, event_seq: sql<number>`event_seq + 1` })
    .where('id', '=', id)
    .where('status', '=', 'enabled')
    .returning(['url', 'event_seq'])
    .executeTakeFirst();
  if (!row) return false;
  await appendEvents(tx, [
    {
      id: deps.ids.next('event'),
      type: 'webhook_endpoint.disabled',
      aggregateType: 'webhook_endpoint',
      aggregateId: id,
      aggregateSeq: Number(row.event_seq),
      orderId: null,
      actor,
      data: { endpoint_id: id, url: row.url, reason, disabled_at: now },
      createdAt: now,
    },
  ]);
  return true;
}

export async function updateEndpoint(deps: PlatformDeps, id: string, patch: EndpointPatch, actor: string): Promise<Result<EndpointView>> {
  const changes: Partial<WebhookEndpointTable> = {};
  if (patch.url !== undefined) {
    const url = checkEndpointUrl(deps, patch.url);
    if (!url.ok) return url;
    changes.url = url.value;
  }
  if (patch.event_types !== undefined) {
    const types = checkEventTypes(patch.event_types);
    if (!types.ok) return types;
    changes.event_types = JSON.stringify(types.value);
  }
  if (patch.description !== undefined) changes.description = patch.description;
  const now = deps.clock.now().toISOString();
  return deps.db.transaction(async (tx) => {
    const current = await tx.selectFrom('webhook_endpoints').select('status').where('id', '=', id).executeTakeFirst();
    if (!current) return fail('not_found', `no webhook endpoint ${id}`);
    if (patch.status === 'disabled' && current.status === 'enabled') {
      await disableEndpoint(tx, deps, id, `disabled by ${actor}`, actor, now);
    }
    if (patch.status === 'enabled' && current.status === 'disabled') {
      // A fresh start: the failure streak that disabled it is forgotten.
      Object.assign(changes, { status: 'enabled', disabled_reason: null, disabled_at: null, failing_since: null });
    }
    await tx
      .updateTable('webhook_endpoints')
      .set({ ...changes, updated_at: now })
      .where('id', '=', id)
      .execute();
    const row = await tx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return ok(toEndpointView(row, deps.clock.now()));
  });
}

export async function deleteEndpoint(deps: PlatformDeps, id: string): Promise<Result<void>> {
  return deps.db.transaction(async (tx) => {
    const deleted = await tx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return fail('not_found', `no webhook endpoint ${id}`);
    // Its pending deliveries fail on their next run ("the endpoint was deleted"); the log goes with it.
    await tx.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
    return ok(undefined);
  });
}

export interface RotateOptions {
  /** Hours the old secret keeps signing deliveries alongside the new one: 0 to 168, default 24; 0 drops it at once. */
  readonly expire_previous_in_hours?: number | undefined;
}

/**
 * A new secret (shown once), effective for the next attempt of every delivery. During the overlap each attempt
 * carries two signatures (`v1,<new> v1,<old>`), so a receiver verifies with either secret and can switch when
 * it likes. Rotating during an overlap makes the secret being rotated out the previous one (the older one is
 * dropped), with a fresh expiry. A current secret that no longer opens (`FULFILL_SECRET` changed) is not kept.
 */
export async function rotateSecret(
  deps: PlatformDeps,
  id: string,
  options: RotateOptions = {},
): Promise<Result<EndpointView & { secret: string }>> {
  const hours = options.expire_previous_in_hours ?? webhookLimits.rotationOverlapHoursDefault;
  if (!Number.isInteger(hours) || hours < 0 || hours > webhookLimits.rotationOverlapHoursMax) {
    const detail = `a whole number of hours from 0 to ${webhookLimits.rotationOverlapHoursMax}`;
    return fail('validation_failed', `expire_previous_in_hours must be ${detail}`, {
      errors: [{ pointer: '/expire_previous_in_hours', detail }],
    });
  }
  const secret = newWebhookSecret();
  const now = deps.clock.now();
  const at = now.toISOString();
  return deps.db.transaction(async (tx) => {
    const current = await forUpdate(
      tx.selectFrom('webhook_endpoints').select('secret').where('id', '=', id),
      deps.db.dialect,
    ).executeTakeFirst();
    if (!current) return fail('not_found', `no webhook endpoint ${id}`);
    let previous: string | null = null;
    if (hours > 0) {
      try {
        previous = sealSecret(deps.secret, id, openSecret(deps.secret, id, current.secret));
      } catch {
        previous = null; // sealed under another server key: it could not sign anything anyway
      }
    }
    const row = await tx
      .updateTable('webhook_endpoints')
      .set({
        secret: sealSecret(deps.secret, id, secret),
        previous_secret: previous,
        previous_secret_expires_at: previous === null ? null : new Date(now.getTime() + hours * 3_600_000).toISOString(),
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return ok({ ...toEndpointView(row, now), secret });
  });
}
