import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AisleLayout,
  defaultAisleLayout,
  type PickLine,
  type PickStop,
  parseBinCode,
  pickLinesMax,
  planPickLists,
  sequencePickLines,
  serpentinePickSequence,
  type WalkModel,
  type WalkStop,
  walkLengthMm,
} from '../../src/contexts/warehouse/domain/index.js';

const layout: AisleLayout = defaultAisleLayout; // 20 positions, 1 m bays, 3 m between aisles
const models: Record<string, WalkModel> = {
  sequence: { kind: 'sequence', stepMm: 1_000 },
  route: { kind: 'route', layout },
  aisles: { kind: 'aisles', layout },
};

function sequenceOf(binCode: string): number {
  const address = parseBinCode(binCode);
  assert.ok(address, binCode);
  return serpentinePickSequence(address, layout);
}

const line = (orderId: string, tote: string | null, binCode: string, sku: string, quantity: number): PickLine => ({
  orderId,
  tote,
  binCode,
  pickSequence: sequenceOf(binCode),
  sku,
  quantity,
});

function walk(stops: readonly WalkStop[], model: WalkModel): number {
  const length = walkLengthMm(stops, model);
  assert.ok(length.ok, length.ok ? '' : length.error.detail);
  return length.value;
}

function stopsOf(lines: readonly PickLine[]): PickStop[] {
  const stops = sequencePickLines(lines);
  assert.ok(stops.ok);
  return stops.value;
}

describe('bin codes and the serpentine sequence', () => {
  test('A-01-03 reads aisle A, position 1, level 3', () => {
    assert.deepEqual(parseBinCode('A-01-03'), { aisle: 0, position: 1, level: 3 });
    assert.deepEqual(parseBinCode('ab-120-2-L'), { aisle: 27, position: 120, level: 2 });
    assert.equal(parseBinCode('DOCK'), null);
    assert.equal(parseBinCode('A-00-01'), null);
  });

  test('up aisle A, down aisle B: B-20 comes right after A-20', () => {
    const order = ['A-01-01', 'A-01-02', 'A-20-01', 'B-20-01', 'B-01-04', 'C-01-01'].map(sequenceOf);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.equal(sequenceOf('B-20-00') - sequenceOf('A-20-00'), 100);
  });
});

