import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.js';

/**
 * The warehouse commands as an operator scripts them: wave, pick (scans, short, PDF), pack (proposal, scans),
 * ship (labels written to a folder), manifest (PDF). In-process (runCli), against a demo database on SQLite.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-wh-cli-'));
const dataDir = path.join(dir, 'data');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const exitCode = process.exitCode;
  process.exitCode = 0;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    await runCli(['node', 'fulfill', '--data-dir', dataDir, ...args]);
    return { code: Number(process.exitCode ?? 0), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = exitCode;
  }
}

interface Wave {
  pick_lists: {
    id: string;
    walk_length: number;
    naive_walk_length: number;
    tasks: { id: string; bin: string; barcode: string | null; sku: string; quantity: number; fulfillment_order_id: string }[];
  }[];
}

describe('warehouse CLI', () => {
  before(async () => {
    const demo = await cli('demo', '--orders', '40');
    assert.equal(demo.code, 0, demo.err);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('wave -> pick by scans -> pack -> ship with label files -> manifest PDF, ledger verified', async () => {
    const released = await cli('wave', '--location', 'WH-EAST', '--strategy', 'single', '--max-orders', '1', '--json');
    assert.equal(released.code, 0, released.err);
    const wave = JSON.parse(released.out) as Wave;
    const [list] = wave.pick_lists;
    assert.ok(list && list.tasks.length > 0);
    assert.ok(list.walk_length <= list.naive_walk_length);
    const pdf = path.join(dir, 'pick-list.pdf');
    assert.equal((await cli('pick', list.id, '--pdf', pdf)).code, 0);
    assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
    const wrong = await cli('pick', list.id, '--bin', 'Z-99-99', '--barcode', 'nothing');
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /wrong_bin/);
    for (const task of list.tasks) {
      const scanned = await cli(
        'pick',
        list.id,
        '--bin',
        task.bin,
        '--barcode',
        task.barcode ?? task.sku,
        '--quantity',
        String(task.quantity),
      );
      assert.equal(scanned.code, 0, scanned.err);
      assert.match(scanned.out, new RegExp(`${task.sku} -> tote T1`));
    }
    const fo = list.tasks[0]?.fulfillment_order_id as string;
    const proposal = await cli('pack', fo, '--propose');
    assert.equal(proposal.code, 0, proposal.err);
    assert.match(proposal.out, /billable/);
    const scans = list.tasks.flatMap((t) => Array.from({ length: t.quantity }, () => t.barcode ?? t.sku));
    const packed = await cli('pack', fo, '--scan', ...scans, '--json');
    assert.equal(packed.code, 0, packed.err);
    const parcels = JSON.parse(packed.out) as { id: string; sscc: string }[];
    assert.ok(parcels.length >= 1 && parcels.every((p) => /^\d{18}$/.test(p.sscc)));
    const labels = path.join(dir, 'labels');
    const shipped = await cli('ship', fo, '--strategy', 'cheapest', '--labels-dir', labels, '--json');
    assert.equal(shipped.code, 0, shipped.err);
    const shipment = JSON.parse(shipped.out) as { tracking_numbers: string[]; parcels: { id: string }[] };
    assert.equal(shipment.tracking_numbers.length, parcels.length);
    for (const p of shipment.parcels) {
      assert.equal(
        fs
          .readFileSync(path.join(labels, `label-${p.id}.pdf`))
          .subarray(0, 5)
          .toString(),
        '%PDF-',
      );
      assert.match(fs.readFileSync(path.join(labels, `label-${p.id}.zpl`), 'utf8'), /^\^XA[\s\S]*\^XZ\s*$/);
    }
    const again = await cli('ship', fo);
    assert.equal(again.code, 1);
    assert.match(again.err, /illegal_transition/);
    const manifestPdf = path.join(dir, 'manifest.pdf');
    const manifest = await cli('manifest', '--location', 'WH-EAST', '--carrier', 'table-rate', '--out', manifestPdf);
    assert.equal(manifest.code, 0, manifest.err);
    assert.match(manifest.out, new RegExp(`${parcels.length} parcels of table-rate`));
    assert.equal(fs.readFileSync(manifestPdf).subarray(0, 5).toString(), '%PDF-');
    const verify = await cli('inventory', 'verify');
    assert.equal(verify.code, 0, verify.out);
  });

  test('bad flags are clear errors with a non-zero exit', async () => {
    const badStrategy = await cli('wave', '--location', 'WH-EAST', '--strategy', 'zigzag');
    assert.equal(badStrategy.code, 1);
    assert.match(badStrategy.err, /--strategy must be single or batch/);
    const noScan = await cli('pick', 'pl_x');
    assert.equal(noScan.code, 1);
    assert.match(noScan.err, /--bin and --barcode/);
    const badDate = await cli('manifest', '--location', 'WH-EAST', '--carrier', 'table-rate', '--date', 'tomorrow');
    assert.equal(badDate.code, 1);
    const unknownFo = await cli('pack', 'fo_nope');
    assert.equal(unknownFo.code, 1);
    assert.match(unknownFo.err, /not_found/);
  });
});
