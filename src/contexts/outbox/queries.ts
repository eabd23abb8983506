import { sql } from 'kysely';
import { decodeCursor, type Page, pageSize, toPage } from '../../kernel/pagination.js';
import type { Deps } from '../deps.js';

export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly dedupe_key: string;
  readonly subject_id: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly max_attempts: number;
  readonly next_attempt_at: string | null;
  readonly last_error: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly completed_at: string | null;
}

interface JobRow {
  id: string;
  kind: string;
  dedupe_key: string;
  subject_id: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export const toJobView = (row: JobRow): JobView => ({
  id: row.id,
  kind: row.kind,
  dedupe_key: row.dedupe_key,
  subject_id: row.subject_id,
  status: row.status,
  attempts: Number(row.attempts),
  max_attempts: Number(row.max_attempts),
  next_attempt_at: row.status === 'pending' || row.status === 'running' ? row.next_attempt_at : null,
  last_error: row.last_error,
  created_at: row.created_at,
  updated_at: row.updated_at,
  completed_at: row.completed_at,
});

const jobColumns = [
  'id',
  'kind',
  'dedupe_key',
  'subject_id',
  'status',
  'attempts',
  'max_attempts',
  'next_attempt_at',
  'last_error',
  'created_at',
  'updated_at',
  'completed_at',
] as const;

export interface JobFilter {
  readonly kind?: string | undefined;
  readonly status?: string | undefined;
  readonly subjectId?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/** Jobs, newest first (ids are time-ordered). */
export async function listJobs(deps: Deps, filter: JobFilter): Promise<Page<JobView>> {
  const size = pageSize(filter.limit);
  const after = decodeCursor(filter.cursor);
  let query = deps.db.read.selectFrom('jobs').select(jobColumns);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.status) query = query.where('status', '=', filter.status as 'pending');
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (after) query = query.where('id', '<', after);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();
  return toPage(rows, size, (r) => r.id, toJobView);
}

export async function findJob(deps: Deps, id: string): Promise<JobView | undefined> {
  const row = await deps.db.read.selectFrom('jobs').select(jobColumns).where('id', '=', id).executeTakeFirst();
  return row ? toJobView(row) : undefined;
}

export interface OutboxStats {
  /** Events committed but not yet routed, and the oldest one's time: the outbox's lag. */
  readonly undispatched_events: number;
  readonly oldest_undispatched_at: string | null;
  /** Events a subscriber failed on, waiting for their next try. */
  readonly parked_events: number;
  readonly jobs: readonly { kind: string; status: string; count: number }[];
}

export async function outboxStats(deps: Deps): Promise<OutboxStats> {
  const events = await deps.db.read
    .selectFrom('events')
    .select([
      sql<number>`count(*)`.as('n'),
      sql<string | null>`min(created_at)`.as('oldest'),
      sql<number>`sum(case when dispatch_error is not null then 1 else 0 end)`.as('parked'),
    ])
    .where('dispatched_at', 'is', null)
    .executeTakeFirst();
  const jobs = await deps.db.read
    .selectFrom('jobs')
    .select(['kind', 'status', sql<number>`count(*)`.as('count')])
    .groupBy(['kind', 'status'])
    .orderBy('kind')
    .orderBy('status')
    .execute();
  return {
    undispatched_events: Number(events?.n ?? 0),
    oldest_undispatched_at: events?.oldest ?? null,
    parked_events: Number(events?.parked ?? 0),
    jobs: jobs.map((j) => ({ kind: j.kind, status: j.status, count: Number(j.count) })),
  };
}
