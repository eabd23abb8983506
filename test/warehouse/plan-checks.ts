import assert from 'node:assert/strict';
import {
  type CartonizationPlan,
  liesWithin,
  overlaps,
  type PackUnit,
  rotate,
  volumeMm3,
} from '../../src/contexts/warehouse/domain/index.js';

/**
 * The invariants of any plan, checked from its output alone: every unit is placed exactly once, each
 * placement is the unit in one of its rotations and lies inside the box, no two placements overlap,
 * and the weights add up and stay under each box's limit.
 */
export function assertValidPlan(plan: CartonizationPlan, units: readonly PackUnit[]): void {
  const byId = new Map(units.map((unit) => [unit.id, unit]));
  const seen = new Map<string, Set<number>>();
  let cost = 0;
  for (const parcel of plan.parcels) {
    assert.ok(parcel.placements.length > 0, 'a parcel holds at least one unit');
    let weightG = 0;
    let volume = 0;
    for (const [i, placement] of parcel.placements.entries()) {
      const unit = byId.get(placement.unitId);
      assert.ok(unit?.dimensionsMm && unit.weightG !== null, `placement names a known unit: ${placement.unitId}`);
      assert.ok(placement.copy >= 0 && placement.copy < unit.quantity, 'the copy is one of the quantity');
      const copies = seen.get(unit.id) ?? new Set<number>();
      assert.ok(!copies.has(placement.copy), `${unit.id}#${placement.copy} is placed once`);
      copies.add(placement.copy);
      seen.set(unit.id, copies);
      assert.deepEqual(placement.extentMm, rotate(unit.dimensionsMm, placement.rotation), 'the extent is the unit in its rotation');
      assert.ok(liesWithin(placement.positionMm, placement.extentMm, parcel.box.innerMm), `${unit.id} lies inside ${parcel.box.code}`);
      for (const other of parcel.placements.slice(i + 1)) {
        assert.ok(!overlaps(placement.positionMm, placement.extentMm, other.positionMm, other.extentMm), 'no two units overlap');
      }
      weightG += unit.weightG;
      volume += volumeMm3(unit.dimensionsMm);
    }
    assert.equal(parcel.contentWeightG, weightG);
    assert.equal(parcel.actualWeightG, weightG + parcel.box.boxWeightG);
    assert.ok(parcel.actualWeightG <= parcel.box.maxWeightG, `${parcel.box.code} carries at most ${parcel.box.maxWeightG} g`);
    assert.equal(parcel.contentVolumeMm3, volume);
    assert.ok(parcel.fillRatio > 0 && parcel.fillRatio <= 1);
    assert.ok(parcel.billable.billableG >= parcel.actualWeightG, 'billable weight is at least the actual weight');
    assert.equal(parcel.costMinor, parcel.boxCostMinor + parcel.rateMinor);
    cost += parcel.costMinor;
  }
  for (const unit of units) assert.equal(seen.get(unit.id)?.size ?? 0, unit.quantity, `all ${unit.quantity} of ${unit.id} are placed`);
  assert.equal(plan.costMinor, cost);
  assert.equal(
    plan.unitCount,
    units.reduce((sum, unit) => sum + unit.quantity, 0),
  );
}
