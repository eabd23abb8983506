/**
 * The warehouse bench works: in quick mode on a small subset of the Olist sample, every measurement runs on
 * every dialect, its checks hold (inventory verifies, orders end fulfilled, served label PDFs are the carrier's
 * own bytes, shared font metrics change no byte), and the report has every figure with a verdict. No timing
 * assertion: benchmarks are not timed tests (bench/warehouse.ts measures).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { olistAvailable } from '../../bench/warehouse/olist.js';
import { parseWarehouseOptions, runWarehouseBench } from '../../bench/warehouse.js';
import { testDialects } from '../support/dialects.js';

describe('warehouse bench', { skip: !olistAvailable() && 'Olist data not found' }, () => {
  test('flags', () => {
    const parsed = parseWarehouseOptions(['--quick', '--only', 'sqlite', '--orders', '50', '--pg-orders', 'all', '--no-write']);
    assert.equal(parsed.options.quick, true);
    assert.deepEqual(parsed.options.dialects, ['sqlite']);
    assert.equal(parsed.options.orders, 50);
    assert.equal(parsed.options.postgresOrders, 'all');
    assert.equal(parsed.write, false);
    assert.deepEqual(parseWarehouseOptions([]).options.dialects, ['sqlite', 'postgres']);
    assert.throws(() => parseWarehouseOptions(['--only', 'mysql']), /--only/);
    assert.throws(() => parseWarehouseOptions(['--orders', '0']), /--orders/);
  });

  test('every measurement runs on a small subset, on every dialect, and its checks hold', { timeout: 120_000 }, async () => {
    const dialects = await testDialects();
    const { results, table } = await runWarehouseBench({
      quick: true,
      dialects,
      orders: 40,
      postgresOrders: 25,
      cartonizationOrders: 200,
      pdfLabels: 20,
      log: process.env.BENCH_SMOKE_LOG ? undefined : () => undefined,
    });
    assert.deepEqual(results.problems, []);
    assert.deepEqual(JSON.parse(JSON.stringify(results)), results, 'the results are plain data');
    assert.equal(results.cartonization?.orders, 200);
    assert.ok(results.renderers?.sameBytesAsPdfkit, 'shared font metrics change no byte of a label PDF');
    assert.ok(results.renderers.pdf.labels === 20 && results.renderers.zpl.labels === 200);
    assert.equal(results.flows.length, dialects.length);
    for (const entry of results.flows) {
      const flow = entry.result;
      assert.ok(flow, `${entry.dialect}: the flow ran`);
      assert.equal(flow.inventoryVerified, true);
      assert.ok(flow.counts.labels > 0 && flow.counts.shipments > 0, `${entry.dialect}: parcels were labelled and shipped`);
      assert.equal(flow.counts.manifestParcels, flow.counts.labels);
      assert.equal(flow.orderStatuses.fulfilled, flow.counts.packedWhole);
      assert.ok(flow.pdfSameAsCarrier.checked > 0 && flow.pdfSameAsCarrier.same === flow.pdfSameAsCarrier.checked);
      assert.deepEqual(
        flow.stages.map((s) => s.name),
        ['waves released', 'pick scans', 'packed (parcels)', 'labels bought', 'labels printed (ZPL)', 'shipped', 'manifest (parcels)'],
      );
    }
    assert.equal(results.endToEnd.length, dialects.length);
    const figures = results.targets.map((t) => t.figure).join('\n');
    for (const figure of [/cartonization per order/, /PDF, renderer/, /ZPL, renderer/, /PDF end to end, SQLite/, /flow, SQLite/]) {
      assert.match(figures, figure);
    }
    for (const t of results.targets) assert.ok(['PASS', 'MISS', 'n/a', '-'].includes(t.verdict));
    assert.match(table, /Warehouse \(issue 3, Performance\)/);
    assert.match(table, /SQLite flow: 40 orders/);
  });
});
