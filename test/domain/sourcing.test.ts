import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  defaultSourcingStrategy,
  postalNumericDistance,
  postalPrefixMatch,
  rankLocations,
  type SourcingInput,
  type SourcingLine,
  type SourcingLocation,
  type SourcingPlan,
} from '../../src/contexts/sourcing/index.js';

/** fast-check runs: FC_SEED replays a failure that printed its seed. */
const fcOptions = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
});

// ---------------------------------------------------------------- builders

const loc = (code: string, priority = 1, country = 'US', postalCode = '62701'): SourcingLocation => ({
  id: `id-${code}`,
  code,
  priority,
  country,
  postalCode,
});

let lineCounter = 0;
const line = (itemId: string, quantity: number, policy: 'deny' | 'continue' = 'deny'): SourcingLine => ({
  index: lineCounter++,
  itemId,
  sku: itemId,
  quantity,
  policy,
});

/** Lines with indexes 0..n-1 in the given order. */
const lines = (...ls: SourcingLine[]): SourcingLine[] => ls.map((l, index) => ({ ...l, index }));

/** `stock` maps location code to { item: units available }. */
function input(
  locations: SourcingLocation[],
  ls: SourcingLine[],
  stock: Record<string, Record<string, number>>,
  destination = { country: 'US', postalCode: '62701' },
): SourcingInput {
  const byId = new Map(locations.map((l) => [l.id, l.code]));
  return {
    lines: ls,
    locations,
    destination,
    available: (itemId, locationId) => stock[byId.get(locationId) ?? '']?.[itemId] ?? 0,
  };
}

/** Allocations as { location code: { line index: quantity } }, for readable assertions. */
function byLocation(plan: SourcingPlan, locations: readonly SourcingLocation[]): Record<string, Record<number, number>> {
  const code = new Map(locations.map((l) => [l.id, l.code]));
  const out: Record<string, Record<number, number>> = {};
  for (const a of plan.allocations) {
    const c = code.get(a.locationId) ?? a.locationId;
    out[c] ??= {};
    const at = out[c];
    at[a.lineIndex] = (at[a.lineIndex] ?? 0) + a.quantity;
  }
  return out;
}

const usedLocations = (plan: SourcingPlan) => new Set(plan.allocations.map((a) => a.locationId));

// ---------------------------------------------------------------- documented rules

describe('sourcing: location ranking', () => {
  test('postal helpers: common prefix ignores spaces, dashes and case; numeric distance uses the first three digits', () => {
    assert.equal(postalPrefixMatch('62701', '62799'), 3);
    assert.equal(postalPrefixMatch('m5v 2t6', 'M5V-3L9'), 3);
    assert.equal(postalPrefixMatch('10001', '90210'), 0);
    assert.equal(postalNumericDistance('62701', '63000'), 3);
    assert.equal(postalNumericDistance('1', '100'), 0, 'a short prefix is padded: 1 -> 100');
    assert.equal(postalNumericDistance('M5V 2T6', '62701'), Number.MAX_SAFE_INTEGER);
  });

  test('priority first, even over a location in another country', () => {
    const far = loc('FAR', 1, 'CA', 'M5V 2T6');
    const near = loc('NEAR', 2, 'US', '62701');
    assert.deepEqual(
      rankLocations([near, far], { country: 'US', postalCode: '62701' }).map((l) => l.code),
      ['FAR', 'NEAR'],
    );
  });

  test('then the same country, then the longest postal prefix, then the nearest numeric prefix, then code', () => {
    const to = { country: 'US', postalCode: '62701' };
    const abroad = loc('A-ABROAD', 1, 'CA', '62701');
    const prefix2 = loc('B-PREFIX2', 1, 'US', '62999');
    const prefix1Near = loc('C-NEAR', 1, 'US', '61000');
    const prefix1Far = loc('D-FAR', 1, 'US', '69999');
    const tieX = loc('X-TIE', 1, 'US', '10001');
    const tieW = loc('W-TIE', 1, 'US', '10001');
    const ranked = rankLocations([abroad, tieX, prefix1Far, tieW, prefix1Near, prefix2], to).map((l) => l.code);
    assert.deepEqual(ranked, ['B-PREFIX2', 'C-NEAR', 'D-FAR', 'W-TIE', 'X-TIE', 'A-ABROAD']);
  });

  test('the strategy follows the ranking when several locations can each fill the order', () => {
    const ls = lines(line('X', 2));
    const stock = { P2: { X: 5 }, P1: { X: 5 }, CA: { X: 5 } };
    const byPriority = [loc('P2', 2), loc('P1', 1, 'US', '99999')];
    assert.deepEqual(byLocation(defaultSourcingStrategy(input(byPriority, ls, stock)), byPriority), { P1: { 0: 2 } });
    const byCountry = [loc('CA', 1, 'CA', '62701'), loc('P1', 1, 'US', '99999')];
    assert.deepEqual(byLocation(defaultSourcingStrategy(input(byCountry, ls, stock)), byCountry), { P1: { 0: 2 } });
    const byPostal = [loc('P1', 1, 'US', '99999'), loc('P2', 1, 'US', '62800')];
    assert.deepEqual(byLocation(defaultSourcingStrategy(input(byPostal, ls, stock)), byPostal), { P2: { 0: 2 } });
  });
});

