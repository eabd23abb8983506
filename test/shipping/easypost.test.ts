import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type CarrierResult,
  createEasyPostCarrier,
  type EasyPostCarrierOptions,
  type RateQuote,
} from '../../src/contexts/shipping/index.js';
import { type FakeEasyPost, startFakeEasyPost } from './fake-easypost.js';
import { customer, labelParcel, labelRequest, reno, smallBox } from './support/fixtures.js';

/** The EasyPost adapter against the local fake EasyPost: the only EasyPost these tests ever talk to. */

let fake: FakeEasyPost;

beforeEach(async () => {
  fake = await startFakeEasyPost();
});
afterEach(async () => {
  await fake.close();
});

const carrier = (options: Partial<EasyPostCarrierOptions> = {}) =>
  createEasyPostCarrier({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 2_000, retryBackoffMs: 5, ...options });

function must<T>(result: CarrierResult<T>): T {
  if (!result.ok) assert.fail(`expected success, got ${result.error.code}: ${result.error.detail}`);
  return result.value;
}

function failure<T>(result: CarrierResult<T>) {
  if (result.ok) assert.fail('expected a failure');
  return result.error;
}

const rateRequest = (key: string) => ({ idempotencyKey: key, from: reno, to: customer(), parcel: smallBox, shipDate: '2026-03-02' });

async function quoteFor(key: string, service = 'USPS:Priority'): Promise<RateQuote> {
  const quotes = must(await carrier().rate(rateRequest(key)));
  const quote = quotes.find((q) => q.serviceCode === service);
  assert.ok(quote, `a ${service} quote`);
  return quote;
}

const callsTo = (route: string) => fake.calls.filter((c) => c.route === route);

describe('EasyPost adapter: rates, labels, refunds, trackers', () => {
  test('rating creates a shipment in inches and ounces, with the key as reference, and returns sorted quotes in minor units', async () => {
    const quotes = must(await carrier().rate(rateRequest('par_1')));
    const [call] = callsTo('create_shipment');
    assert.ok(call?.authorized, 'basic auth with the API key as user name');
    assert.deepEqual((call.body as { shipment: { parcel: unknown } }).shipment.parcel, {
      length: 11.9,
      width: 7.9,
      height: 4,
      weight: 42.4,
    });
    assert.equal((call.body as { shipment: { reference: string } }).shipment.reference, 'par_1');
    assert.equal(quotes.length, 4);
    for (const [i, quote] of quotes.entries()) {
      assert.ok(Number.isInteger(quote.amount.amountMinor) && quote.amount.amountMinor > 0);
      assert.equal(quote.amount.currency, 'USD');
      assert.match(quote.quoteRef, /^shp_[0-9a-f]{32}\/rate_[0-9a-f]{32}$/);
      if (i > 0) assert.ok((quotes[i - 1]?.amount.amountMinor ?? 0) <= quote.amount.amountMinor, 'cheapest first');
    }
    const priority = quotes.find((q) => q.serviceCode === 'USPS:Priority');
    assert.equal(priority?.carrierName, 'USPS');
    assert.equal(typeof priority?.transitDays, 'number');
    const onlyUps = must(await carrier().rate({ ...rateRequest('par_1'), serviceCodes: ['UPS:Ground'] }));
    assert.deepEqual(
      onlyUps.map((q) => q.serviceCode),
      ['UPS:Ground'],
    );
  });

  test('buy, track, refund: the whole life of a label', async () => {
    const quote = await quoteFor('par_2');
    const adapter = carrier();
    const label = must(await adapter.buyLabel(labelRequest(quote, 'par_2')));
    assert.equal(label.replayed, false);
    assert.match(label.trackingNumber, /^9400\d{18}$/);
    assert.equal(label.labelRef, quote.quoteRef.split('/')[0]);
    assert.deepEqual(label.amount, quote.amount);
    assert.equal(label.serviceCode, 'USPS:Priority');
    assert.ok(label.files.some((f) => f.kind === 'url' && f.format === 'pdf' && f.url.startsWith(fake.baseUrl)));
    assert.equal(fake.purchases(), 1);
    const pdf = label.files.find((f) => f.format === 'pdf');
    assert.ok(pdf?.kind === 'url');
    assert.ok((await (await fetch(pdf.url)).text()).startsWith('%PDF'), 'label file downloadable');

    const tracking = must(await adapter.track({ idempotencyKey: 'par_2', trackingNumber: label.trackingNumber, carrierName: 'USPS' }));
    assert.equal(tracking.status, 'pre_transit');
    assert.equal(tracking.trackingNumber, label.trackingNumber);

    const voided = must(
      await adapter.voidLabel({ idempotencyKey: 'par_2', labelRef: label.labelRef, trackingNumber: label.trackingNumber }),
    );
    assert.equal(voided.status, 'void_pending');
    assert.equal(fake.shipment(label.labelRef)?.refund_status, 'submitted');
    const again = must(
      await adapter.voidLabel({ idempotencyKey: 'par_2', labelRef: label.labelRef, trackingNumber: label.trackingNumber }),
    );
    assert.equal(again.status, 'void_pending');
    assert.equal(callsTo('refund').length, 1, 'a second void reads the shipment and sends no second refund');
    assert.equal(failure(await adapter.buyLabel(labelRequest(quote, 'par_2'))).code, 'label_voided');
    assert.equal(failure(await carrier().buyLabel(labelRequest(quote, 'par_2'))).code, 'label_voided', 'also in a fresh process');
  });

  test('trackers use EasyPost test codes and are deduplicated by EasyPost', async () => {
    const delivered = must(await carrier().track({ idempotencyKey: 'trk-1', trackingNumber: 'EZ4000000004', carrierName: 'USPS' }));
    assert.equal(delivered.status, 'delivered');
    assert.deepEqual(
      delivered.events.map((e) => e.status),
      ['pre_transit', 'in_transit', 'out_for_delivery', 'delivered'],
    );
    const again = must(await carrier().track({ idempotencyKey: 'trk-1', trackingNumber: 'EZ4000000004', carrierName: 'USPS' }));
    assert.equal(again.trackerRef, delivered.trackerRef);
  });

  test('the adapter reports what it supports: no manifest', async () => {
    const adapter = carrier();
    assert.deepEqual([...adapter.capabilities].sort(), ['label', 'rate', 'track', 'void']);
    assert.equal(failure(await adapter.manifest()).code, 'not_supported');
  });
});

