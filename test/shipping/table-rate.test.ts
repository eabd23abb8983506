import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  billableWeight,
  type CarrierResult,
  createTableRateCarrier,
  defaultRateSheet,
  dimensionalWeightG,
  isTableRateTrackingNumber,
  type ParcelSpec,
  parseRateSheet,
  type RateQuote,
  readRateSheetFile,
  type ShippingAddress,
  zoneFor,
} from '../../src/contexts/shipping/index.js';
import { percentOf } from '../../src/contexts/shipping/table-rate/pricing.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { customer, labelParcel, labelRequest, newark, reno, venlo } from './support/fixtures.js';
import { testSheet, testSheetDocument } from './support/test-sheet.js';

function must<T>(result: CarrierResult<T>): T {
  if (!result.ok) assert.fail(`expected success, got ${result.error.code}: ${result.error.detail}`);
  return result.value;
}
function failure<T>(result: CarrierResult<T>) {
  if (result.ok) assert.fail('expected a failure');
  return result.error;
}

const sheet = testSheet();
const nl = (postalCode: string, residential = false): ShippingAddress => ({
  name: 'Klant',
  line1: 'Straat 1',
  city: 'Stad',
  postalCode,
  country: 'NL',
  residential,
});
const tiny: ParcelSpec = { lengthMm: 100, widthMm: 100, heightMm: 50, weightG: 400 };
const rateReq = (to: ShippingAddress, parcel: ParcelSpec = tiny, from: ShippingAddress = venlo) => ({
  idempotencyKey: 'par_rate',
  from,
  to,
  parcel,
  shipDate: '2026-03-02',
});
const quoteOf = (quotes: readonly RateQuote[], service: string) => {
  const quote = quotes.find((q) => q.serviceCode === service);
  assert.ok(quote, `a ${service} quote`);
  return quote;
};
const carrier = (seed = 7) =>
  createTableRateCarrier({
    sheet,
    clock: new ManualClock('2026-03-02T08:00:00Z'),
    random: (
      (r) => (bound: number) =>
        r.int(0, bound - 1)
    )(new SeededRandom(seed)),
  });

describe('table rate: zones', () => {
  test('destination country and postal prefix pick the zone; the most specific rule wins', () => {
    const zone = (postalCode: string, country: string, from = venlo) => zoneFor(sheet, from, { country, postalCode });
    assert.equal(zone('5911 AB', 'NL'), 'NL-1');
    assert.equal(zone('1012 AB', 'NL'), 'NL-2');
    assert.equal(zone('10115', 'DE'), 'BE-DE');
    assert.equal(zone('SW1A 1AA', 'GB'), 'UK-LONDON');
    assert.equal(zone('sw1a-1aa', 'GB'), 'UK-LONDON', 'case, spaces and dashes are ignored');
    assert.equal(zone('M1 1AE', 'GB'), 'WORLD', 'a prefix the zone does not list falls through');
    assert.equal(zone('10001', 'US'), 'WORLD');
    assert.equal(zone('5911 AB', 'NL', reno), 'WORLD', 'NL zones only serve NL origins');
  });

  test('the default sheet zones the demo locations', () => {
    const zone = (from: ShippingAddress, country: string, postalCode: string) => zoneFor(defaultRateSheet, from, { country, postalCode });
    assert.equal(zone(newark, 'US', '11201'), 'US-REGIONAL');
    assert.equal(zone(reno, 'US', '02108'), 'US-NATIONAL');
    assert.equal(zone(newark, 'US', '00601'), 'US-NONCONTIGUOUS');
    assert.equal(zone(reno, 'CA', 'M5V 2T6'), 'NORTH-AMERICA');
    assert.equal(zone(venlo, 'NL', '1012 AB'), 'EU-DOMESTIC');
    assert.equal(zone(venlo, 'DE', '10115'), 'EU');
    assert.equal(zone(newark, 'JP', '100-0001'), 'WORLD');
  });
});