describe('sourcing: the default strategy', () => {
  test('one location fills the whole order when any can: the best-ranked such location', () => {
    const locations = [loc('A', 1), loc('B', 2), loc('C', 3)];
    const ls = lines(line('X', 2), line('Y', 1));
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 9 }, B: { X: 2, Y: 1 }, C: { X: 9, Y: 9 } }));
    assert.deepEqual(byLocation(plan, locations), { B: { 0: 2, 1: 1 } });
    assert.deepEqual(plan.backorders, []);
    assert.deepEqual(plan.shortfalls, []);
  });

  test('lines of the same item are counted together when choosing one location', () => {
    const locations = [loc('A', 1), loc('B', 2)];
    const ls = lines(line('X', 3), line('X', 3));
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 5 }, B: { X: 6 } }));
    assert.deepEqual(byLocation(plan, locations), { B: { 0: 3, 1: 3 } });
  });

  test('otherwise fewest locations: the location that fills the most lines whole goes first (greedy cover)', () => {
    const locations = [loc('A', 1), loc('B', 2), loc('C', 3)];
    const ls = lines(line('X', 1), line('Y', 1), line('Z', 1));
    // A is preferred but fills one line; C fills two, so C is taken first, then the best-ranked for X.
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 1 }, B: { X: 1 }, C: { Y: 1, Z: 1 } }));
    assert.deepEqual(byLocation(plan, locations), { C: { 1: 1, 2: 1 }, A: { 0: 1 } });
    assert.equal(usedLocations(plan).size, 2);
  });

  test('greedy ties: more units first, then rank', () => {
    const locations = [loc('A', 1), loc('B', 2), loc('C', 3)];
    const ls = lines(line('X', 1), line('Y', 5), line('Z', 1));
    // A and B each fill one line; B's line has more units, so B goes first; then A (rank) for the rest.
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 1 }, B: { Y: 5 }, C: { Z: 1 } }));
    assert.equal(plan.allocations[0]?.locationId, 'id-B');
    assert.deepEqual(byLocation(plan, locations), { B: { 1: 5 }, A: { 0: 1 }, C: { 2: 1 } });
  });

  test('a line is split only when no single location can fill it', () => {
    const locations = [loc('A', 1), loc('B', 2)];
    const whole = defaultSourcingStrategy(input(locations, lines(line('X', 10)), { A: { X: 6 }, B: { X: 10 } }));
    assert.deepEqual(byLocation(whole, locations), { B: { 0: 10 } }, 'B can fill it: no split even though A ranks first');
    const split = defaultSourcingStrategy(input(locations, lines(line('X', 10)), { A: { X: 6 }, B: { X: 7 } }));
    assert.deepEqual(byLocation(split, locations), { A: { 0: 6 }, B: { 0: 4 } }, 'split by rank');
  });

  test('a split line takes from locations the order already uses first (no extra shipment)', () => {
    const locations = [loc('A', 1), loc('B', 2), loc('C', 3)];
    const ls = lines(line('X', 10), line('Y', 1));
    // C must ship Y; X (10) fits nowhere whole: C's 5 first, then A by rank. B is never needed.
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 6 }, B: { X: 6 }, C: { X: 5, Y: 1 } }));
    assert.deepEqual(byLocation(plan, locations), { C: { 1: 1, 0: 5 }, A: { 0: 5 } });
  });

  test('never allocates to a location without stock, however well it ranks', () => {
    const locations = [loc('EMPTY', 0), loc('A', 1), loc('B', 2)];
    const plan = defaultSourcingStrategy(input(locations, lines(line('X', 4, 'continue')), { EMPTY: { X: 0 }, A: { X: 1 }, B: { X: 2 } }));
    assert.deepEqual(byLocation(plan, locations), { A: { 0: 1 }, B: { 0: 2 } });
    assert.deepEqual(plan.backorders, [{ lineIndex: 0, quantity: 1 }]);
  });

  test('deny: what cannot be filled is a shortfall and nothing of that line is allocated', () => {
    const locations = [loc('A', 1), loc('B', 2)];
    const ls = lines(line('X', 2), line('Y', 5));
    const plan = defaultSourcingStrategy(input(locations, ls, { A: { X: 2, Y: 1 }, B: { Y: 3 } }));
    assert.deepEqual(plan.shortfalls, [{ lineIndex: 1, sku: 'Y', requested: 5, available: 4 }]);
    assert.deepEqual(plan.backorders, []);
    assert.equal(
      plan.allocations.some((a) => a.lineIndex === 1),
      false,
    );
  });

  test('continue: everything available is allocated and the rest is backordered', () => {
    const locations = [loc('A', 1), loc('B', 2)];
    const plan = defaultSourcingStrategy(input(locations, lines(line('X', 9, 'continue')), { A: { X: 2 }, B: { X: 3 } }));
    assert.deepEqual(byLocation(plan, locations), { A: { 0: 2 }, B: { 0: 3 } });
    assert.deepEqual(plan.backorders, [{ lineIndex: 0, quantity: 4 }]);
    assert.deepEqual(plan.shortfalls, []);
    const none = defaultSourcingStrategy(input(locations, lines(line('X', 3, 'continue')), {}));
    assert.deepEqual(none.allocations, []);
    assert.deepEqual(none.backorders, [{ lineIndex: 0, quantity: 3 }]);
  });
});

