import { pickLocale } from '../../kernel/locale.js';
import { type ProblemCode, ProblemError } from '../../kernel/problem.js';
import { forUpdate, type Tx } from '../../storage/index.js';
import type { EntitlementTable } from '../../storage/schema-digital.js';
import type { PlatformDeps } from '../deps.js';
import { findFiles, type StoredFile } from '../files/index.js';
import { queueEmail } from '../mail/index.js';
import { recordOrderEvent } from '../orders/index.js';
import { entitlementToken, lookupHash, unseal } from './crypto.js';
import { deliveryEmail, digitalActor, downloadFileUrl, downloadPageUrl, keyContext } from './delivery.js';
import { licenseStatus } from './licenses.js';

export type EntitlementRow = EntitlementTable;

/** The state a buyer's link is in right now (expiry is computed, not stored). */
export function entitlementState(row: Pick<EntitlementRow, 'status' | 'expires_at'>, now: string): 'active' | 'revoked' | 'expired' {
  if (row.status === 'revoked') return 'revoked';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return 'active';
}

/** A well-formed token is 43 base64url characters; anything else is refused before any lookup. */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export async function findEntitlementByToken(deps: PlatformDeps, token: string, tx?: Tx): Promise<EntitlementRow | undefined> {
  if (!tokenPattern.test(token)) return undefined;
  const q = (tx ?? deps.db.read)
    .selectFrom('entitlements')
    .selectAll()
    .where('token_hash', '=', lookupHash(deps.secret, 'token', token));
  return (await (tx ? forUpdate(q, deps.db.dialect) : q).executeTakeFirst()) as EntitlementRow | undefined;
}

/** Why a link does not give the file: the problem code, status and a message for the page. */
export const refusals = {
  entitlement_not_found: 'This link is not valid. Check that it was copied whole from your e-mail.',
  entitlement_revoked: 'Access to this purchase has been withdrawn.',
  entitlement_expired: 'This link has expired.',
  download_limit_reached: 'This link has been used for all of its downloads.',
  download_ip_limit_reached: 'This link has been used from too many different networks.',
} as const satisfies Partial<Record<ProblemCode, string>>;
export type Refusal = keyof typeof refusals;

export interface DeliveryView {
  readonly entitlement_id: string;
  readonly order_id: string;
  readonly order_number: string;
  readonly line_id: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly status: 'active' | 'revoked' | 'expired';
  readonly page_url: string;
  readonly expires_at: string | null;
  readonly downloads: { readonly count: number; readonly limit: number | null; readonly remaining: number | null };
  readonly files: readonly { id: string; name: string; content_type: string; size: number; sha256: string; url: string }[];
  readonly licenses: readonly {
    key: string;
    status: string;
    expires_at: string | null;
    activations: number;
    max_activations: number | null;
  }[];
  readonly locale: 'en' | 'pt-BR';
  readonly delivered_at: string;
}

/**
 * What the buyer sees for entitlements: links, files, keys (decrypted here, for the buyer's own delivery
 * only) and counts. Used by the `/d/:token` page and by `GET /v1/orders/:id/digital` for the storefront.
 */
export async function deliveryViews(deps: PlatformDeps, rows: readonly EntitlementRow[], tx?: Tx): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const now = deps.clock.now().toISOString();
  const db = tx ?? deps.db.read;
  const itemIds = [...new Set(rows.map((r) => r.item_id))];
  const [items, fileLinks, licenses, orders] = await Promise.all([
    db.selectFrom('items').select(['id', 'name']).where('id', 'in', itemIds).execute(),
    db
      .selectFrom('digital_product_files')
      .select(['item_id', 'file_id', 'position'])
      .where('item_id', 'in', itemIds)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('licenses as l')
      .select((eb) => [
        'l.id',
        'l.entitlement_id',
        'l.item_id',
        'l.key_cipher',
        'l.status',
        'l.expires_at',
        'l.max_activations',
        eb
          .selectFrom('license_activations as a')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('a.license_id', '=', 'l.id')
          .as('activations'),
      ])
      .where(
        'l.entitlement_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('l.id')
      .execute(),
    db
      .selectFrom('orders')
      .select(['id', 'external_id', 'locale', 'shipping_address'])
      .where('id', 'in', [...new Set(rows.map((r) => r.order_id))])
      .execute(),
  ]);
  const files = new Map((await findFiles(deps, [...new Set(fileLinks.map((f) => f.file_id))], tx)).map((f) => [f.id, f]));
  const names = new Map(items.map((i) => [i.id, i.name]));
  const orderById = new Map(orders.map((o) => [o.id, o]));
  return rows.map((row) => {
    const token = entitlementToken(deps.secret, row.id);
    const order = orderById.get(row.order_id);
    const country = order ? (JSON.parse(order.shipping_address) as { country?: string } | null)?.country : undefined;
    return {
      entitlement_id: row.id,
      order_id: row.order_id,
      order_number: order?.external_id ?? '',
      line_id: row.order_line_id,
      sku: row.sku,
      name: names.get(row.item_id) ?? row.sku,
      quantity: row.quantity,
      status: entitlementState(row, now),
      page_url: downloadPageUrl(deps, token),
      expires_at: row.expires_at,
      downloads: {
        count: row.download_count,
        limit: row.download_limit,
        remaining: row.download_limit === null ? null : Math.max(0, row.download_limit - row.download_count),
      },
      files: fileLinks
        .filter((f) => f.item_id === row.item_id)
        .map((f) => files.get(f.file_id))
        .filter((f): f is StoredFile => f !== undefined)
        .map((f) => ({
          id: f.id,
          name: f.name,
          content_type: f.contentType,
          size: f.size,
          sha256: f.sha256,
          url: downloadFileUrl(deps, token, f.id),
        })),
      licenses: licenses
        .filter((l) => l.entitlement_id === row.id)
        .map((l) => ({
          key: unseal(deps.secret, l.key_cipher, keyContext(l.item_id)),
          status: licenseStatus(l, now),
          expires_at: l.expires_at,
          activations: Number(l.activations),
          max_activations: l.max_activations,
        })),
      locale: pickLocale(order?.locale ?? null, country),
      delivered_at: row.delivered_at,
    };
  });
}

