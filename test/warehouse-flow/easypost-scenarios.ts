import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compose } from '../../src/compose.js';
import { createEasyPostCarrier } from '../../src/contexts/shipping/index.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { Clock } from '../../src/kernel/clock.js';
import type { FakeEasyPost } from '../shipping/fake-easypost.js';
import { adminHeaders, adminKey, type TestApp } from '../support/harness.js';
import {
  assertProblem,
  assertRateChoice,
  buyLabels,
  createItems,
  foStatus,
  getParcel,
  gtin13,
  level,
  type OrderView,
  type ParcelView,
  pack,
  pickAll,
  placeOrder,
  releaseWave,
  setUpWarehouse,
  ship,
  timeline,
  verified,
} from './support.js';

interface Context {
  readonly t: TestApp;
  readonly fake: FakeEasyPost;
  readonly dialect: string;
  readonly clock: Clock;
  readonly today: string;
}

const easypost = { carrier: 'easypost' };

/** Shipments the fake holds whose reference is this key (EasyPost's `reference` carries our idempotency key). */
const bought = (fake: FakeEasyPost, parcelId: string) =>
  fake.calls
    .filter((c) => c.route === 'buy')
    .map((c) => c.path.split('/')[3] as string)
    .filter((id, i, all) => all.indexOf(id) === i)
    .map((id) => fake.shipment(id))
    .filter((s): s is NonNullable<typeof s> => s !== undefined && String(s.reference).startsWith(parcelId) && s.postage_label !== null);

/** Ready-to-label work at an EasyPost warehouse: released, picked, packed; returns the fulfillment order ids. */
async function packedOrders(ctx: Context, prefix: string, count: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const { t } = ctx;
  const ids: string[] = [];
  const orders: OrderView[] = [];
  for (let i = 1; i <= count; i += 1) orders.push(await placeOrder(t, `${prefix}-${i}`, [{ sku: 'F7-A', quantity: 1 }], extra));
  for (const o of orders) ids.push(o.fulfillment_orders[0]?.id as string);
  const wave = await releaseWave(t, { location: 'WF7', strategy: 'batch' });
  assert.deepEqual(new Set(wave.fulfillment_order_ids), new Set(ids));
  for (const list of wave.pick_lists) await pickAll(t, list);
  for (const fo of ids) await pack(t, fo, {});
  return ids;
}

