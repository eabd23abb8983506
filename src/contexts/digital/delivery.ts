import { pickLocale } from '../../kernel/locale.js';
import { forUpdate, isUniqueViolation, type Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import { type EmailRequest, queueEmails } from '../mail/index.js';
import { appendEvents, type DomainEvent } from '../messaging/index.js';
import { moveFulfillmentOrder, recordOrderEvent, refreshOrderStatuses } from '../orders/index.js';
import { entitlementToken, lookupHash, seal, unseal } from './crypto.js';
import { generateLicenseKey, keyHint } from './license-key.js';
import { deliveryTemplate, poolEmptyTemplate } from './templates.js';

/** Who the digital area acts as on the order timeline. */
export const digitalActor = 'digital';

/** The merchant's address for alerts (an empty pool): `FULFILL_MERCHANT_EMAIL`, or none. */
export const merchantEmail = (deps: PlatformDeps): string | undefined =>
  (deps as { merchantEmail?: string }).merchantEmail ?? (process.env.FULFILL_MERCHANT_EMAIL?.trim() || undefined);

/** The context a sealed key is bound to: a ciphertext moved to another row does not decrypt. */
export const keyContext = (itemId: string) => `license-key:${itemId}`;
export const poolCodeContext = (itemId: string) => `pool-code:${itemId}`;

export const downloadPageUrl = (deps: PlatformDeps, token: string) => `${deps.publicUrl}/d/${token}`;
export const downloadFileUrl = (deps: PlatformDeps, token: string, fileId: string) => `${deps.publicUrl}/d/${token}/files/${fileId}`;

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

interface FoRow {
  id: string;
  order_id: string;
  status: string;
}

interface LineRow {
  fo_id: string;
  order_line_id: string;
  item_id: string;
  quantity: number;
  cancelled_quantity: number;
  sku: string;
  line_no: number;
  item_name: string;
}

interface ProductRow {
  item_id: string;
  download_limit: number | null;
  access_days: number | null;
  distinct_ip_limit: number | null;
  license_source: 'none' | 'generated' | 'pool';
  license_max_activations: number | null;
  license_days: number | null;
  license_prefix: string | null;
}

interface OrderRow {
  id: string;
  external_id: string;
  customer: string;
  customer_email: string;
  locale: string | null;
  shipping_address: string;
}

/** What one delivered line hands to the e-mail and the event. */
interface Delivered {
  readonly entitlementId: string;
  readonly lineId: string;
  readonly sku: string;
  readonly itemName: string;
  readonly quantity: number;
  readonly token: string;
  readonly keys: readonly string[];
  readonly files: readonly { id: string; name: string; size: number }[];
  readonly downloadLimit: number | null;
  readonly expiresAt: string | null;
}

const addDays = (iso: string, days: number | null): string | null =>
  days === null ? null : new Date(Date.parse(iso) + days * 86_400_000).toISOString();

/**
 * Delivers the digital fulfillment orders among `foIds` that are open (accepted and not held), in the
 * caller's transaction (the outbox router's: no I/O beyond the database). For each line: an entitlement
 * (link token derived from the server secret, only its keyed hash stored), license keys generated or
 * claimed from the item's pool, the fulfillment order fulfilled, `digital.delivered` on the order timeline
 * and the delivery e-mail queued. A line whose pool lacks codes (or whose item has nothing to deliver)
 * puts its fulfillment order on an `inventory` hold instead, with `digital.pool_empty` and a merchant
 * e-mail; releasing the hold (automatic when codes are uploaded) delivers it. Delivering twice is a no-op.
 */
export async function deliverFulfillmentOrders(tx: Tx, deps: PlatformDeps, foIds: readonly string[]): Promise<void> {
  if (foIds.length === 0) return;
  const now = deps.clock.now().toISOString();
  const fos = (await forUpdate(
    tx
      .selectFrom('fulfillment_orders')
      .select(['id', 'order_id', 'status'])
      .where('id', 'in', [...new Set(foIds)])
      .where('path', '=', 'digital')
      .where('status', '=', 'open')
      .orderBy('id'),
    deps.db.dialect,
  ).execute()) as FoRow[];
  if (fos.length === 0) return;

  const lines = (await tx
    .selectFrom('fulfillment_order_lines as l')
    .innerJoin('order_lines as ol', 'ol.id', 'l.order_line_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .select([
      'l.fulfillment_order_id as fo_id',
      'l.order_line_id',
      'l.item_id',
      'l.quantity',
      'l.cancelled_quantity',
      'ol.sku',
      'ol.line_no',
      'i.name as item_name',
    ])
    .where(
      'l.fulfillment_order_id',
      'in',
      fos.map((f) => f.id),
    )
    .orderBy('ol.line_no')
    .execute()) as LineRow[];
  const itemIds = [...new Set(lines.map((l) => l.item_id))];
  const products = new Map(
    itemIds.length === 0
      ? []
      : ((await tx.selectFrom('digital_products').selectAll().where('item_id', 'in', itemIds).execute()) as ProductRow[]).map((p) => [
          p.item_id,
          p,
        ]),
  );
  const productFiles = new Map<string, { id: string; name: string; size: number }[]>();
  if (itemIds.length > 0) {
    const rows = await tx
      .selectFrom('digital_product_files as pf')
      .innerJoin('files as f', 'f.id', 'pf.file_id')
      .select(['pf.item_id', 'f.id', 'f.name', 'f.size'])
      .where('pf.item_id', 'in', itemIds)
      .orderBy('pf.position')
      .execute();
    for (const r of rows) {
      const list = productFiles.get(r.item_id) ?? [];
      list.push({ id: r.id, name: r.name, size: Number(r.size) });
      productFiles.set(r.item_id, list);
    }
  }
  const already = new Set(
    (
      await tx
        .selectFrom('entitlements')
        .select('order_line_id')
        .where(
          'order_line_id',
          'in',
          lines.map((l) => l.order_line_id),
        )
        .execute()
    ).map((r) => r.order_line_id),
  );
  const orders = new Map(
    (
      (await tx
        .selectFrom('orders')
        .select(['id', 'external_id', 'customer', 'customer_email', 'locale', 'shipping_address'])
        .where('id', 'in', [...new Set(fos.map((f) => f.order_id))])
        .execute()) as OrderRow[]
    ).map((o) => [o.id, o]),
  );

  const emails: EmailRequest[] = [];
  const fulfilled: FoRow[] = [];
  const events: { orderId: string; type: string; data: Record<string, unknown> }[] = [];
  const entitlementRows: Record<string, unknown>[] = [];
  const licenseRows: Record<string, unknown>[] = [];
  for (const fo of fos) {
    const foLines = lines.filter((l) => l.fo_id === fo.id && l.quantity - l.cancelled_quantity > 0 && !already.has(l.order_line_id));
    const order = orders.get(fo.order_id) as OrderRow;
    // What cannot be delivered: no product set up, nothing to deliver, or a pool short of codes.
    const missing: { line: LineRow; detail: string; shortBy: number }[] = [];
    const claims = new Map<string, { id: string; code_cipher: string }[]>();
    const claimedIds: string[] = [];
    for (const line of foLines) {
      const product = products.get(line.item_id);
      const units = line.quantity - line.cancelled_quantity;
      if (!product || (product.license_source === 'none' && (productFiles.get(line.item_id)?.length ?? 0) === 0)) {
        missing.push({ line, detail: `${line.sku} has nothing to deliver: attach files or a license policy`, shortBy: units });
        continue;
      }
      if (product.license_source === 'pool') {
        const codes = await claimPoolCodes(tx, deps, line.item_id, units, claimedIds);
        claimedIds.push(...codes.map((c) => c.id));
        if (codes.length < units)
          missing.push({
            line,
            detail: `license pool of ${line.sku} is short of ${units - codes.length} code(s)`,
            shortBy: units - codes.length,
          });
        else claims.set(line.order_line_id, codes);
      }
    }
    if (missing.length > 0) {
      await holdForCodes(tx, deps, fo, order, missing, now);
      continue;
    }
    const delivered: Delivered[] = [];
    for (const line of foLines) {
      const product = products.get(line.item_id) as ProductRow;
      const units = line.quantity - line.cancelled_quantity;
      const entitlementId = deps.ids.next('entitlement');
      const token = entitlementToken(deps.secret, entitlementId);
      const expiresAt = addDays(now, product.access_days);
      entitlementRows.push({
        id: entitlementId,
        order_id: fo.order_id,
        order_line_id: line.order_line_id,
        fulfillment_order_id: fo.id,
        item_id: line.item_id,
        sku: line.sku,
        quantity: units,
        token_hash: lookupHash(deps.secret, 'token', token),
        status: 'active',
        download_count: 0,
        download_limit: product.download_limit,
        distinct_ip_limit: product.distinct_ip_limit,
        expires_at: expiresAt,
        revoked_at: null,
        revoked_reason: null,
        delivered_at: now,
        created_at: now,
        updated_at: now,
      });
      const keys: string[] = [];
      if (product.license_source !== 'none') {
        const claimed = claims.get(line.order_line_id) ?? [];
        for (let unit = 0; unit < units; unit += 1) {
          const licenseId = deps.ids.next('license');
          const code = claimed[unit];
          const key = code
            ? unseal(deps.secret, code.code_cipher, poolCodeContext(line.item_id))
            : generateLicenseKey(product.license_prefix);
          keys.push(key);
          licenseRows.push({
            id: licenseId,
            entitlement_id: entitlementId,
            order_id: fo.order_id,
            item_id: line.item_id,
            key_hash: lookupHash(deps.secret, 'key', key),
            key_cipher: seal(deps.secret, key, keyContext(line.item_id)),
            key_hint: keyHint(key),
            source: code ? 'pool' : 'generated',
            status: 'inactive',
            max_activations: product.license_max_activations,
            expires_at: addDays(now, product.license_days),
            status_reason: null,
            created_at: now,
            updated_at: now,
          });
          if (code) {
            await tx
              .updateTable('license_pool_codes')
              .set({ status: 'issued', license_id: licenseId, issued_at: now })
              .where('id', '=', code.id)
              .where('status', '=', 'available')
              .execute();
          }
        }
      }
      delivered.push({
        entitlementId,
        lineId: line.order_line_id,
        sku: line.sku,
        itemName: line.item_name,
        quantity: units,
        token,
        keys,
        files: productFiles.get(line.item_id) ?? [],
        downloadLimit: product.download_limit,
        expiresAt,
      });
    }
    fulfilled.push(fo);
    if (delivered.length > 0) {
      events.push({
        orderId: fo.order_id,
        type: 'digital.delivered',
        data: {
          fulfillment_order_id: fo.id,
          entitlements: delivered.map((d) => ({
            id: d.entitlementId,
            line_id: d.lineId,
            sku: d.sku,
            quantity: d.quantity,
            licenses: d.keys.length,
          })),
        },
      });
      emails.push(deliveryEmail(order, delivered, `digital:${fo.id}:delivered`));
    }
  }
  // The fulfillment orders, their events and their orders' statuses, a few statements for the whole batch.
  if (fulfilled.length > 0) {
    for (const chunk of chunks(fulfilled.map((f) => f.id))) {
      await tx
        .updateTable('fulfillment_orders')
        .set((eb) => ({ status: 'fulfilled', version: eb('version', '+', 1), updated_at: now }))
        .where('id', 'in', chunk)
        .where('status', '=', 'open')
        .execute();
    }
    await recordOrderEvents(tx, deps, events, digitalActor, now);
    await refreshOrderStatuses(tx, [...new Set(fulfilled.map((f) => f.order_id))], now);
  }
  try {
    if (entitlementRows.length > 0)
      await tx
        .insertInto('entitlements')
        .values(entitlementRows as never)
        .execute();
    if (licenseRows.length > 0) {
      for (let i = 0; i < licenseRows.length; i += 1000) {
        await tx
          .insertInto('licenses')
          .values(licenseRows.slice(i, i + 1000) as never)
          .execute();
      }
    }
  } catch (error) {
    // A generated key colliding with an existing one (about 2^-60 per key): the batch reruns with new keys.
    if (isUniqueViolation(error)) throw new Error('license key or entitlement collision; the delivery is retried');
    throw error;
  }
  await queueEmails(tx, deps, emails);
}