export async function orderEntitlements(deps: PlatformDeps, orderId: string): Promise<EntitlementRow[]> {
  return (await deps.db.read
    .selectFrom('entitlements')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute()) as EntitlementRow[];
}

export interface DownloadGrant {
  readonly file: StoredFile;
  readonly entitlement: EntitlementRow;
}

/**
 * Checks a download link and counts the download, atomically: the entitlement row is locked (PostgreSQL)
 * or the single writer holds it (SQLite) while the state, the expiry, the count against the limit and the
 * distinct-IP limit are checked and the count goes up, so N concurrent downloads under a limit of N-1
 * give exactly N-1 files. Requests that resume a download (a Range starting after byte 0) and HEAD
 * requests are checked but not counted. The client IP is kept only as a keyed hash.
 */
export async function authorizeDownload(
  deps: PlatformDeps,
  input: { token: string; fileId: string; ip: string; counted: boolean; rangeStart: number | null },
): Promise<{ ok: true; grant: DownloadGrant } | { ok: false; refusal: Refusal }> {
  return deps.db.transaction(async (tx) => {
    const row = await findEntitlementByToken(deps, input.token, tx);
    if (!row) return { ok: false, refusal: 'entitlement_not_found' } as const;
    const listed = await tx
      .selectFrom('digital_product_files')
      .select('file_id')
      .where('item_id', '=', row.item_id)
      .where('file_id', '=', input.fileId)
      .executeTakeFirst();
    if (!listed) return { ok: false, refusal: 'entitlement_not_found' } as const;
    const now = deps.clock.now().toISOString();
    const state = entitlementState(row, now);
    if (state === 'revoked') return { ok: false, refusal: 'entitlement_revoked' } as const;
    if (state === 'expired') return { ok: false, refusal: 'entitlement_expired' } as const;
    const limit = row.download_limit;
    // A resumed download continues one already counted: allowed while the count is within the limit.
    if (limit !== null && (input.counted ? row.download_count >= limit : row.download_count > limit || row.download_count === 0)) {
      return { ok: false, refusal: 'download_limit_reached' } as const;
    }
    const ipHash = lookupHash(deps.secret, 'ip', input.ip);
    if (row.distinct_ip_limit !== null) {
      const seen = await tx
        .selectFrom('entitlement_ips')
        .select('ip_hash')
        .where('entitlement_id', '=', row.id)
        .where('ip_hash', '=', ipHash)
        .executeTakeFirst();
      if (!seen) {
        const count = await tx
          .selectFrom('entitlement_ips')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('entitlement_id', '=', row.id)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= row.distinct_ip_limit) return { ok: false, refusal: 'download_ip_limit_reached' } as const;
        await tx.insertInto('entitlement_ips').values({ entitlement_id: row.id, ip_hash: ipHash, created_at: now }).execute();
      }
    }
    const file = (await findFiles(deps, [input.fileId], tx))[0];
    if (!file) return { ok: false, refusal: 'entitlement_not_found' } as const;
    if (input.counted) {
      let update = tx
        .updateTable('entitlements')
        .set((eb) => ({ download_count: eb('download_count', '+', 1), updated_at: now }))
        .where('id', '=', row.id);
      if (limit !== null) update = update.where('download_count', '<', limit);
      const updated = await update.returning('download_count').executeTakeFirst();
      if (!updated) return { ok: false, refusal: 'download_limit_reached' } as const;
      await tx
        .insertInto('downloads')
        .values({
          id: deps.ids.next('download'),
          entitlement_id: row.id,
          file_id: file.id,
          ip_hash: ipHash,
          range_start: input.rangeStart,
          counted: 1,
          created_at: now,
        })
        .execute();
      await recordOrderEvent(
        tx,
        deps,
        row.order_id,
        'digital.downloaded',
        {
          entitlement_id: row.id,
          file_id: file.id,
          download_count: updated.download_count,
          download_limit: limit,
        },
        'customer',
        now,
      );
      return { ok: true, grant: { file, entitlement: { ...row, download_count: updated.download_count } } } as const;
    }
    return { ok: true, grant: { file, entitlement: row } } as const;
  });
}

