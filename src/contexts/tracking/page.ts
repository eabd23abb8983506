import { html, SafeHtml } from '../../kernel/html.js';
import type { Locale } from '../../kernel/locale.js';
import { pageText, statusLabels } from './i18n.js';
import type { PublicTracking } from './queries.js';

const styles = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f5f7fa}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border-radius:.5rem;padding:1rem 1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.status{font-size:1.25rem;font-weight:600}.status.problem{color:#b42318}.status.done{color:#067647}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0 0}dt{color:#52606d}dd{margin:0;word-break:break-all}
ol{list-style:none;margin:0;padding:0}li{padding:.75rem 0;border-top:1px solid #e4e7eb}li:first-child{border-top:0}
.when{color:#52606d;font-size:.875rem}.what{font-weight:600}.where{color:#52606d;font-size:.875rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.5rem}}`;

function layout(locale: Locale, title: string, body: SafeHtml): string {
  return `<!doctype html>${html`<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${title}</title><style>${new SafeHtml(styles)}</style></head><body><main>${body}</main></body></html>`.value}`;
}

const formatDate = (iso: string, locale: Locale) =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso));
const formatTime = (iso: string, locale: Locale) =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso));

const tone = (status: string) =>
  ['delivery_failed', 'exception', 'return_to_sender', 'cancelled'].includes(status) ? 'problem' : status === 'delivered' ? 'done' : '';

/** The public tracking page: server-rendered, no script, responsive, in the customer's language. */
export function renderTrackingPage(view: PublicTracking): string {
  const locale = view.locale;
  const t = pageText[locale];
  const labels = statusLabels[locale];
  const place = (l: { city: string | null; state: string | null; country: string | null }) =>
    [l.city, l.state, l.country].filter((p) => p !== null && p !== '').join(', ');
  const entries = view.timeline.map(
    (e) =>
      html`<li><div class="when"><time datetime="${e.occurred_at}">${formatTime(e.occurred_at, locale)} UTC</time></div><div class="what">${labels[e.status]}</div>${
        e.message ? html`<div class="msg">${e.message}</div>` : ''
      }${place(e.location) ? html`<div class="where">${place(e.location)}</div>` : ''}</li>`,
  );
  const body = html`<h1>${t.title}</h1>
<section class="card" aria-labelledby="status"><div id="status" class="status ${tone(view.status)}" data-status="${view.status}">${labels[view.status]}</div>
<dl>${
    view.delivered_at
      ? html`<dt>${t.delivered}</dt><dd>${formatDate(view.delivered_at, locale)}</dd>`
      : view.expected_delivery_date
        ? html`<dt>${t.expected}</dt><dd data-expected="${view.expected_delivery_date}">${formatDate(view.expected_delivery_date, locale)}</dd>`
        : ''
  }<dt>${t.carrier}</dt><dd>${view.carrier} · ${view.service}</dd><dt>${t.tracking}</dt><dd>${view.tracking_numbers.join(', ')}</dd>${
    view.destination.city ? html`<dt>${t.destination}</dt><dd>${view.destination.city}</dd>` : ''
  }</dl></section>
<h2>${t.timeline}</h2><section class="card">${entries.length > 0 ? html`<ol class="timeline">${entries}</ol>` : html`<p>${t.empty}</p>`}</section>`;
  return layout(locale, t.title, body);
}

export function renderNotFoundPage(locale: Locale): string {
  const t = pageText[locale];
  return layout(locale, t.notFoundTitle, html`<h1>${t.notFoundTitle}</h1><section class="card"><p>${t.notFound}</p></section>`);
}
