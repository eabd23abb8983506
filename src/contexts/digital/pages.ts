import { escapeHtml as esc } from '../../kernel/html.js';
import type { Locale } from '../../kernel/locale.js';
import { sizeLabel } from './delivery.js';
import type { DeliveryView, Refusal } from './entitlements.js';

/** The buyer's pages (`/d/:token`): server-rendered HTML, no scripts, nothing personal beyond the purchase itself. */

const text = {
  en: {
    title: 'Your downloads',
    order: 'Order',
    files: 'Files',
    keys: 'License keys',
    downloadsLeft: (n: number) => `${n} download(s) left`,
    unlimited: 'Unlimited downloads',
    expires: 'Available until',
    revoked: 'Access to this purchase has been withdrawn.',
    expired: 'This link has expired.',
    status: 'Status',
    refusedTitle: 'This link does not work',
    help: 'If you think this is a mistake, reply to your order e-mail.',
    refusals: {
      entitlement_not_found: 'This link is not valid. Check that it was copied whole from your e-mail.',
      entitlement_revoked: 'Access to this purchase has been withdrawn.',
      entitlement_expired: 'This link has expired.',
      download_limit_reached: 'This link has been used for all of its downloads.',
      download_ip_limit_reached: 'This link has been used from too many different networks.',
    },
  },
  'pt-BR': {
    title: 'Seus downloads',
    order: 'Pedido',
    files: 'Arquivos',
    keys: 'Chaves de licença',
    downloadsLeft: (n: number) => `${n} download(s) restante(s)`,
    unlimited: 'Downloads ilimitados',
    expires: 'Disponível até',
    revoked: 'O acesso a esta compra foi retirado.',
    expired: 'Este link expirou.',
    status: 'Situação',
    refusedTitle: 'Este link não funciona',
    help: 'Se você acha que é um engano, responda ao e-mail do seu pedido.',
    refusals: {
      entitlement_not_found: 'Este link não é válido. Verifique se ele foi copiado inteiro do seu e-mail.',
      entitlement_revoked: 'O acesso a esta compra foi retirado.',
      entitlement_expired: 'Este link expirou.',
      download_limit_reached: 'Este link já foi usado para todos os seus downloads.',
      download_ip_limit_reached: 'Este link já foi usado a partir de redes demais.',
    },
  },
} as const;

function layout(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title>
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:640px;margin:2rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem}a.button{display:inline-block;padding:.4rem .9rem;background:#1a56db;color:#fff;border-radius:6px;text-decoration:none}
code{font-size:1.05rem;background:#f3f4f6;padding:.15rem .4rem;border-radius:4px}li{margin:.4rem 0}.muted{color:#6b7280}</style></head>
<body>${body}</body></html>`;
}

export function deliveryPage(view: DeliveryView): string {
  const t = text[view.locale];
  const parts: string[] = [`<h1>${esc(t.title)}</h1>`, `<p class="muted">${esc(t.order)} ${esc(view.order_number)}</p>`];
  parts.push(`<h2>${esc(view.name)}${view.quantity > 1 ? ` &times; ${view.quantity}` : ''}</h2>`);
  if (view.status !== 'active') {
    parts.push(`<p><strong>${esc(view.status === 'revoked' ? t.revoked : t.expired)}</strong></p>`);
    return layout(view.locale, t.title, parts.join('\n'));
  }
  if (view.files.length > 0) {
    parts.push(`<h3>${esc(t.files)}</h3><ul>`);
    for (const f of view.files) {
      parts.push(
        `<li><a class="button" href="${esc(f.url)}" download>${esc(f.name)}</a> <span class="muted">${esc(sizeLabel(f.size))}</span></li>`,
      );
    }
    parts.push('</ul>');
    parts.push(`<p class="muted">${esc(view.downloads.remaining === null ? t.unlimited : t.downloadsLeft(view.downloads.remaining))}</p>`);
  }
  if (view.licenses.length > 0) {
    parts.push(`<h3>${esc(t.keys)}</h3><ul>`);
    for (const l of view.licenses) parts.push(`<li><code>${esc(l.key)}</code> <span class="muted">${esc(l.status)}</span></li>`);
    parts.push('</ul>');
  }
  if (view.expires_at) parts.push(`<p class="muted">${esc(t.expires)} ${esc(view.expires_at.slice(0, 10))}</p>`);
  return layout(view.locale, t.title, parts.join('\n'));
}

export function refusalPage(refusal: Refusal, locale: Locale): string {
  const t = text[locale];
  return layout(
    locale,
    t.refusedTitle,
    `<h1>${esc(t.refusedTitle)}</h1><p>${esc(t.refusals[refusal])}</p><p class="muted">${esc(t.help)}</p>`,
  );
}