async function lockedEntitlement(tx: Tx, deps: PlatformDeps, id: string): Promise<EntitlementRow> {
  const row = (await forUpdate(tx.selectFrom('entitlements').selectAll().where('id', '=', id), deps.db.dialect).executeTakeFirst()) as
    | EntitlementRow
    | undefined;
  if (!row) throw new ProblemError('not_found', `no entitlement ${id}`);
  return row;
}

/** Sends the delivery e-mail again (a new e-mail each time), optionally with the download count back at zero. */
export async function resendDelivery(
  deps: PlatformDeps,
  id: string,
  options: { resetDownloads: boolean },
  actor: string,
): Promise<{ queued: boolean }> {
  return deps.db.transaction(async (tx) => {
    const row = await lockedEntitlement(tx, deps, id);
    const now = deps.clock.now().toISOString();
    if (row.status === 'revoked') throw new ProblemError('entitlement_revoked', `entitlement ${id} is revoked`);
    if (options.resetDownloads) {
      await tx.updateTable('entitlements').set({ download_count: 0, updated_at: now }).where('id', '=', id).execute();
    }
    const order = await tx
      .selectFrom('orders')
      .select(['id', 'external_id', 'customer', 'customer_email', 'locale', 'shipping_address'])
      .where('id', '=', row.order_id)
      .executeTakeFirstOrThrow();
    const queued = await queueEmail(tx, deps, deliveryEmail(order, [{ entitlementId: row.id }], `digital:${row.id}:resend:${now}`));
    await recordOrderEvent(
      tx,
      deps,
      row.order_id,
      'digital.resent',
      { entitlement_id: id, downloads_reset: options.resetDownloads },
      actor,
      now,
    );
    return queued;
  });
}

/** Moves the expiry: `expires_at` (null for never) or `days` from now. Revived if it had expired. */
export async function extendEntitlement(
  deps: PlatformDeps,
  id: string,
  input: { days?: number | undefined; expires_at?: string | null | undefined },
  actor: string,
): Promise<EntitlementRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockedEntitlement(tx, deps, id);
    if (row.status === 'revoked') throw new ProblemError('entitlement_revoked', `entitlement ${id} is revoked`);
    const now = deps.clock.now().toISOString();
    const expiresAt =
      input.expires_at !== undefined
        ? input.expires_at
        : new Date(deps.clock.now().getTime() + (input.days ?? 0) * 86_400_000).toISOString();
    if (expiresAt !== null && expiresAt <= now) {
      throw new ProblemError('validation_failed', 'the new expiry must be in the future', {
        errors: [{ pointer: input.expires_at !== undefined ? '/expires_at' : '/days', detail: 'not in the future' }],
      });
    }
    await tx.updateTable('entitlements').set({ expires_at: expiresAt, updated_at: now }).where('id', '=', id).execute();
    await recordOrderEvent(
      tx,
      deps,
      row.order_id,
      'digital.extended',
      { entitlement_id: id, expires_at: expiresAt, previous_expires_at: row.expires_at },
      actor,
      now,
    );
    return { ...row, expires_at: expiresAt, updated_at: now };
  });
}

/**
 * Withdraws access in the caller's transaction: the entitlements (all of the order's, or those of some
 * lines) are revoked and their licenses suspended (`revoke` on a merchant's revoke: revoked for good).
 * Emits `digital.revoked` (and `license.suspended`/`license.revoked`) on the order timeline. Already
 * revoked entitlements are left as they are, so calling it again is harmless.
 */
