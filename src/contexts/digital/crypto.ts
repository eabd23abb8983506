import { createHmac, hkdfSync } from 'node:crypto';
import { deriveKey, seal as sealWith, unseal as unsealWith } from '../../kernel/sealed.js';

/**
 * The digital area's secrets, all derived from the server secret (`deps.secret`) with HKDF-SHA256, one
 * key per purpose, so a key used to hash lookups never encrypts and vice versa:
 *
 * - `token`:  entitlement links. A link's token is HMAC(token key, entitlement id): unguessable, never
 *             stored; the database keeps only `lookup(token)` to find the entitlement.
 * - `lookup`: keyed hashes (HMAC-SHA256) of tokens, license keys, pool codes and client IPs, for lookup
 *             and uniqueness without storing the value. Keyed, so a stolen database cannot be brute-forced
 *             for short codes without the secret.
 * - `seal`:   AES-256-GCM for what the buyer must be shown again (license keys and pool codes), with the
 *             shared sealing of src/kernel/sealed.ts.
 */
interface Keys {
  readonly token: Buffer;
  readonly lookup: Buffer;
}

const cache = new WeakMap<Buffer, Keys>();

function keysOf(secret: Buffer): Keys {
  let keys = cache.get(secret);
  if (!keys) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'fulfill.digital.v1', info, 32));
    keys = { token: derive('entitlement-token'), lookup: derive('lookup-hash') };
    cache.set(secret, keys);
  }
  return keys;
}

/** The link token of an entitlement (43 URL-safe characters). */
export const entitlementToken = (secret: Buffer, entitlementId: string): string =>
  createHmac('sha256', keysOf(secret).token).update(`entitlement:${entitlementId}`).digest('base64url');

/** A keyed hash for lookups: `purpose` keeps a token's hash from ever matching a key's. */
export const lookupHash = (secret: Buffer, purpose: 'token' | 'key' | 'code' | 'ip', value: string): string =>
  createHmac('sha256', keysOf(secret).lookup).update(`${purpose}\u0000${value}`).digest('base64url');

/** AES-256-GCM (src/kernel/sealed.ts) under the digital area's key, bound to `context`. */
export const seal = (secret: Buffer, plaintext: string, context: string): string =>
  sealWith(deriveKey(secret, 'digital seal'), plaintext, context);

export const unseal = (secret: Buffer, sealed: string, context: string): string =>
  unsealWith(deriveKey(secret, 'digital seal'), sealed, context);