// ---------------------------------------------------------------- properties

interface Scenario {
  readonly input: SourcingInput;
  readonly stock: ReadonlyMap<string, number>;
}

const key = (itemId: string, locationId: string) => `${itemId}|${locationId}`;
const itemIds = ['I0', 'I1', 'I2', 'I3'];
const postalCodes = ['62701', '62799', '61000', '10001', '94105', '07102'];

const arbLocation = fc.record({
  priority: fc.integer({ min: 1, max: 3 }),
  country: fc.constantFrom('US', 'US', 'CA'),
  postalCode: fc.constantFrom(...postalCodes),
});

const arbScenario: fc.Arbitrary<Scenario> = fc
  .record({
    locations: fc.array(arbLocation, { minLength: 1, maxLength: 5 }),
    policies: fc.array(fc.constantFrom<'deny' | 'continue'>('deny', 'continue'), { minLength: itemIds.length, maxLength: itemIds.length }),
    stock: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8 })), {
      minLength: 5 * itemIds.length,
      maxLength: 5 * itemIds.length,
    }),
    lines: fc.array(fc.record({ item: fc.integer({ min: 0, max: itemIds.length - 1 }), quantity: fc.integer({ min: 1, max: 7 }) }), {
      minLength: 1,
      maxLength: 6,
    }),
    destination: fc.record({ country: fc.constantFrom('US', 'CA'), postalCode: fc.constantFrom(...postalCodes) }),
  })
  .map((r) => {
    const locations: SourcingLocation[] = r.locations.map((l, i) => ({ id: `loc${i}`, code: `L${i}`, ...l }));
    const stock = new Map<string, number>();
    locations.forEach((l, li) => {
      itemIds.forEach((itemId, ii) => {
        stock.set(key(itemId, l.id), r.stock[li * itemIds.length + ii] ?? 0);
      });
    });
    const sourcingLines: SourcingLine[] = r.lines.map((l, index) => {
      const itemId = itemIds[l.item] as string;
      return { index, itemId, sku: itemId, quantity: l.quantity, policy: r.policies[l.item] ?? 'deny' };
    });
    return {
      stock,
      input: {
        lines: sourcingLines,
        locations,
        destination: r.destination,
        available: (itemId: string, locationId: string) => stock.get(key(itemId, locationId)) ?? 0,
      },
    };
  });

