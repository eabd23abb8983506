import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { mapEasyPostStatus } from '../../src/contexts/tracking/domain/easypost-status.js';
import {
  appliesInOrder,
  applyInOrder,
  type CanonicalStatus,
  canonicalStatuses,
  foldScans,
  foldShipment,
  initialCodeState,
  type Scan,
  type ShipmentCodes,
  scanKey,
  shipmentStatusOf,
} from '../../src/contexts/tracking/domain/status.js';

/**
 * Properties of the status fold: whatever order scans arrive in, duplicated, split into batches, the
 * shipment ends in the same state as folding them all in true order; the status never moves backwards; and
 * delivered stays delivered.
 */

const codes = ['EZ1', 'EZ2'];
const base = Date.parse('2026-03-02T10:00:00Z');

const scanArb = (trackingCodes: readonly string[]) =>
  fc
    .record({
      code: fc.constantFrom(...trackingCodes),
      minutes: fc.integer({ min: 0, max: 20 }),
      status: fc.constantFrom(...canonicalStatuses),
      raw: fc.constantFrom('a', 'b'),
    })
    .map(
      (r): Scan => ({
        trackingCode: r.code,
        occurredAt: new Date(base + r.minutes * 60_000).toISOString(),
        rawStatus: `${r.status}:${r.raw}`,
        status: r.status,
        reason: r.status,
        message: `scan ${r.raw}`,
      }),
    );

/** What the store does: per batch, dedupe against what is stored, then apply in order or fold everything again. */
function simulate(trackingCodes: readonly string[], batches: readonly (readonly Scan[])[]): { codes: ShipmentCodes; ranks: number[] } {
  let state: ShipmentCodes = Object.fromEntries(trackingCodes.map((c) => [c, initialCodeState]));
  const stored = new Map<string, Scan>();
  const ranks: number[] = [];
  for (const batch of batches) {
    const fresh: Scan[] = [];
    for (const s of batch) {
      if (stored.has(scanKey(s))) continue;
      stored.set(scanKey(s), s);
      fresh.push(s);
    }
    if (fresh.length === 0) continue;
    state = appliesInOrder(state, fresh) ? applyInOrder(state, fresh) : foldShipment(trackingCodes, [...stored.values()]);
    ranks.push(shipmentStatusOf(state).rank);
  }
  return { codes: state, ranks };
}

/** Splits a list into consecutive batches at the given cut points. */
function cut<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const p of [...points, items.length]) {
    out.push(items.slice(from, p));
    from = p;
  }
  return out;
}

