import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  billableWeight,
  type DimensionalRule,
  dimensionalRules,
  gramsPerPound,
  roundWeightUpG,
} from '../../src/contexts/warehouse/domain/index.js';

const mm = (length: number, width: number, height: number) => ({ length, width, height });

/** Worked examples: each is the arithmetic a carrier's rate guide shows. */
describe('billable weight: worked examples', () => {
  test('metric 5000 cm3/kg, up to the next 0.5 kg: a light 40x30x20 cm parcel pays its volume', () => {
    // 40 x 30 x 20 = 24,000 cm3 / 5000 = 4.8 kg > 2.3 kg actual -> 5.0 kg.
    assert.deepEqual(billableWeight(2_300, mm(400, 300, 200), dimensionalRules.metric5000HalfKg), {
      actualG: 2_300,
      dimensionalG: 4_800,
      billableG: 5_000,
      basis: 'dimensional',
    });
  });

  test('metric 5000: the same parcel at 7.26 kg pays its weight, rounded up to 7.5 kg', () => {
    assert.deepEqual(billableWeight(7_260, mm(400, 300, 200), dimensionalRules.metric5000HalfKg), {
      actualG: 7_260,
      dimensionalG: 4_800,
      billableG: 7_500,
      basis: 'actual',
    });
  });

  test('metric: sides are measured up to the next whole cm (401 mm is 41 cm)', () => {
    // 41 x 31 x 21 = 26,691 cm3: / 5000 = 5.34 kg -> 5.5 kg; / 6000 = 4.45 kg -> 5 kg (whole kg).
    assert.equal(billableWeight(500, mm(401, 301, 201), dimensionalRules.metric5000HalfKg).billableG, 5_500);
    assert.equal(billableWeight(500, mm(401, 301, 201), dimensionalRules.metric6000WholeKg).billableG, 5_000);
  });

  test('imperial 139 in3/lb, up to the next whole lb: a 12x12x12 in box', () => {
    // 1728 in3 / 139 = 12.43 lb (5,639 g) > 3 lb actual -> 13 lb = 5,897 g (13 x 453.59237 to the gram).
    assert.deepEqual(billableWeight(1_361, mm(305, 305, 305), dimensionalRules.imperial139WholeLb), {
      actualG: 1_361,
      dimensionalG: 5_639,
      billableG: 5_897,
      basis: 'dimensional',
    });
  });

  test('imperial 166 in3/lb (USPS): the same box is 10.41 lb -> 11 lb', () => {
    assert.equal(billableWeight(1_361, mm(305, 305, 305), dimensionalRules.imperial166WholeLb).billableG, 4_990);
  });

  test('imperial: sides to the nearest inch (318 mm is 12.52 in -> 13, 290 mm is 11.42 in -> 11)', () => {
    // 13 x 12 x 11 = 1716 in3 / 139 = 12.35 lb -> 13 lb.
    const result = billableWeight(0, mm(318, 305, 290), dimensionalRules.imperial139WholeLb);
    assert.equal(result.dimensionalG, 5_600);
    assert.equal(result.billableG, 5_897);
  });

  test('imperial: a heavy small parcel pays its weight, up to the next lb (10.2 lb -> 11 lb)', () => {
    assert.deepEqual(billableWeight(4_627, mm(152, 152, 152), dimensionalRules.imperial139WholeLb), {
      actualG: 4_627,
      dimensionalG: 705,
      billableG: 4_990,
      basis: 'actual',
    });
  });

  test('rounding steps in their units', () => {
    assert.equal(roundWeightUpG(0, { unit: 'kg', step: 0.5 }), 0);
    assert.equal(roundWeightUpG(1, { unit: 'kg', step: 0.5 }), 500);
    assert.equal(roundWeightUpG(500, { unit: 'kg', step: 0.5 }), 500);
    assert.equal(roundWeightUpG(501, { unit: 'kg', step: 0.5 }), 1_000);
    assert.equal(roundWeightUpG(454, { unit: 'lb', step: 1 }), 454, '1 lb is 453.59 g: 454 g to the gram');
    assert.equal(roundWeightUpG(455, { unit: 'lb', step: 1 }), 907);
    assert.equal(roundWeightUpG(1_361, { unit: 'lb', step: 1 }), 1_361, 'a rounded weight stays put: 1,361 g is 3 lb to the gram');
    assert.equal(roundWeightUpG(29, { unit: 'oz', step: 1 }), 57);
    assert.equal(roundWeightUpG(1_234, { unit: 'g', step: 1 }), 1_234);
  });
});

describe('billable weight properties', () => {
  const ruleArb = fc.constantFrom<DimensionalRule>(...Object.values(dimensionalRules), {
    divisor: { unit: 'in3_per_lb', value: 139 },
    rounding: { unit: 'oz', step: 1 },
    sides: 'exact',
  });
  const side = fc.integer({ min: 1, max: 1_500 });

  test('whole grams, at least the actual and the dimensional weight, and rounding twice changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), side, side, side, ruleArb, (actual, l, w, h, rule) => {
        const result = billableWeight(actual, mm(l, w, h), rule);
        assert.ok(Number.isSafeInteger(result.billableG) && Number.isSafeInteger(result.dimensionalG));
        assert.ok(result.billableG >= actual && result.billableG >= result.dimensionalG);
        assert.equal(roundWeightUpG(result.billableG, rule.rounding), result.billableG);
        const step = rule.rounding.unit === 'lb' ? gramsPerPound * rule.rounding.step : 0;
        if (step > 0) assert.ok(result.billableG - Math.max(actual, result.dimensionalG) < step + 1, 'never more than one step up');
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  test('monotone: a heavier or a bigger parcel never bills less', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        side,
        side,
        side,
        fc.integer({ min: 0, max: 200 }),
        ruleArb,
        (actual, more, l, w, h, grow, rule) => {
          const base = billableWeight(actual, mm(l, w, h), rule).billableG;
          assert.ok(billableWeight(actual + more, mm(l, w, h), rule).billableG >= base);
          assert.ok(billableWeight(actual, mm(l + grow, w, h), rule).billableG >= base);
        },
      ),
      { numRuns: 300, seed: 2 },
    );
  });
});