const demandByItem = (ls: readonly SourcingLine[]) => {
  const need = new Map<string, number>();
  for (const l of ls) need.set(l.itemId, (need.get(l.itemId) ?? 0) + l.quantity);
  return need;
};

const totalAvailable = (s: Scenario, itemId: string) => s.input.locations.reduce((sum, l) => sum + s.input.available(itemId, l.id), 0);

const canFillAll = (s: Scenario, location: SourcingLocation) =>
  [...demandByItem(s.input.lines)].every(([itemId, q]) => s.input.available(itemId, location.id) >= q);

describe('sourcing: properties of the default strategy', () => {
  test('allocations never exceed availability per item and location, and never go to a location without stock', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        const taken = new Map<string, number>();
        const ids = new Set(s.input.locations.map((l) => l.id));
        for (const a of plan.allocations) {
          const l = s.input.lines[a.lineIndex];
          assert.ok(l, `allocation to an unknown line ${a.lineIndex}`);
          assert.ok(ids.has(a.locationId), 'allocation to a location that was not offered');
          assert.ok(a.quantity > 0, 'an allocation is positive');
          assert.ok(s.input.available(l.itemId, a.locationId) > 0, 'allocation to a location without stock');
          const k = key(l.itemId, a.locationId);
          taken.set(k, (taken.get(k) ?? 0) + a.quantity);
        }
        for (const [k, q] of taken) assert.ok(q <= (s.stock.get(k) ?? 0), `${k}: ${q} allocated, ${s.stock.get(k)} available`);
      }),
      fcOptions(2_000),
    );
  });

  test('continue lines: allocated + backordered = requested; deny lines: all or nothing, never backordered', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        for (const l of s.input.lines) {
          const allocated = plan.allocations.filter((a) => a.lineIndex === l.index).reduce((sum, a) => sum + a.quantity, 0);
          const backordered = plan.backorders.filter((b) => b.lineIndex === l.index).reduce((sum, b) => sum + b.quantity, 0);
          const short = plan.shortfalls.some((f) => f.lineIndex === l.index);
          if (l.policy === 'continue') {
            assert.equal(allocated + backordered, l.quantity);
            assert.equal(short, false);
          } else {
            assert.equal(backordered, 0);
            assert.equal(short ? 0 : l.quantity, allocated);
          }
        }
        for (const b of plan.backorders) assert.ok(b.quantity > 0);
      }),
      fcOptions(2_000),
    );
  });

  test('deny items: a shortfall exactly when the total availability of the item is short of the order', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        for (const [itemId, need] of demandByItem(s.input.lines)) {
          const policy = s.input.lines.find((l) => l.itemId === itemId)?.policy;
          if (policy !== 'deny') continue;
          const short = plan.shortfalls.some((f) => s.input.lines[f.lineIndex]?.itemId === itemId);
          assert.equal(short, need > totalAvailable(s, itemId), `${itemId}: need ${need}, have ${totalAvailable(s, itemId)}`);
        }
      }),
      fcOptions(2_000),
    );
  });

  test('continue items: nothing is backordered while the item is still available somewhere', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        for (const b of plan.backorders) {
          const itemId = s.input.lines[b.lineIndex]?.itemId as string;
          const allocated = plan.allocations
            .filter((a) => s.input.lines[a.lineIndex]?.itemId === itemId)
            .reduce((sum, a) => sum + a.quantity, 0);
          assert.equal(allocated, totalAvailable(s, itemId), `${itemId} backordered with stock left`);
        }
      }),
      fcOptions(2_000),
    );
  });

  test('if one location can fill everything, exactly one location is used: the best-ranked that can', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        const ranked = rankLocations(s.input.locations, s.input.destination);
        const best = ranked.find((l) => canFillAll(s, l));
        if (best === undefined) {
          assert.ok(usedLocations(plan).size !== 1 || plan.backorders.length > 0 || plan.shortfalls.length > 0);
          return;
        }
        assert.deepEqual([...usedLocations(plan)], [best.id]);
        assert.deepEqual(plan.backorders, []);
        assert.deepEqual(plan.shortfalls, []);
      }),
      fcOptions(2_000),
    );
  });

  test('a line is split only when no location could have filled it whole', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const plan = defaultSourcingStrategy(s.input);
        for (const l of s.input.lines) {
          const mine = plan.allocations.filter((a) => a.lineIndex === l.index);
          if (new Set(mine.map((a) => a.locationId)).size < 2) continue;
          for (const location of s.input.locations) {
            const others = plan.allocations
              .filter((a) => a.lineIndex !== l.index && a.locationId === location.id && s.input.lines[a.lineIndex]?.itemId === l.itemId)
              .reduce((sum, a) => sum + a.quantity, 0);
            const couldTake = s.input.available(l.itemId, location.id) - others;
            assert.ok(couldTake < l.quantity, `line ${l.index} split though ${location.code} could take all ${l.quantity}`);
          }
        }
      }),
      fcOptions(2_000),
    );
  });

  test('deterministic: the same input gives the same plan, whatever the order the locations come in', () => {
    fc.assert(
      fc.property(
        arbScenario.chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.input.locations], { minLength: s.input.locations.length })),
        ),
        ([s, shuffled]) => {
          const first = defaultSourcingStrategy(s.input);
          assert.deepEqual(defaultSourcingStrategy(s.input), first);
          assert.deepEqual(defaultSourcingStrategy({ ...s.input, locations: shuffled }), first);
        },
      ),
      fcOptions(1_000),
    );
  });
});

