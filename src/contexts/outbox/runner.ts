import { sql } from 'kysely';
import type { Tx } from '../../storage/index.js';
import type { Deps } from '../deps.js';
import type { ClaimedJob, JobHandler, JobOutcome, RecordedOutcome } from './types.js';

export interface RunOptions {
  /** Jobs claimed (and run concurrently) per round. */
  readonly batchSize: number;
  /** How long a claimed job stays invisible to other workers; a crashed worker's jobs come back after it. */
  readonly leaseMs: number;
  /** A number in [0, 1) for retry jitter. */
  readonly random: () => number;
}

interface JobRow {
  id: string;
  kind: string;
  dedupe_key: string;
  subject_id: string | null;
  payload: string;
  attempts: number;
  max_attempts: number;
  created_at: string;
}

/**
 * Claims due jobs: pending ones whose time has come, and running ones whose lease ran out (their worker
 * died between claim and record). On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps workers off each other's rows.
 */
async function claimJobs(tx: Tx, deps: Deps, kinds: readonly string[], now: string, leaseUntil: string, limit: number): Promise<JobRow[]> {
  const lock = deps.db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  // SQLite would pick the (kind, status) index and sort every pending job; `+kind` keeps it on the partial
  // due-time index, so a claim stays cheap however large the backlog (PostgreSQL plans this well by itself).
  const kind = deps.db.dialect === 'sqlite' ? sql`+kind` : sql`kind`;
  const result = await sql<JobRow>`
    update jobs set status = 'running', attempts = attempts + 1, locked_until = ${leaseUntil}, updated_at = ${now}
    where id in (
      select id from jobs
      where status in ('pending', 'running') and next_attempt_at <= ${now}
        and (locked_until is null or locked_until <= ${now})
        and ${kind} in (${sql.join(kinds)})
      order by next_attempt_at
      limit ${limit}
      ${lock})
    returning id, kind, dedupe_key, subject_id, payload, attempts, max_attempts, created_at`.execute(tx);
  return result.rows;
}

/** The delay before the next attempt: the schedule's entry for this attempt, plus up to 20% jitter. */
export function retryDelayMs(schedule: readonly number[], attempt: number, random: () => number): number {
  const base = schedule[Math.min(Math.max(attempt - 1, 0), schedule.length - 1)] ?? 60_000;
  return Math.round(base * (1 + 0.2 * random()));
}

/**
 * One round: claim up to `batchSize` due jobs, run them concurrently outside any transaction, then record
 * every outcome in one transaction (group commit). Returns how many jobs ran.
 */
export async function runDueJobs(deps: Deps, handlers: ReadonlyMap<string, JobHandler>, options: RunOptions): Promise<number> {
  if (handlers.size === 0) return 0;
  const start = deps.clock.now();
  const now = start.toISOString();
  const leaseUntil = new Date(start.getTime() + options.leaseMs).toISOString();
  const rows = await deps.db.transaction((tx) => claimJobs(tx, deps, [...handlers.keys()], now, leaseUntil, options.batchSize));
  if (rows.length === 0) return 0;
  const jobs: ClaimedJob[] = rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    subjectId: row.subject_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    attempt: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    createdAt: row.created_at,
  }));
  const outcomes = await Promise.all(
    jobs.map(async (job) => {
      const handler = handlers.get(job.kind) as JobHandler;
      const began = performance.now();
      let outcome: JobOutcome;
      try {
        outcome = await handler.run(job, deps);
      } catch (error) {
        outcome = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
      return { job, handler, outcome, durationMs: Math.round(performance.now() - began) };
    }),
  );
  const finished = deps.clock.now();
  const at = finished.toISOString();
  const recorded = outcomes.map(({ job, handler, outcome, durationMs }) => ({
    job,
    handler,
    outcome: decide(job, handler, outcome, finished, durationMs, options.random),
  }));
  await deps.db.transaction(async (tx) => {
    await completeJobs(tx, recorded, at);
    const byHandler = new Map<JobHandler, { job: ClaimedJob; outcome: RecordedOutcome }[]>();
    for (const r of recorded) {
      const list = byHandler.get(r.handler) ?? [];
      list.push({ job: r.job, outcome: r.outcome });
      byHandler.set(r.handler, list);
    }
    for (const [handler, items] of byHandler) {
      if (handler.recordBatch) await handler.recordBatch(tx, items, deps);
      else if (handler.record) for (const item of items) await handler.record(tx, item.job, item.outcome, deps);
    }
  });
  return jobs.length;
}

/** Rows per completion statement (7 parameters each, well under both databases' limits). */
const completionChunk = 500;

/** Records every outcome of a round with one multi-row UPDATE per chunk (not one statement per job). */
async function completeJobs(tx: Tx, recorded: readonly { job: ClaimedJob; outcome: RecordedOutcome }[], at: string): Promise<void> {
  for (let i = 0; i < recorded.length; i += completionChunk) {
    const rows = recorded.slice(i, i + completionChunk).map(({ job, outcome }) => {
      const status = outcome.status === 'scheduled' ? 'pending' : outcome.status;
      const error = outcome.outcome.status === 'succeeded' ? null : outcome.outcome.error.slice(0, 2000);
      const result = outcome.outcome.result ? JSON.stringify(outcome.outcome.result) : null;
      const completed = outcome.status === 'scheduled' ? null : at;
      return sql`(${job.id}, ${status}, ${outcome.nextAttemptAt ?? at}, ${error}, ${result}, ${completed})`;
    });
    await sql`
      with v(id, status, next_attempt_at, last_error, result, completed_at) as (values ${sql.join(rows)})
      update jobs set
        status = v.status,
        next_attempt_at = v.next_attempt_at,
        locked_until = null,
        last_error = v.last_error,
        result = v.result,
        updated_at = ${at},
        completed_at = v.completed_at
      from v
      where jobs.id = v.id`.execute(tx);
  }
}

function decide(
  job: ClaimedJob,
  handler: JobHandler,
  outcome: JobOutcome,
  now: Date,
  durationMs: number,
  random: () => number,
): RecordedOutcome {
  if (outcome.status === 'succeeded') return { status: 'succeeded', outcome, nextAttemptAt: null, durationMs };
  if (outcome.status === 'failed' || job.attempt >= job.maxAttempts) return { status: 'dead', outcome, nextAttemptAt: null, durationMs };
  const scheduled = retryDelayMs(handler.retryScheduleMs, job.attempt, random);
  const delay = Math.max(scheduled, outcome.retryAfterMs ?? 0);
  return { status: 'scheduled', outcome, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), durationMs };
}