describe('EasyPost adapter: failures are typed results', () => {
  test('a wrong API key is refused by the fake and reported as rejected credentials, not retryable', async () => {
    const error = failure(await carrier({ apiKey: 'wrong' }).rate(rateRequest('par_3')));
    assert.equal(error.code, 'carrier_credentials_rejected');
    assert.equal(error.retryable, false);
    assert.equal(error.carrierCode, 'APIKEY.REQUIRED');
    assert.equal(fake.calls[0]?.authorized, false);
  });

  test('4xx: an address EasyPost cannot verify is address_invalid with its field errors', async () => {
    const error = failure(await carrier().rate({ ...rateRequest('par_4'), to: customer({ postalCode: '00000' }) }));
    assert.equal(error.code, 'address_invalid');
    assert.equal(error.carrierCode, 'ADDRESS.VERIFY.FAILURE');
    assert.deepEqual(error.fieldErrors, [{ field: 'zip', message: 'Invalid zip code' }]);
    assert.equal(error.retryable, false);
  });

  test('bad input is refused before any call', async () => {
    const error = failure(await carrier().rate({ ...rateRequest('par_5'), to: customer({ country: 'XX' }) }));
    assert.equal(error.code, 'address_invalid');
    assert.equal(fake.calls.length, 0);
  });

  test('4xx on buy is label_failed, not retryable, and nothing was bought', async () => {
    const quote = await quoteFor('par_6');
    fake.inject({
      route: 'buy',
      action: { kind: 'error', status: 422, code: 'SHIPMENT.POSTAGE.FAILURE', message: 'Carrier refused the label' },
    });
    const error = failure(await carrier().buyLabel(labelRequest(quote, 'par_6')));
    assert.equal(error.code, 'label_failed');
    assert.equal(error.retryable, false);
    assert.equal(error.carrierCode, 'SHIPMENT.POSTAGE.FAILURE');
    assert.equal(fake.purchases(), 0);
  });

  test('5xx on rating is retried (rating is free); 5xx on buying is not, and the retry buys once', async () => {
    fake.inject({ route: 'create_shipment', action: { kind: 'error', status: 503, code: 'SERVICE.UNAVAILABLE', message: 'busy' } });
    const quote = await quoteFor('par_7');
    assert.equal(callsTo('create_shipment').length, 2);
    fake.inject({ route: 'buy', action: { kind: 'error', status: 500, code: 'INTERNAL', message: 'oops' } });
    const adapter = carrier();
    const error = failure(await adapter.buyLabel(labelRequest(quote, 'par_7')));
    assert.equal(error.code, 'carrier_unavailable');
    assert.equal(error.retryable, true);
    assert.equal(callsTo('buy').length, 1, 'a purchase is never retried automatically');
    const label = must(await adapter.buyLabel(labelRequest(quote, 'par_7')));
    assert.equal(label.replayed, false);
    assert.equal(fake.purchases(), 1);
  });

  test('5xx that persists ends after the bounded retries; 429 is rate limited', async () => {
    fake.inject({ route: 'create_shipment', times: 10, action: { kind: 'error', status: 502, code: 'BAD_GATEWAY', message: 'down' } });
    const error = failure(await carrier({ retriesMax: 2 }).rate(rateRequest('par_8')));
    assert.equal(error.code, 'carrier_unavailable');
    assert.equal(error.retryable, true);
    assert.equal(callsTo('create_shipment').length, 3);
    fake.clearFaults();
    fake.inject({
      route: 'create_shipment',
      times: 10,
      action: { kind: 'error', status: 429, code: 'RATE_LIMITED', message: 'slow down' },
    });
    assert.equal(failure(await carrier({ retriesMax: 0 }).rate(rateRequest('par_8'))).code, 'carrier_rate_limited');
  });

  test('a redirect is refused and never followed', async () => {
    fake.inject({ route: 'create_shipment', action: { kind: 'redirect', location: `${fake.baseUrl}/elsewhere` } });
    const error = failure(await carrier().rate(rateRequest('par_9')));
    assert.equal(error.code, 'carrier_unavailable');
    assert.equal(error.retryable, false);
    assert.equal(
      fake.calls.some((c) => c.path === '/elsewhere'),
      false,
    );
  });

  test('a dropped connection while rating is retried', async () => {
    fake.inject({ route: 'create_shipment', action: { kind: 'drop' } });
    must(await carrier().rate(rateRequest('par_10')));
    assert.equal(callsTo('create_shipment').length, 2);
  });

  test('an unreachable EasyPost is carrier_unavailable and retryable', async () => {
    const url = fake.baseUrl;
    await fake.close();
    const error = failure(await createEasyPostCarrier({ apiKey: 'k', baseUrl: url, retriesMax: 0 }).rate(rateRequest('par_11')));
    assert.equal(error.code, 'carrier_unavailable');
    assert.equal(error.retryable, true);
    fake = await startFakeEasyPost();
  });

  test('a quote of another parcel or another adapter is refused', async () => {
    const quote = await quoteFor('par_12');
    assert.equal(failure(await carrier().buyLabel(labelRequest(quote, 'par_other'))).code, 'quote_invalid');
    assert.equal(failure(await carrier().buyLabel(labelRequest({ ...quote, carrierId: 'table-rate' }, 'par_12'))).code, 'quote_invalid');
    assert.equal(fake.purchases(), 0);
  });
});

