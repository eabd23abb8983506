import { createHash, createHmac } from 'node:crypto';
import { deriveKey, seal, unseal } from '../../kernel/sealed.js';

/**
 * Destination secrets (webhook signing secrets, HubSpot tokens) are stored encrypted with AES-256-GCM under
 * a key derived (HKDF-SHA256) from the server key (src/kernel/sealed.ts), so a database dump alone does not
 * reveal them.
 */
const purpose = 'leads destination secrets';

export const encryptSecret = (secret: Buffer, plain: string): string => seal(deriveKey(secret, purpose), plain);

export const decryptSecret = (secret: Buffer, stored: string): string => unseal(deriveKey(secret, purpose), stored);

/** The consent proof's e-mail hash: HMAC-SHA256 of the lower-cased address under the server key (hex). */
export const emailHash = (secret: Buffer, emailLower: string): string =>
  createHmac('sha256', secret).update(`lead-email:${emailLower}`).digest('hex');

/** Asset link tokens are stored as their SHA-256 (hex): a database reader cannot rebuild a link. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
