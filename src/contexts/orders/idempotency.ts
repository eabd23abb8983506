import { limits } from '../../kernel/limits.js';
import type { Deps } from '../deps.js';

/** Forgets idempotency keys older than the retention period; returns how many were removed. */
export async function purgeIdempotencyKeys(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - limits.idempotencyRetentionHours * 3_600_000).toISOString();
  const result = await deps.db.transaction((tx) => tx.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst());
  return Number(result.numDeletedRows);
}
