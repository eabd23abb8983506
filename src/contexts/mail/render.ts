import Handlebars from 'handlebars';
import { escapeHtml } from '../../kernel/html.js';
import { defaultLocale, type Locale, supportedLocales } from '../../kernel/locale.js';
import { currency } from '../../kernel/money.js';

/**
 * E-mail templates (docs/mail.md). Each area registers its default templates (English and Brazilian
 * Portuguese) at module load; a merchant can override any of them per locale (the `mail_templates` table).
 * Templates are Handlebars: `subject` and `text` are rendered without HTML escaping, `html` with it, and the
 * html body is placed inside one shared responsive layout.
 */
export interface MailTemplate {
  readonly name: string;
  readonly locale: Locale;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** What a template source may hold at most (bytes of UTF-16 text, per part). */
export const templateLimits = { subject: 500, html: 100_000, text: 50_000 } as const;

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

type Compiled = (context: unknown, options?: Handlebars.RuntimeOptions) => string;
interface CompiledTemplate {
  readonly subject: Compiled;
  readonly html: Compiled;
  readonly text: Compiled;
}

const registry = new Map<string, Map<Locale, MailTemplate>>();
/** Sample data per template name, used by the override preview and to check an override renders. */
const samples = new Map<string, Record<string, unknown>>();
const compiledDefaults = new Map<string, CompiledTemplate>();

const hb = Handlebars.create();

/** Helpers every template may use (merchant overrides may use only these and Handlebars' built-ins). */
const helpers: Record<string, Handlebars.HelperDelegate> = {
  /** `{{money amountMinor currency}}`: an amount in minor units, formatted for the e-mail's locale. */
  money(amount: unknown, code: unknown, options: Handlebars.HelperOptions) {
    return formatMoney(Number(amount), String(code), localeOf(options));
  },
  /** `{{date iso}}`: a date in the e-mail's locale (long form, UTC). */
  date(value: unknown, options: Handlebars.HelperOptions) {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(localeOf(options), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  },
  /** `{{#eq a b}}...{{/eq}}` */
  eq(this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
    return a === b ? options.fn(this) : options.inverse(this);
  },
};
for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
const knownHelpers = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));

function localeOf(options: Handlebars.HelperOptions): Locale {
  const locale = (options.data as { locale?: Locale } | undefined)?.locale;
  return locale ?? defaultLocale;
}

