/**
 * The outbox on both databases: events become jobs exactly once, jobs retry on their schedule, die after
 * their attempts, come back by hand with the same id, survive a crashed worker (lease), and a bad event
 * holds back only itself. On PostgreSQL two dispatchers share the work without running a job twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appendEvents } from '../../src/contexts/messaging/index.js';
import {
  type ClaimedJob,
  Dispatcher,
  type EventSubscriber,
  enqueueJobs,
  type JobHandler,
  type JobOutcome,
  type OutboxModule,
  replayJob,
  retryDelayMs,
} from '../../src/contexts/outbox/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp, type TestApp } from '../support/harness.js';

const dialects = await testDialects();

/** Appends `count` test events for one aggregate in one transaction. */
async function appendTestEvents(t: TestApp, count: number, type = 'test.happened', aggregateId = 'agg_1', from = 1): Promise<void> {
  const now = t.app.clock.now().toISOString();
  await t.app.db.transaction((tx) =>
    appendEvents(
      tx,
      Array.from({ length: count }, (_, i) => ({
        id: t.app.ids.next('event'),
        type,
        aggregateType: 'order' as const,
        aggregateId,
        aggregateSeq: from + i,
        orderId: null,
        actor: 'test',
        data: { n: from + i },
        createdAt: now,
      })),
    ),
  );
}

/** A module whose subscriber makes one `test` job per event and whose handler follows a script. */
function scriptedModule(script: (job: ClaimedJob) => JobOutcome | Promise<JobOutcome>, options: { failEvent?: () => number | null } = {}) {
  const runs: ClaimedJob[] = [];
  const subscriber: EventSubscriber = {
    name: 'test',
    types: ['test.happened'],
    async handle(tx, events, deps) {
      const bad = options.failEvent?.();
      if (bad !== null && bad !== undefined && events.some((e) => e.data.n === bad)) throw new Error(`event ${bad} is poison`);
      await enqueueJobs(
        tx,
        deps,
        events.map((e) => ({ kind: 'test', dedupeKey: `test:${e.id}`, payload: { n: e.data.n }, maxAttempts: 4 })),
      );
    },
  };
  const handler: JobHandler = {
    kind: 'test',
    retryScheduleMs: [1_000, 10_000, 60_000],
    async run(job) {
      runs.push(job);
      return script(job);
    },
  };
  const module: OutboxModule = { subscribers: [subscriber], handlers: [handler] };
  return { module, runs };
}

const jobRows = (t: TestApp) => t.app.db.read.selectFrom('jobs').selectAll().where('kind', '=', 'test').orderBy('created_at').execute();

