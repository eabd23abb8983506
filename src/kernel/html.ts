/**
 * Server-rendered HTML for the public pages (tracking, downloads, forms) and the e-mail previews: text is
 * escaped by default, so a value from a customer, a carrier or a merchant can never become markup.
 */

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attributes (null and undefined are empty). */
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => entities[c] as string);

/** A fragment that is already HTML (built by `html`), so it is not escaped twice. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const render = (part: unknown): string => {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(part);
};

/**
 * `html\`<p>${text}</p>\``: every interpolation is escaped unless it is SafeHtml (another `html` result); a
 * list is joined, and null, undefined and false render nothing (for `${cond && html\`...\`}`).
 */
export function html(strings: TemplateStringsArray, ...parts: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [i, part] of parts.entries()) out += render(part) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
