import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEasyPostCarrier } from '../../src/contexts/shipping/index.js';
import { type FakeEasyPost, startFakeEasyPost } from '../shipping/fake-easypost.js';
import { testDialects } from '../support/dialects.js';
import { must } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { easyPostScenarios } from './easypost-scenarios.js';
import {
  assertPdfDocument,
  assertProblem,
  assertRateChoice,
  buyLabels,
  createItems,
  foStatus,
  getOrder,
  getParcel,
  gtin13,
  level,
  movements,
  type OrderView,
  pack,
  parcelsOf,
  pdfText,
  pickAll,
  placeOrder,
  readLabelPdf,
  readLabelZpl,
  releaseWave,
  setUpWarehouse,
  ship,
  tickingClock,
  timeline,
  verified,
} from './support.js';

/**
 * Issue 3 end to end over HTTP on each database: order -> wave -> pick by scans -> pack -> rate -> label ->
 * ship -> manifest, with the ledger checked at each step, and what a hostile client or a bad day on the
 * warehouse floor does to it. Every scenario uses its own location and SKUs, so they share one app.
 */

/** Monday 2 March 2026: transit days and promise dates are predictable. */
const today = '2026-03-02';

const foOf = (o: OrderView, loc?: string) => {
  const fo = o.fulfillment_orders.find((f) => loc === undefined || f.location === loc);
  assert.ok(fo, `order ${o.id} has a fulfillment order${loc ? ` at ${loc}` : ''}`);
  return fo.id;
};

