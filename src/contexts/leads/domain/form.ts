import type { Locale } from '../../../kernel/locale.js';
import type { FieldDefinition } from './fields.js';
import type { SpamSettings } from './spam.js';

/** What a form gives away: a stored file or a URL, through a counted, expiring link. */
export type Asset =
  | { readonly file_id: string; readonly url?: undefined; readonly link_ttl_hours: number; readonly max_downloads: number }
  | { readonly url: string; readonly file_id?: undefined; readonly link_ttl_hours: number; readonly max_downloads: number };

export const assetDefaults = { link_ttl_hours: 7 * 24, max_downloads: 10 } as const;

/** A form as the use cases see it (JSON columns parsed). */
export interface Form {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly fields: readonly FieldDefinition[];
  readonly asset: Asset;
  readonly consentText: string;
  readonly consentVersion: string;
  readonly doubleOptIn: boolean;
  readonly thankYouMessage: string | null;
  readonly redirectUrl: string | null;
  readonly allowedOrigins: readonly string[];
  readonly locale: Locale;
  readonly spam: SpamSettings;
  readonly status: 'active' | 'closed';
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `https://example.com[:port]`, lower-cased, no path: the form a browser sends in `Origin`. */
export function normalizeOrigin(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
