import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Box,
  type CartonizationPlan,
  cartonizationUnitsMax,
  cartonize,
  dimensionalRules,
  type PackUnit,
  type Pricing,
  packIntoBox,
  standardBoxCatalog,
  unpackableReason,
} from '../../src/contexts/warehouse/domain/index.js';
import { type BruteUnit, bestSingleBox, optimalCost } from './brute-force.js';
import { assertValidPlan } from './plan-checks.js';

/** Hand-checkable boxes: outer = inner + 10 mm. */
function box(
  code: string,
  [length, width, height]: [number, number, number],
  costMinor: number,
  maxWeightG = 20_000,
  boxWeightG = 100,
): Box {
  return {
    code,
    kind: 'box',
    innerMm: { length, width, height },
    outerMm: { length: length + 10, width: width + 10, height: height + 10 },
    boxWeightG,
    maxWeightG,
    costMinor,
  };
}

const small = box('SMALL', [200, 150, 100], 50, 10_000);
const medium = box('MEDIUM', [300, 200, 200], 80);
const large = box('LARGE', [400, 300, 300], 120, 30_000, 400);
const catalog = [small, medium, large];

/** Only the boxes cost: the cheapest box that fits wins. */
const boxesOnly: Pricing = { rate: () => 0, dimensionalRule: dimensionalRules.metric5000HalfKg };

const unit = (id: string, [length, width, height]: [number, number, number], weightG: number | null, quantity = 1): PackUnit => ({
  id,
  dimensionsMm: { length, width, height },
  weightG,
  quantity,
});

function planOf(result: ReturnType<typeof cartonize>): CartonizationPlan {
  assert.ok(result.ok, result.ok ? '' : result.error.detail);
  return result.value;
}

const boxCodes = (plan: CartonizationPlan): string[] => plan.parcels.map((p) => p.box.code).sort();

