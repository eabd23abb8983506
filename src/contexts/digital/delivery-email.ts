import type { PlatformDeps } from '../deps.js';
import { type RenderPurpose, registerDataResolver } from '../mail/index.js';
import { sizeLabel } from './delivery.js';
import { deliveryViews, type EntitlementRow } from './entitlements.js';
import { deliveryTemplate } from './templates.js';

/** What a merchant's preview shows instead of a buyer's link or key. */
const masked = '••••••••';

/**
 * The delivery e-mail's variables, filled in when it is rendered: its record holds only entitlement ids.
 * For the buyer (`send`) the links are derived from the server key and the license keys decrypted; for a
 * merchant's preview of the record they are masked, keeping only a key's last characters.
 */
export async function resolveDeliveryEmail(
  deps: PlatformDeps,
  data: Record<string, unknown>,
  purpose: RenderPurpose,
): Promise<Record<string, unknown>> {
  const ids = Array.isArray(data.entitlement_ids) ? data.entitlement_ids.filter((id): id is string => typeof id === 'string') : [];
  const rows = ids.length
    ? ((await deps.db.read.selectFrom('entitlements').selectAll().where('id', 'in', ids).execute()) as EntitlementRow[])
    : [];
  const order = new Map(ids.map((id, i) => [id, i]));
  const views = (await deliveryViews(deps, rows)).sort((a, b) => (order.get(a.entitlement_id) ?? 0) - (order.get(b.entitlement_id) ?? 0));
  const secret = (value: string) => (purpose === 'send' ? value : masked);
  return {
    customer_name: data.customer_name,
    order_number: data.order_number,
    items: views.map((v) => ({
      name: v.name,
      quantity_label: v.quantity > 1 ? v.quantity : null,
      page_url: secret(v.page_url),
      files: v.files.map((f) => ({ name: f.name, size_label: sizeLabel(f.size), url: secret(f.url) })),
      keys: v.licenses.map((l) => (purpose === 'send' ? l.key : `${masked}${l.key.slice(-4)}`)),
      download_limit: v.downloads.limit,
      expires_at: v.expires_at,
    })),
  };
}

registerDataResolver(deliveryTemplate, resolveDeliveryEmail);
