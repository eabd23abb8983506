import { assert } from '../../kernel/assert.js';
import type { Result } from '../../kernel/result.js';
import { addBusinessDays, isIsoDate, noHolidays } from './business-days.js';
import type { RateQuote } from './carrier.js';
import { shippingLimits } from './limits.js';

/**
 * Rate shopping: which quote to buy. A pure strategy with three documented choices:
 *
 * - `cheapest`: lowest amount; ties go to the faster quote (unknown transit counts as slowest), then to
 *   the alphabetically first carrier and service, so the same quotes always give the same choice.
 * - `fastest`: earliest estimated delivery; ties go to the cheaper quote. Quotes without transit days
 *   are only chosen when no quote states them.
 * - `cheapest_meeting_promise`: the cheapest quote whose estimated delivery is on or before the promise
 *   date; quotes without transit days cannot promise anything.
 *
 * Estimated delivery = ship date moved to the next business day when it falls on a weekend or holiday,
 * plus the transit days counted in business days (Saturdays, Sundays and the given holidays skipped).
 *
 * The answer always carries every quote with its estimated delivery and why it lost, so the caller records
 * the choice and the alternatives (issue 3: "the choice and the other quotes are recorded").
 */

export type RateStrategy =
  | { readonly kind: 'cheapest' }
  | { readonly kind: 'fastest' }
  | { readonly kind: 'cheapest_meeting_promise'; readonly promiseDate: string };

export interface RateShoppingInput {
  readonly quotes: readonly RateQuote[];
  readonly strategy: RateStrategy;
  /** `YYYY-MM-DD`, the day the parcel is handed over. */
  readonly shipDate: string;
  /** Non-business days besides weekends, `YYYY-MM-DD`. */
  readonly holidays?: ReadonlySet<string> | undefined;
}

/** Why a quote was not chosen; `tied` lost only on the documented tie-break (carrier, service, ref). */
export type QuoteVerdict = 'chosen' | 'more_expensive' | 'slower' | 'misses_promise' | 'no_transit_time' | 'tied' | 'not_comparable';

export interface EvaluatedQuote {
  readonly quote: RateQuote;
  /** `YYYY-MM-DD`, or null when the carrier gave no transit days. */
  readonly estimatedDelivery: string | null;
  readonly verdict: QuoteVerdict;
}

export interface RateChoice {
  readonly chosen: RateQuote;
  readonly estimatedDelivery: string | null;
  readonly strategy: RateStrategy;
  /** One sentence for the timeline: which quote and why. */
  readonly reason: string;
  /** Every quote, the chosen one first, then in the order the strategy ranked them. */
  readonly evaluated: readonly EvaluatedQuote[];
}

export type RateShoppingFailureCode = 'no_quotes' | 'mixed_currencies' | 'no_quote_meets_promise';

export interface RateShoppingFailure {
  readonly code: RateShoppingFailureCode;
  readonly detail: string;
  /** The quotes as evaluated, so a failed choice is recorded too. */
  readonly evaluated: readonly EvaluatedQuote[];
}

interface Candidate {
  readonly quote: RateQuote;
  readonly estimatedDelivery: string | null;
}

const tieBreak = (a: RateQuote, b: RateQuote): number =>
  a.carrierName.localeCompare(b.carrierName) || a.serviceCode.localeCompare(b.serviceCode) || a.quoteRef.localeCompare(b.quoteRef);

/** Unknown delivery sorts after every known one. ISO dates compare as strings. */
const compareDelivery = (a: string | null, b: string | null): number => {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
};

const byPrice = (a: Candidate, b: Candidate): number =>
  a.quote.amount.amountMinor - b.quote.amount.amountMinor ||
  compareDelivery(a.estimatedDelivery, b.estimatedDelivery) ||
  tieBreak(a.quote, b.quote);

const bySpeed = (a: Candidate, b: Candidate): number =>
  compareDelivery(a.estimatedDelivery, b.estimatedDelivery) ||
  a.quote.amount.amountMinor - b.quote.amount.amountMinor ||
  tieBreak(a.quote, b.quote);

function verdictFor(candidate: Candidate, chosen: Candidate, strategy: RateStrategy): QuoteVerdict {
  if (candidate === chosen) return 'chosen';
  if (candidate.estimatedDelivery === null && (chosen.estimatedDelivery !== null || strategy.kind === 'cheapest_meeting_promise')) {
    return 'no_transit_time';
  }
  if (strategy.kind === 'cheapest_meeting_promise' && (candidate.estimatedDelivery ?? '') > strategy.promiseDate) return 'misses_promise';
  const price = candidate.quote.amount.amountMinor - chosen.quote.amount.amountMinor;
  const speed = compareDelivery(candidate.estimatedDelivery, chosen.estimatedDelivery);
  if (strategy.kind === 'fastest') return speed > 0 ? 'slower' : price > 0 ? 'more_expensive' : 'tied';
  return price > 0 ? 'more_expensive' : speed > 0 ? 'slower' : 'tied';
}

const describe = (c: Candidate): string =>
  `${c.quote.carrierName} ${c.quote.serviceName} at ${c.quote.amount.amountMinor} ${c.quote.amount.currency} minor units, ` +
  `delivery ${c.estimatedDelivery ?? 'unknown'}`;

