import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import { findJob, listJobs, outboxStats, replayJob } from '../../contexts/outbox/index.js';
import { ProblemError } from '../../kernel/problem.js';
import { Id, Nullable, PageQuery, page, problemResponses, Timestamp } from '../schemas/common.js';

const tags = ['system'];
const JobStatus = Type.Union(['pending', 'running', 'succeeded', 'dead'].map((s) => Type.Literal(s)));
const Job = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  dedupe_key: Type.String(),
  subject_id: Nullable(Type.String()),
  status: JobStatus,
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Nullable(Timestamp),
});
const Stats = Type.Object({
  undispatched_events: Type.Integer(),
  oldest_undispatched_at: Nullable(Timestamp),
  parked_events: Type.Integer(),
  jobs: Type.Array(Type.Object({ kind: Type.String(), status: JobStatus, count: Type.Integer() })),
});

/** The operator's view of the outbox: how far behind it is, what failed, and replay by hand. */
export function outboxRoutes(app: FastifyInstance, deps: App): void {
  app.get('/v1/outbox', {
    config: { scope: 'admin' },
    schema: {
      tags,
      summary: 'Outbox health: undispatched events and jobs by kind and status',
      response: { 200: Stats, ...problemResponses },
    },
    handler: async () => outboxStats(deps),
  });
  app.get('/v1/outbox/jobs', {
    config: { scope: 'admin' },
    schema: {
      tags,
      summary: 'List outbox jobs (e-mails, webhook deliveries, CRM forwards), newest first',
      querystring: Type.Object(
        {
          kind: Type.Optional(Type.String({ maxLength: 64 })),
          status: Type.Optional(JobStatus),
          subject_id: Type.Optional(Id),
          ...PageQuery,
        },
        { additionalProperties: false },
      ),
      response: { 200: page(Job), ...problemResponses },
    },
    handler: async (request) => {
      const q = request.query as { kind?: string; status?: string; subject_id?: string; cursor?: string; limit?: number };
      return listJobs(deps, { kind: q.kind, status: q.status, subjectId: q.subject_id, cursor: q.cursor, limit: q.limit });
    },
  });
  app.get('/v1/outbox/jobs/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'One outbox job', params: Type.Object({ id: Id }), response: { 200: Job, ...problemResponses } },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const job = await findJob(deps, id);
      if (!job) throw new ProblemError('not_found', `no job ${id}`);
      return job;
    },
  });
  app.post('/v1/outbox/jobs/:id/replay', {
    config: { scope: 'admin' },
    schema: {
      tags,
      summary: 'Run a finished or dead job once more, with the same id',
      params: Type.Object({ id: Id }),
      response: { 202: Job, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const replayed = await deps.db.transaction((tx) => replayJob(tx, deps, id));
      const job = await findJob(deps, id);
      if (!job) throw new ProblemError('not_found', `no job ${id}`);
      if (!replayed)
        throw new ProblemError('illegal_transition', `job ${id} is ${job.status}: only succeeded or dead jobs can be replayed`);
      deps.dispatcher.notify();
      return reply.code(202).send(job);
    },
  });
}