describe('table rate: weights and prices', () => {
  test('brackets: billable weight rounds up to 0.5 kg and picks the first bracket that holds it', async () => {
    const price = async (weightG: number) => quoteOf(must(await carrier().rate(rateReq(nl('5911 AB'), { ...tiny, weightG }))), 'std');
    assert.equal((await price(400)).billableWeightG, 500);
    assert.equal((await price(400)).charges?.[0]?.amountMinor, 400);
    assert.equal((await price(500)).charges?.[0]?.amountMinor, 400, 'the bracket bound is inclusive');
    assert.equal((await price(501)).billableWeightG, 1000);
    assert.equal((await price(501)).charges?.[0]?.amountMinor, 500);
    assert.equal((await price(4999)).charges?.[0]?.amountMinor, 1000);
  });

  test('dimensional weight per service: cm3/kg, in3/lb, or none', async () => {
    const bulky: ParcelSpec = { lengthMm: 400, widthMm: 300, heightMm: 200, weightG: 1000 };
    assert.equal(dimensionalWeightG(bulky, { unit: 'cm3/kg', value: 5000 }), 4800);
    assert.equal(dimensionalWeightG(bulky, { unit: 'in3/lb', value: 139 }), 4780);
    const quotes = must(await carrier().rate(rateReq(nl('1012 AB'), bulky)));
    assert.equal(quoteOf(quotes, 'std').billableWeightG, 5000);
    assert.equal(quoteOf(quotes, 'exp').billableWeightG, 5000);
    assert.equal(quoteOf(quotes, 'eco').billableWeightG, 1000, 'economy bills actual weight only');
    const std = sheet.services.get('std');
    assert.ok(std);
    assert.deepEqual(billableWeight(sheet, std, { ...bulky, weightG: 6000 }), { actualG: 6000, dimensionalG: 4800, billableG: 6000 });
  });

  test('fuel is a percent of the base, rounded half up; residential is flat', async () => {
    assert.equal(percentOf(995, 750), 75);
    assert.equal(percentOf(5, 1000), 1);
    assert.equal(percentOf(4, 1000), 0);
    assert.equal(percentOf(1_000_000_000_000_000, 9_999), 999_900_000_000_000, 'no float overflow on huge amounts');
    const business = quoteOf(must(await carrier().rate(rateReq(nl('5911 AB')))), 'std');
    assert.deepEqual(business.charges, [
      { kind: 'base', amountMinor: 400 },
      { kind: 'fuel', amountMinor: 40 },
    ]);
    assert.deepEqual(business.amount, { amountMinor: 440, currency: 'EUR' });
    const home = quoteOf(must(await carrier().rate(rateReq(nl('5911 AB', true)))), 'std');
    assert.equal(home.amount.amountMinor, 740);
    assert.deepEqual(home.charges?.at(-1), { kind: 'residential', amountMinor: 300 });
  });

  test('rounding to whole pounds on the default sheet', () => {
    const ground = defaultRateSheet.services.get('ground');
    assert.ok(ground);
    const weight = billableWeight(defaultRateSheet, ground, { lengthMm: 300, widthMm: 200, heightMm: 100, weightG: 1200 });
    assert.deepEqual(weight, { actualG: 1200, dimensionalG: 1195, billableG: 1361 });
  });

  test('transit days come from the zone and service; quotes are cheapest first', async () => {
    const quotes = must(await carrier().rate(rateReq(nl('1012 AB'))));
    assert.deepEqual(
      quotes.map((q) => [q.serviceCode, q.transitDays, q.amount.amountMinor]),
      [
        ['eco', 4, 330],
        ['std', 2, 550],
        ['exp', 1, 1430],
      ],
    );
    assert.equal(quoteOf(must(await carrier().rate(rateReq(nl('5911 AB')))), 'std').transitDays, 1);
  });

  test('a parcel above every bracket, or restricted to services the zone lacks, is service_unavailable', async () => {
    const heavy = { ...tiny, weightG: 6000 };
    const error = failure(await carrier().rate(rateReq(nl('10115'), heavy, venlo)));
    assert.equal(error.code, 'service_unavailable');
    assert.equal(failure(await carrier().rate({ ...rateReq(nl('5911 AB')), serviceCodes: ['exp'] })).code, 'service_unavailable');
    assert.equal(failure(await carrier().rate(rateReq({ ...nl('1012'), country: 'XX' }))).code, 'address_invalid');
  });

  test('property: heavier never costs less, billable weight covers actual and dimensional weight', async () => {
    const parcel = fc.record({
      lengthMm: fc.integer({ min: 1, max: 1200 }),
      widthMm: fc.integer({ min: 1, max: 800 }),
      heightMm: fc.integer({ min: 1, max: 800 }),
      weightG: fc.integer({ min: 1, max: 30_000 }),
    });
    return fc.assert(
      fc.asyncProperty(parcel, fc.integer({ min: 1, max: 5000 }), async (p, extra) => {
        for (const service of defaultRateSheet.services.values()) {
          const w = billableWeight(defaultRateSheet, service, p);
          assert.ok(w.billableG >= p.weightG && w.billableG >= (w.dimensionalG ?? 0));
          assert.ok(w.billableG - Math.max(p.weightG, w.dimensionalG ?? 0) < defaultRateSheet.roundingStepG + 1);
        }
        const request = { idempotencyKey: 'p', from: reno, to: customer(), parcel: p, shipDate: '2026-03-02' };
        const adapter = createTableRateCarrier({ sheet: defaultRateSheet });
        const [a, b] = await Promise.all([
          adapter.rate(request),
          adapter.rate({ ...request, parcel: { ...p, weightG: p.weightG + extra } }),
        ]);
        if (!a.ok || !b.ok) return;
        for (const quote of a.value) {
          const heavier = b.value.find((q) => q.serviceCode === quote.serviceCode);
          if (heavier !== undefined) assert.ok(heavier.amount.amountMinor >= quote.amount.amountMinor);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('table rate: sheet validation on load', () => {
  const errorsOf = (edit: (doc: ReturnType<typeof testSheetDocument>) => unknown) => {
    const doc = testSheetDocument();
    const parsed = parseRateSheet(edit(doc) ?? doc);
    return parsed.ok ? [] : parsed.error.map((e) => `${e.pointer}: ${e.detail}`);
  };

  test('the shipped default sheet and the test sheet are valid', () => {
    assert.equal(defaultRateSheet.carrier.id, 'table-rate');
    assert.deepEqual(
      errorsOf(() => undefined),
      [],
    );
  });

  test('shape errors carry JSON pointers, unknown properties included', () => {
    assert.ok(errorsOf((d) => ({ ...d, fuelSurchargePct: 5 })).some((e) => e.includes('/fuelSurchargePct')));
    assert.ok(errorsOf((d) => ({ ...d, currency: 'usd' })).some((e) => e.startsWith('/currency')));
    assert.ok(errorsOf((d) => ({ ...d, services: [] })).some((e) => e.startsWith('/services')));
    assert.ok(parseRateSheet('not a sheet').ok === false);
  });

  test('meaning errors: references, order, ambiguity, countries, decimals', () => {
    const expect = (edit: (d: ReturnType<typeof testSheetDocument>) => void, pointer: string, text: string) => {
      const errors = errorsOf((d) => {
        edit(d);
        return d;
      });
      assert.ok(
        errors.some((e) => e.startsWith(pointer) && e.includes(text)),
        `${pointer} ${text} in ${JSON.stringify(errors)}`,
      );
    };
    expect(
      (d) => d.rates.push({ service: 'nope', zone: 'NL-1', transitDays: 1, brackets: [{ maxWeightG: 1, priceMinor: 1 }] }),
      '/rates/7/service',
      'unknown',
    );
    expect((d) => d.rates.push({ ...d.rates[0], brackets: [{ maxWeightG: 1, priceMinor: 1 }] } as never), '/rates/7', 'second rate');
    expect((d) => d.rates[0]?.brackets.reverse(), '/rates/0/brackets/1/maxWeightG', 'greater');
    expect(
      (d) => d.zones.push({ code: 'DUP', rules: [{ destination: { countries: ['BE'] } }] }),
      '/zones/5/rules/0',
      'already claimed by zone BE-DE',
    );
    expect(
      (d) => d.zones.push({ code: 'X', rules: [{ destination: { countries: ['*', 'NL'] } }] }),
      '/zones/5/rules/0/destination/countries',
      'stands alone',
    );
    expect(
      (d) => d.zones.push({ code: 'Y', rules: [{ destination: { countries: ['QQ'] } }] }),
      '/zones/5/rules/0/destination/countries/0',
      'unknown country',
    );
    expect((d) => d.zones.push({ code: 'NL-1', rules: [{ destination: { countries: ['FR'] } }] }), '/zones/5/code', 'duplicate');
    expect((d) => Object.assign(d, { fuelSurchargePercent: 7.555 }), '/fuelSurchargePercent', 'two decimals');
    expect((d) => Object.assign(d, { currency: 'ABC' }), '/currency', 'unknown currency');
    expect((d) => d.services.push({ code: 'lonely', name: 'Lonely', dimDivisor: null }), '/services', 'lonely has no rates');
  });

  test('an operator sheet is read from a file; unreadable and invalid files are typed errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rate-sheet-'));
    try {
      await writeFile(join(dir, 'good.json'), JSON.stringify(testSheetDocument()));
      await writeFile(join(dir, 'broken.json'), '{ nope');
      await writeFile(join(dir, 'invalid.json'), JSON.stringify({ ...testSheetDocument(), rates: [] }));
      const good = await readRateSheetFile(join(dir, 'good.json'));
      assert.ok(good.ok && good.value.carrier.id === 'test-post');
      const broken = await readRateSheetFile(join(dir, 'broken.json'));
      assert.ok(!broken.ok && broken.error.kind === 'unreadable');
      const invalid = await readRateSheetFile(join(dir, 'invalid.json'));
      assert.ok(!invalid.ok && invalid.error.kind === 'invalid' && invalid.error.errors[0]?.pointer === '/rates');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('table rate: labels, void, manifest', () => {
  const buy = async (adapter: ReturnType<typeof carrier>, key: string, overrides: { locationId?: string; shipDate?: string } = {}) => {
    const quote = quoteOf(must(await adapter.rate({ ...rateReq(nl('1012 AB')), idempotencyKey: key })), 'std');
    return labelRequest(quote, key, {
      from: venlo,
      to: nl('1012 AB'),
      parcel: labelParcel(key, 5000 + Number(key.replace(/\D/g, '')), tiny),
      ...overrides,
    });
  };

  test('a label: local tracking number with check digit, PDF and ZPL files, same key same label', async () => {
    const adapter = carrier();
    const request = await buy(adapter, 'par_1');
    const label = must(await adapter.buyLabel(request));
    assert.ok(isTableRateTrackingNumber('TP', label.trackingNumber), label.trackingNumber);
    assert.equal(label.replayed, false);
    assert.deepEqual(label.amount, request.quote.amount);
    const pdf = label.files.find((f) => f.format === 'pdf');
    const zpl = label.files.find((f) => f.format === 'zpl');
    assert.ok(pdf?.kind === 'inline' && Buffer.from(pdf.bytes.subarray(0, 5)).toString() === '%PDF-');
    assert.ok(zpl?.kind === 'inline' && new TextDecoder().decode(zpl.bytes).startsWith('^XA'));
    const again = must(await adapter.buyLabel(request));
    assert.equal(again.trackingNumber, label.trackingNumber);
    assert.equal(again.replayed, true);
    const onlyZpl = must(await adapter.buyLabel({ ...request, formats: ['zpl'] }));
    assert.deepEqual(
      onlyZpl.files.map((f) => f.format),
      ['zpl'],
    );
  });

  test('concurrent purchases with one key give one label', async () => {
    const adapter = carrier();
    const request = await buy(adapter, 'par_2');
    const labels = (await Promise.all(Array.from({ length: 8 }, () => adapter.buyLabel(request)))).map(must);
    assert.equal(new Set(labels.map((l) => l.trackingNumber)).size, 1);
    assert.equal(labels.filter((l) => !l.replayed).length, 1);
  });

  test('a stale quote, a foreign quote or a reused key for another parcel is refused', async () => {
    const adapter = carrier();
    const request = await buy(adapter, 'par_3');
    assert.equal(
      failure(await adapter.buyLabel({ ...request, quote: { ...request.quote, quoteRef: 'test-post:std:NL-2:500:1' } })).code,
      'quote_invalid',
    );
    assert.equal(failure(await adapter.buyLabel({ ...request, quote: { ...request.quote, carrierId: 'easypost' } })).code, 'quote_invalid');
    must(await adapter.buyLabel(request));
    const otherParcel = { ...request, parcel: { ...request.parcel, id: 'par_other' } };
    assert.equal(failure(await adapter.buyLabel(otherParcel)).code, 'idempotency_conflict');
    assert.equal(failure(await adapter.buyLabel({ ...request, parcel: { ...request.parcel, sscc: '123' } })).code, 'parcel_invalid');
  });

  test('void is the undo: idempotent, and a voided key stays used', async () => {
    const adapter = carrier();
    const request = await buy(adapter, 'par_4');
    const label = must(await adapter.buyLabel(request));
    const voidRequest = { idempotencyKey: 'par_4', labelRef: label.labelRef, trackingNumber: label.trackingNumber };
    assert.equal(must(await adapter.voidLabel(voidRequest)).status, 'voided');
    assert.equal(must(await adapter.voidLabel(voidRequest)).status, 'voided');
    assert.equal(failure(await adapter.buyLabel(request)).code, 'label_voided');
    assert.equal(failure(await adapter.voidLabel({ ...voidRequest, trackingNumber: 'TP0000000000000' })).code, 'void_failed');
    const relabel = must(await adapter.buyLabel({ ...request, idempotencyKey: 'par_4:2' }));
    assert.notEqual(relabel.trackingNumber, label.trackingNumber);
  });

  test('manifest: every parcel handed over at a location that day, once; manifested labels cannot be voided', async () => {
    const adapter = carrier();
    const labels = [];
    for (const key of ['par_10', 'par_11', 'par_12']) labels.push(must(await adapter.buyLabel(await buy(adapter, key))));
    must(await adapter.buyLabel(await buy(adapter, 'par_13', { locationId: 'loc_other' })));
    must(await adapter.buyLabel(await buy(adapter, 'par_14', { shipDate: '2026-03-03' })));
    const [first, second, third] = labels;
    assert.ok(first && second && third);
    must(await adapter.voidLabel({ idempotencyKey: 'par_12', labelRef: third.labelRef, trackingNumber: third.trackingNumber }));

    const request = { idempotencyKey: 'manifest:loc_reno:2026-03-02', locationId: 'loc_reno', shipDate: '2026-03-02' };
    const manifest = must(await adapter.manifest(request));
    assert.deepEqual(
      manifest.entries.map((e) => e.trackingNumber),
      [first.trackingNumber, second.trackingNumber],
    );
    assert.equal(manifest.totalWeightG, 800);
    assert.deepEqual(manifest.totalAmount, { amountMinor: first.amount.amountMinor * 2, currency: 'EUR' });
    assert.match(manifest.id, /^MF-20260302-\d{8}$/);
    assert.deepEqual(must(await adapter.manifest(request)), manifest, 'same key, same manifest');
    assert.equal(failure(await adapter.manifest({ ...request, locationId: 'loc_other' })).code, 'idempotency_conflict');

    const handedOver = failure(
      await adapter.voidLabel({ idempotencyKey: 'par_10', labelRef: first.labelRef, trackingNumber: first.trackingNumber }),
    );
    assert.equal(handedOver.code, 'void_failed');
    const late = must(await adapter.buyLabel(await buy(adapter, 'par_15')));
    const next = must(await adapter.manifest({ ...request, idempotencyKey: 'manifest:loc_reno:2026-03-02:2' }));
    assert.deepEqual(
      next.entries.map((e) => e.trackingNumber),
      [late.trackingNumber],
    );
  });

  test('capabilities: rate, label, void, manifest; no tracking', async () => {
    const adapter = carrier();
    assert.deepEqual([...adapter.capabilities].sort(), ['label', 'manifest', 'rate', 'void']);
    assert.equal(failure(await adapter.track()).code, 'not_supported');
  });

  test('seeded randomness gives the same tracking numbers in the simulation', async () => {
    const numbers = async (seed: number) => {
      const adapter = carrier(seed);
      return must(await adapter.buyLabel(await buy(adapter, 'par_20'))).trackingNumber;
    };
    assert.equal(await numbers(42), await numbers(42));
    assert.notEqual(await numbers(42), await numbers(43));
  });
});