for (const dialect of dialects) {
  describe(`outbox (${dialect})`, () => {
    let t: TestApp;
    let clock: ManualClock;
    before(async () => {
      clock = new ManualClock('2026-03-01T10:00:00.000Z');
      t = await createTestApp(dialect, { clock });
    });
    after(() => t.close());

    test('each event becomes one job, run once; routing is idempotent', async () => {
      const { module, runs } = scriptedModule(() => ({ status: 'succeeded', result: { ok: true } }));
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0 });
      await appendTestEvents(t, 300, 'test.happened', 'agg_once');
      await dispatcher.drain();
      assert.equal(runs.length, 300);
      assert.deepEqual(new Set(runs.map((r) => r.payload.n)).size, 300);
      const rows = await jobRows(t);
      assert.equal(rows.length, 300);
      assert.ok(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.completed_at !== null));
      const pending = await t.app.db.read.selectFrom('events').select('seq').where('dispatched_at', 'is', null).execute();
      assert.equal(pending.length, 0, 'every event is marked dispatched');
      // Draining again finds nothing: no job runs twice.
      await dispatcher.drain();
      assert.equal(runs.length, 300);
      await t.app.db.write.deleteFrom('jobs').execute();
    });

    test('failures retry on the schedule, then die; a replay runs the same job id again', async () => {
      let calls = 0;
      const { module, runs } = scriptedModule(() => {
        calls += 1;
        return { status: 'retry', error: `attempt ${calls} failed` };
      });
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0 });
      await appendTestEvents(t, 1, 'test.happened', 'agg_retry');
      await dispatcher.drain();
      assert.equal(runs.length, 1);
      let [job] = await jobRows(t);
      assert.equal(job?.status, 'pending');
      assert.equal(job?.next_attempt_at, new Date(clock.now().getTime() + 1_000).toISOString(), 'first retry after 1 s');
      assert.equal(job?.last_error, 'attempt 1 failed');

      await dispatcher.drain();
      assert.equal(runs.length, 1, 'not due yet: nothing runs');
      clock.advance(999);
      await dispatcher.drain();
      assert.equal(runs.length, 1, 'one millisecond early: still nothing');
      clock.advance(1);
      await dispatcher.drain();
      assert.equal(runs.length, 2);
      [job] = await jobRows(t);
      assert.equal(job?.next_attempt_at, new Date(clock.now().getTime() + 10_000).toISOString(), 'second retry after 10 s');
      clock.advance(10_000);
      await dispatcher.drain();
      clock.advance(60_000);
      await dispatcher.drain();
      assert.equal(runs.length, 4);
      [job] = await jobRows(t);
      assert.equal(job?.status, 'dead', 'dead after its 4 attempts');
      assert.equal(job?.attempts, 4);
      clock.advance(3_600_000);
      await dispatcher.drain();
      assert.equal(runs.length, 4, 'a dead job never runs by itself');

      const replayed = await t.app.db.transaction((tx) => replayJob(tx, t.app, job?.id as string));
      assert.equal(replayed, true);
      await dispatcher.drain();
      assert.equal(runs.length, 5);
      assert.equal(runs[4]?.id, runs[0]?.id, 'the replay is the same job (same id)');
      assert.equal(await t.app.db.transaction((tx) => replayJob(tx, t.app, 'job_missing')), false);
      await t.app.db.write.deleteFrom('jobs').execute();
    });

    test('a server Retry-After later than the schedule wins; a failed outcome dies at once', async () => {
      const { module, runs } = scriptedModule((job) =>
        job.payload.n === 1 ? { status: 'retry', error: 'busy', retryAfterMs: 120_000 } : { status: 'failed', error: 'gone' },
      );
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0 });
      await appendTestEvents(t, 2, 'test.happened', 'agg_after');
      await dispatcher.drain();
      assert.equal(runs.length, 2);
      const rows = await jobRows(t);
      const busy = rows.find((r) => JSON.parse(r.payload).n === 1);
      const gone = rows.find((r) => JSON.parse(r.payload).n === 2);
      assert.equal(busy?.next_attempt_at, new Date(clock.now().getTime() + 120_000).toISOString());
      assert.equal(gone?.status, 'dead');
      assert.equal(gone?.last_error, 'gone');
      await t.app.db.write.deleteFrom('jobs').execute();
    });

    test('a job whose worker died comes back when its lease runs out; a throwing handler is a retry', async () => {
      let throwNow = true;
      const { module, runs } = scriptedModule(() => {
        if (throwNow) {
          throwNow = false;
          throw new Error('handler crashed');
        }
        return { status: 'succeeded' };
      });
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0, leaseMs: 30_000 });
      const now = clock.now().toISOString();
      // A job claimed by a worker that then died: running, lease until 30 s from now.
      await t.app.db.transaction((tx) => enqueueJobs(tx, t.app, [{ kind: 'test', dedupeKey: 'test:orphan', payload: { n: 0 } }]));
      await t.app.db.write
        .updateTable('jobs')
        .set({ status: 'running', attempts: 1, locked_until: new Date(clock.now().getTime() + 30_000).toISOString(), updated_at: now })
        .where('dedupe_key', '=', 'test:orphan')
        .execute();
      throwNow = false;
      await dispatcher.drain();
      assert.equal(runs.length, 0, 'still leased to the dead worker');
      clock.advance(30_000);
      await dispatcher.drain();
      assert.equal(runs.length, 1);
      const [job] = await jobRows(t);
      assert.equal(job?.status, 'succeeded');
      assert.equal(job?.attempts, 2);

      throwNow = true;
      await appendTestEvents(t, 1, 'test.happened', 'agg_throw');
      await dispatcher.drain();
      const thrown = (await jobRows(t)).find((r) => r.dedupe_key !== 'test:orphan');
      assert.equal(thrown?.status, 'pending');
      assert.equal(thrown?.last_error, 'handler crashed');
      await t.app.db.write.deleteFrom('jobs').execute();
    });

    test('a poison event holds back only itself, and goes through once fixed', async () => {
      let poison: number | null = 3;
      const errors: string[] = [];
      const { module, runs } = scriptedModule(() => ({ status: 'succeeded' }), { failEvent: () => poison });
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0, onError: (e) => errors.push(String(e)) });
      await appendTestEvents(t, 5, 'test.happened', 'agg_poison');
      await dispatcher.drain();
      assert.deepEqual(runs.map((r) => r.payload.n).sort(), [1, 2, 4, 5]);
      assert.equal(errors.length, 1);
      const parked = await t.app.db.read.selectFrom('events').selectAll().where('dispatched_at', 'is', null).execute();
      assert.equal(parked.length, 1);
      assert.match(parked[0]?.dispatch_error ?? '', /poison/);
      poison = null;
      await dispatcher.drain();
      assert.equal(runs.length, 4, 'parked until its retry time');
      clock.advance(1_000);
      await dispatcher.drain();
      assert.deepEqual(runs.map((r) => r.payload.n).sort(), [1, 2, 3, 4, 5]);
      await t.app.db.write.deleteFrom('jobs').execute();
    });

    test('the background loop sends without being asked, and stops cleanly', async () => {
      const { module, runs } = scriptedModule(() => ({ status: 'succeeded' }));
      const dispatcher = new Dispatcher(t.app, [module], { random: () => 0, idleMs: 10 });
      dispatcher.start();
      await appendTestEvents(t, 20, 'test.happened', 'agg_loop');
      for (let i = 0; i < 500 && runs.length < 20; i++) await new Promise((r) => setTimeout(r, 10));
      await dispatcher.stop();
      assert.equal(runs.length, 20);
      await t.app.db.write.deleteFrom('jobs').execute();
    });
  });
}