for (const dialect of await testDialects()) {
  describe(`warehouse flow over HTTP on ${dialect}`, () => {
    let t: TestApp;
    let fake: FakeEasyPost;
    const clock = tickingClock(`${today}T14:00:00.000Z`);

    before(async () => {
      fake = await startFakeEasyPost();
      const easypost = createEasyPostCarrier({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, timeoutMs: 3_000, retryBackoffMs: 10, clock });
      t = await createTestApp(dialect, { clock, compose: { carriers: [easypost] } });
    });
    after(async () => {
      await t?.close();
      await fake?.close();
    });

    test('single strategy: the whole path, ledger, statuses, timeline and documents at each step', async () => {
      const gtins = { mug: gtin13('400000000001'), tee: gtin13('400000000002'), lamp: gtin13('400000000003') };
      await createItems(t, [
        { sku: 'F1-MUG', gtin: gtins.mug },
        { sku: 'F1-TEE', gtin: gtins.tee, weight_g: 200 },
        { sku: 'F1-LAMP', gtin: gtins.lamp, weight_g: 1_800, dimensions_mm: { length: 300, width: 200, height: 150 } },
      ]);
      await setUpWarehouse(t, {
        code: 'WF1',
        slots: [
          { sku: 'F1-TEE', bin: 'A-03-02', sequence: 1_030 },
          { sku: 'F1-LAMP', bin: 'B-10-01', sequence: 2_010 },
          { sku: 'F1-MUG', bin: 'C-05-01', sequence: 3_050 },
        ],
        stock: { 'F1-MUG': 10, 'F1-TEE': 10, 'F1-LAMP': 5 },
      });
      // Lines in the order C, A, B: the naive walk zigzags, the pick sequence does not.
      const o1 = await placeOrder(t, 'WF1-1', [
        { sku: 'F1-MUG', quantity: 2 },
        { sku: 'F1-TEE', quantity: 3 },
        { sku: 'F1-LAMP', quantity: 1 },
      ]);
      const o2 = await placeOrder(t, 'WF1-2', [{ sku: 'F1-TEE', quantity: 1 }]);
      const [fo1, fo2] = [foOf(o1, 'WF1'), foOf(o2, 'WF1')];
      assert.deepEqual(await level(t, 'F1-TEE', 'WF1'), { on_hand: 10, reserved: 4 });

      const wave = await releaseWave(t, { location: 'WF1', strategy: 'single' });
      assert.equal(wave.strategy, 'single');
      assert.deepEqual(new Set(wave.fulfillment_order_ids), new Set([fo1, fo2]));
      assert.equal(wave.pick_lists.length, 2, 'one pick list per order');
      for (const list of wave.pick_lists) assert.equal(new Set(list.tasks.map((task) => task.fulfillment_order_id)).size, 1);
      const list1 = wave.pick_lists.find((l) => l.tasks[0]?.fulfillment_order_id === fo1);
      const list2 = wave.pick_lists.find((l) => l.tasks[0]?.fulfillment_order_id === fo2);
      assert.ok(list1 && list2);
      assert.deepEqual(
        list1.tasks.map((task) => [task.bin, task.sku, task.barcode, task.quantity, task.tote]),
        [
          ['A-03-02', 'F1-TEE', gtins.tee, 3, 'T1'],
          ['B-10-01', 'F1-LAMP', gtins.lamp, 1, 'T1'],
          ['C-05-01', 'F1-MUG', gtins.mug, 2, 'T1'],
        ],
      );
      assert.ok(list1.walk_length < list1.naive_walk_length, `walk ${list1.walk_length} < naive ${list1.naive_walk_length}`);
      assert.equal(await foStatus(t, fo1), 'in_progress');
      const released = (await timeline(t, o1.id)).filter((e) => e.type === 'fulfillment_order.released');
      assert.deepEqual(
        released.map((e) => [e.data.fulfillment_order_id, e.data.wave_id]),
        [[fo1, wave.id]],
      );
      assert.deepEqual(ok(await t.get(`/v1/waves/${wave.id}`)).id, wave.id);

      // The pick list on paper: bins in walking order.
      const listPdf = await t.get(`/v1/pick-lists/${list1.id}/pick-list.pdf`);
      assertPdfDocument(listPdf, 'pick-list-');
      const listText = await pdfText(listPdf.rawPayload);
      if (listText !== null) {
        const at = ['A-03-02', 'B-10-01', 'C-05-01'].map((bin) => listText.indexOf(bin));
        assert.ok(
          at.every((i) => i >= 0),
          'the paper lists every bin',
        );
        assert.deepEqual(
          at,
          [...at].sort((a, b) => a - b),
          'the paper lists the bins in walking order',
        );
        assert.ok(listText.includes(gtins.mug) && listText.includes('T1'));
      }

      // Pick unit by unit: MUG by GTIN twice, TEE by SKU, LAMP by GTIN. A pick moves nothing between levels.
      const before = await Promise.all(['F1-MUG', 'F1-TEE', 'F1-LAMP'].map((sku) => level(t, sku, 'WF1')));
      const scan = async (bin: string, barcode: string, quantity?: number) => {
        const res = await t.post(`/v1/pick-lists/${list1.id}/scans`, { bin, barcode, ...(quantity ? { quantity } : {}) });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { task_id: string; tote: string; remaining_quantity: number; pick_list: { status: string } };
      };
      const tee = await scan('A-03-02', 'F1-TEE', 3);
      assert.equal(tee.remaining_quantity, 0);
      assert.equal(tee.pick_list.status, 'in_progress');
      assert.equal((await scan('B-10-01', gtins.lamp)).tote, 'T1');
      assert.equal((await scan('C-05-01', gtins.mug)).remaining_quantity, 1);
      const last = await scan('C-05-01', gtins.mug);
      assert.equal(last.pick_list.status, 'completed');
      const pickMoves = (await movements(t, { location: 'WF1' })).filter((m) => m.kind === 'pick');
      assert.equal(pickMoves.length, 4, 'one pick movement per confirmed scan');
      assert.ok(pickMoves.every((m) => m.on_hand_delta === 0 && m.reserved_delta === 0 && m.ref_type === 'pick_task'));
      assert.deepEqual(new Set(pickMoves.map((m) => m.ref_id)), new Set(list1.tasks.map((task) => task.id)));
      assert.deepEqual(await Promise.all(['F1-MUG', 'F1-TEE', 'F1-LAMP'].map((sku) => level(t, sku, 'WF1'))), before);
      await verified(t);

      // Pack: the proposal, then the packer scans every unit; the parcels are the proposal's boxes.
      const proposal = ok(await t.post(`/v1/fulfillment-orders/${fo1}/packing-proposal`, {})) as {
        parcels: {
          box: string;
          items: { sku: string; quantity: number }[];
          billable_weight_g: number;
          actual_weight_g: number;
          cost: number;
          box_cost: number;
          rate: number;
        }[];
        cost: number;
      };
      assert.equal(
        proposal.parcels.reduce((sum, p) => sum + p.cost, 0),
        proposal.cost,
      );
      for (const p of proposal.parcels) {
        assert.ok(p.billable_weight_g >= p.actual_weight_g, 'billable weight is at least the actual weight');
        assert.equal(p.cost, p.box_cost + p.rate);
      }
      assert.deepEqual(unitsOf(proposal.parcels), { 'F1-LAMP': 1, 'F1-MUG': 2, 'F1-TEE': 3 });
      const parcels = await pack(t, fo1, { scans: [gtins.mug, 'F1-TEE', gtins.lamp, 'F1-TEE', gtins.mug, gtins.tee] });
      assert.deepEqual(unitsOf(parcels), { 'F1-LAMP': 1, 'F1-MUG': 2, 'F1-TEE': 3 });
      assert.deepEqual(parcels.map((p) => p.box).sort(), proposal.parcels.map((p) => p.box).sort());
      assert.equal(new Set(parcels.map((p) => p.sscc)).size, parcels.length, 'one SSCC per parcel');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo1}/parcels`, {}), 409, 'not_picked');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo1}/ship`, {}), 409, 'illegal_transition');

      // Rate and label: the cheapest table rate, the choice and every other quote recorded.
      const labelled = await buyLabels(t, fo1, { strategy: 'cheapest', carrier: 'table-rate' });
      assert.equal(labelled.length, parcels.length);
      for (const p of labelled) {
        assert.equal(p.status, 'labelled');
        assert.equal(p.label.state, 'purchased');
        assert.equal(p.label.carrier, 'table-rate');
        assert.ok(p.label.tracking_number && p.label.cost && p.label.cost > 0);
        assert.deepEqual([...p.label.formats].sort(), ['pdf', 'zpl']);
        assertRateChoice(p.rate_choice, 'cheapest', { carrier: 'table-rate', service: p.label.service });
        await assertLabelDocuments(t, p.id, p.label.tracking_number, p.sscc);
      }
      // Asking again is idempotent: the same labels come back and nothing new is bought.
      const again = await t.post(`/v1/fulfillment-orders/${fo1}/labels`, { carrier: 'table-rate' });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(
        (again.json().data as { id: string; label: { tracking_number: string } }[]).map((p) => [p.id, p.label.tracking_number]),
        labelled.map((p) => [p.id, p.label.tracking_number]),
      );
      const slip = await t.get(`/v1/fulfillment-orders/${fo1}/packing-slip.pdf`);
      assertPdfDocument(slip, 'packing-slip-');
      const slipText = await pdfText(slip.rawPayload);
      if (slipText !== null) {
        for (const text of ['WF1-1', 'F1-MUG', 'F1-TEE', 'F1-LAMP', ...labelled.map((p) => p.label.tracking_number ?? '?')])
          assert.ok(slipText.includes(text), `packing slip shows ${text}`);
      }

      // Ship: stock leaves through the ledger, the shipment and the event carry carrier, service, tracking and cost.
      const shipment = await ship(t, fo1);
      const tracking = labelled.map((p) => p.label.tracking_number);
      assert.equal(shipment.carrier, 'table-rate');
      assert.deepEqual([...shipment.tracking_numbers].sort(), [...tracking].sort());
      assert.equal(
        shipment.cost,
        labelled.reduce((sum, p) => sum + (p.label.cost ?? 0), 0),
      );
      assert.equal(shipment.remainder_fulfillment_order_id, null);
      assert.ok(shipment.parcels.every((p) => p.status === 'shipped' && p.shipment_id === shipment.id));
      const shipMoves = await movements(t, { ref_id: shipment.id });
      assert.deepEqual(shipMoves.map((m) => [m.sku, m.kind, m.on_hand_delta, m.reserved_delta]).sort(), [
        ['F1-LAMP', 'ship', -1, -1],
        ['F1-MUG', 'ship', -2, -2],
        ['F1-TEE', 'ship', -3, -3],
      ]);
      assert.deepEqual(await level(t, 'F1-MUG', 'WF1'), { on_hand: 8, reserved: 0 });
      assert.deepEqual(await level(t, 'F1-TEE', 'WF1'), { on_hand: 7, reserved: 1 });
      assert.deepEqual(await level(t, 'F1-LAMP', 'WF1'), { on_hand: 4, reserved: 0 });
      await verified(t);
      assert.equal(await foStatus(t, fo1), 'fulfilled');
      assert.equal((await getOrder(t, o1.id)).status, 'fulfilled');
      const shipped = (await timeline(t, o1.id)).filter((e) => e.type === 'fulfillment_order.shipped');
      assert.equal(shipped.length, 1);
      assert.deepEqual(
        {
          fulfillment_order_id: shipped[0]?.data.fulfillment_order_id,
          shipment_id: shipped[0]?.data.shipment_id,
          carrier: shipped[0]?.data.carrier,
          service: shipped[0]?.data.service,
          tracking_numbers: [...((shipped[0]?.data.tracking_numbers as string[]) ?? [])].sort(),
          cost: shipped[0]?.data.cost,
          currency: shipped[0]?.data.currency,
        },
        {
          fulfillment_order_id: fo1,
          shipment_id: shipment.id,
          carrier: 'table-rate',
          service: shipment.service,
          tracking_numbers: [...tracking].sort(),
          cost: shipment.cost,
          currency: 'USD',
        },
      );

      // Ship twice, label, void or unpack a shipped parcel: refused, nothing moves.
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo1}/ship`, {}), 409, 'illegal_transition');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo1}/labels`, {}), 409, 'illegal_transition');
      const voidShipped = assertProblem(await t.post(`/v1/parcels/${labelled[0]?.id}/void`, {}), 409, 'illegal_transition');
      assert.match(String(voidShipped.detail), /shipped/);
      assertProblem(await t.post(`/v1/parcels/${labelled[0]?.id}/unpack`, {}), 409, 'illegal_transition');
      assert.equal((await movements(t, { ref_id: shipment.id })).length, 3);
      await verified(t);

      // The end-of-day manifest lists every parcel handed over; a second one finds nothing new.
      const manifest = ok(await t.post('/v1/manifests', { location: 'WF1', carrier: 'table-rate' })) as {
        id: string;
        ship_date: string;
        parcels: { id: string; tracking_number: string; sscc: string }[];
      };
      assert.equal(manifest.ship_date, today);
      assert.deepEqual(manifest.parcels.map((p) => p.tracking_number).sort(), [...tracking].sort());
      assert.deepEqual(ok(await t.get(`/v1/manifests/${manifest.id}`)).parcels, manifest.parcels);
      assert.ok((await parcelsOf(t, fo1)).every((p) => p.manifest_id === manifest.id));
      const manifestPdf = await t.get(`/v1/manifests/${manifest.id}/manifest.pdf`);
      assertPdfDocument(manifestPdf, 'manifest-');
      const manifestText = await pdfText(manifestPdf.rawPayload);
      if (manifestText !== null) for (const tn of tracking) assert.ok(manifestText.includes(tn ?? '?'), `manifest lists ${tn}`);
      assertProblem(await t.post('/v1/manifests', { location: 'WF1', carrier: 'table-rate' }), 409, 'nothing_to_release');

      // The second order: picked by GTIN, packed by quantities, the fastest service, its own manifest.
      await pickAll(t, list2, 'gtin');
      await pack(t, fo2, { items: [{ sku: 'F1-TEE', quantity: 1 }] });
      const [fast] = await buyLabels(t, fo2, { strategy: 'fastest', carrier: 'table-rate' });
      assert.ok(fast);
      assertRateChoice(fast.rate_choice, 'fastest', { carrier: 'table-rate', service: fast.label.service });
      await ship(t, fo2);
      const second = ok(await t.post('/v1/manifests', { location: 'WF1', carrier: 'table-rate', ship_date: today })) as {
        parcels: { id: string }[];
      };
      assert.deepEqual(
        second.parcels.map((p) => p.id),
        [fast.id],
      );
      assert.deepEqual(await level(t, 'F1-TEE', 'WF1'), { on_hand: 6, reserved: 0 });
      await verified(t);
    });

    test('batch strategy: several orders in one walk, a tote each, filtered by promise date, units and orders', async () => {
      await createItems(t, [{ sku: 'F2-A', gtin: gtin13('400000000021') }, { sku: 'F2-B', gtin: gtin13('400000000022') }, { sku: 'F2-C' }]);
      await setUpWarehouse(t, {
        code: 'WF2',
        slots: [
          { sku: 'F2-A', bin: 'B-02-01', sequence: 200 },
          { sku: 'F2-B', bin: 'A-07-01', sequence: 100 },
          { sku: 'F2-C', bin: 'D-01-01', sequence: 400 },
        ],
        stock: { 'F2-A': 20, 'F2-B': 20, 'F2-C': 20 },
      });
      const soon = { promise_date: '2026-03-05' };
      const orders = [
        await placeOrder(
          t,
          'WF2-1',
          [
            { sku: 'F2-A', quantity: 1 },
            { sku: 'F2-C', quantity: 2 },
          ],
          soon,
        ),
        await placeOrder(t, 'WF2-2', [{ sku: 'F2-B', quantity: 2 }], soon),
        await placeOrder(
          t,
          'WF2-3',
          [
            { sku: 'F2-A', quantity: 3 },
            { sku: 'F2-B', quantity: 1 },
          ],
          soon,
        ),
        await placeOrder(t, 'WF2-4', [{ sku: 'F2-C', quantity: 1 }], soon),
        await placeOrder(t, 'WF2-5', [{ sku: 'F2-A', quantity: 4 }], { promise_date: '2026-03-20' }),
      ];
      const fos = orders.map((o) => foOf(o, 'WF2'));
      assertProblem(
        await t.post('/v1/waves', { location: 'WF2', strategy: 'batch', service_level: 'overnight' }),
        409,
        'nothing_to_release',
      );
      assertProblem(await t.post('/v1/waves', { location: 'WF2', strategy: 'batch', max_units: 0 }), 400, 'validation_failed');
      assertProblem(await t.post('/v1/waves', { location: 'NOPE', strategy: 'batch' }), 422, 'unknown_location');
      assertProblem(await t.post('/v1/waves', { location: 'WF2', strategy: 'zigzag' }), 400, 'validation_failed');

      const wave = await releaseWave(t, { location: 'WF2', strategy: 'batch', promise_date_before: '2026-03-10', orders_per_pick_list: 3 });
      assert.deepEqual(new Set(wave.fulfillment_order_ids), new Set(fos.slice(0, 4)), 'the late promise waits');
      assert.equal(wave.pick_lists.length, 2, 'three totes per cart: 3 + 1 orders');
      for (const list of wave.pick_lists) {
        const toteOf = new Map<string, string>();
        for (const task of list.tasks) {
          assert.equal(toteOf.get(task.fulfillment_order_id) ?? task.tote, task.tote, 'one tote per order');
          toteOf.set(task.fulfillment_order_id, task.tote);
        }
        assert.equal(new Set(toteOf.values()).size, toteOf.size, 'no two orders share a tote');
      }
      const cart = wave.pick_lists.find((l) => new Set(l.tasks.map((task) => task.fulfillment_order_id)).size === 3);
      assert.ok(cart);
      assert.ok(cart.walk_length <= cart.naive_walk_length);
      const [aTasks] = [cart.tasks.filter((task) => task.bin === 'B-02-01')];
      assert.ok(aTasks.length >= 2 && new Set(aTasks.map((task) => task.tote)).size === aTasks.length, 'one stop, a task per tote');
      assert.equal(await foStatus(t, fos[4] as string), 'open');

      for (const list of wave.pick_lists) assert.equal((await pickAll(t, list)).status, 'completed');
      for (const [i, fo] of fos.slice(0, 4).entries()) {
        await pack(t, fo, {});
        await buyLabels(t, fo, { carrier: 'table-rate' });
        await ship(t, fo);
        assert.equal((await getOrder(t, orders[i]?.id as string)).status, 'fulfilled');
      }
      assert.deepEqual(await level(t, 'F2-A', 'WF2'), { on_hand: 16, reserved: 4 });
      assert.deepEqual(await level(t, 'F2-B', 'WF2'), { on_hand: 17, reserved: 0 });
      assert.deepEqual(await level(t, 'F2-C', 'WF2'), { on_hand: 17, reserved: 0 });
      await verified(t);

      assertProblem(await t.post('/v1/waves', { location: 'WF2', strategy: 'batch', max_units: 3 }), 409, 'nothing_to_release');
      const rest = await releaseWave(t, { location: 'WF2', strategy: 'batch', max_orders: 1, max_units: 4 });
      assert.deepEqual(rest.fulfillment_order_ids, [fos[4]]);
    });

    test('hostile scans: wrong bin, wrong item, too many units, bad bodies; refusals move nothing', async () => {
      const gA = gtin13('400000000031');
      const gB = gtin13('400000000032');
      await createItems(t, [
        { sku: 'F3-A', gtin: gA },
        { sku: 'F3-B', gtin: gB },
        { sku: 'F3-X', gtin: gtin13('400000000039') },
      ]);
      await setUpWarehouse(t, {
        code: 'WF3',
        slots: [
          { sku: 'F3-A', bin: 'A-01-01', sequence: 10 },
          { sku: 'F3-B', bin: 'A-02-01', sequence: 20 },
          { sku: 'F3-X', bin: 'A-03-01', sequence: 30 },
        ],
        stock: { 'F3-A': 10, 'F3-B': 10, 'F3-X': 10 },
      });
      const o = await placeOrder(t, 'WF3-1', [
        { sku: 'F3-A', quantity: 3 },
        { sku: 'F3-B', quantity: 1 },
      ]);
      const fo = foOf(o, 'WF3');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/parcels`, {}), 409, 'illegal_transition');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/labels`, {}), 409, 'illegal_transition');
      const wave = await releaseWave(t, { location: 'WF3', strategy: 'single' });
      const list = wave.pick_lists[0];
      assert.ok(list);
      const url = `/v1/pick-lists/${list.id}/scans`;

      const wrongBin = assertProblem(await t.post(url, { bin: 'A-03-01', barcode: 'F3-X' }), 422, 'wrong_bin');
      assert.deepEqual(
        (wrongBin.errors as { pointer: string }[]).map((e) => e.pointer),
        ['/bin'],
      );
      assertProblem(await t.post(url, { bin: 'Z-99-99', barcode: gA }), 422, 'wrong_bin');
      const wrongItem = assertProblem(await t.post(url, { bin: 'A-01-01', barcode: gB }), 422, 'wrong_item');
      assert.deepEqual(
        (wrongItem.errors as { pointer: string }[]).map((e) => e.pointer),
        ['/barcode'],
      );
      assertProblem(await t.post(url, { bin: 'A-01-01', barcode: '0000000000000' }), 422, 'wrong_item');
      assertProblem(await t.post(url, { bin: 'A-01-01', barcode: 'f3-a' }), 422, 'wrong_item');
      const tooMany = assertProblem(await t.post(url, { bin: 'A-01-01', barcode: gA, quantity: 4 }), 409, 'over_pick');
      assert.deepEqual(
        (tooMany.errors as { pointer: string }[]).map((e) => e.pointer),
        ['/quantity'],
      );
      for (const body of [
        { bin: 'A-01-01', barcode: gA, quantity: 0 },
        { bin: 'A-01-01', barcode: gA, quantity: -1 },
        { bin: 'A-01-01', barcode: gA, quantity: 1.5 },
        { bin: 'A-01-01' },
        { bin: 'A-01-01', barcode: gA, tote: 'T9' },
        { bin: '', barcode: gA },
      ]) {
        assertProblem(await t.post(url, body), 400, 'validation_failed');
      }
      assertProblem(await t.post('/v1/pick-lists/pl_nope/scans', { bin: 'A-01-01', barcode: gA }), 404, 'not_found');
      assertProblem(await t.get('/v1/pick-lists/pl_nope'), 404, 'not_found');
      assertProblem(await t.post(`/v1/pick-lists/${list.id}/short`, { task_id: 'pt_nope', quantity: 1 }), 404, 'not_found');
      assert.equal((await movements(t, { location: 'WF3' })).filter((m) => m.kind === 'pick').length, 0, 'refused scans move nothing');

      assert.equal((await t.post(url, { bin: 'A-01-01', barcode: gA, quantity: 2 })).statusCode, 200);
      assertProblem(await t.post(url, { bin: 'A-01-01', barcode: 'F3-A', quantity: 2 }), 409, 'over_pick');
      assert.equal((await t.post(url, { bin: 'A-01-01', barcode: 'F3-A' })).statusCode, 200);
      assertProblem(await t.post(url, { bin: 'A-01-01', barcode: gA }), 422, 'wrong_bin');
      const taskB = list.tasks.find((task) => task.sku === 'F3-B');
      assertProblem(await t.post(`/v1/pick-lists/${list.id}/short`, { task_id: taskB?.id, quantity: 2 }), 409, 'over_pick');

      // Packing before the last unit is picked: what was picked can be packed, the rest cannot.
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/parcels`, { scans: [gB] }), 409, 'over_pick');
      assert.equal((await t.post(url, { bin: 'A-02-01', barcode: gB })).statusCode, 200);
      assertProblem(await t.post(url, { bin: 'A-02-01', barcode: gB }), 409, 'illegal_transition');
      const picks = (await movements(t, { location: 'WF3' })).filter((m) => m.kind === 'pick');
      assert.equal(picks.length, 3, 'one movement per accepted scan');
      assert.deepEqual(await level(t, 'F3-A', 'WF3'), { on_hand: 10, reserved: 3 });
      await verified(t);

      // Hostile packing: foreign item, surplus units, both scans and items, an unknown or impossible box.
      await must(t, '/v1/locations/WF3/boxes', {
        boxes: [
          { code: 'TINY', inner_mm: { length: 50, width: 50, height: 50 }, box_weight_g: 20, max_weight_g: 2_000, cost: 10 },
          { code: 'MID', inner_mm: { length: 220, width: 180, height: 120 }, box_weight_g: 120, max_weight_g: 10_000, cost: 60 },
          { code: 'BIG', inner_mm: { length: 500, width: 400, height: 300 }, box_weight_g: 400, max_weight_g: 25_000, cost: 150 },
        ],
      });
      const boxes = ok(await t.get('/v1/locations/WF3/boxes')) as { data: { code: string; source: string }[] };
      assert.deepEqual(boxes.data.map((b) => [b.code, b.source]).sort(), [
        ['BIG', 'location'],
        ['MID', 'location'],
        ['TINY', 'location'],
      ]);
      assertProblem(
        await t.post('/v1/locations/WF3/boxes', {
          boxes: [{ code: 'MID', inner_mm: { length: 1, width: 1, height: 1 }, box_weight_g: 1, max_weight_g: 10, cost: 1 }],
        }),
        409,
        'already_exists',
      );
      const packUrl = `/v1/fulfillment-orders/${fo}/parcels`;
      const foreign = assertProblem(await t.post(packUrl, { scans: [gA, 'F3-X'] }), 422, 'wrong_item');
      assert.deepEqual(
        (foreign.errors as { pointer: string }[]).map((e) => e.pointer),
        ['/scans/1'],
      );
      assertProblem(await t.post(packUrl, { scans: [gA, gA, gA, gA] }), 409, 'over_pick');
      assertProblem(await t.post(packUrl, { items: [{ sku: 'F3-B', quantity: 2 }] }), 409, 'over_pick');
      assertProblem(await t.post(packUrl, { scans: [gA], items: [{ sku: 'F3-A', quantity: 1 }] }), 400, 'validation_failed');
      assertProblem(await t.post(packUrl, { box: 'CRATE-9' }), 422, 'unknown_box');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/packing-proposal`, { box: 'CRATE-9' }), 422, 'unknown_box');
      assertProblem(await t.post(packUrl, { box: 'TINY' }), 422, 'wrong_box');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/labels`, {}), 409, 'not_picked');
      assert.deepEqual(await parcelsOf(t, fo), [], 'refused packing leaves no parcel');

      // The packer's box that fits; unpack; pack again by the proposal.
      const [big] = await pack(t, fo, { box: 'BIG', scans: [gA, gA, gA, gB] });
      assert.equal(big?.box, 'BIG');
      assertProblem(await t.post(`/v1/fulfillment-orders/${fo}/packing-proposal`, {}), 409, 'not_picked');
      const unpacked = ok(await t.post(`/v1/parcels/${big?.id}/unpack`, {})) as { status: string };
      assert.equal(unpacked.status, 'unpacked');
      assertProblem(await t.post(`/v1/parcels/${big?.id}/unpack`, {}), 409, 'illegal_transition');
      assertProblem(await t.post('/v1/parcels/prc_nope/unpack', {}), 404, 'not_found');
      const proposal = ok(await t.post(`/v1/fulfillment-orders/${fo}/packing-proposal`, {})) as { parcels: { box: string }[] };
      assert.ok(
        proposal.parcels.every((p) => ['TINY', 'MID', 'BIG'].includes(p.box)),
        'only the location catalog is proposed',
      );
      const repacked = await pack(t, fo, {});
      assert.deepEqual(unitsOf(repacked), { 'F3-A': 3, 'F3-B': 1 });
      assert.notEqual(repacked[0]?.sscc, big?.sscc, 'a new parcel, a new SSCC');
      assertProblem(await t.post(`/v1/parcels/${repacked[0]?.id}/void`, {}), 409, 'illegal_transition');

      // A service no carrier offers is the client's mistake (4xx), and records no purchase intent.
      const warp = assertProblem(
        await t.post(`/v1/fulfillment-orders/${fo}/labels`, { carrier: 'table-rate', service: 'warp' }),
        400,
        'validation_failed',
      );
      assert.equal(warp.retryable, false);
      assert.deepEqual(
        (await parcelsOf(t, fo)).filter((p) => p.status !== 'unpacked').map((p) => [p.status, p.label.state, p.label.attempts]),
        repacked.map(() => ['packed', 'none', 0]),
      );

      // Labelled parcels cannot be unpacked; voided ones can, stock never moves before shipping.
      const stock = await level(t, 'F3-A', 'WF3');
      const [labelled] = await buyLabels(t, fo, { carrier: 'table-rate' });
      assert.ok(labelled);
      assertProblem(await t.post(`/v1/parcels/${labelled.id}/unpack`, {}), 409, 'illegal_transition');
      const voided = ok(await t.post(`/v1/parcels/${labelled.id}/void`, {})) as {
        status: string;
        label: { state: string; tracking_number: string | null };
      };
      assert.deepEqual([voided.status, voided.label.state, voided.label.tracking_number], ['packed', 'voided', null]);
      assertProblem(await t.post(`/v1/parcels/${labelled.id}/void`, {}), 409, 'illegal_transition');
      assertProblem(await t.get(`/v1/parcels/${labelled.id}/label.pdf`), 404, 'not_found');
      assert.equal((ok(await t.post(`/v1/parcels/${labelled.id}/unpack`, {})) as { status: string }).status, 'unpacked');
      await pack(t, fo, { box: 'MID' });
      const [again] = await buyLabels(t, fo, { carrier: 'table-rate' });
      assert.ok(again?.label.tracking_number && again.label.tracking_number !== labelled.label.tracking_number);
      assert.deepEqual(await level(t, 'F3-A', 'WF3'), stock);
      await verified(t);
      await ship(t, fo);
      assert.deepEqual(await level(t, 'F3-A', 'WF3'), { on_hand: 7, reserved: 0 });
      assert.deepEqual((await parcelsOf(t, fo)).map((p) => p.status).sort(), ['shipped', 'unpacked', 'unpacked']);
      await verified(t);

      // The manifest request itself is checked.
      assertProblem(await t.post('/v1/manifests', { location: 'WF3', carrier: 'pigeon' }), 400, 'validation_failed');
      assertProblem(await t.post('/v1/manifests', { location: 'NOPE', carrier: 'table-rate' }), 422, 'unknown_location');
    });

    test('held and cancelled work is never released in a wave', async () => {
      await createItems(t, [{ sku: 'F4-A', gtin: gtin13('400000000041') }]);
      await setUpWarehouse(t, { code: 'WF4', slots: [{ sku: 'F4-A', bin: 'A-01-01', sequence: 1 }], stock: { 'F4-A': 20 } });
      const heldAtIntake = await placeOrder(t, 'WF4-1', [{ sku: 'F4-A', quantity: 1 }], { holds: [{ reason: 'fraud' }] });
      const heldLater = await placeOrder(t, 'WF4-2', [{ sku: 'F4-A', quantity: 2 }]);
      const hold = ok(await t.post(`/v1/orders/${heldLater.id}/holds`, { reason: 'address' })) as { holds: { id: string }[] };
      const cancelled = await placeOrder(t, 'WF4-3', [{ sku: 'F4-A', quantity: 3 }]);
      assert.equal(
        (ok(await t.post(`/v1/orders/${cancelled.id}/cancel`, { reason: 'customer' })) as { status: string }).status,
        'cancelled',
      );
      const held1 = await placeOrder(t, 'WF4-5', [{ sku: 'F4-A', quantity: 1 }]);
      const heldFo = foOf(held1, 'WF4');
      ok(await t.post(`/v1/orders/${held1.id}/holds`, { reason: 'manual', fulfillment_order_id: heldFo }));
      const normal = await placeOrder(t, 'WF4-4', [{ sku: 'F4-A', quantity: 4 }]);

      const wave = await releaseWave(t, { location: 'WF4', strategy: 'batch' });
      assert.deepEqual(wave.fulfillment_order_ids, [foOf(normal, 'WF4')]);
      assert.equal(await foStatus(t, foOf(heldAtIntake, 'WF4')), 'on_hold');
      assert.equal(await foStatus(t, foOf(heldLater, 'WF4')), 'on_hold');
      assert.equal(await foStatus(t, heldFo), 'on_hold');
      assert.equal(await foStatus(t, foOf(cancelled, 'WF4')), 'cancelled');
      assertProblem(await t.post('/v1/waves', { location: 'WF4', strategy: 'single' }), 409, 'nothing_to_release');
      assertProblem(await t.post(`/v1/orders/${normal.id}/cancel`, {}), 409, 'not_cancellable');
      assertProblem(await t.post(`/v1/fulfillment-orders/${foOf(heldLater, 'WF4')}/parcels`, {}), 409, 'illegal_transition');
      assert.deepEqual(await level(t, 'F4-A', 'WF4'), { on_hand: 20, reserved: 8 });
      await verified(t);

      const holdId = hold.holds[0]?.id;
      ok(await t.request({ method: 'DELETE', url: `/v1/orders/${heldLater.id}/holds/${holdId}` }));
      const next = await releaseWave(t, { location: 'WF4', strategy: 'single' });
      assert.deepEqual(next.fulfillment_order_ids, [foOf(heldLater, 'WF4')]);
      assertProblem(await t.post('/v1/waves', { location: 'WF4', strategy: 'single' }), 409, 'nothing_to_release');
    });

    test('short pick: the ledger is adjusted and the missing units are re-sourced or backordered', async () => {
      await createItems(t, [
        { sku: 'F5-A', gtin: gtin13('400000000051') },
        { sku: 'F5-B', gtin: gtin13('400000000052') },
      ]);
      await setUpWarehouse(t, {
        code: 'WF5A',
        priority: 1,
        slots: [
          { sku: 'F5-A', bin: 'A-01-01', sequence: 1 },
          { sku: 'F5-B', bin: 'A-02-01', sequence: 2 },
        ],
        stock: { 'F5-A': 3, 'F5-B': 2 },
      });
      await setUpWarehouse(t, { code: 'WF5B', priority: 2, slots: [{ sku: 'F5-A', bin: 'K-01-01', sequence: 1 }], stock: { 'F5-A': 5 } });

      // Two of three units are not in the bin: they come from the other warehouse.
      const o = await placeOrder(t, 'WF5-1', [{ sku: 'F5-A', quantity: 3 }]);
      const foA = foOf(o, 'WF5A');
      const wave = await releaseWave(t, { location: 'WF5A', strategy: 'single' });
      const list = wave.pick_lists[0];
      const task = list?.tasks[0];
      assert.ok(list && task);
      assert.equal((await t.post(`/v1/pick-lists/${list.id}/scans`, { bin: 'A-01-01', barcode: 'F5-A' })).statusCode, 200);
      const short = ok(await t.post(`/v1/pick-lists/${list.id}/short`, { task_id: task.id, quantity: 2 })) as {
        reallocated: { location: string; quantity: number }[];
        backordered: number;
        pick_list: { status: string; tasks: { short_quantity: number; picked_quantity: number; status: string }[] };
      };
      assert.deepEqual(short.reallocated, [{ location: 'WF5B', quantity: 2 }]);
      assert.equal(short.backordered, 0);
      assert.equal(short.pick_list.status, 'completed');
      assert.deepEqual([short.pick_list.tasks[0]?.picked_quantity, short.pick_list.tasks[0]?.short_quantity], [1, 2]);
      const adjust = (await movements(t, { ref_id: task.id })).filter((m) => m.kind !== 'pick');
      assert.deepEqual(
        adjust.map((m) => [m.location, m.kind, m.on_hand_delta, m.reserved_delta]),
        [['WF5A', 'adjust', -2, -2]],
      );
      assert.deepEqual(await level(t, 'F5-A', 'WF5A'), { on_hand: 1, reserved: 1 });
      assert.deepEqual(await level(t, 'F5-A', 'WF5B'), { on_hand: 5, reserved: 2 });
      await verified(t);
      const afterShort = await getOrder(t, o.id);
      const foB = foOf(afterShort, 'WF5B');
      assert.equal(afterShort.fulfillment_orders.find((f) => f.id === foB)?.status, 'open');
      const shortEvent = (await timeline(t, o.id)).find((e) => e.type === 'order.short_picked');
      assert.deepEqual(shortEvent?.data.reallocated, [{ location: 'WF5B', quantity: 2 }]);
      assertPdfDocument(await t.get(`/v1/pick-lists/${list.id}/pick-list.pdf`), 'pick-list-');

      await pack(t, foA, {});
      await buyLabels(t, foA, { carrier: 'table-rate' });
      const first = await ship(t, foA);
      assert.equal(first.remainder_fulfillment_order_id, null, 'the shorted units already left this fulfillment order');
      assert.equal((await getOrder(t, o.id)).status, 'partially_fulfilled');
      const other = await releaseWave(t, { location: 'WF5B', strategy: 'single' });
      await pickAll(t, other.pick_lists[0] as (typeof other.pick_lists)[number]);
      await pack(t, foB, {});
      await buyLabels(t, foB, { carrier: 'table-rate' });
      await ship(t, foB);
      assert.equal((await getOrder(t, o.id)).status, 'fulfilled');
      assert.deepEqual(await level(t, 'F5-A', 'WF5A'), { on_hand: 0, reserved: 0 });
      assert.deepEqual(await level(t, 'F5-A', 'WF5B'), { on_hand: 3, reserved: 0 });
      await verified(t);

      // Nowhere else has it: the units are backordered, and a receipt brings them back.
      const b = await placeOrder(t, 'WF5-2', [{ sku: 'F5-B', quantity: 2 }]);
      const waveB = await releaseWave(t, { location: 'WF5A', strategy: 'single' });
      const listB = waveB.pick_lists[0];
      assert.ok(listB);
      const shortB = ok(await t.post(`/v1/pick-lists/${listB.id}/short`, { task_id: listB.tasks[0]?.id, quantity: 2 })) as {
        reallocated: unknown[];
        backordered: number;
      };
      assert.deepEqual([shortB.reallocated, shortB.backordered], [[], 2]);
      const backordered = await getOrder(t, b.id);
      assert.equal(backordered.status, 'backordered');
      assert.deepEqual(await level(t, 'F5-B', 'WF5A'), { on_hand: 0, reserved: 0 });
      await verified(t);
      const fullyShort = await t.get(`/v1/pick-lists/${listB.id}/pick-list.pdf`);
      assertPdfDocument(fullyShort, 'pick-list-');
      await must(t, '/v1/inventory/receipts', { location: 'WF5A', lines: [{ sku: 'F5-B', quantity: 5 }] });
      const refilled = await getOrder(t, b.id);
      assert.equal(refilled.status, 'open');
      const refill = await releaseWave(t, { location: 'WF5A', strategy: 'single' });
      const refillFo = refill.fulfillment_order_ids[0] as string;
      await pickAll(t, refill.pick_lists[0] as (typeof refill.pick_lists)[number]);
      await pack(t, refillFo, {});
      await buyLabels(t, refillFo, { carrier: 'table-rate' });
      await ship(t, refillFo);
      assert.equal((await getOrder(t, b.id)).status, 'fulfilled');
      assert.deepEqual(await level(t, 'F5-B', 'WF5A'), { on_hand: 3, reserved: 0 });
      await verified(t);
    });

    test('partial shipment: what was not packed stays open on a new fulfillment order and ships later', async () => {
      await createItems(t, [
        { sku: 'F6-A', gtin: gtin13('400000000061') },
        { sku: 'F6-B', gtin: gtin13('400000000062') },
      ]);
      await setUpWarehouse(t, {
        code: 'WF6',
        slots: [
          { sku: 'F6-A', bin: 'A-01-01', sequence: 1 },
          { sku: 'F6-B', bin: 'A-02-01', sequence: 2 },
        ],
        stock: { 'F6-A': 10, 'F6-B': 10 },
      });
      const o = await placeOrder(t, 'WF6-1', [
        { sku: 'F6-A', quantity: 3 },
        { sku: 'F6-B', quantity: 2 },
      ]);
      const fo = foOf(o, 'WF6');
      const wave = await releaseWave(t, { location: 'WF6', strategy: 'single' });
      const list = wave.pick_lists[0];
      assert.ok(list);
      const scans = `/v1/pick-lists/${list.id}/scans`;
      assert.equal((await t.post(scans, { bin: 'A-01-01', barcode: 'F6-A', quantity: 3 })).statusCode, 200);
      assert.equal((await t.post(scans, { bin: 'A-02-01', barcode: 'F6-B', quantity: 1 })).statusCode, 200);
      await pack(t, fo, { items: [{ sku: 'F6-A', quantity: 3 }] });
      await buyLabels(t, fo, { carrier: 'table-rate' });
      const shipment = await ship(t, fo);
      const remainder = shipment.remainder_fulfillment_order_id;
      assert.ok(remainder, 'the unshipped units moved to a new fulfillment order');
      assert.equal(await foStatus(t, fo), 'fulfilled');
      const rest = ok(await t.get(`/v1/fulfillment-orders/${remainder}`)) as {
        status: string;
        location: string;
        lines: { sku: string; quantity: number }[];
      };
      assert.deepEqual([rest.status, rest.location, rest.lines.map((l) => [l.sku, l.quantity])], ['open', 'WF6', [['F6-B', 2]]]);
      assert.equal((await getOrder(t, o.id)).status, 'partially_fulfilled');
      const event = (await timeline(t, o.id)).find((e) => e.type === 'fulfillment_order.shipped');
      assert.equal(event?.data.remainder_fulfillment_order_id, remainder);
      assert.deepEqual(await level(t, 'F6-A', 'WF6'), { on_hand: 7, reserved: 0 });
      assert.deepEqual(await level(t, 'F6-B', 'WF6'), { on_hand: 10, reserved: 2 });
      await verified(t);

      // The shipped fulfillment order's pick list no longer asks for its units: they belong to the remainder now.
      assertProblem(await t.post(scans, { bin: 'A-02-01', barcode: 'F6-B' }), 409, 'illegal_transition');
      const stale = ok(await t.get(`/v1/pick-lists/${list.id}`)) as { status: string };
      assert.equal(stale.status, 'completed');

      const second = await releaseWave(t, { location: 'WF6', strategy: 'single' });
      assert.deepEqual(second.fulfillment_order_ids, [remainder]);
      await pickAll(t, second.pick_lists[0] as (typeof second.pick_lists)[number]);
      await pack(t, remainder, {});
      await buyLabels(t, remainder, { carrier: 'table-rate' });
      await ship(t, remainder);
      assert.equal((await getOrder(t, o.id)).status, 'fulfilled');
      assert.deepEqual(await level(t, 'F6-B', 'WF6'), { on_hand: 8, reserved: 0 });
      assert.equal(
        (await movements(t, { sku: 'F6-B', location: 'WF6' }))
          .filter((m) => m.kind === 'ship')
          .reduce((sum, m) => sum - m.on_hand_delta, 0),
        2,
      );
      await verified(t);
    });

    test('the manifest lists what shipped; a label bought but not shipped stays off it and can still be voided', async () => {
      await createItems(t, [{ sku: 'F8-A', gtin: gtin13('400000000081') }]);
      await setUpWarehouse(t, { code: 'WF8', slots: [{ sku: 'F8-A', bin: 'A-01-01', sequence: 1 }], stock: { 'F8-A': 5 } });
      const late = await placeOrder(t, 'WF8-1', [{ sku: 'F8-A', quantity: 1 }]);
      const early = await placeOrder(t, 'WF8-2', [{ sku: 'F8-A', quantity: 1 }]);
      const [lateFo, earlyFo] = [foOf(late, 'WF8'), foOf(early, 'WF8')];
      const wave = await releaseWave(t, { location: 'WF8', strategy: 'batch' });
      await pickAll(t, wave.pick_lists[0] as (typeof wave.pick_lists)[number]);
      await pack(t, lateFo, {});
      await pack(t, earlyFo, {});
      const [waiting] = await buyLabels(t, lateFo, { carrier: 'table-rate' });
      assert.ok(waiting);
      assertProblem(await t.post('/v1/manifests', { location: 'WF8', carrier: 'table-rate' }), 409, 'nothing_to_release');
      const [handedOver] = await buyLabels(t, earlyFo, { carrier: 'table-rate' });
      await ship(t, earlyFo);
      const first = ok(await t.post('/v1/manifests', { location: 'WF8', carrier: 'table-rate' })) as {
        parcels: { tracking_number: string }[];
      };
      assert.deepEqual(
        first.parcels.map((p) => p.tracking_number),
        [handedOver?.label.tracking_number],
      );
      // The labelled parcel that did not leave is neither on our manifest nor closed at the carrier.
      const voided = ok(await t.post(`/v1/parcels/${waiting.id}/void`, {})) as { status: string };
      assert.equal(voided.status, 'packed');
      const [relabelled] = await buyLabels(t, lateFo, { carrier: 'table-rate' });
      await ship(t, lateFo);
      const second = ok(await t.post('/v1/manifests', { location: 'WF8', carrier: 'table-rate' })) as {
        parcels: { tracking_number: string }[];
      };
      assert.deepEqual(
        second.parcels.map((p) => p.tracking_number),
        [relabelled?.label.tracking_number],
      );
      assertProblem(await t.post(`/v1/parcels/${relabelled?.id}/void`, {}), 409, 'illegal_transition');
      await verified(t);
    });

    test('concurrent requests at each step: one wave, one pick, one parcel, one label and one shipment win', async () => {
      await createItems(t, [{ sku: 'F9-A', gtin: gtin13('400000000091') }]);
      await setUpWarehouse(t, { code: 'WF9', slots: [{ sku: 'F9-A', bin: 'A-01-01', sequence: 1 }], stock: { 'F9-A': 10 } });
      const orders = [
        await placeOrder(t, 'WF9-1', [{ sku: 'F9-A', quantity: 3 }]),
        await placeOrder(t, 'WF9-2', [{ sku: 'F9-A', quantity: 1 }]),
      ];
      const fo = foOf(orders[0] as OrderView, 'WF9');
      const twice = <T>(call: () => Promise<T>) => Promise.all([call(), call()]);
      const statuses = (answers: readonly { statusCode: number }[]) => answers.map((a) => a.statusCode).sort();

      const waves = await twice(() => t.post('/v1/waves', { location: 'WF9', strategy: 'single' }));
      assert.deepEqual(statuses(waves), [201, 409], waves.map((w) => w.body).join('\n'));
      const wave = waves.find((w) => w.statusCode === 201)?.json() as {
        fulfillment_order_ids: string[];
        pick_lists: { id: string; tasks: { fulfillment_order_id: string }[] }[];
      };
      assert.equal(wave.fulfillment_order_ids.length, 2, 'every order released once');
      const list = wave.pick_lists.find((l) => l.tasks[0]?.fulfillment_order_id === fo);
      assert.ok(list);
      const scans = await twice(() => t.post(`/v1/pick-lists/${list.id}/scans`, { bin: 'A-01-01', barcode: 'F9-A', quantity: 2 }));
      assert.deepEqual(statuses(scans), [200, 409], scans.map((s) => s.body).join('\n'));
      assert.equal((await t.post(`/v1/pick-lists/${list.id}/scans`, { bin: 'A-01-01', barcode: 'F9-A' })).statusCode, 200);
      const packs = await twice(() => t.post(`/v1/fulfillment-orders/${fo}/parcels`, {}));
      assert.deepEqual(statuses(packs), [201, 409]);
      assert.equal((await parcelsOf(t, fo)).length, 1);
      const labels = await twice(() => t.post(`/v1/fulfillment-orders/${fo}/labels`, { carrier: 'table-rate' }));
      assert.ok(
        labels.some((l) => l.statusCode === 200) && labels.every((l) => l.statusCode === 200 || l.statusCode === 409),
        labels.map((l) => l.body).join('\n'),
      );
      const labelled = (await timeline(t, (orders[0] as OrderView).id)).filter((e) => e.type === 'parcel.labelled');
      assert.equal(labelled.length, 1, 'one label for the parcel');
      assert.equal((await parcelsOf(t, fo))[0]?.label.tracking_number, labelled[0]?.data.tracking_number);
      const ships = await twice(() => t.post(`/v1/fulfillment-orders/${fo}/ship`, {}));
      assert.deepEqual(statuses(ships), [201, 409]);
      assert.equal((await movements(t, { sku: 'F9-A', location: 'WF9' })).filter((m) => m.kind === 'ship').length, 1);
      assert.deepEqual(await level(t, 'F9-A', 'WF9'), { on_hand: 7, reserved: 1 });
      await verified(t);
    });

    test('a pick list walk is never longer than the naive walk, also with serpentine pick sequences', async () => {
      await createItems(t, [{ sku: 'F10-A' }, { sku: 'F10-B' }, { sku: 'F10-C' }, { sku: 'F10-D' }]);
      // Sequences as serpentinePickSequence numbers these bins on the default 20-position layout.
      await setUpWarehouse(t, {
        code: 'WF10',
        slots: [
          { sku: 'F10-A', bin: 'C-17-01', sequence: 5_601 },
          { sku: 'F10-B', bin: 'A-17-01', sequence: 1_601 },
          { sku: 'F10-C', bin: 'C-01-01', sequence: 4_001 },
          { sku: 'F10-D', bin: 'A-05-01', sequence: 401 },
        ],
        stock: { 'F10-A': 1, 'F10-B': 1, 'F10-C': 1, 'F10-D': 1 },
      });
      await placeOrder(
        t,
        'WF10-1',
        ['F10-A', 'F10-B', 'F10-C', 'F10-D'].map((sku) => ({ sku, quantity: 1 })),
      );
      const res = await t.post('/v1/waves', { location: 'WF10', strategy: 'single' });
      assert.equal(res.statusCode, 201, res.body);
      const [list] = (res.json() as { pick_lists: { walk_length: number; naive_walk_length: number }[] }).pick_lists;
      assert.ok(list && list.walk_length <= list.naive_walk_length, `walk ${list?.walk_length} mm, naive ${list?.naive_walk_length} mm`);
    });

    easyPostScenarios(() => ({ t, fake, dialect, clock, today }));
  });
}

function ok(res: { statusCode: number; body: string; json: () => unknown }): Record<string, unknown> & { id?: string; parcels?: unknown } {
  assert.ok(res.statusCode >= 200 && res.statusCode < 300, `answered ${res.statusCode}: ${res.body}`);
  return res.json() as Record<string, unknown>;
}

function unitsOf(parcels: readonly { items: readonly { sku: string; quantity: number }[] }[]): Record<string, number> {
  const units: Record<string, number> = {};
  for (const p of parcels) for (const i of p.items) units[i.sku] = (units[i.sku] ?? 0) + i.quantity;
  return Object.fromEntries(Object.entries(units).sort(([a], [b]) => a.localeCompare(b)));
}

/** The label a carrier issued, both formats: the barcodes scan back to the parcel's tracking number and SSCC. */
async function assertLabelDocuments(t: TestApp, parcelId: string, tracking: string, sscc: string): Promise<void> {
  const pdf = await t.get(`/v1/parcels/${parcelId}/label.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const read = await readLabelPdf(pdf.rawPayload);
  assert.equal(read.pages, 1);
  assert.equal(read.tracking, tracking);
  assert.equal(read.sscc, `]C100${sscc}`, 'GS1-128: FNC1, AI (00), the SSCC');
  if (read.rasterized) assert.deepEqual(read.rasterized, { tracking, sscc: `]C100${sscc}` });
  const zpl = await t.get(`/v1/parcels/${parcelId}/label.zpl`);
  assert.equal(zpl.statusCode, 200);
  assert.deepEqual(readLabelZpl(zpl.body), { tracking, sscc });
  const parcel = await getParcel(t, parcelId);
  assert.equal(parcel.label.tracking_number, tracking);
}
