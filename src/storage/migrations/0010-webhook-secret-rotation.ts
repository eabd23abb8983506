import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Zero-downtime secret rotation (docs/webhooks.md, "Rotating the secret"): the secret an endpoint had before its
 * last rotation, sealed like the current one (bound to the endpoint id), and when deliveries stop being signed
 * with it too. Both null outside an overlap. One column per statement: SQLite adds one at a time.
 */
export function webhookSecretRotation(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('webhook_endpoints').addColumn('previous_secret', 'text').execute();
      await db.schema.alterTable('webhook_endpoints').addColumn('previous_secret_expires_at', 'text').execute();
    },
  };
}