test('retry delays follow the schedule with at most 20% jitter, and repeat the last step', () => {
  const schedule = [1_000, 5_000];
  assert.equal(
    retryDelayMs(schedule, 1, () => 0),
    1_000,
  );
  assert.equal(
    retryDelayMs(schedule, 1, () => 0.999),
    1_200,
  );
  assert.equal(
    retryDelayMs(schedule, 2, () => 0.5),
    5_500,
  );
  assert.equal(
    retryDelayMs(schedule, 9, () => 0),
    5_000,
  );
});

if (dialects.includes('postgres')) {
  describe('outbox (postgres, two dispatchers)', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp('postgres', { poolSize: 8 });
    });
    after(() => t.close());

    test('two dispatchers draining at once run every job exactly once', async () => {
      const seen = new Map<string, number>();
      const script = async (job: ClaimedJob): Promise<JobOutcome> => {
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
        return { status: 'succeeded' };
      };
      const a = scriptedModule(script);
      const b = scriptedModule(script);
      const first = new Dispatcher(t.app, [a.module], { batchSize: 16 });
      const second = new Dispatcher(t.app, [b.module], { batchSize: 16 });
      await appendTestEvents(t, 600, 'test.happened', 'agg_pg');
      await Promise.all([first.drain(), second.drain()]);
      await Promise.all([first.drain(), second.drain()]);
      assert.equal(seen.size, 600);
      assert.ok(
        [...seen.values()].every((n) => n === 1),
        'no job ran twice',
      );
      assert.equal(a.runs.length + b.runs.length, 600);
      const jobs = await jobRows(t);
      assert.equal(jobs.length, 600, 'no event was routed twice');
    });
  });
}

for (const dialect of dialects) {
  describe(`outbox API (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { clock: new ManualClock('2026-03-01T10:00:00.000Z') });
    });
    after(() => t.close());

    test('stats, job lists, replay by hand, and clear errors', async () => {
      await appendTestEvents(t, 3, 'test.happened', 'agg_api');
      let stats = (await t.get('/v1/outbox')).json();
      assert.equal(stats.undispatched_events, 3);
      const { module } = scriptedModule((job) =>
        job.payload.n === 2 ? { status: 'failed', error: 'no such mailbox' } : { status: 'succeeded' },
      );
      await new Dispatcher(t.app, [module], { random: () => 0 }).drain();
      stats = (await t.get('/v1/outbox')).json();
      assert.equal(stats.undispatched_events, 0);
      assert.deepEqual(
        stats.jobs.filter((j: { kind: string }) => j.kind === 'test'),
        [
          { kind: 'test', status: 'dead', count: 1 },
          { kind: 'test', status: 'succeeded', count: 2 },
        ],
      );
      const dead = (await t.get('/v1/outbox/jobs?status=dead&kind=test')).json();
      assert.equal(dead.data.length, 1);
      assert.equal(dead.data[0].last_error, 'no such mailbox');
      const one = await t.get(`/v1/outbox/jobs/${dead.data[0].id}`);
      assert.equal(one.statusCode, 200);
      const replay = await t.post(`/v1/outbox/jobs/${dead.data[0].id}/replay`);
      assert.equal(replay.statusCode, 202);
      assert.equal(replay.json().status, 'pending');
      const again = await t.post(`/v1/outbox/jobs/${dead.data[0].id}/replay`);
      assert.equal(again.statusCode, 409, 'a pending job cannot be replayed');
      assert.equal(again.json().code, 'illegal_transition');
      assert.equal((await t.get('/v1/outbox/jobs/job_nope')).statusCode, 404);
      const bad = await t.get('/v1/outbox/jobs?status=exploded');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'validation_failed');
      const page1 = (await t.get('/v1/outbox/jobs?kind=test&limit=2')).json();
      assert.equal(page1.data.length, 2);
      const page2 = (await t.get(`/v1/outbox/jobs?kind=test&limit=2&cursor=${page1.next_cursor}`)).json();
      assert.equal(page2.data.length, 1);
      assert.equal((await t.get('/v1/outbox', { authorization: 'Bearer nope' })).statusCode, 401);
    });
  });
}