export function easyPostScenarios(context: () => Context): void {
  test('EasyPost: rates from several carriers, cheapest / fastest / promise date recorded, EasyPost labels shipped', async () => {
    const ctx = context();
    const { t, fake } = ctx;
    await createItems(t, [{ sku: 'F7-A', gtin: gtin13('400000000071') }]);
    await setUpWarehouse(t, { code: 'WF7', slots: [{ sku: 'F7-A', bin: 'A-01-01', sequence: 1 }], stock: { 'F7-A': 100 } });
    const [cheap, fast] = await packedOrders(ctx, 'WF7-R', 2);
    const [promised] = await packedOrders(ctx, 'WF7-P', 1, { promise_date: '2026-03-05' });
    assert.ok(cheap && fast && promised);
    assertProblem(await t.post(`/v1/fulfillment-orders/${cheap}/labels`, { carrier: 'pigeon' }), 400, 'validation_failed');

    const purchases = fake.purchases();
    const [c] = await buyLabels(t, cheap, { ...easypost, strategy: 'cheapest' });
    const [f] = await buyLabels(t, fast, { ...easypost, strategy: 'fastest' });
    const [p] = await buyLabels(t, promised, { ...easypost, strategy: 'promise' });
    assert.ok(c && f && p);
    assert.equal(fake.purchases(), purchases + 3, 'one purchase per parcel');
    for (const parcel of [c, f, p]) {
      assert.equal(parcel.status, 'labelled');
      assert.equal(parcel.label.carrier, 'easypost');
      const services = new Set((parcel.rate_choice?.quotes ?? []).map((q) => q.service.split(':')[0]));
      assert.ok(services.has('USPS') && services.has('UPS'), `quotes from several carriers: ${[...services].join(', ')}`);
      const [shipment] = bought(fake, parcel.id);
      assert.equal(parcel.label.tracking_number, shipment?.tracking_code, 'the tracking number EasyPost sold');
      assert.ok(parcel.label.formats.includes('pdf'));
      const pdf = await t.get(`/v1/parcels/${parcel.id}/label.pdf`);
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-', 'the label file EasyPost serves, stored');
    }
    assertRateChoice(c.rate_choice, 'cheapest', { carrier: 'easypost', service: c.label.service });
    assertRateChoice(f.rate_choice, 'fastest', { carrier: 'easypost', service: f.label.service });
    const winner = assertRateChoice(p.rate_choice, 'promise', { carrier: 'easypost', service: p.label.service }, '2026-03-05');
    assert.ok(
      (p.rate_choice?.quotes ?? []).some((q) => q.verdict === 'misses_promise' && q.amount < winner.amount),
      'a cheaper quote was refused because it misses the promise',
    );
    assert.notEqual(c.label.service, f.label.service);

    const shipment = await ship(t, cheap);
    assert.equal(shipment.carrier, 'easypost');
    const event = (await timeline(t, await orderOf(t, cheap))).find((e) => e.type === 'fulfillment_order.shipped');
    assert.deepEqual(
      [event?.data.carrier, event?.data.service, event?.data.tracking_numbers, event?.data.cost],
      ['easypost', c.label.service, [c.label.tracking_number], c.label.cost],
    );
    await ship(t, fast);
    // EasyPost scan forms are not wired: the manifest is ours alone, and lists what EasyPost carried today.
    const manifest = (await t.post('/v1/manifests', { location: 'WF7', carrier: 'easypost' })).json() as {
      parcels: { tracking_number: string }[];
    };
    assert.deepEqual(manifest.parcels.map((m) => m.tracking_number).sort(), [c.label.tracking_number, f.label.tracking_number].sort());
    await ship(t, promised);
    await verified(t);
  });

  test('EasyPost: a carrier failure and a timeout leave the parcel retryable, and the retry buys exactly one label', async () => {
    const ctx = context();
    const { t, fake } = ctx;
    const [failing, slow, refused] = await packedOrders(ctx, 'WF7-F', 3);
    assert.ok(failing && slow && refused);
    const stock = await level(t, 'F7-A', 'WF7');

    // A 503 from EasyPost on the purchase: nothing bought, 502 problem, parcel still waiting, retry buys once.
    let purchases = fake.purchases();
    fake.inject({ route: 'buy', action: { kind: 'error', status: 503, code: 'SERVICE.UNAVAILABLE', message: 'try later' } });
    const down = assertProblem(await t.post(`/v1/fulfillment-orders/${failing}/labels`, easypost), 502, 'carrier_error');
    assert.equal(down.retryable, true);
    const [waiting] = await parcelsOfFo(t, failing);
    assert.equal(waiting?.status, 'packed');
    assert.ok(waiting?.label.error, 'the failure is recorded on the parcel');
    assert.equal(await foStatus(t, failing), 'in_progress');
    assert.equal(fake.purchases(), purchases);
    const [retried] = await buyLabels(t, failing, easypost);
    assert.equal(retried?.status, 'labelled');
    assert.equal(fake.purchases(), purchases + 1);

    // EasyPost buys but answers too late: 504, and the retry finds the label instead of buying another.
    purchases = fake.purchases();
    fake.inject({ route: 'buy', action: { kind: 'delay', ms: 6_000 } });
    const late = assertProblem(await t.post(`/v1/fulfillment-orders/${slow}/labels`, easypost), 504, 'carrier_timeout');
    assert.equal(late.retryable, true);
    assert.equal(fake.purchases(), purchases + 1, 'EasyPost did sell the label');
    const [pending] = await parcelsOfFo(t, slow);
    assert.equal(pending?.status, 'packed');
    assert.equal(pending?.label.state, 'purchasing');
    assertProblem(await t.post(`/v1/fulfillment-orders/${slow}/ship`, {}), 409, 'illegal_transition');
    const [found] = await buyLabels(t, slow, easypost);
    assert.equal(fake.purchases(), purchases + 1, 'the retry bought nothing more');
    const sold = bought(fake, found?.id ?? '?');
    assert.equal(sold.length, 1);
    assert.equal(found?.label.tracking_number, sold[0]?.tracking_code);

    // A refusal that is not retryable as such (postage failure): the parcel can be labelled again, once.
    purchases = fake.purchases();
    fake.inject({ route: 'buy', action: { kind: 'error', status: 422, code: 'SHIPMENT.POSTAGE.FAILURE', message: 'postage refused' } });
    const no = assertProblem(await t.post(`/v1/fulfillment-orders/${refused}/labels`, easypost), 502, 'carrier_error');
    assert.equal(no.retryable, false);
    assert.equal((await parcelsOfFo(t, refused))[0]?.label.state, 'failed');
    const [relabelled] = await buyLabels(t, refused, easypost);
    assert.equal(relabelled?.status, 'labelled');
    assert.equal(fake.purchases(), purchases + 1);

    assert.deepEqual(await level(t, 'F7-A', 'WF7'), stock, 'labels never move stock');
    await verified(t);
    for (const fo of [failing, slow, refused]) await ship(t, fo);
    await verified(t);
  });

  test('EasyPost: concurrent label requests for one fulfillment order buy once, in one process and across two', async () => {
    const ctx = context();
    const { t, fake } = ctx;
    const [inProcess, acrossProcesses] = await packedOrders(ctx, 'WF7-C', 2);
    assert.ok(inProcess && acrossProcesses);

    let purchases = fake.purchases();
    const answers = await Promise.all([0, 1, 2].map(() => t.post(`/v1/fulfillment-orders/${inProcess}/labels`, easypost)));
    assertConcurrentAnswers(answers);
    assert.equal(fake.purchases(), purchases + 1, 'three requests, one label');
    const [parcel] = await parcelsOfFo(t, inProcess);
    assert.equal(parcel?.status, 'labelled');
    assert.equal(parcel?.label.tracking_number, bought(fake, parcel?.id ?? '?')[0]?.tracking_code);
    assert.equal((await timeline(t, await orderOf(t, inProcess))).filter((e) => e.type === 'parcel.labelled').length, 1);

    // A second API process on the same database with its own EasyPost adapter (no shared memory).
    const db = t.database;
    const other = await compose({
      ...(db.sqliteFile ? { sqliteFile: db.sqliteFile } : { databaseUrl: db.databaseUrl, searchPath: db.searchPath }),
      adminKey,
      clock: ctx.clock,
      carriers: [
        createEasyPostCarrier({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 3_000, retryBackoffMs: 10, clock: ctx.clock }),
      ],
    });
    const otherHttp = await buildHttpApp(other, { logLevel: false });
    try {
      purchases = fake.purchases();
      fake.inject({ route: 'buy', action: { kind: 'delay', ms: 300 }, times: 2 });
      const url = `/v1/fulfillment-orders/${acrossProcesses}/labels`;
      const both = await Promise.all([
        t.post(url, easypost),
        otherHttp.inject({ method: 'POST', url, payload: easypost, headers: adminHeaders }),
      ]);
      assertConcurrentAnswers(both);
      assert.equal(fake.purchases(), purchases + 1, 'two processes, one label');
      const [p] = await parcelsOfFo(t, acrossProcesses);
      assert.equal(p?.status, 'labelled');
      assert.equal(p?.label.tracking_number, bought(fake, p?.id ?? '?')[0]?.tracking_code);
    } finally {
      fake.clearFaults();
      await otherHttp.close();
      await other.close();
    }
    for (const fo of [inProcess, acrossProcesses]) await ship(t, fo);
    await verified(t);
  });

  test('EasyPost: void before shipping refunds at the carrier, the parcel goes back to packed and relabels with a new key', async () => {
    const ctx = context();
    const { t, fake } = ctx;
    const [fo] = await packedOrders(ctx, 'WF7-V', 1);
    assert.ok(fo);
    const stock = await level(t, 'F7-A', 'WF7');
    const [first] = await buyLabels(t, fo, easypost);
    assert.ok(first);
    const [shipment] = bought(fake, first.id);
    assert.equal(shipment?.reference, first.id, 'the first label is bought with the parcel id as key');
    assertProblem(await t.get(`/v1/parcels/${first.id}/label.zpl`), 404, 'not_found');

    // The refund fails at EasyPost: the parcel keeps its label, and voiding again works.
    fake.inject({ route: 'refund', action: { kind: 'error', status: 500, code: 'INTERNAL', message: 'refund service down' } });
    const refused = assertProblem(await t.post(`/v1/parcels/${first.id}/void`, {}), 502, 'carrier_error');
    assert.equal(refused.retryable, true);
    const kept = await getParcel(t, first.id);
    assert.deepEqual([kept.status, kept.label.tracking_number], ['labelled', first.label.tracking_number]);
    const refundsBefore = fake.calls.filter((c) => c.route === 'refund').length;
    const voided = (await t.post(`/v1/parcels/${first.id}/void`, {})).json() as ParcelView;
    assert.deepEqual([voided.status, voided.label.state, voided.label.tracking_number], ['packed', 'voided', null]);
    const refunds = fake.calls.filter((c) => c.route === 'refund');
    assert.equal(refunds.length, refundsBefore + 1, 'the carrier refund was asked for');
    assert.equal(refunds.at(-1)?.path, `/v2/shipments/${shipment?.id}/refund`);
    assert.equal(fake.shipment(String(shipment?.id))?.refund_status, 'submitted');
    assert.deepEqual(await level(t, 'F7-A', 'WF7'), stock);
    await verified(t);
    assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/ship`, {}), 409, 'illegal_transition');

    const purchases = fake.purchases();
    const [second] = await buyLabels(t, fo, easypost);
    assert.equal(second?.status, 'labelled');
    assert.equal(fake.purchases(), purchases + 1);
    assert.notEqual(second?.label.tracking_number, first.label.tracking_number);
    const keys = bought(fake, first.id).map((s) => s.reference);
    assert.deepEqual(keys, [first.id, `${first.id}:2`], 'a new label, a new idempotency key');
    const events = await timeline(t, await orderOf(t, fo));
    assert.deepEqual(
      events.filter((e) => e.type === 'parcel.label_voided').map((e) => e.data.tracking_number),
      [first.label.tracking_number],
    );
    await ship(t, fo);
    const after = await getParcel(t, first.id);
    assert.equal(after.label.tracking_number, second?.label.tracking_number);
    assertProblem(await t.post(`/v1/parcels/${first.id}/void`, {}), 409, 'illegal_transition');
    await verified(t);
  });
}

async function parcelsOfFo(t: TestApp, foId: string): Promise<ParcelView[]> {
  const res = await t.get(`/v1/fulfillment-orders/${foId}/parcels`);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { data: ParcelView[] }).data;
}

async function orderOf(t: TestApp, foId: string): Promise<string> {
  const res = await t.get(`/v1/fulfillment-orders/${foId}`);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { order_id: string }).order_id;
}

/** Concurrent requests: at least one succeeds, the others succeed with the same label or are told to retry (409). */
function assertConcurrentAnswers(answers: readonly { statusCode: number; body: string }[]): void {
  assert.ok(
    answers.some((a) => a.statusCode === 200),
    answers.map((a) => a.body).join('\n'),
  );
  for (const a of answers) assert.ok(a.statusCode === 200 || a.statusCode === 409, `${a.statusCode}: ${a.body}`);
}
