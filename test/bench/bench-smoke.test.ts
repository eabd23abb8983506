/**
 * The benchmark harness works: every measurement runs end to end in tiny quick mode, servers and databases are
 * cleaned up, the report and the targets table are produced. No performance assertion: benchmarks are not
 * timed tests (npm run bench measures; see bench/run.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BenchOptions, quickOptions, runBench } from '../../bench/harness.js';
import { postgresReachable } from '../../bench/lib/databases.js';
import { runningChildren } from '../../bench/lib/processes.js';
import { comparisons, formatReport, targets } from '../../bench/report.js';
import { parseOptions } from '../../bench/run.js';
import { testDialects } from '../support/dialects.js';

describe('bench harness', () => {
  test('flags: --quick, --only, --duration', () => {
    const quick = parseOptions(['--quick', '--only', 'postgres', '--duration', '3']);
    assert.equal(quick.options.durationS, 3);
    assert.equal(quick.options.warmupS, quickOptions.warmupS);
    assert.deepEqual(quick.options.dialects, ['postgres']);
    assert.equal(quick.write, true);
    assert.throws(() => parseOptions(['--only', 'mysql']), /--only/);
    assert.throws(() => parseOptions(['--duration', '-1']), /--duration/);
    assert.deepEqual([...quick.areas].sort(), ['core', 'digital', 'leads', 'mail', 'tracking', 'warehouse', 'webhooks']);
    const some = parseOptions(['--areas', 'webhooks,leads', '--no-warehouse']);
    assert.deepEqual([...some.areas].sort(), ['leads', 'webhooks']);
    assert.equal(some.warehouse, false);
    assert.throws(() => parseOptions(['--areas', 'core,magic']), /--areas/);
  });

  test('every measurement runs, on every dialect, and leaves no server behind', { timeout: 120_000 }, async () => {
    const dialects = (await testDialects()).filter((d) => d !== 'postgres') as BenchOptions['dialects'][number][];
    if ((await testDialects()).includes('postgres') && (await postgresReachable())) dialects.push('postgres');
    const results = await runBench({
      ...quickOptions,
      // autocannon measures in whole seconds; no warm-up keeps the test short.
      durationS: 0.5,
      warmupS: 0,
      dialects,
      connections: 8,
      postgresRawClients: 2,
      batchOrders: 100,
      skuCount: 20,
      log: process.env.BENCH_SMOKE_LOG ? undefined : () => undefined,
    });
    assert.equal(runningChildren(), 0, 'every server process was stopped');
    assert.deepEqual(results.problems, []);
    assert.ok(results.bare.expected > 0, 'the bare endpoint answered 201');
    for (const d of results.dialects) {
      assert.ok(d.raw && d.intake && d.hot && d.batchHttp && d.import, `${d.dialect}: every measurement ran`);
      assert.ok(d.raw.perOrder.orders > 0 && d.raw.perOrderHot.orders > 0 && d.raw.batched.orders > 0, `${d.dialect}: raw ceilings wrote`);
      for (const run of [d.intake, d.hot]) {
        assert.ok(run.expected > 0, `${d.dialect}: orders were created over HTTP`);
        assert.ok(run.storedOrders >= run.acknowledgedTotal, `${d.dialect}: every acknowledged order is stored`);
        assert.ok(run.server.transactions > 0, `${d.dialect}: the server reported its group commits`);
      }
      assert.ok(d.batchHttp.orders > 0 && d.import.orders > 0, `${d.dialect}: batch and import created orders`);
    }
    assert.equal(comparisons(results).length, 7 * dialects.length);
    assert.ok(targets(results).length > 0);
    assert.match(formatReport(results), /Targets \(issue 2, Performance\)/);
  });
});
