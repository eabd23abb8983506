/**
 * Several dispatchers at once never send a delivery twice: on PostgreSQL two composed apps (as two server
 * processes would) share one schema and claim jobs with FOR UPDATE SKIP LOCKED; on SQLite two dispatchers
 * share the one writer. Every delivery arrives exactly once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type App, compose } from '../../src/compose.js';
import { Dispatcher } from '../../src/contexts/outbox/index.js';
import { webhooksModule } from '../../src/contexts/webhooks/index.js';
import { ManualClock, systemClock } from '../../src/kernel/clock.js';
import { testDialects } from '../support/dialects.js';
import { createTestApp } from '../support/harness.js';
import { appendOrderEvents, createEndpoint, startReceiver } from './support.js';

process.env.WEBHOOKS_ALLOW_PRIVATE = '1';

/** Routes and runs until this dispatcher finds nothing; returns how many jobs it ran. */
async function drainCounting(dispatcher: Dispatcher): Promise<number> {
  let ran = 0;
  for (let round = 0; round < 10_000; round++) {
    const routed = await dispatcher.route();
    const jobs = await dispatcher.runJobs();
    ran += jobs;
    if (routed === 0 && jobs === 0) return ran;
  }
  throw new Error('did not drain');
}

for (const dialect of await testDialects()) {
  describe(`concurrent dispatchers (${dialect})`, () => {
    test('two dispatchers draining at once deliver every event exactly once', async () => {
      const clock = new ManualClock('2026-03-02T09:00:00.000Z');
      const options = { webhooks: { signingClock: systemClock }, dispatcherOptions: { batchSize: 16 } };
      const t = await createTestApp(dialect, { clock, compose: options });
      let other: App | null = null;
      const receiver = await startReceiver(() => ({ status: 200 }));
      try {
        other =
          dialect === 'postgres'
            ? await compose({
                databaseUrl: t.database.databaseUrl,
                searchPath: t.database.searchPath as string,
                dataDir: t.dataDir,
                clock,
                ...options,
              })
            : null;
        const endpoint = await createEndpoint(t, receiver, ['*']);
        const events = await appendOrderEvents(t, 300);
        // On SQLite the second dispatcher carries only the webhooks module (events of this test concern no other).
        const dispatchers: Dispatcher[] = [
          t.app.dispatcher,
          other?.dispatcher ?? new Dispatcher(t.app, [webhooksModule(t.app, { signingClock: systemClock })], { batchSize: 16 }),
        ];
        const ran = await Promise.all(dispatchers.map((d) => drainCounting(d)));
        await t.drain();
        assert.equal(
          ran.reduce((a, b) => a + b, 0),
          300,
          `jobs run per dispatcher: ${ran.join(', ')}`,
        );
        if (dialect === 'postgres')
          assert.ok(
            ran.every((n) => n > 0),
            `both dispatchers worked: ${ran.join(', ')}`,
          );
        assert.equal(receiver.received.length, 300);
        assert.equal(new Set(receiver.received.map((r) => r.id)).size, 300, 'no webhook-id twice');
        assert.deepEqual(receiver.received.map((r) => r.json.data.id).sort(), [...events].sort());
        assert.ok(receiver.received.every((r) => r.verified));
        const succeeded = await t.app.db.read
          .selectFrom('webhook_attempts')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .where('endpoint_id', '=', endpoint.id)
          .where('outcome', '=', 'succeeded')
          .executeTakeFirstOrThrow();
        assert.equal(Number(succeeded.n), 300, 'one logged attempt per delivery');
      } finally {
        await receiver.close();
        await other?.close();
        await t.close();
      }
    });
  });
}
