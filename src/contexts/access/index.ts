export { allows, isScope, type Scope, scopes } from './domain/scopes.js';
export { type ApiKeyView, Authenticator, createApiKey, listApiKeys, type Principal, revokeApiKey } from './keys.js';