/** The delivery e-mail of some delivered lines of one order. */
export function deliveryEmail(order: OrderRow, delivered: readonly Pick<Delivered, 'entitlementId'>[], dedupeKey: string): EmailRequest {
  const customer = JSON.parse(order.customer) as { name?: string };
  const address = JSON.parse(order.shipping_address) as { country?: string } | null;
  return {
    to: order.customer_email,
    template: deliveryTemplate,
    locale: pickLocale(order.locale, address?.country),
    dedupeKey,
    orderId: order.id,
    subjectId: delivered[0]?.entitlementId ?? null,
    // Only references: the links and keys are derived and decrypted when the e-mail is rendered
    // (delivery-email.ts), so the e-mail record never holds them in clear.
    data: {
      customer_name: customer.name ?? order.customer_email,
      order_number: order.external_id,
      entitlement_ids: delivered.map((d) => d.entitlementId),
    },
  };
}

/**
 * Claims up to `count` available codes of an item's pool for this transaction. PostgreSQL: `FOR UPDATE SKIP
 * LOCKED`, so concurrent deliveries in any number of processes take disjoint codes without waiting; when
 * that finds too few (others hold them, and may yet roll back) it waits for them once with a plain
 * `FOR UPDATE`, which skips rows that stopped matching. SQLite: the single writer serialises deliveries.
 * The claimed rows are then marked `issued` in the same transaction.
 */