/** An amount in minor units as the locale writes it in that currency (`R$ 1.234,50`, `$1,234.50`). */
export function formatMoney(amountMinor: number, code: string, locale: Locale): string {
  if (!Number.isFinite(amountMinor)) return '';
  const digits = currency(code)?.minorUnits ?? 2;
  const major = amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${code}`;
  }
}

function compileParts(source: { subject: string; html: string; text: string }, strictHelpers: boolean): CompiledTemplate {
  const common = { strict: false, ...(strictHelpers ? { knownHelpers, knownHelpersOnly: true } : {}) };
  return {
    subject: hb.compile(source.subject, { ...common, noEscape: true }),
    html: hb.compile(source.html, common),
    text: hb.compile(source.text, { ...common, noEscape: true }),
  };
}

/** Adds default templates (Handlebars sources; `html` is the body placed inside the shared responsive layout). */
export function registerTemplates(templates: readonly MailTemplate[]): void {
  for (const template of templates) {
    if (!(supportedLocales as readonly string[]).includes(template.locale))
      throw new Error(`template ${template.name}: unknown locale ${template.locale}`);
    let byLocale = registry.get(template.name);
    if (!byLocale) {
      byLocale = new Map();
      registry.set(template.name, byLocale);
    }
    byLocale.set(template.locale, template);
    compiledDefaults.delete(`${template.name}\u0000${template.locale}`);
  }
}

/** Sample variables for a template, shown by the override preview and used to check an override renders. */
export function registerSampleData(name: string, data: Record<string, unknown>): void {
  samples.set(name, data);
}

export const sampleDataFor = (name: string): Record<string, unknown> => samples.get(name) ?? {};

export const isRegisteredTemplate = (name: string): boolean => registry.has(name);

export const registeredTemplateNames = (): string[] => [...registry.keys()].sort();

export function defaultTemplate(name: string, locale: Locale): MailTemplate | undefined {
  const byLocale = registry.get(name);
  return byLocale?.get(locale) ?? byLocale?.get(defaultLocale);
}

export interface TemplateSource {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** What is wrong with a template source, per part (`/subject`, `/html`, `/text`); empty when it is usable. */
export interface TemplateProblem {
  readonly pointer: string;
  readonly detail: string;
}

/**
 * Checks an override the way it will be used: each part must compile (only the helpers listed in docs/mail.md)
 * and render with the template's sample data. Returns the problems, or the rendered sample when there are none.
 */
export function checkTemplate(
  name: string,
  locale: Locale,
  source: TemplateSource,
  brand: string,
  data?: Record<string, unknown>,
): { problems: TemplateProblem[]; rendered?: RenderedEmail } {
  const problems: TemplateProblem[] = [];
  const sample = data ?? sampleDataFor(name);
  const options = { data: { locale }, allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
  for (const part of ['subject', 'html', 'text'] as const) {
    try {
      const fn = hb.compile(source[part], { strict: false, knownHelpers, knownHelpersOnly: true, noEscape: part !== 'html' });
      fn(sample, options);
    } catch (error) {
      problems.push({ pointer: `/${part}`, detail: firstLines(error instanceof Error ? error.message : String(error)) });
    }
  }
  if (problems.length > 0) return { problems };
  return { problems, rendered: renderCompiled(compileParts(source, true), locale, sample, brand) };
}

const firstLines = (message: string): string => message.split('\n').slice(0, 3).join(' ').slice(0, 300);

const overrideCache = new Map<string, { source: TemplateSource; compiled: CompiledTemplate }>();

/**
 * Renders an e-mail: the merchant's override for (name, locale) when given, otherwise the default for the
 * locale, otherwise the English default. Throws when the name is not registered.
 */
export function renderEmail(
  name: string,
  locale: Locale,
  data: Record<string, unknown>,
  brand: string,
  override?: TemplateSource | null,
): RenderedEmail {
  if (override) {
    const key = `${name}\u0000${locale}`;
    let cached = overrideCache.get(key);
    if (
      !cached ||
      cached.source.subject !== override.subject ||
      cached.source.html !== override.html ||
      cached.source.text !== override.text
    ) {
      cached = { source: override, compiled: compileParts(override, true) };
      overrideCache.set(key, cached);
    }
    return renderCompiled(cached.compiled, locale, data, brand);
  }
  const template = defaultTemplate(name, locale);
  if (!template) throw new Error(`no e-mail template named ${name}`);
  const key = `${template.name}\u0000${template.locale}`;
  let compiled = compiledDefaults.get(key);
  if (!compiled) {
    compiled = compileParts(template, false);
    compiledDefaults.set(key, compiled);
  }
  return renderCompiled(compiled, template.locale, data, brand);
}

function renderCompiled(compiled: CompiledTemplate, locale: Locale, data: Record<string, unknown>, brand: string): RenderedEmail {
  const options = { data: { locale }, allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
  const subject = compiled
    .subject(data, options)
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, 998);
  const body = compiled.html(data, options);
  const text = `${compiled.text(data, options).trim()}\n`;
  return { subject, html: layout({ subject, body, preheader: preheaderOf(text), brand, locale }), text };
}

/** The first words of the text part: what mail clients show next to the subject in the inbox. */
function preheaderOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

/**
 * The shared layout: one centred column of at most 600px, inline styles only (mail clients drop <style>
 * blocks and external sheets), a hidden preheader, tables for structure (Outlook).
 */
function layout(input: { subject: string; body: string; preheader: string; brand: string; locale: Locale }): string {
  const footer =
    input.locale === 'pt-BR'
      ? `Mensagem automática de ${input.brand}. Responda a este e-mail se precisar de ajuda.`
      : `An automatic message from ${input.brand}. Reply to this e-mail if you need help.`;
  return `<!DOCTYPE html>
<html lang="${input.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${escapeHtml(input.subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f4f4f5;">${escapeHtml(input.preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background-color:#ffffff;border-radius:8px;">
<tr><td style="padding:20px 24px;border-bottom:1px solid #e4e4e7;font-family:Helvetica,Arial,sans-serif;font-size:18px;font-weight:bold;color:#18181b;">${escapeHtml(input.brand)}</td></tr>
<tr><td style="padding:24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#27272a;">
${input.body}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e4e4e7;font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:1.4;color:#71717a;">${escapeHtml(footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
