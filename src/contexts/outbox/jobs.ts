import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';
import { chunkRows } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import type { NewJob } from './types.js';

/** Attempts a job gets when neither the caller nor the handler says otherwise. */
export const defaultMaxAttempts = 12;

/**
 * Enqueues jobs in the caller's transaction. A job whose `dedupeKey` already exists is skipped, so enqueueing
 * is idempotent: an event routed twice, or a user clicking twice, makes one e-mail. Returns the keys that
 * were new.
 */
export async function enqueueJobs(tx: Tx, deps: Deps, jobs: readonly NewJob[], now = deps.clock.now().toISOString()): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  const rows = jobs.map((job) => ({
    id: deps.ids.next('job'),
    kind: job.kind,
    dedupe_key: job.dedupeKey,
    subject_id: job.subjectId ?? null,
    payload: JSON.stringify(job.payload),
    status: 'pending' as const,
    attempts: 0,
    max_attempts: job.maxAttempts ?? defaultMaxAttempts,
    next_attempt_at: job.runAt ?? now,
    locked_until: null,
    last_error: null,
    result: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  }));
  const inserted = new Set<string>();
  for (const chunk of chunkRows(rows)) {
    const result = await tx
      .insertInto('jobs')
      .values(chunk)
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('dedupe_key')
      .execute();
    for (const row of result) inserted.add(row.dedupe_key);
  }
  return inserted;
}

/**
 * Puts a finished (succeeded or dead) job back in the queue for one more run, as a manual replay. The job
 * keeps its id (a webhook's `webhook-id` stays the same, so receivers can deduplicate) and gets a fresh
 * attempt budget. Returns false when the job does not exist or is still pending or running.
 */
export async function replayJob(tx: Tx, deps: Deps, jobId: string, maxAttempts = 1): Promise<boolean> {
  const now = deps.clock.now().toISOString();
  const result = await tx
    .updateTable('jobs')
    .set({
      status: 'pending',
      next_attempt_at: now,
      locked_until: null,
      completed_at: null,
      updated_at: now,
      max_attempts: sql<number>`attempts + ${maxAttempts}`,
    })
    .where('id', '=', jobId)
    .where('status', 'in', ['succeeded', 'dead'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
