import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  addBusinessDays,
  chooseRate,
  combineParcelQuotes,
  isBusinessDay,
  isIsoDate,
  nextBusinessDay,
  type RateQuote,
  type RateStrategy,
} from '../../src/contexts/shipping/index.js';

const quote = (
  serviceCode: string,
  amountMinor: number,
  transitDays: number | null,
  carrierName = 'Carrier',
  currency = 'USD',
): RateQuote => ({
  carrierId: 'test',
  carrierName,
  serviceCode,
  serviceName: serviceCode,
  amount: { amountMinor, currency },
  transitDays,
  quoteRef: `${carrierName}/${serviceCode}`,
});

const monday = '2026-03-02';
const friday = '2026-03-06';
const saturday = '2026-03-07';

const choose = (quotes: RateQuote[], strategy: RateStrategy, shipDate = monday, holidays?: ReadonlySet<string>) =>
  chooseRate({ quotes, strategy, shipDate, holidays });

describe('business days', () => {
  test('weekends and holidays are skipped; a weekend ship date leaves on Monday', () => {
    assert.equal(addBusinessDays(friday, 0), friday);
    assert.equal(addBusinessDays(friday, 1), '2026-03-09');
    assert.equal(addBusinessDays(saturday, 0), '2026-03-09');
    assert.equal(addBusinessDays(saturday, 1), '2026-03-10');
    assert.equal(addBusinessDays(monday, 5), '2026-03-09');
    assert.equal(addBusinessDays(friday, 1, new Set(['2026-03-09'])), '2026-03-10');
    assert.equal(addBusinessDays('2026-12-31', 1), '2027-01-01', 'across the year');
    assert.equal(nextBusinessDay('2026-03-08'), '2026-03-09');
    assert.equal(isBusinessDay(saturday), false);
    assert.equal(isIsoDate('2026-02-30'), false);
    assert.equal(isIsoDate('2026-2-3'), false);
    assert.throws(() => addBusinessDays(monday, -1));
  });

  test('property: the delivery day is a business day, not before the ship date, and later for more days', () => {
    const date = fc
      .date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 30 }), (shipDate, days) => {
        const delivery = addBusinessDays(shipDate, days);
        assert.ok(isBusinessDay(delivery));
        assert.ok(delivery >= shipDate);
        assert.ok(addBusinessDays(shipDate, days + 1) > delivery);
        const calendarDays = (Date.parse(delivery) - Date.parse(shipDate)) / 86_400_000;
        assert.ok(calendarDays <= Math.ceil((days + 1) * 1.4) + 2, 'at most two weekend days per five business days');
      }),
    );
  });
});

describe('rate shopping', () => {
  const quotes = [quote('ground', 900, 5), quote('express', 2500, 1), quote('priority', 1200, 2), quote('unknown', 800, null)];

  test('cheapest: lowest amount, every quote recorded with its verdict', () => {
    const choice = choose(quotes, { kind: 'cheapest' });
    assert.ok(choice.ok);
    assert.equal(choice.value.chosen.serviceCode, 'unknown');
    assert.equal(choice.value.estimatedDelivery, null);
    assert.deepEqual(
      choice.value.evaluated.map((e) => [e.quote.serviceCode, e.verdict, e.estimatedDelivery]),
      [
        ['unknown', 'chosen', null],
        ['ground', 'more_expensive', '2026-03-09'],
        ['priority', 'more_expensive', '2026-03-04'],
        ['express', 'more_expensive', '2026-03-03'],
      ],
    );
    assert.match(choice.value.reason, /^cheapest of 4 quotes: Carrier unknown at 800 USD/);
  });

  test('cheapest: a tie goes to the faster quote, then to carrier and service names', () => {
    const tie = choose([quote('slow', 500, 4), quote('fast', 500, 2)], { kind: 'cheapest' });
    assert.ok(tie.ok && tie.value.chosen.serviceCode === 'fast');
    assert.equal(tie.value.evaluated[1]?.verdict, 'slower');
    const named = choose([quote('b', 500, 2, 'Zeta'), quote('a', 500, 2, 'Alpha')], { kind: 'cheapest' });
    assert.ok(named.ok && named.value.chosen.carrierName === 'Alpha');
    assert.equal(named.value.evaluated[1]?.verdict, 'tied');
  });

  test('fastest: earliest delivery, ties to the cheaper; unknown transit only when nothing is known', () => {
    const choice = choose([...quotes, quote('express-cheap', 2000, 1)], { kind: 'fastest' });
    assert.ok(choice.ok);
    assert.equal(choice.value.chosen.serviceCode, 'express-cheap');
    assert.equal(choice.value.evaluated.find((e) => e.quote.serviceCode === 'express')?.verdict, 'more_expensive');
    assert.equal(choice.value.evaluated.find((e) => e.quote.serviceCode === 'ground')?.verdict, 'slower');
    assert.equal(choice.value.evaluated.find((e) => e.quote.serviceCode === 'unknown')?.verdict, 'no_transit_time');
    const blind = choose([quote('x', 700, null), quote('y', 600, null)], { kind: 'fastest' });
    assert.ok(blind.ok && blind.value.chosen.serviceCode === 'y');
  });

  test('cheapest meeting the promise date, counting business days from a Friday', () => {
    const choice = choose(quotes, { kind: 'cheapest_meeting_promise', promiseDate: '2026-03-10' }, friday);
    assert.ok(choice.ok);
    assert.equal(choice.value.chosen.serviceCode, 'priority', 'ground (Fri + 5 business days = next Fri) misses Tuesday');
    assert.equal(choice.value.estimatedDelivery, '2026-03-10');
    const verdicts = Object.fromEntries(choice.value.evaluated.map((e) => [e.quote.serviceCode, e.verdict]));
    assert.deepEqual(verdicts, { priority: 'chosen', express: 'more_expensive', ground: 'misses_promise', unknown: 'no_transit_time' });
  });

  test('no quote meets the promise, no quotes, mixed currencies: typed failures that still list the quotes', () => {
    const late = choose(quotes, { kind: 'cheapest_meeting_promise', promiseDate: '2026-03-02' });
    assert.ok(!late.ok && late.error.code === 'no_quote_meets_promise');
    assert.equal(late.error.evaluated.length, 4);
    assert.ok(late.error.evaluated.every((e) => e.verdict === 'misses_promise' || e.verdict === 'no_transit_time'));
    const none = choose([], { kind: 'cheapest' });
    assert.ok(!none.ok && none.error.code === 'no_quotes');
    const mixed = choose([quote('a', 1, 1), quote('b', 1, 1, 'C', 'EUR')], { kind: 'cheapest' });
    assert.ok(!mixed.ok && mixed.error.code === 'mixed_currencies' && mixed.error.evaluated.every((e) => e.verdict === 'not_comparable'));
  });

  test('multi-parcel shipments: services quoted for every parcel, amounts summed, slowest transit', () => {
    const combined = combineParcelQuotes([
      [quote('ground', 900, 5), quote('express', 2500, 1)],
      [quote('ground', 1100, 4), quote('express', 3000, 2), quote('economy', 500, 7)],
    ]);
    assert.deepEqual(
      combined.map((q) => [q.serviceCode, q.amount.amountMinor, q.transitDays, q.quoteRef]),
      [
        ['ground', 2000, 5, 'Carrier/ground Carrier/ground'],
        ['express', 5500, 2, 'Carrier/express Carrier/express'],
      ],
    );
  });
});

