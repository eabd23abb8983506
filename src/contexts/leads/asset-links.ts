import { sql } from 'kysely';
import type { PlatformDeps } from '../deps.js';
import { findFile, type StoredFile } from '../files/index.js';
import { tokenHash } from './crypto.js';
import type { Asset } from './domain/form.js';

export type AssetLinkOutcome =
  | { readonly kind: 'file'; readonly file: StoredFile }
  | { readonly kind: 'url'; readonly url: string }
  /** Unknown, tampered, or the lead was erased: one answer for all, so a token cannot be probed. */
  | { readonly kind: 'invalid' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'exhausted' };

const tokenPattern = /^[A-Za-z0-9_-]{32}$/;

/**
 * Resolves an asset link and counts the download: one conditional UPDATE, so concurrent requests can never
 * exceed the limit. `count: false` serves without counting (a Range request resuming a download already counted).
 */
export async function useAssetLink(deps: PlatformDeps, token: string, count: boolean): Promise<AssetLinkOutcome> {
  if (!tokenPattern.test(token)) return { kind: 'invalid' };
  const hash = tokenHash(token);
  const now = deps.clock.now().toISOString();
  const link = await deps.db.read
    .selectFrom('asset_links')
    .innerJoin('forms', 'forms.id', 'asset_links.form_id')
    .innerJoin('leads', 'leads.id', 'asset_links.lead_id')
    .select(['asset_links.expires_at', 'asset_links.downloads', 'asset_links.max_downloads', 'forms.asset', 'leads.erased_at'])
    .where('asset_links.token_hash', '=', hash)
    .executeTakeFirst();
  if (!link || link.erased_at !== null) return { kind: 'invalid' };
  if (link.expires_at <= now) return { kind: 'expired' };
  // A resumed download (Range past the start) is not counted again, unless nothing was counted yet.
  if (count || link.downloads === 0) {
    const result = await deps.db.transaction((tx) =>
      tx
        .updateTable('asset_links')
        .set({ downloads: sql`downloads + 1`, last_download_at: now })
        .where('token_hash', '=', hash)
        .where(sql<boolean>`downloads < max_downloads`)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) === 0) return { kind: 'exhausted' };
  } else if (link.downloads > link.max_downloads) return { kind: 'exhausted' };
  const asset = JSON.parse(link.asset) as Asset;
  if (asset.url !== undefined) return { kind: 'url', url: asset.url };
  const file = await findFile(deps, asset.file_id);
  return file ? { kind: 'file', file } : { kind: 'invalid' };
}
