import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Destination secrets (webhook signing secrets, HubSpot tokens) are stored encrypted with AES-256-GCM under
 * a key derived (HKDF-SHA256) from the server key, so a database dump alone does not reveal them.
 */
const keys = new WeakMap<Buffer, Buffer>();
function keyOf(secret: Buffer): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'fulfill leads destination secrets v1', 32));
    keys.set(secret, key);
  }
  return key;
}

export function encryptSecret(secret: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

export function decryptSecret(secret: Buffer, stored: string): string {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not an encrypted secret');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** The consent proof's e-mail hash: HMAC-SHA256 of the lower-cased address under the server key (hex). */
export const emailHash = (secret: Buffer, emailLower: string): string =>
  createHmac('sha256', secret).update(`lead-email:${emailLower}`).digest('hex');

/** Asset link tokens are stored as their SHA-256 (hex): a database reader cannot rebuild a link. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
