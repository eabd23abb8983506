import countries from 'i18n-iso-countries';
import type { Locale } from '../../kernel/locale.js';
import type { FieldError } from '../../kernel/problem.js';
import type { PlatformDeps } from '../deps.js';
import type { FieldDefinition } from './domain/fields.js';
import type { Form } from './domain/form.js';
import { renderToken } from './domain/spam.js';
import { html, localizeDetail, page, type SafeHtml, standardLabels, words } from './html.js';

const countryOptions = new Map<Locale, { code: string; name: string }[]>();

/** ISO 3166-1 countries with their names in the page's language (Intl.DisplayNames), sorted by name. */
function countryList(locale: Locale): { code: string; name: string }[] {
  let list = countryOptions.get(locale);
  if (!list) {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    list = Object.keys(countries.getAlpha2Codes())
      .map((code) => ({ code, name: names.of(code) ?? code }))
      .sort((a, b) => a.name.localeCompare(b.name, locale));
    countryOptions.set(locale, list);
  }
  return list;
}

export const labelOf = (form: Form, field: FieldDefinition): string => field.label ?? standardLabels[form.locale][field.name] ?? field.name;

function input(form: Form, field: FieldDefinition, value: string, error: string | undefined): SafeHtml {
  const id = `f-${field.name}`;
  const describedBy = error ? `${id}-error` : undefined;
  const common = html`id="${id}" name="${field.name}" ${field.required ? html`required aria-required="true"` : ''} ${error ? html`aria-invalid="true" aria-describedby="${describedBy}"` : ''}`;
  const w = words[form.locale];
  const label = html`${labelOf(form, field)}${field.required ? html` <span aria-hidden="true">*</span><span class="hp">(${w.required})</span>` : ''}`;
  const errorLine = error ? html`<p class="error" id="${describedBy}">${error}</p>` : '';
  switch (field.type) {
    case 'boolean':
      return html`<label class="check" for="${id}"><input type="checkbox" value="on" ${value === 'on' || value === 'true' ? 'checked' : ''} ${common}> ${label}</label>${errorLine}`;
    case 'select':
    case 'country': {
      const options = field.type === 'country' ? countryList(form.locale) : (field.options ?? []).map((o) => ({ code: o, name: o }));
      return html`<label for="${id}">${label}</label><select ${common}><option value="">${w.choose}</option>${options.map((o) => html`<option value="${o.code}" ${o.code === value ? 'selected' : ''}>${o.name}</option>`)}</select>${errorLine}`;
    }
    default: {
      const type = field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : field.type === 'number' ? 'number' : 'text';
      const autocomplete = { email: 'email', name: 'name', company: 'organization', phone: 'tel' }[field.name] ?? 'off';
      const bounds =
        field.type === 'number'
          ? html`${field.min !== null ? html` min="${field.min}"` : ''}${field.max !== null ? html` max="${field.max}"` : ''} step="${field.integer ? '1' : 'any'}"`
          : '';
      return html`<label for="${id}">${label}</label><input type="${type}" value="${value}" autocomplete="${autocomplete}" ${field.max_length !== null ? html`maxlength="${field.max_length}"` : ''}${bounds} ${common}>${errorLine}`;
    }
  }
}

export interface FormPageState {
  readonly values?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly FieldError[];
  /** A message above the form (a stale page). */
  readonly notice?: string;
  readonly embed?: boolean;
}

/** The hosted form: labels, the consent checkbox, a honeypot and a signed render time. */
export function formPage(deps: PlatformDeps, form: Form, state: FormPageState = {}): string {
  const w = words[form.locale];
  const errorAt = new Map<string, string>();
  for (const e of state.errors ?? []) if (!errorAt.has(e.pointer)) errorAt.set(e.pointer, localizeDetail(form.locale, e.detail));
  const posted = (name: string): string => {
    const v = state.values?.[name];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  const summary =
    errorAt.size > 0
      ? html`<div class="summary" role="alert" tabindex="-1" id="errors"><p><strong>${w.errorsTitle}</strong></p><ul>${[...errorAt].map(
          ([pointer, detail]) => {
            const name = pointer.slice(1);
            const field = form.fields.find((f) => f.name === name);
            const label = field ? labelOf(form, field) : name === 'consent' ? w.consentHeading : name;
            return html`<li><a href="#f-${name}">${label}: ${detail}</a></li>`;
          },
        )}</ul></div>`
      : '';
  const token = renderToken(deps.secret, form.id, deps.clock.now().getTime());
  const consentError = errorAt.get('/consent');
  const action = `/f/${encodeURIComponent(form.slug)}${state.embed ? '?embed=1' : ''}`;
  const body = html`<h1>${form.name}</h1>${state.notice ? html`<p role="status">${state.notice}</p>` : ''}${summary}
<form method="post" action="${action}" accept-charset="utf-8" novalidate>
${form.fields.map((f) => input(form, f, posted(f.name), errorAt.get(`/${f.name}`)))}
<div class="hp" aria-hidden="true"><label for="f-hp_website">${w.honeypot}</label><input type="text" id="f-hp_website" name="hp_website" tabindex="-1" autocomplete="off" value=""></div>
<input type="hidden" name="render_token" value="${token}">
<label class="check" for="f-consent"><input type="checkbox" id="f-consent" name="consent" value="yes" required aria-required="true" ${posted('consent') === 'yes' ? 'checked' : ''} ${consentError ? html`aria-invalid="true" aria-describedby="f-consent-error"` : ''}> ${form.consentText}</label>
${consentError ? html`<p class="error" id="f-consent-error">${consentError}</p>` : ''}
<button type="submit">${w.submit}</button>
</form>`;
  return page(form.locale, form.name, body, { embed: state.embed ?? false });
}

/** The thank-you page: the form's message, or the default one. */
export function thanksPage(form: Form, embed: boolean): string {
  const w = words[form.locale];
  return page(form.locale, w.thanks, html`<h1>${w.thanks}</h1><p role="status">${form.thankYouMessage ?? w.thanksBody}</p>`, { embed });
}

/** The embed snippet: a script that puts the hosted form in an iframe where the script tag is. */
export function embedScript(deps: PlatformDeps, form: Form): string {
  const src = `${deps.publicUrl}/f/${encodeURIComponent(form.slug)}?embed=1`;
  return `(function(){var s=document.currentScript;var f=document.createElement('iframe');f.src=${JSON.stringify(src)};f.title=${JSON.stringify(form.name)};f.loading='lazy';f.style.cssText='width:100%;min-height:640px;border:0';f.setAttribute('referrerpolicy','strict-origin-when-cross-origin');if(s&&s.parentNode){s.parentNode.insertBefore(f,s.nextSibling)}else{document.body.appendChild(f)}})();\n`;
}