describe('cartonization: hand-checked cases', () => {
  test('one unit goes in the cheapest box it fits', () => {
    const units = [unit('BOOK', [190, 140, 40], 500)];
    const plan = planOf(cartonize(units, catalog, { pricing: boxesOnly }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['SMALL']);
    assert.equal(plan.costMinor, 50);
    assert.equal(plan.parcels[0]?.actualWeightG, 600);
  });

  test('a unit standing on end is turned to fit (rotation)', () => {
    // 95 x 140 x 190 stands too tall for SMALL's 100 mm; lying down (190 x 140 x 95) it fits.
    const units = [unit('VASE', [95, 140, 190], 800)];
    const plan = planOf(cartonize(units, catalog, { pricing: boxesOnly }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['SMALL']);
    const placement = plan.parcels[0]?.placements[0];
    assert.deepEqual(placement?.extentMm, { length: 190, width: 140, height: 95 });
    assert.notEqual(placement?.rotation, 'lwh');
  });

  test('eight 100 mm cubes fill a 200 mm cube exactly', () => {
    const cube = box('CUBE', [200, 200, 200], 60);
    const units = [unit('DICE', [100, 100, 100], 50, 8)];
    const plan = planOf(cartonize(units, [cube, large], { pricing: boxesOnly }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['CUBE']);
    assert.equal(plan.parcels[0]?.fillRatio, 1);
  });

  test('a real 3D fit, not a volume test: two 110 mm cubes do not share a 200 mm cube', () => {
    // Volume says yes (2.66 l in 8 l), geometry says no (110 + 110 > 200 on every axis).
    const cube = box('CUBE', [200, 200, 200], 10);
    const long = box('LONG', [300, 200, 200], 100);
    const units = [unit('BLOCK', [110, 110, 110], 300, 2)];
    const plan = planOf(cartonize(units, [cube, long], { pricing: boxesOnly }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['CUBE', 'CUBE'], 'two cubes (20) beat one long box (100)');
    const override = packIntoBox(units, cube, { pricing: boxesOnly });
    assert.ok(!override.ok && override.error.code === 'no_arrangement');
  });

  test('splits when no single box holds everything', () => {
    const units = [unit('CHAIR', [380, 280, 280], 6_000, 2)];
    const plan = planOf(cartonize(units, catalog, { pricing: boxesOnly }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['LARGE', 'LARGE']);
  });

  test('splits when two parcels are cheaper than one (a heavy-parcel surcharge)', () => {
    // Both kettles fit MEDIUM (6.2 kg: 5000 + 80), but two SMALL parcels of 3.1 kg cost 2 x (100 + 50).
    const surcharge: Pricing = {
      rate: (q) => (q.billable.billableG > 5_000 ? 5_000 : 100),
      dimensionalRule: dimensionalRules.metric5000HalfKg,
    };
    const units = [unit('KETTLE', [180, 140, 90], 3_000, 2)];
    const plan = planOf(cartonize(units, catalog, { pricing: surcharge }));
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['SMALL', 'SMALL']);
    assert.equal(plan.costMinor, 300);
  });

  test('a light bulky unit pays dimensional weight, and the cost counts it', () => {
    const units = [unit('PILLOW', [380, 280, 250], 300)];
    const plan = planOf(cartonize(units, catalog));
    const parcel = plan.parcels[0];
    assert.equal(parcel?.box.code, 'LARGE');
    // Outer 41 x 31 x 31 cm = 39,401 cm3 / 5000 = 7.88 kg, up to 8.0 kg; actual 0.7 kg.
    assert.deepEqual(parcel?.billable, { actualG: 700, dimensionalG: 7_881, billableG: 8_000, basis: 'dimensional' });
    // Default rate: 500 + 100 per started 0.5 kg = 500 + 1600, plus the box's 120.
    assert.equal(parcel?.costMinor, 2_220);
  });

  test('a smaller box is chosen over a cheaper-looking bigger one when the rate says so', () => {
    // Same box price; the medium box's dimensional weight is lower, so its rate is lower.
    const units = [unit('SHOES', [290, 190, 110], 900)];
    const sameBoxCost = catalog.map((b) => ({ ...b, costMinor: 100 }));
    const plan = planOf(cartonize(units, sameBoxCost));
    assert.equal(plan.parcels[0]?.box.code, 'MEDIUM');
  });

  test('weight limits hold: a heavy unit skips a box that would be overweight', () => {
    const units = [unit('WEIGHTS', [150, 100, 80], 9_950)];
    const plan = planOf(cartonize(units, catalog, { pricing: boxesOnly }));
    assert.equal(plan.parcels[0]?.box.code, 'MEDIUM', 'SMALL carries 10 kg, the unit and the box weigh 10.05 kg');
  });
});

describe('cartonization: typed failures name the unit', () => {
  test('too large, too heavy, unknown size, unknown weight', () => {
    const units = [
      unit('OK', [100, 100, 100], 100),
      unit('SOFA', [2_000, 900, 800], 40_000),
      unit('ANVIL', [200, 150, 100], 31_000),
      { id: 'MYSTERY', dimensionsMm: null, weightG: 100, quantity: 1 },
      unit('GHOST', [100, 100, 100], null),
      unit('FLAT', [100, 100, 0], 100),
    ];
    const result = cartonize(units, catalog);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'unit_unpackable');
    assert.ok(result.error.code === 'unit_unpackable');
    assert.deepEqual(result.error.units, [
      { unitId: 'SOFA', reason: 'too_large' },
      { unitId: 'ANVIL', reason: 'too_heavy' },
      { unitId: 'MYSTERY', reason: 'dimensions_missing' },
      { unitId: 'GHOST', reason: 'weight_missing' },
      { unitId: 'FLAT', reason: 'dimensions_missing' },
    ]);
    assert.match(result.error.detail, /SOFA \(too large\)/);
  });

  test('too many units is a failure, not a long wait', () => {
    const result = cartonize([unit('PIN', [10, 10, 10], 1, cartonizationUnitsMax + 1)], catalog);
    assert.ok(!result.ok && result.error.code === 'too_many_units');
  });

  test('a rate that refuses every parcel', () => {
    const refuses: Pricing = { rate: () => null, dimensionalRule: dimensionalRules.metric5000HalfKg };
    const result = cartonize([unit('BOOK', [190, 140, 40], 500)], catalog, { pricing: refuses });
    assert.ok(!result.ok && result.error.code === 'no_rate');
  });
});

describe('packer override', () => {
  const units = [unit('MUG', [120, 90, 100], 350, 2)];

  test('a box that fits gives the same plan shape, one parcel', () => {
    const result = packIntoBox(units, large, { pricing: boxesOnly });
    const plan = planOf(result);
    assertValidPlan(plan, units);
    assert.deepEqual(boxCodes(plan), ['LARGE']);
  });

  test('a box too small names the unit', () => {
    const result = packIntoBox([unit('POSTER', [600, 80, 80], 300)], medium);
    assert.ok(!result.ok && result.error.code === 'unit_unpackable');
    assert.deepEqual(result.error.code === 'unit_unpackable' && result.error.units, [{ unitId: 'POSTER', reason: 'too_large' }]);
  });

  test('a box too weak for the weight', () => {
    const result = packIntoBox([unit('BRICK', [190, 90, 60], 3_400, 3)], small);
    assert.ok(!result.ok);
    assert.deepEqual(result.error, {
      code: 'box_overweight',
      detail: 'the units and box SMALL weigh 10300 g, more than its 10000 g',
      boxCode: 'SMALL',
      weightG: 10_300,
      maxWeightG: 10_000,
    });
  });
});

const dimension = fc.integer({ min: 20, max: 420 });
const unitsArb = fc
  .array(
    fc.record({
      size: fc.tuple(dimension, dimension, fc.integer({ min: 5, max: 300 })),
      weightG: fc.integer({ min: 0, max: 8_000 }),
      quantity: fc.integer({ min: 1, max: 6 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((rows) => rows.map((row, i) => unit(`U${i}`, row.size, row.weightG, row.quantity)));
const catalogArb = fc.subarray([...standardBoxCatalog], { minLength: 1 });
const pricingArb = fc.record({
  rule: fc.constantFrom(...Object.values(dimensionalRules)),
  base: fc.integer({ min: 0, max: 1_000 }),
  perKg: fc.integer({ min: 0, max: 500 }),
  surchargeAboveG: fc.integer({ min: 1_000, max: 40_000 }),
});
const toPricing = (p: { rule: Pricing['dimensionalRule']; base: number; perKg: number; surchargeAboveG: number }): Pricing => ({
  dimensionalRule: p.rule,
  rate: (q) => p.base + Math.ceil((p.perKg * q.billable.billableG) / 1_000) + (q.billable.billableG > p.surchargeAboveG ? 2_000 : 0),
});

describe('cartonization properties', () => {
  test('every unit placed once, inside its box in some rotation, no overlaps, weight limits hold', () => {
    fc.assert(
      fc.property(unitsArb, catalogArb, pricingArb, (units, boxes, pricing) => {
        const result = cartonize(units, boxes, { pricing: toPricing(pricing) });
        const unpackable = units.filter((u) => unpackableReason(u, boxes) !== null).map((u) => u.id);
        if (!result.ok) {
          assert.equal(result.error.code, 'unit_unpackable');
          assert.deepEqual(result.error.code === 'unit_unpackable' && result.error.units.map((u) => u.unitId), unpackable);
          return;
        }
        assert.deepEqual(unpackable, [], 'a plan exists exactly when every unit fits some box alone');
        assertValidPlan(result.value, units);
      }),
      { numRuns: 300, seed: 20_251_103 },
    );
  });

  test('the cost is never higher than the best single-box solution', () => {
    fc.assert(
      fc.property(unitsArb, catalogArb, pricingArb, (units, boxes, p) => {
        const pricing = toPricing(p);
        const result = cartonize(units, boxes, { pricing });
        if (!result.ok) return;
        for (const b of boxes) {
          const single = packIntoBox(units, b, { pricing });
          if (single.ok)
            assert.ok(result.value.costMinor <= single.value.costMinor, `${result.value.costMinor} <= ${b.code} ${single.value.costMinor}`);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  test('a packer override that succeeds is a valid plan; one that fails says why', () => {
    fc.assert(
      fc.property(unitsArb, fc.constantFrom(...standardBoxCatalog), (units, b) => {
        const result = packIntoBox(units, b);
        if (result.ok) {
          assertValidPlan(result.value, units);
          assert.equal(result.value.parcels.length, 1);
        } else {
          assert.ok(['unit_unpackable', 'box_overweight', 'no_arrangement'].includes(result.error.code));
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

type Sides = [number, number, number];

/** Random units of e-commerce sizes. */
const looseArb = fc.array(
  fc.tuple(fc.integer({ min: 30, max: 330 }), fc.integer({ min: 30, max: 330 }), fc.integer({ min: 10, max: 250 })),
  { minLength: 1, maxLength: 4 },
);

/**
 * Tight instances: a catalog box cut into 2 to 4 pieces by guillotine cuts, each piece 0-3 mm smaller
 * and turned at random. They fit that box only in the one arrangement of the cuts (or its mirrors).
 */
const tightArb = fc
  .record({
    box: fc.constantFrom(...standardBoxCatalog),
    cuts: fc.array(
      fc.record({
        piece: fc.nat(),
        axis: fc.constantFrom(0 as const, 1 as const, 2 as const),
        at: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
      }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    turns: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
    shrink: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ box: b, cuts, turns, shrink }) => {
    const pieces: Sides[] = [[b.innerMm.length, b.innerMm.width, b.innerMm.height]];
    for (const cut of cuts) {
      const index = cut.piece % pieces.length;
      const piece = pieces[index] as Sides;
      const first = Math.max(1, Math.round(piece[cut.axis] * cut.at));
      if (first >= piece[cut.axis]) continue;
      const a: Sides = [...piece];
      const c: Sides = [...piece];
      a[cut.axis] = first;
      c[cut.axis] = piece[cut.axis] - first;
      pieces.splice(index, 1, a, c);
    }
    const orders: (readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2])[] = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    return pieces.map((piece, i): Sides => {
      const [p, q, r] = orders[turns[i] ?? 0] ?? [0, 1, 2];
      return [Math.max(1, piece[p] - shrink), Math.max(1, piece[q] - shrink), Math.max(1, piece[r] - shrink)];
    });
  });

function compareWithBruteForce(family: string, instances: readonly Sides[][], pricing: Pricing): { compared: number; gapMean: number } {
  let compared = 0;
  let optimal = 0;
  let gapSum = 0;
  let gapMax = 0;
  let unconfirmed = 0;
  for (const sizes of instances) {
    const units = sizes.map((size, i) => unit(`U${i}`, size, 100 + ((size[0] * 7 + size[1] * 3 + size[2]) % 2_900)));
    const result = cartonize(units, standardBoxCatalog, { pricing });
    const brute: BruteUnit[] = units.map((u) => ({ size: u.dimensionsMm ?? { length: 0, width: 0, height: 0 }, weightG: u.weightG ?? 0 }));
    const best = optimalCost(brute, standardBoxCatalog, pricing);
    assert.equal(result.ok, best !== null, 'the heuristic finds a plan exactly when one exists');
    if (!result.ok || best === null) continue;
    assertValidPlan(result.value, units);
    assert.ok(result.value.costMinor >= best, 'no heuristic plan beats the optimum');
    compared += 1;
    const gap = (result.value.costMinor - best) / best;
    if (gap === 0) optimal += 1;
    gapSum += gap;
    gapMax = Math.max(gapMax, gap);
    const single = bestSingleBox(brute, standardBoxCatalog, pricing);
    if (single !== null && !packIntoBox(units, single.box, { pricing }).ok) unconfirmed += 1;
  }
  console.log(
    `[cartonization vs brute force, ${family}] ${compared} instances of 1-4 units: optimal in ${optimal} ` +
      `(${((100 * optimal) / compared).toFixed(1)}%), mean gap ${((100 * gapSum) / compared).toFixed(2)}%, max gap ${(100 * gapMax).toFixed(1)}%; ` +
      `the packer found no arrangement in the cheapest box brute force fills in ${unconfirmed}`,
  );
  return { compared, gapMean: gapSum / compared };
}

describe('heuristic against brute force (every split, every box, every rotation) on small instances', () => {
  const pricing: Pricing = {
    rate: (q) => 500 + 100 * Math.ceil(q.billable.billableG / 500),
    dimensionalRule: dimensionalRules.metric5000HalfKg,
  };

  test('random units: reports the gap', () => {
    const { compared, gapMean } = compareWithBruteForce('random units', fc.sample(looseArb, { numRuns: 400, seed: 42 }), pricing);
    assert.ok(compared > 300);
    assert.ok(gapMean < 0.02, 'within 2% of the optimum on average');
  });

  test('tight units cut from a box: reports the gap', () => {
    const { compared, gapMean } = compareWithBruteForce('cut from a box', fc.sample(tightArb, { numRuns: 300, seed: 43 }), pricing);
    assert.ok(compared > 250);
    assert.ok(gapMean < 0.05, 'within 5% of the optimum on average');
  });
});