// ---------------------------------------------------------------- compared with the anchors

/**
 * The anchors' default (Vendure's DefaultStockLocationStrategy; Medusa with one stock location per sales
 * channel): every line goes to the first location. Given the same ranking, an order is fully served only
 * when that location has everything; otherwise its shortfall is refused (deny) or waits (continue).
 */
function firstLocationOnly(s: Scenario): { served: boolean; shipments: number } {
  const first = rankLocations(s.input.locations, s.input.destination)[0];
  if (first === undefined) return { served: false, shipments: 0 };
  return { served: canFillAll(s, first), shipments: 1 };
}

function ours(s: Scenario): { served: boolean; shipments: number } {
  const plan = defaultSourcingStrategy(s.input);
  return { served: plan.backorders.length === 0 && plan.shortfalls.length === 0, shipments: usedLocations(plan).size };
}

/** A workload: one stock snapshot and many orders, each decided against that snapshot. */
const arbWorkload = fc
  .tuple(arbScenario, fc.array(arbScenario, { minLength: 20, maxLength: 20 }))
  .map(([base, orders]) => orders.map((o): Scenario => ({ ...base, input: { ...base.input, lines: o.input.lines } })));

describe('sourcing: compared with first-location-only (the anchors)', () => {
  /*
   * The metric: on a random workload, each order decided against the same stock snapshot (the decision the
   * strategy makes, at the moment it makes it), count the orders served in full and, among orders both
   * serve, the shipments. Ours must serve every order the anchor serves (so at least as many) with no more
   * shipments. It holds order by order: if the first location can fill everything, the total availability
   * suffices (ours serves it) and a single location can fill it (ours uses exactly one).
   *
   * Not asserted: the same counts over a sequence where orders consume stock one after another. No online
   * strategy dominates there. Stock A: 2 units, B: 1 unit; orders 3, 1, 1: the anchor refuses the first and
   * serves the other two (2 orders), ours serves the first and refuses the others (1 order, but 3 units
   * instead of 2). Such counts are printed below as diagnostics, not asserted.
   */
  test('ours serves every order first-location-only serves, with no more shipments', (t) => {
    let oursServed = 0;
    let theirsServed = 0;
    let orders = 0;
    fc.assert(
      fc.property(arbWorkload, (workload) => {
        for (const order of workload) {
          const a = ours(order);
          const b = firstLocationOnly(order);
          orders += 1;
          if (a.served) oursServed += 1;
          if (b.served) theirsServed += 1;
          if (b.served) {
            assert.ok(a.served, 'first-location-only served an order ours did not');
            assert.ok(a.shipments <= b.shipments, `ours used ${a.shipments} shipments, first-location-only ${b.shipments}`);
          }
        }
      }),
      fcOptions(300),
    );
    assert.ok(oursServed >= theirsServed);
    t.diagnostic(`${orders} orders decided on stock snapshots: ours served ${oursServed} in full, first-location-only ${theirsServed}`);
  });

  test('diagnostic: sequential workloads where orders consume stock (printed, not asserted)', (t) => {
    const results = { ours: { served: 0, shipments: 0, units: 0 }, anchor: { served: 0, shipments: 0, units: 0 } };
    for (const workload of fc.sample(arbWorkload, { numRuns: 50, seed: 42 })) {
      for (const [name, strategy] of [
        ['ours', defaultSourcingStrategy],
        ['anchor', firstOnlyStrategy],
      ] as const) {
        const stock = new Map((workload[0] as Scenario).stock);
        for (const order of workload) {
          const plan = strategy({ ...order.input, available: (i, l) => stock.get(key(i, l)) ?? 0 });
          if (plan.shortfalls.length > 0) continue;
          for (const a of plan.allocations) {
            const k = key(order.input.lines[a.lineIndex]?.itemId as string, a.locationId);
            stock.set(k, (stock.get(k) ?? 0) - a.quantity);
            results[name].units += a.quantity;
          }
          results[name].shipments += usedLocations(plan).size;
          if (plan.backorders.length === 0) results[name].served += 1;
        }
        for (const q of stock.values()) assert.ok(q >= 0);
      }
    }
    t.diagnostic(`50 sequential workloads of 20 orders (seed 42): ${JSON.stringify(results)}`);
  });
});

/** First-location-only as a SourcingStrategy, for the sequential diagnostic. */
const firstOnlyStrategy = (input: SourcingInput): SourcingPlan => {
  const first = rankLocations(input.locations, input.destination)[0];
  const allocations: { lineIndex: number; locationId: string; quantity: number }[] = [];
  const backorders: { lineIndex: number; quantity: number }[] = [];
  const shortfalls: SourcingPlan['shortfalls'][number][] = [];
  const used = new Map<string, number>();
  for (const l of input.lines) {
    const free = first ? input.available(l.itemId, first.id) - (used.get(l.itemId) ?? 0) : 0;
    const q = Math.min(free, l.quantity);
    if (l.policy === 'deny' && q < l.quantity) {
      shortfalls.push({ lineIndex: l.index, sku: l.sku, requested: l.quantity, available: free });
      continue;
    }
    if (q > 0 && first) {
      allocations.push({ lineIndex: l.index, locationId: first.id, quantity: q });
      used.set(l.itemId, (used.get(l.itemId) ?? 0) + q);
    }
    if (q < l.quantity) backorders.push({ lineIndex: l.index, quantity: l.quantity - q });
  }
  return { allocations, backorders, shortfalls };
};