export async function withdrawAccess(
  tx: Tx,
  deps: PlatformDeps,
  target: { orderId: string; entitlementIds?: readonly string[]; lineIds?: readonly string[] },
  reason: string,
  licenseAction: 'suspend' | 'revoke',
  actor: string,
): Promise<{ entitlements: number; licenses: number }> {
  const now = deps.clock.now().toISOString();
  let q = tx.selectFrom('entitlements').select(['id', 'status']).where('order_id', '=', target.orderId).where('status', '=', 'active');
  if (target.entitlementIds) q = q.where('id', 'in', target.entitlementIds.length > 0 ? target.entitlementIds : ['']);
  if (target.lineIds) q = q.where('order_line_id', 'in', target.lineIds.length > 0 ? target.lineIds : ['']);
  const rows = await forUpdate(q, deps.db.dialect).execute();
  if (rows.length === 0) return { entitlements: 0, licenses: 0 };
  const ids = rows.map((r) => r.id);
  await tx
    .updateTable('entitlements')
    .set({ status: 'revoked', revoked_at: now, revoked_reason: reason.slice(0, 500), updated_at: now })
    .where('id', 'in', ids)
    .execute();
  const status = licenseAction === 'suspend' ? 'suspended' : 'revoked';
  const licenses = await tx
    .updateTable('licenses')
    .set({ status, status_reason: reason.slice(0, 500), updated_at: now })
    .where('entitlement_id', 'in', ids)
    .where('status', 'in', licenseAction === 'suspend' ? ['inactive', 'active'] : ['inactive', 'active', 'suspended'])
    .returning('id')
    .execute();
  await recordOrderEvent(tx, deps, target.orderId, 'digital.revoked', { entitlements: ids, reason }, actor, now);
  if (licenses.length > 0) {
    await recordOrderEvent(tx, deps, target.orderId, `license.${status}`, { licenses: licenses.map((l) => l.id), reason }, actor, now);
  }
  return { entitlements: ids.length, licenses: licenses.length };
}

export async function revokeEntitlement(deps: PlatformDeps, id: string, reason: string, actor: string): Promise<EntitlementRow> {
  return deps.db.transaction(async (tx) => {
    const row = await lockedEntitlement(tx, deps, id);
    if (row.status === 'revoked') return row;
    await withdrawAccess(tx, deps, { orderId: row.order_id, entitlementIds: [id] }, reason, 'revoke', actor);
    return (await tx.selectFrom('entitlements').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as EntitlementRow;
  });
}

/**
 * Records a refund of an order (or of some of its lines): `order.refunded` on the timeline, and, in the same
 * transaction, access to the refunded digital lines withdrawn (entitlements revoked, keys suspended). The
 * core has no payments: this records the fact, it moves no money.
 */
export async function refundOrder(
  deps: PlatformDeps,
  orderId: string,
  input: { reason?: string | undefined; line_ids?: readonly string[] | undefined },
  actor: string,
): Promise<{ order_id: string; refunded_at: string; line_ids: string[] | null; revoked_entitlements: number; suspended_licenses: number }> {
  return deps.db.transaction(async (tx) => {
    const order = await forUpdate(tx.selectFrom('orders').select(['id']).where('id', '=', orderId), deps.db.dialect).executeTakeFirst();
    if (!order) throw new ProblemError('not_found', `no order ${orderId}`);
    if (input.line_ids) {
      const known = new Set((await tx.selectFrom('order_lines').select('id').where('order_id', '=', orderId).execute()).map((l) => l.id));
      const errors = input.line_ids
        .map((id, i) => ({ id, i }))
        .filter(({ id }) => !known.has(id))
        .map(({ id, i }) => ({ pointer: `/line_ids/${i}`, detail: `order has no line ${id}` }));
      if (errors.length > 0) throw new ProblemError('validation_failed', errors[0]?.detail ?? 'unknown line', { errors });
    }
    const now = deps.clock.now().toISOString();
    const reason = input.reason ?? 'refund';
    await recordOrderEvent(tx, deps, orderId, 'order.refunded', { reason, line_ids: input.line_ids ?? null }, actor, now);
    const withdrawn = await withdrawAccess(
      tx,
      deps,
      { orderId, ...(input.line_ids ? { lineIds: input.line_ids } : {}) },
      `refund: ${reason}`,
      'suspend',
      digitalActor,
    );
    return {
      order_id: orderId,
      refunded_at: now,
      line_ids: input.line_ids ? [...input.line_ids] : null,
      revoked_entitlements: withdrawn.entitlements,
      suspended_licenses: withdrawn.licenses,
    };
  });
}

/** The merchant's view of an entitlement: counts and state, never the token or the keys. */
export function entitlementAdminView(row: EntitlementRow, now: string) {
  return {
    id: row.id,
    order_id: row.order_id,
    line_id: row.order_line_id,
    fulfillment_order_id: row.fulfillment_order_id,
    sku: row.sku,
    quantity: row.quantity,
    status: entitlementState(row, now),
    download_count: row.download_count,
    download_limit: row.download_limit,
    distinct_ip_limit: row.distinct_ip_limit,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    revoked_reason: row.revoked_reason,
    delivered_at: row.delivered_at,
  };
}