function reasonFor(chosen: Candidate, strategy: RateStrategy, count: number): string {
  if (strategy.kind === 'cheapest') return `cheapest of ${count} quotes: ${describe(chosen)}`;
  if (strategy.kind === 'fastest') return `fastest of ${count} quotes: ${describe(chosen)}`;
  return `cheapest of ${count} quotes delivering by ${strategy.promiseDate}: ${describe(chosen)}`;
}

function rank(candidates: readonly Candidate[], strategy: RateStrategy): Candidate[] {
  const sorted = [...candidates].sort(strategy.kind === 'fastest' ? bySpeed : byPrice);
  if (strategy.kind !== 'cheapest_meeting_promise') return sorted;
  const meets = (c: Candidate) => c.estimatedDelivery !== null && c.estimatedDelivery <= strategy.promiseDate;
  return [...sorted.filter(meets), ...sorted.filter((c) => !meets(c))];
}

export function chooseRate(input: RateShoppingInput): Result<RateChoice, RateShoppingFailure> {
  const { quotes, strategy } = input;
  assert(isIsoDate(input.shipDate), `ship date must be YYYY-MM-DD: ${input.shipDate}`);
  assert(quotes.length <= shippingLimits.quotesMax, `at most ${shippingLimits.quotesMax} quotes`);
  if (strategy.kind === 'cheapest_meeting_promise')
    assert(isIsoDate(strategy.promiseDate), `promise date must be YYYY-MM-DD: ${strategy.promiseDate}`);
  const holidays = input.holidays ?? noHolidays;
  const candidates = quotes.map((quote) => ({
    quote,
    estimatedDelivery: quote.transitDays === null ? null : addBusinessDays(input.shipDate, quote.transitDays, holidays),
  }));
  const unranked = candidates.map((c) => ({ ...c, verdict: 'not_comparable' as QuoteVerdict }));
  if (candidates.length === 0) return { ok: false, error: { code: 'no_quotes', detail: 'no quotes to choose from', evaluated: [] } };
  const currencies = new Set(quotes.map((q) => q.amount.currency));
  if (currencies.size > 1) {
    return {
      ok: false,
      error: { code: 'mixed_currencies', detail: `quotes in ${[...currencies].join(', ')} cannot be compared`, evaluated: unranked },
    };
  }
  const ranked = rank(candidates, strategy);
  const best = ranked[0];
  assert(best !== undefined, 'a ranked quote');
  if (strategy.kind === 'cheapest_meeting_promise' && (best.estimatedDelivery === null || best.estimatedDelivery > strategy.promiseDate)) {
    const evaluated = ranked.map((c) => ({
      ...c,
      verdict: c.estimatedDelivery === null ? ('no_transit_time' as const) : ('misses_promise' as const),
    }));
    return { ok: false, error: { code: 'no_quote_meets_promise', detail: `no quote delivers by ${strategy.promiseDate}`, evaluated } };
  }
  const evaluated = ranked.map((c) => ({ ...c, verdict: verdictFor(c, best, strategy) }));
  const value = {
    chosen: best.quote,
    estimatedDelivery: best.estimatedDelivery,
    strategy,
    reason: reasonFor(best, strategy, quotes.length),
    evaluated,
  };
  return { ok: true, value };
}

/**
 * Quotes for a multi-parcel shipment: for each carrier service quoted for every parcel, one quote with
 * the summed amount and the longest transit. Services missing for any parcel are dropped. The result's
 * `quoteRef` lists the parcels' refs joined by spaces; buy each parcel with its own quote.
 */
export function combineParcelQuotes(quotesPerParcel: readonly (readonly RateQuote[])[]): RateQuote[] {
  const key = (q: RateQuote) => `${q.carrierId}\u0000${q.carrierName}\u0000${q.serviceCode}\u0000${q.amount.currency}`;
  const perParcel = quotesPerParcel.map((quotes) => {
    const byKey = new Map<string, RateQuote>();
    for (const quote of quotes) if (!byKey.has(key(quote))) byKey.set(key(quote), quote);
    return byKey;
  });
  const [first, ...rest] = perParcel;
  if (first === undefined) return [];
  const combined: RateQuote[] = [];
  for (const [serviceKey, quote] of first) {
    const group = [quote, ...rest.map((byKey) => byKey.get(serviceKey))];
    if (group.some((q) => q === undefined)) continue;
    const present = group.filter((q): q is RateQuote => q !== undefined);
    const transits = present.map((q) => q.transitDays);
    const transitDays = transits.includes(null) ? null : Math.max(...transits.map((t) => t ?? 0));
    combined.push({
      carrierId: quote.carrierId,
      carrierName: quote.carrierName,
      serviceCode: quote.serviceCode,
      serviceName: quote.serviceName,
      amount: { amountMinor: present.reduce((sum, q) => sum + q.amount.amountMinor, 0), currency: quote.amount.currency },
      transitDays,
      quoteRef: present.map((q) => q.quoteRef).join(' '),
    });
  }
  return combined;
}