describe('pick lists: hand-checked cases', () => {
  const lines = [
    line('O1', 'T1', 'C-03-01', 'LAMP', 1),
    line('O2', 'T2', 'A-05-02', 'MUG', 2),
    line('O1', 'T1', 'A-05-02', 'MUG', 1),
    line('O2', 'T2', 'B-10-01', 'BOOK', 1),
    line('O3', 'T3', 'A-05-02', 'CUP', 4),
  ];

  test('batch: one walk in pick-sequence order, a bin visited once, units shared out by tote', () => {
    const lists = planPickLists(lines, 'batch');
    assert.ok(lists.ok);
    assert.equal(lists.value.length, 1);
    const [list] = lists.value;
    assert.deepEqual(list?.orderIds, ['O1', 'O2', 'O3']);
    assert.equal(list?.unitCount, 9);
    assert.deepEqual(
      list?.stops.map((s) => [s.binCode, s.sku, s.quantity, s.allocations.map((a) => `${a.tote}:${a.quantity}`)]),
      [
        ['A-05-02', 'MUG', 3, ['T2:2', 'T1:1']],
        ['A-05-02', 'CUP', 4, ['T3:4']],
        ['B-10-01', 'BOOK', 1, ['T2:1']],
        ['C-03-01', 'LAMP', 1, ['T1:1']],
      ],
    );
  });

  test('single: one list per order, each in pick-sequence order', () => {
    const lists = planPickLists(lines, 'single');
    assert.ok(lists.ok);
    assert.deepEqual(
      lists.value.map((l) => [l.orderIds[0], l.stops.map((s) => `${s.binCode} ${s.sku} x${s.quantity}`)]),
      [
        ['O1', ['A-05-02 MUG x1', 'C-03-01 LAMP x1']],
        ['O2', ['A-05-02 MUG x2', 'B-10-01 BOOK x1']],
        ['O3', ['A-05-02 CUP x4']],
      ],
    );
  });

  test('equal pick sequences keep the order the lines came in (stable)', () => {
    const tied: PickLine[] = [
      { orderId: 'O1', tote: null, binCode: 'X-2', pickSequence: 5, sku: 'B', quantity: 1 },
      { orderId: 'O1', tote: null, binCode: 'X-1', pickSequence: 5, sku: 'A', quantity: 1 },
      { orderId: 'O1', tote: null, binCode: 'X-0', pickSequence: 1, sku: 'C', quantity: 1 },
      { orderId: 'O1', tote: null, binCode: 'X-2', pickSequence: 5, sku: 'D', quantity: 1 },
    ];
    assert.deepEqual(
      stopsOf(tied).map((s) => `${s.binCode}/${s.sku}`),
      ['X-0/C', 'X-2/B', 'X-2/D', 'X-1/A'],
    );
  });

  test('walk lengths, by hand', () => {
    const two = [line('O1', null, 'A-05-01', 'X', 1), line('O1', null, 'B-05-01', 'Y', 1)];
    // Route: up A to position 5 (5 m), on to the top of A (16 m), across (3 m), down B to 5 (16 m), back along the route (40 m).
    assert.equal(walk(two, models.route as WalkModel), 80_000);
    // Aisles: depot to A-05 (5 m), A-05 to B-05 through the front cross aisle (5 + 3 + 5 m), back to the depot (5 + 3 m).
    assert.equal(walk(two, models.aisles as WalkModel), 26_000);
    assert.equal(walk([], models.aisles as WalkModel), 0);
  });

  test('failures are typed, not thrown', () => {
    const noTote = planPickLists([line('O1', null, 'A-01-01', 'X', 1)], 'batch');
    assert.ok(!noTote.ok && noTote.error.code === 'tote_missing');
    const shared = planPickLists([line('O1', 'T1', 'A-01-01', 'X', 1), line('O2', 'T1', 'A-02-01', 'Y', 1)], 'batch');
    assert.ok(!shared.ok && shared.error.code === 'tote_shared');
    const mixed = planPickLists([line('O1', 'T1', 'A-01-01', 'X', 1), line('O1', 'T2', 'A-02-01', 'Y', 1)], 'batch');
    assert.ok(!mixed.ok && mixed.error.code === 'tote_mixed');
    const conflict = planPickLists(
      [line('O1', 'T1', 'A-01-01', 'X', 1), { ...line('O1', 'T1', 'A-01-01', 'Y', 1), pickSequence: 7 }],
      'single',
    );
    assert.ok(!conflict.ok && conflict.error.code === 'bin_sequence_conflict');
    const many = planPickLists(
      Array.from({ length: pickLinesMax + 1 }, () => line('O1', 'T1', 'A-01-01', 'X', 1)),
      'single',
    );
    assert.ok(!many.ok && many.error.code === 'too_many_lines');
    const unreadable = walkLengthMm([{ binCode: 'DOCK', pickSequence: 0 }], models.aisles as WalkModel);
    assert.ok(!unreadable.ok && unreadable.error.code === 'bin_code_unreadable');
  });
});

const aisleLetters = 'ABCDEFGHIJ';
const binArb = fc
  .record({
    aisle: fc.integer({ min: 0, max: aisleLetters.length - 1 }),
    position: fc.integer({ min: 1, max: 20 }),
    level: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ aisle, position, level }) => `${aisleLetters[aisle]}-${String(position).padStart(2, '0')}-${String(level).padStart(2, '0')}`);
const linesArb = fc
  .array(
    fc.record({
      order: fc.integer({ min: 1, max: 8 }),
      bin: binArb,
      sku: fc.constantFrom('S1', 'S2', 'S3'),
      quantity: fc.integer({ min: 1, max: 9 }),
    }),
    {
      minLength: 0,
      maxLength: 60,
    },
  )
  .map((rows) => rows.map((r) => line(`O${r.order}`, `T${r.order}`, r.bin, r.sku, r.quantity)));