async function claimPoolCodes(
  tx: Tx,
  deps: PlatformDeps,
  itemId: string,
  count: number,
  exclude: readonly string[],
): Promise<{ id: string; code_cipher: string }[]> {
  const base = () => {
    let q = tx
      .selectFrom('license_pool_codes')
      .select(['id', 'code_cipher'])
      .where('item_id', '=', itemId)
      .where('status', '=', 'available');
    if (exclude.length > 0) q = q.where('id', 'not in', exclude);
    return q.orderBy('id').limit(count);
  };
  if (deps.db.dialect !== 'postgres') return base().execute();
  const skipping = await base().forUpdate().skipLocked().execute();
  if (skipping.length >= count) return skipping;
  return base().forUpdate().execute();
}

/** Puts a digital fulfillment order on an `inventory` hold and tells the merchant why. */
async function holdForCodes(
  tx: Tx,
  deps: PlatformDeps,
  fo: FoRow,
  order: OrderRow,
  missing: readonly { line: LineRow; detail: string; shortBy: number }[],
  now: string,
): Promise<void> {
  const moved = await moveFulfillmentOrder(tx, fo, 'hold', now);
  if (!moved.ok) return;
  const holdId = deps.ids.next('hold');
  const note = missing
    .map((m) => m.detail)
    .join('; ')
    .slice(0, 500);
  await tx
    .insertInto('holds')
    .values({
      id: holdId,
      order_id: fo.order_id,
      fulfillment_order_id: fo.id,
      reason: 'inventory',
      note,
      status: 'active',
      created_by: digitalActor,
      created_at: now,
      released_by: null,
      released_at: null,
    })
    .execute();
  await recordOrderEvent(
    tx,
    deps,
    fo.order_id,
    'order.hold_placed',
    { hold_id: holdId, reason: 'inventory', fulfillment_order_id: fo.id },
    digitalActor,
    now,
  );
  await recordOrderEvent(
    tx,
    deps,
    fo.order_id,
    'digital.pool_empty',
    {
      fulfillment_order_id: fo.id,
      hold_id: holdId,
      lines: missing.map((m) => ({ line_id: m.line.order_line_id, sku: m.line.sku, item_id: m.line.item_id, missing: m.shortBy })),
    },
    digitalActor,
    now,
  );
  const to = merchantEmail(deps);
  if (!to) return;
  const alerts: EmailRequest[] = [];
  for (const m of missing) {
    // One alert per item until codes are uploaded again (the count of codes ever uploaded marks the episode).
    const total = await tx
      .selectFrom('license_pool_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('item_id', '=', m.line.item_id)
      .executeTakeFirst();
    alerts.push({
      to,
      template: poolEmptyTemplate,
      locale: 'en',
      dedupeKey: `digital:pool_empty:${m.line.item_id}:${Number(total?.n ?? 0)}`,
      orderId: order.id,
      subjectId: m.line.item_id,
      data: { sku: m.line.sku, name: m.line.item_name, order_number: order.external_id, missing: m.shortBy },
    });
  }
  await queueEmails(tx, deps, alerts);
}

const chunks = <T>(items: readonly T[], size = 500): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * `recordOrderEvent` for many orders at once: each order's sequence is advanced by its number of events in
 * one statement per distinct count (usually one), then the events are inserted together.
 */
async function recordOrderEvents(
  tx: Tx,
  deps: PlatformDeps,
  items: readonly { orderId: string; type: string; data: Record<string, unknown> }[],
  actor: string,
  now: string,
): Promise<void> {
  if (items.length === 0) return;
  const perOrder = new Map<string, typeof items>();
  for (const item of items) perOrder.set(item.orderId, [...(perOrder.get(item.orderId) ?? []), item]);
  const byCount = new Map<number, string[]>();
  for (const [orderId, list] of perOrder) byCount.set(list.length, [...(byCount.get(list.length) ?? []), orderId]);
  const last = new Map<string, number>();
  for (const [count, orderIds] of byCount) {
    for (const chunk of chunks(orderIds)) {
      const rows = await tx
        .updateTable('orders')
        .set((eb) => ({ event_seq: eb('event_seq', '+', count), version: eb('version', '+', 1), updated_at: now }))
        .where('id', 'in', chunk)
        .returning(['id', 'event_seq'])
        .execute();
      for (const r of rows) last.set(r.id, r.event_seq);
    }
  }
  const events: DomainEvent[] = [];
  for (const [orderId, list] of perOrder) {
    const first = (last.get(orderId) as number) - list.length + 1;
    for (const [i, item] of list.entries()) {
      events.push({
        id: deps.ids.next('event'),
        type: item.type,
        aggregateType: 'order',
        aggregateId: orderId,
        aggregateSeq: first + i,
        orderId,
        actor,
        data: { order_id: orderId, ...item.data },
        createdAt: now,
      });
    }
  }
  await appendEvents(tx, events);
}