describe('EasyPost adapter: one key never buys twice', () => {
  test('a timeout after EasyPost bought the label leaves a retryable state; the retry returns that label', async () => {
    const quote = await quoteFor('par_20');
    fake.inject({ route: 'buy', action: { kind: 'delay', ms: 600 } });
    const adapter = carrier({ timeoutMs: 150 });
    const error = failure(await adapter.buyLabel(labelRequest(quote, 'par_20')));
    assert.equal(error.code, 'carrier_timeout');
    assert.equal(error.retryable, true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(fake.purchases(), 1, 'EasyPost did buy it');
    const label = must(await adapter.buyLabel(labelRequest(quote, 'par_20')));
    assert.equal(label.replayed, true);
    assert.equal(fake.purchases(), 1);
    assert.equal(callsTo('buy').length, 1, 'the retry found the postage and did not post a second buy');
  });

  test('a timeout before EasyPost acted: the retry buys, once', async () => {
    const quote = await quoteFor('par_21');
    fake.inject({ route: 'buy', action: { kind: 'hang', ms: 400 } });
    const adapter = carrier({ timeoutMs: 100 });
    assert.equal(failure(await adapter.buyLabel(labelRequest(quote, 'par_21'))).code, 'carrier_timeout');
    assert.equal(fake.purchases(), 0);
    const label = must(await adapter.buyLabel(labelRequest(quote, 'par_21')));
    assert.equal(label.replayed, false);
    assert.equal(fake.purchases(), 1);
  });

  test('an unreadable answer to a purchase is retryable and the retry finds the label', async () => {
    const quote = await quoteFor('par_22');
    fake.inject({ route: 'buy', action: { kind: 'garbage' } });
    const adapter = carrier();
    const error = failure(await adapter.buyLabel(labelRequest(quote, 'par_22')));
    assert.equal(error.code, 'label_failed');
    assert.equal(error.retryable, true);
    assert.equal(must(await adapter.buyLabel(labelRequest(quote, 'par_22'))).replayed, true);
    assert.equal(fake.purchases(), 1);
  });

  test('two calls at once in one process: one HTTP purchase, the same label twice', async () => {
    const quote = await quoteFor('par_23');
    const adapter = carrier();
    const [a, b] = await Promise.all([adapter.buyLabel(labelRequest(quote, 'par_23')), adapter.buyLabel(labelRequest(quote, 'par_23'))]);
    assert.equal(must(a).trackingNumber, must(b).trackingNumber);
    assert.equal([a, b].filter((r) => must(r).replayed).length, 1, 'the caller that joined sees a replay');
    assert.equal(callsTo('buy').length, 1);
    assert.equal(fake.purchases(), 1);
    const later = must(await adapter.buyLabel(labelRequest(quote, 'par_23')));
    assert.equal(later.replayed, true);
    assert.equal(callsTo('buy').length, 1, 'a later call is answered from memory');
  });

  test('calls at once from separate processes (adapters): EasyPost sells once, every caller gets that label', async () => {
    const quote = await quoteFor('par_24');
    const results = await Promise.all(Array.from({ length: 6 }, () => carrier().buyLabel(labelRequest(quote, 'par_24'))));
    const tracking = new Set(results.map((r) => must(r).trackingNumber));
    assert.equal(tracking.size, 1);
    assert.equal(fake.purchases(), 1);
    assert.equal(results.filter((r) => must(r).replayed === false).length, 1, 'exactly one caller bought');
  });

  test('the same key with another quote is a conflict, not a second label', async () => {
    const quote = await quoteFor('par_25');
    const adapter = carrier();
    must(await adapter.buyLabel(labelRequest(quote, 'par_25')));
    const other = await quoteFor('par_25', 'UPS:Ground');
    assert.equal(failure(await adapter.buyLabel(labelRequest(other, 'par_25'))).code, 'idempotency_conflict');
    assert.equal(fake.purchases(), 1);
  });

  test('after an unanswered purchase the key stays tied to its quote: a fresh quote cannot buy a second label', async () => {
    const first = await quoteFor('par_26');
    fake.inject({ route: 'buy', action: { kind: 'delay', ms: 400 } });
    const adapter = carrier({ timeoutMs: 100 });
    assert.equal(failure(await adapter.buyLabel(labelRequest(first, 'par_26'))).code, 'carrier_timeout');
    const fresh = await quoteFor('par_26');
    const conflict = failure(await adapter.buyLabel(labelRequest(fresh, 'par_26')));
    assert.equal(conflict.code, 'idempotency_conflict');
    assert.match(conflict.detail, /retry with that quote/);
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.equal(must(await adapter.buyLabel(labelRequest(first, 'par_26'))).replayed, true);
    assert.equal(fake.purchases(), 1);
  });

  test('a purchase EasyPost refused frees the key for another quote', async () => {
    const first = await quoteFor('par_27');
    fake.inject({
      route: 'buy',
      action: { kind: 'error', status: 422, code: 'SHIPMENT.POSTAGE.FAILURE', message: 'carrier down for this service' },
    });
    const adapter = carrier();
    assert.equal(failure(await adapter.buyLabel(labelRequest(first, 'par_27'))).retryable, false);
    const other = await quoteFor('par_27', 'UPS:Ground');
    assert.equal(must(await adapter.buyLabel(labelRequest(other, 'par_27'))).serviceCode, 'UPS:Ground');
    assert.equal(fake.purchases(), 1);
  });

  test('multi-parcel: each parcel is its own key and label', async () => {
    const adapter = carrier();
    const labels = [];
    for (const [i, key] of ['par_30', 'par_31'].entries()) {
      const quote = await quoteFor(key);
      labels.push(must(await adapter.buyLabel(labelRequest(quote, key, { parcel: labelParcel(key, 3000 + i, smallBox, i + 1, 2) }))));
    }
    assert.equal(new Set(labels.map((l) => l.trackingNumber)).size, 2);
    assert.equal(fake.purchases(), 2);
  });
});