describe('rate shopping properties', () => {
  const quoteArb = fc.record({
    serviceCode: fc.stringMatching(/^[a-z]{1,6}$/),
    carrierName: fc.constantFrom('UPS', 'USPS', 'DHL', 'Fulfill'),
    amountMinor: fc.integer({ min: 0, max: 100_000 }),
    transitDays: fc.option(fc.integer({ min: 0, max: 15 }), { nil: null }),
  });
  const quotesArb = fc
    .uniqueArray(quoteArb, { minLength: 1, maxLength: 12, selector: (q) => `${q.carrierName}/${q.serviceCode}` })
    .map((list) => list.map((q) => quote(q.serviceCode, q.amountMinor, q.transitDays, q.carrierName)));
  const strategyArb: fc.Arbitrary<RateStrategy> = fc.oneof(
    fc.constant({ kind: 'cheapest' as const }),
    fc.constant({ kind: 'fastest' as const }),
    fc
      .integer({ min: 0, max: 20 })
      .map((days) => ({ kind: 'cheapest_meeting_promise' as const, promiseDate: addBusinessDays(monday, days) })),
  );

  test('the choice is one of the quotes, every quote is evaluated once, and no better quote exists', () => {
    fc.assert(
      fc.property(quotesArb, strategyArb, (list, strategy) => {
        const result = choose(list, strategy);
        const delivery = (q: RateQuote) => (q.transitDays === null ? null : addBusinessDays(monday, q.transitDays));
        if (!result.ok) {
          assert.equal(result.error.code, 'no_quote_meets_promise');
          assert.ok(strategy.kind === 'cheapest_meeting_promise');
          assert.ok(list.every((q) => (delivery(q) ?? '9999') > strategy.promiseDate));
          return;
        }
        const { chosen, evaluated } = result.value;
        assert.ok(list.includes(chosen));
        assert.equal(evaluated.length, list.length);
        assert.deepEqual(new Set(evaluated.map((e) => e.quote)), new Set(list));
        assert.equal(evaluated.filter((e) => e.verdict === 'chosen').length, 1);
        const known = list.map(delivery).filter((d): d is string => d !== null);
        if (strategy.kind === 'cheapest') assert.ok(list.every((q) => q.amount.amountMinor >= chosen.amount.amountMinor));
        if (strategy.kind === 'fastest' && known.length > 0) assert.ok(known.every((d) => d >= (delivery(chosen) ?? '')));
        if (strategy.kind === 'cheapest_meeting_promise') {
          assert.ok((delivery(chosen) ?? '9999') <= strategy.promiseDate);
          const meeting = list.filter((q) => (delivery(q) ?? '9999') <= strategy.promiseDate);
          assert.ok(meeting.every((q) => q.amount.amountMinor >= chosen.amount.amountMinor));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('the order of the quotes does not change the choice', () => {
    const permuted = quotesArb.chain((list) =>
      fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
    );
    fc.assert(
      fc.property(permuted, strategyArb, ([list, shuffled], strategy) => {
        const a = choose(list, strategy);
        const b = choose(shuffled, strategy);
        assert.equal(a.ok, b.ok);
        if (a.ok && b.ok) assert.equal(a.value.chosen.quoteRef, b.value.chosen.quoteRef);
      }),
      { numRuns: 300 },
    );
  });
});