describe('tracking status fold (properties)', () => {
  test('any permutation, duplication and batching of a scan sequence ends in the same state', () => {
    fc.assert(
      fc.property(
        fc.array(scanArb(codes), { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer(),
        (scans, duplicates, cuts, seed) => {
          const withDuplicates = [...scans, ...duplicates.flatMap((d) => (scans.length > 0 ? [scans[d % scans.length] as Scan] : []))];
          const shuffled = fc.sample(fc.shuffledSubarray(withDuplicates, { minLength: withDuplicates.length }), {
            seed,
            numRuns: 1,
          })[0] as Scan[];
          const expected = foldShipment(codes, scans);
          const got = simulate(codes, cut(shuffled, cuts));
          assert.deepEqual(shipmentStatusOf(got.codes), shipmentStatusOf(expected));
          assert.deepEqual(got.codes, expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('the shipment status never moves backwards, whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(scanArb(codes), { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 8 }), (scans, cuts) => {
        const { ranks } = simulate(codes, cut(scans, cuts));
        for (let i = 1; i < ranks.length; i += 1) assert.ok((ranks[i] as number) >= (ranks[i - 1] as number), `ranks ${ranks.join(',')}`);
      }),
      { numRuns: 300 },
    );
  });

  test('delivered stays delivered: later-arriving non-terminal scans only join the timeline', () => {
    const nonTerminal: CanonicalStatus[] = [
      'pre_transit',
      'in_transit',
      'out_for_delivery',
      'available_for_pickup',
      'delivery_failed',
      'exception',
      'unknown',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.record({ status: fc.constantFrom(...nonTerminal), minutes: fc.integer({ min: -600, max: 600 }) }), { maxLength: 15 }),
        (late) => {
          const delivered: Scan = {
            trackingCode: 'EZ1',
            occurredAt: new Date(base).toISOString(),
            rawStatus: 'delivered',
            status: 'delivered',
            reason: 'delivered',
            message: '',
          };
          const after = late.map(
            (l, i): Scan => ({
              trackingCode: 'EZ1',
              occurredAt: new Date(base + l.minutes * 60_000).toISOString(),
              rawStatus: `${l.status}${i}`,
              status: l.status,
              reason: l.status,
              message: '',
            }),
          );
          const { codes: state } = simulate(['EZ1'], [[delivered], ...after.map((s) => [s])]);
          assert.equal(shipmentStatusOf(state).status, 'delivered');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a realistic feed with a late in_transit and an unknown code ends delivered', () => {
    const at = (h: number) => new Date(base + h * 3_600_000).toISOString();
    const s = (h: number, status: CanonicalStatus, raw: string = status): Scan => ({
      trackingCode: 'EZ1',
      occurredAt: at(h),
      rawStatus: raw,
      status,
      reason: status,
      message: '',
    });
    const state = foldScans([
      s(5, 'delivered'),
      s(1, 'in_transit'),
      s(4, 'out_for_delivery'),
      s(6, 'in_transit', 'late'),
      s(3, 'unknown', 'zz'),
      s(2, 'exception'),
    ]);
    assert.equal(state.status, 'delivered');
    assert.equal(foldScans([s(1, 'in_transit'), s(2, 'exception')]).status, 'exception', 'a problem shows until the parcel moves on');
    assert.equal(foldScans([s(1, 'in_transit'), s(2, 'exception'), s(3, 'in_transit')]).status, 'in_transit', 'the next scan clears it');
    assert.equal(
      foldScans([s(1, 'out_for_delivery'), s(2, 'delivery_failed'), s(3, 'in_transit')]).status,
      'delivery_failed',
      'going back to the depot is not progress',
    );
  });

  test('a multi-parcel shipment is delivered when every parcel is', () => {
    const scan = (code: string, status: CanonicalStatus): Scan => ({
      trackingCode: code,
      occurredAt: new Date(base).toISOString(),
      rawStatus: status,
      status,
      reason: status,
      message: '',
    });
    assert.equal(shipmentStatusOf(foldShipment(codes, [scan('EZ1', 'delivered')])).status, 'pre_transit');
    assert.equal(shipmentStatusOf(foldShipment(codes, [scan('EZ1', 'delivered'), scan('EZ2', 'delivered')])).status, 'delivered');
  });

  test('EasyPost statuses and details map to the canonical enum with a reason', () => {
    const cases: [string, string | null, CanonicalStatus, string][] = [
      ['pre_transit', 'label_created', 'pre_transit', 'label_created'],
      ['in_transit', 'arrived_at_facility', 'in_transit', 'arrived_at_facility'],
      ['in_transit', 'weather_delay', 'exception', 'weather_delay'],
      ['in_transit', 'status_update', 'in_transit', 'in_transit'],
      ['out_for_delivery', 'out_for_delivery', 'out_for_delivery', 'out_for_delivery'],
      ['delivered', 'arrived_at_destination', 'delivered', 'arrived_at_destination'],
      ['available_for_pickup', null, 'available_for_pickup', 'available_for_pickup'],
      ['return_to_sender', 'return', 'return_to_sender', 'return'],
      ['failure', 'failed_attempt', 'delivery_failed', 'failed_attempt'],
      ['failure', 'lost', 'exception', 'lost'],
      ['cancelled', null, 'cancelled', 'cancelled'],
      ['error', null, 'exception', 'carrier_error'],
      ['unknown', null, 'unknown', 'unmapped_unknown'],
      ['teleported', 'Beam Me Up!', 'unknown', 'unmapped_teleported'],
    ];
    for (const [status, detail, canonical, reason] of cases)
      assert.deepEqual(mapEasyPostStatus(status, detail), { status: canonical, reason }, `${status}/${detail}`);
  });
});
