import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../../kernel/ids.js';
import { limits } from '../../kernel/limits.js';
import { fail, ok, type Result } from '../../kernel/result.js';
import type { Deps } from '../deps.js';
import { isScope, type Scope } from './domain/scopes.js';

export interface Principal {
  /** The key id (or `admin` for the bootstrap key): recorded as the actor of every change. */
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly created_at: string;
  readonly revoked_at: string | null;
}

/** Keys look like `fk_<prefix>_<secret>`: the prefix identifies the key in lists and logs, the secret never is stored. */
const keyPattern = /^fk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,64})$/;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function createApiKey(
  deps: Deps,
  input: { name: string; scopes: readonly string[] },
): Promise<Result<{ key: string; api_key: ApiKeyView }>> {
  const unknown = input.scopes.filter((s) => !isScope(s));
  if (unknown.length > 0 || input.scopes.length === 0) {
    return fail('validation_failed', unknown.length > 0 ? `unknown scope ${unknown.join(', ')}` : 'at least one scope is required', {
      errors: [{ pointer: '/scopes', detail: 'scopes must be a non-empty list of known scopes' }],
    });
  }
  const prefix = randomToken(12)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 8)
    .padEnd(8, '0');
  const key = `fk_${prefix}_${randomToken(32)}`;
  const now = deps.clock.now().toISOString();
  const row = {
    id: deps.ids.next('apiKey'),
    name: input.name,
    prefix,
    key_hash: sha256(key),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    created_at: now,
    revoked_at: null,
  };
  await deps.db.transaction((tx) => tx.insertInto('api_keys').values(row).execute());
  return ok({ key, api_key: toView(row) });
}

function toView(row: {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    created_at: row.created_at,
    revoked_at: row.revoked_at,
  };
}

export async function listApiKeys(deps: Deps): Promise<ApiKeyView[]> {
  return (await deps.db.read.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(toView);
}

export async function revokeApiKey(deps: Deps, id: string): Promise<Result<ApiKeyView>> {
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction(async (tx) => {
    await tx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return tx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  });
  return row ? ok(toView(row)) : fail('not_found', `no API key ${id}`);
}

/**
 * Checks bearer keys. Keys are high-entropy, so a SHA-256 of the key is a safe stored form and fast to
 * check. Hits are cached briefly (revocation takes effect within `apiKeyCacheMs`) so the hot path does no query.
 */
export class Authenticator {
  readonly #cache = new Map<string, { principal: Principal | null; until: number }>();
  readonly #adminHash: Buffer | undefined;

  constructor(
    private readonly deps: Deps,
    adminKey: string | undefined,
  ) {
    this.#adminHash = adminKey ? createHash('sha256').update(adminKey).digest() : undefined;
  }

  /** Drops every cached lookup (after a revocation in this process). */
  forgetAll(): void {
    this.#cache.clear();
  }

  async authenticate(key: string): Promise<Principal | null> {
    if (this.#adminHash && timingSafeEqual(createHash('sha256').update(key).digest(), this.#adminHash)) {
      return { id: 'admin', name: 'bootstrap admin key', scopes: ['admin'] };
    }
    if (!keyPattern.test(key)) return null;
    const hash = sha256(key);
    const now = Date.now();
    const cached = this.#cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const row = await this.deps.db.read.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
    const principal = row && row.revoked_at === null ? { id: row.id, name: row.name, scopes: JSON.parse(row.scopes) as Scope[] } : null;
    if (this.#cache.size >= limits.apiKeyCacheEntriesMax) this.#cache.clear();
    this.#cache.set(hash, { principal, until: now + limits.apiKeyCacheMs });
    return principal;
  }
}
