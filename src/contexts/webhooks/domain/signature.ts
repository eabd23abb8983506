import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` plus base64 key
 * bytes; the signature is `v1,` plus the base64 HMAC-SHA256, under those key bytes, of
 * `<webhook-id>.<webhook-timestamp>.<body>`.
 */
export const secretPrefix = 'whsec_';

/** Key bytes per secret: the spec asks for 24 to 64. */
export const secretBytes = 32;

export const newWebhookSecret = (): string => `${secretPrefix}${randomBytes(secretBytes).toString('base64')}`;

export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(secretPrefix)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(secretPrefix.length), 'base64');
}

export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}
