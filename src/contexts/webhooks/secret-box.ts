import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Endpoint secrets at rest. A webhook secret must be readable again to sign each delivery, so it cannot be
 * hashed like an API key; it is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the server
 * signing key, with the endpoint id as associated data so a sealed secret copied to another row does not
 * open. A database dump alone does not reveal the secrets (see docs/webhooks.md, "Secrets at rest").
 */
const version = 'v1';
const info = 'fulfill webhook endpoint secrets v1';
const ivBytes = 12;

const keys = new WeakMap<Buffer, Buffer>();

function keyFor(serverSecret: Buffer): Buffer {
  let key = keys.get(serverSecret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), info, 32));
    keys.set(serverSecret, key);
  }
  return key;
}

export function sealSecret(serverSecret: Buffer, endpointId: string, secret: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', keyFor(serverSecret), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [version, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

/** Opens a sealed secret; throws when it was sealed under another server key or for another endpoint. */
export function openSecret(serverSecret: Buffer, endpointId: string, sealed: string): string {
  const [v, iv, tag, data] = sealed.split('.');
  if (v !== version || !iv || !tag || data === undefined) throw new Error('unknown sealed secret format');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(serverSecret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
