import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest that must be read again (webhook and CRM signing secrets, license keys and pool codes for
 * the buyer's own delivery): AES-256-GCM under a key derived from the server key with HKDF-SHA256, one key
 * per purpose. The associated data binds a sealed value to its row (an endpoint id, an item id), so a value
 * copied into another row does not open. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
const derived = new WeakMap<Buffer, Map<string, Buffer>>();

/** The 32-byte key for one purpose, derived from the server key (cached). */
export function deriveKey(serverSecret: Buffer, purpose: string): Buffer {
  let keys = derived.get(serverSecret);
  if (!keys) {
    keys = new Map();
    derived.set(serverSecret, keys);
  }
  let key = keys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `fulfill ${purpose}`, 32));
    keys.set(purpose, key);
  }
  return key;
}

export function seal(key: Buffer, plaintext: string, associatedData = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a sealed value; throws when it was sealed under another key or for other associated data. */
export function unseal(key: Buffer, sealed: string, associatedData = ''): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