function assertLinesPreserved(stops: readonly PickStop[], lines: readonly PickLine[]): void {
  const indices = stops.flatMap((s) => s.allocations.map((a) => a.lineIndex)).sort((a, b) => a - b);
  assert.deepEqual(
    indices,
    lines.map((_, i) => i),
    'every line exactly once',
  );
  for (const stop of stops) {
    assert.equal(
      stop.quantity,
      stop.allocations.reduce((sum, a) => sum + a.quantity, 0),
    );
    for (const a of stop.allocations) {
      const source = lines[a.lineIndex];
      assert.deepEqual(
        [source?.binCode, source?.sku, source?.quantity, source?.tote, source?.orderId],
        [stop.binCode, stop.sku, a.quantity, a.tote, a.orderId],
      );
    }
  }
}

describe('pick path properties', () => {
  test('batch: every line exactly once, quantities preserved, sorted, each bin one visit, never longer than the naive walk', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const lists = planPickLists(lines, 'batch');
        assert.ok(lists.ok);
        const stops = lists.value[0]?.stops ?? [];
        assertLinesPreserved(stops, lines);
        const total = lines.reduce((sum, l) => sum + l.quantity, 0);
        assert.equal(lists.value[0]?.unitCount ?? 0, total);
        for (let i = 1; i < stops.length; i += 1) assert.ok((stops[i - 1]?.pickSequence ?? 0) <= (stops[i]?.pickSequence ?? 0));
        const visits = stops.map((s) => s.binCode).filter((bin, i, all) => bin !== all[i - 1]);
        assert.equal(new Set(visits).size, visits.length, 'a bin is one visit');
        for (const model of [models.sequence, models.route] as WalkModel[]) assert.ok(walk(stops, model) <= walk(lines, model));
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  test('single: one list per order, together every line exactly once, each never longer than its naive walk', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const lists = planPickLists(lines, 'single');
        assert.ok(lists.ok);
        assertLinesPreserved(
          lists.value.flatMap((l) => l.stops),
          lines,
        );
        for (const list of lists.value) {
          assert.equal(list.orderIds.length, 1);
          const own = lines.filter((l) => l.orderId === list.orderIds[0]);
          assert.ok(walk(list.stops, models.route as WalkModel) <= walk(own, models.route as WalkModel));
        }
      }),
      { numRuns: 200, seed: 4 },
    );
  });

  test('any pick sequences (not from bin codes): the sequence walk is never longer than the naive one', () => {
    const arb = fc.array(fc.record({ bin: fc.integer({ min: 0, max: 30 }), quantity: fc.integer({ min: 1, max: 5 }) }), { maxLength: 50 });
    fc.assert(
      fc.property(arb, fc.array(fc.nat({ max: 10_000 }), { minLength: 31, maxLength: 31 }), (rows, sequences) => {
        const lines = rows.map(
          (r): PickLine => ({
            orderId: 'O',
            tote: null,
            binCode: `BIN-${r.bin}`,
            pickSequence: sequences[r.bin] ?? 0,
            sku: 'S',
            quantity: r.quantity,
          }),
        );
        const stops = stopsOf(lines);
        assertLinesPreserved(stops, lines);
        assert.ok(walk(stops, models.sequence as WalkModel) <= walk(lines, models.sequence as WalkModel));
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe('walk comparison on a batch wave', () => {
  test('40 orders in one walk: the pick-sequence order is much shorter than the naive order', () => {
    const orderArb = fc.array(
      fc.record({ bin: binArb, sku: fc.constantFrom('S1', 'S2', 'S3', 'S4'), quantity: fc.integer({ min: 1, max: 3 }) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    );
    const orders = fc.sample(orderArb, { numRuns: 40, seed: 99 });
    const lines = orders.flatMap((rows, o) => rows.map((r) => line(`O${o}`, `T${o}`, r.bin, r.sku, r.quantity)));
    const lists = planPickLists(lines, 'batch');
    assert.ok(lists.ok);
    const stops = lists.value[0]?.stops ?? [];
    const report: string[] = [];
    for (const name of ['route', 'aisles']) {
      const model = models[name] as WalkModel;
      const naive = walk(lines, model);
      const sequenced = walk(stops, model);
      assert.ok(sequenced < naive, `${name}: ${sequenced} < ${naive}`);
      report.push(`${name} model ${(naive / 1000).toFixed(0)} m naive -> ${(sequenced / 1000).toFixed(0)} m in sequence`);
    }
    console.log(`[pick path] 40 orders, ${lines.length} lines, ${stops.length} stops in 10 aisles: ${report.join('; ')}`);
  });
});
