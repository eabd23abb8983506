import { deriveKey, seal, unseal } from '../../kernel/sealed.js';

/**
 * Endpoint secrets at rest. A webhook secret must be readable again to sign each delivery, so it cannot be
 * hashed like an API key; it is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the server
 * signing key, with the endpoint id as associated data so a sealed secret copied to another row does not
 * open. A database dump alone does not reveal the secrets (see docs/webhooks.md, "Secrets at rest").
 */
const purpose = 'webhook endpoint secrets';

export const sealSecret = (serverSecret: Buffer, endpointId: string, secret: string): string =>
  seal(deriveKey(serverSecret, purpose), secret, endpointId);

/** Opens a sealed secret; throws when it was sealed under another server key or for another endpoint. */
export const openSecret = (serverSecret: Buffer, endpointId: string, sealed: string): string =>
  unseal(deriveKey(serverSecret, purpose), sealed, endpointId);
