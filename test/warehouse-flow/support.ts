import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { shippingLabelLayout } from '../../src/contexts/shipping/index.js';
import type { Clock } from '../../src/kernel/clock.js';
import { crop, decodeCode128, grayFromPixels, grayFromPng } from '../shipping/support/barcode-reader.js';
import { readPdf } from '../shipping/support/pdf-structure.js';
import { parseZpl } from '../shipping/support/zpl-structure.js';
import { assertLedgerVerified, item, levelOf, location, must, order } from '../support/fixtures.js';
import type { TestApp } from '../support/harness.js';

/** A clock on a fixed Monday that moves one millisecond per reading: dates are known, timestamps still differ. */
export function tickingClock(start: string): Clock {
  let ms = Date.parse(start);
  return { now: () => new Date(ms++) };
}

export interface Task {
  id: string;
  position: number;
  bin: string | null;
  pick_sequence: number;
  sku: string;
  barcode: string | null;
  quantity: number;
  picked_quantity: number;
  short_quantity: number;
  tote: string;
  fulfillment_order_id: string;
  status: string;
}

export interface PickList {
  id: string;
  wave_id: string;
  status: string;
  walk_length: number;
  naive_walk_length: number;
  tasks: Task[];
}

export interface Wave {
  id: string;
  strategy: string;
  fulfillment_order_ids: string[];
  pick_lists: PickList[];
}

export interface ParcelView {
  id: string;
  fulfillment_order_id: string;
  status: string;
  box: string;
  weight_g: number;
  sscc: string;
  items: { sku: string; quantity: number }[];
  label: {
    state: string;
    carrier: string | null;
    service: string | null;
    tracking_number: string | null;
    cost: number | null;
    currency: string | null;
    attempts: number;
    error: string | null;
    formats: string[];
  };
  rate_choice: RateChoice | null;
  shipment_id: string | null;
  manifest_id: string | null;
}

export interface RecordedQuote {
  carrier: string;
  service: string;
  amount: number;
  currency: string;
  transit_days: number | null;
  estimated_delivery: string | null;
  verdict: string;
}

export interface RateChoice {
  strategy: { kind: string; promiseDate?: string };
  reason: string;
  estimated_delivery: string | null;
  quotes: RecordedQuote[];
}

export interface OrderView {
  id: string;
  status: string;
  fulfillment_orders: { id: string; location: string | null; status: string; lines: { sku: string; quantity: number }[] }[];
}

export interface TimelineEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Asserts an RFC 9457 problem document with the given status and code, and returns it. */
export function assertProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, `expected ${status} ${code}, got ${res.statusCode}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, res.body);
  const body = res.json() as Record<string, unknown>;
  assert.equal(body.code, code, res.body);
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.ok(typeof body.detail === 'string' && body.detail.length > 0, 'a problem says what went wrong');
  assert.ok(!/\bat .*\.ts:\d+/.test(res.body), 'no stack trace');
  return body;
}

export function ok2xx(res: LightMyRequestResponse, what: string): unknown {
  assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${what} answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

export interface WarehouseSpec {
  readonly code: string;
  /** SKU -> bin code; bins get their pick sequence from the order given here unless `sequence` says otherwise. */
  readonly slots: readonly { sku: string; bin: string; sequence: number }[];
  readonly stock: Record<string, number>;
  readonly priority?: number;
}

/** A warehouse with bins, slotting and stock, over the API. Items must exist. */
export async function setUpWarehouse(t: TestApp, spec: WarehouseSpec): Promise<void> {
  await must(t, '/v1/locations', location(spec.code, { priority: spec.priority ?? 1 }));
  const bins = [...new Map(spec.slots.map((s) => [s.bin, s.sequence])).entries()].map(([code, pick_sequence]) => ({ code, pick_sequence }));
  await must(t, `/v1/locations/${spec.code}/bins`, { bins });
  const res = await t.request({
    method: 'PUT',
    url: `/v1/locations/${spec.code}/slotting`,
    payload: { slots: spec.slots.map(({ sku, bin }) => ({ sku, bin })) },
  });
  assert.equal(res.statusCode, 200, res.body);
  if (Object.keys(spec.stock).length > 0) {
    await must(t, '/v1/inventory/receipts', {
      location: spec.code,
      lines: Object.entries(spec.stock).map(([sku, quantity]) => ({ sku, quantity })),
    });
  }
}

/** Items with a GTIN each (a valid GTIN-13 made from the SKU's index). */
export async function createItems(
  t: TestApp,
  skus: readonly { sku: string; gtin?: string; weight_g?: number; dimensions_mm?: { length: number; width: number; height: number } }[],
) {
  for (const s of skus) {
    await must(
      t,
      '/v1/items',
      item(s.sku, {
        ...(s.gtin ? { barcode: s.gtin } : {}),
        ...(s.weight_g ? { weight_g: s.weight_g } : {}),
        ...(s.dimensions_mm ? { dimensions_mm: s.dimensions_mm } : {}),
      }),
    );
  }
}

/** A GTIN-13 with its GS1 check digit, from 12 digits. */
export function gtin13(twelve: string): string {
  assert.match(twelve, /^\d{12}$/);
  return `${twelve}${gs1CheckDigit(twelve)}`;
}

/** The GS1 modulo-10 check digit, computed here from the GS1 General Specifications (weights 3,1 from the right). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) sum += Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

export function assertValidSscc(sscc: string): void {
  assert.match(sscc, /^\d{18}$/, `SSCC-18: ${sscc}`);
  assert.equal(Number(sscc[17]), gs1CheckDigit(sscc.slice(0, 17)), `SSCC check digit of ${sscc}`);
}

export async function placeOrder(
  t: TestApp,
  externalId: string,
  lines: { sku: string; quantity: number }[],
  extra: Record<string, unknown> = {},
): Promise<OrderView> {
  return (await must(t, '/v1/orders', order(externalId, lines, extra))) as unknown as OrderView;
}

export async function getOrder(t: TestApp, id: string): Promise<OrderView> {
  return ok2xx(await t.get(`/v1/orders/${id}`), 'GET order') as OrderView;
}

export async function foStatus(t: TestApp, foId: string): Promise<string> {
  return (ok2xx(await t.get(`/v1/fulfillment-orders/${foId}`), 'GET fulfillment order') as { status: string }).status;
}

export async function timeline(t: TestApp, orderId: string): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`/v1/orders/${orderId}/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const page = ok2xx(res, 'GET events') as { data: TimelineEvent[]; next_cursor: string | null };
    events.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

export interface MovementRow {
  sku: string;
  location: string;
  kind: string;
  on_hand_delta: number;
  reserved_delta: number;
  ref_type: string | null;
  ref_id: string | null;
}

export async function movements(t: TestApp, query: { sku?: string; location?: string; ref_id?: string }): Promise<MovementRow[]> {
  const qs = new URLSearchParams({ ...query, limit: '100' }).toString();
  return (ok2xx(await t.get(`/v1/inventory/movements?${qs}`), 'GET movements') as { data: MovementRow[] }).data;
}

export async function level(t: TestApp, sku: string, loc: string) {
  const l = await levelOf(t, sku, loc);
  return { on_hand: l.on_hand, reserved: l.reserved };
}

export const verified = assertLedgerVerified;

export async function releaseWave(t: TestApp, body: Record<string, unknown>): Promise<Wave> {
  const res = await t.post('/v1/waves', body);
  assert.equal(res.statusCode, 201, res.body);
  const wave = res.json() as Wave;
  for (const list of wave.pick_lists) assertWalk(list);
  return wave;
}

/** Tasks follow the pick sequence and the walk is never longer than the naive one. */
export function assertWalk(list: PickList): void {
  assert.ok(
    list.walk_length <= list.naive_walk_length,
    `walk ${list.walk_length} mm is longer than the naive ${list.naive_walk_length} mm`,
  );
  const sequences = list.tasks.map((task) => task.pick_sequence);
  assert.deepEqual(
    sequences,
    [...sequences].sort((a, b) => a - b),
    'tasks in pick sequence',
  );
  assert.deepEqual(
    list.tasks.map((task) => task.position),
    list.tasks.map((_, i) => i + 1),
  );
}

/** Picks every open task of a list by scanning its bin and the item's GTIN (or SKU), one scan per task. */
export async function pickAll(t: TestApp, list: PickList, by: 'gtin' | 'sku' | 'alternate' = 'alternate'): Promise<PickList> {
  let current = list;
  for (const [i, task] of list.tasks.entries()) {
    const left = task.quantity - task.picked_quantity - task.short_quantity;
    if (left === 0) continue;
    const useGtin = by === 'gtin' || (by === 'alternate' && i % 2 === 0);
    const barcode = useGtin && task.barcode ? task.barcode : task.sku;
    const res = await t.post(`/v1/pick-lists/${list.id}/scans`, { bin: task.bin, barcode, quantity: left });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { task_id: string; remaining_quantity: number; pick_list: PickList };
    assert.equal(body.remaining_quantity, 0);
    current = body.pick_list;
  }
  return current;
}

export async function getParcel(t: TestApp, id: string): Promise<ParcelView> {
  return ok2xx(await t.get(`/v1/parcels/${id}`), 'GET parcel') as ParcelView;
}

export async function parcelsOf(t: TestApp, foId: string): Promise<ParcelView[]> {
  return (ok2xx(await t.get(`/v1/fulfillment-orders/${foId}/parcels`), 'GET parcels') as { data: ParcelView[] }).data;
}

export async function pack(t: TestApp, foId: string, body: Record<string, unknown>): Promise<ParcelView[]> {
  const res = await t.post(`/v1/fulfillment-orders/${foId}/parcels`, body);
  assert.equal(res.statusCode, 201, res.body);
  const parcels = (res.json() as { data: ParcelView[] }).data;
  for (const p of parcels) {
    assertValidSscc(p.sscc);
    assert.equal(p.status, 'packed');
  }
  return parcels;
}

export async function buyLabels(t: TestApp, foId: string, body: Record<string, unknown>): Promise<ParcelView[]> {
  const res = await t.post(`/v1/fulfillment-orders/${foId}/labels`, body);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { data: ParcelView[] }).data;
}

export interface ShipmentView {
  id: string;
  carrier: string;
  service: string;
  tracking_numbers: string[];
  cost: number;
  currency: string;
  remainder_fulfillment_order_id: string | null;
  parcels: ParcelView[];
}

export async function ship(t: TestApp, foId: string): Promise<ShipmentView> {
  const res = await t.post(`/v1/fulfillment-orders/${foId}/ship`, {});
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as ShipmentView;
}

/** Every recorded quote, the verdict of the chosen one, and the strategy's promise. */
export function assertRateChoice(
  choice: RateChoice | null,
  strategy: 'cheapest' | 'fastest' | 'promise',
  chosen: { carrier: string | null; service: string | null },
  promiseDate?: string,
): RecordedQuote {
  assert.ok(choice, 'the rate choice is recorded');
  assert.ok(choice.quotes.length >= 2, 'the other quotes are recorded too');
  const winners = choice.quotes.filter((q) => q.verdict === 'chosen');
  assert.equal(winners.length, 1);
  const winner = winners[0] as RecordedQuote;
  assert.equal(winner.service, chosen.service);
  assert.equal(winner.carrier, chosen.carrier);
  const others = choice.quotes.filter((q) => q !== winner);
  if (strategy === 'cheapest') {
    assert.equal(choice.strategy.kind, 'cheapest');
    for (const q of others) assert.ok(q.amount >= winner.amount, `${q.service} at ${q.amount} is cheaper than the chosen ${winner.amount}`);
  } else if (strategy === 'fastest') {
    assert.equal(choice.strategy.kind, 'fastest');
    assert.ok(winner.estimated_delivery);
    for (const q of others)
      assert.ok(
        q.estimated_delivery === null || q.estimated_delivery >= winner.estimated_delivery,
        `${q.service} arrives before the chosen one`,
      );
  } else {
    assert.equal(choice.strategy.kind, 'cheapest_meeting_promise');
    assert.equal(choice.strategy.promiseDate, promiseDate);
    assert.ok(
      winner.estimated_delivery !== null && promiseDate !== undefined && winner.estimated_delivery <= promiseDate,
      'the chosen quote meets the promise',
    );
    for (const q of others) {
      const meets = q.estimated_delivery !== null && q.estimated_delivery <= (promiseDate as string);
      if (meets) assert.ok(q.amount >= winner.amount, `${q.service} meets the promise and is cheaper`);
      else assert.equal(q.verdict === 'misses_promise' || q.verdict === 'no_transit_time', true, `${q.service}: ${q.verdict}`);
    }
  }
  return winner;
}

export const pdftoppmAvailable = spawnSync('pdftoppm', ['-v']).error === undefined;

/**
 * Reads a label PDF back: the PDF structure, the two barcode images it embeds (decoded with ZXing), and,
 * where poppler is installed, the page rasterized at printer resolution and scanned like a handheld would.
 */
export async function readLabelPdf(
  bytes: Buffer,
): Promise<{ pages: number; tracking: string; sscc: string; rasterized: { tracking: string; sscc: string } | null }> {
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const pdf = readPdf(bytes);
  const images = pdf.images.filter((i) => !i.isSoftMask).sort((a, b) => a.num - b.num);
  const [trackingImage, ssccImage] = images;
  assert.ok(trackingImage && ssccImage, 'a label embeds its two barcodes');
  const tracking = decodeCode128(grayFromPixels(trackingImage.width, trackingImage.height, trackingImage.pixels, trackingImage.colors));
  const sscc = decodeCode128(grayFromPixels(ssccImage.width, ssccImage.height, ssccImage.pixels, ssccImage.colors));
  let rasterized: { tracking: string; sscc: string } | null = null;
  if (pdftoppmAvailable) {
    const dir = await mkdtemp(join(tmpdir(), 'wf-label-'));
    try {
      await writeFile(join(dir, 'label.pdf'), bytes);
      const run = spawnSync('pdftoppm', [
        '-r',
        '203',
        '-gray',
        '-png',
        '-f',
        '1',
        '-singlefile',
        join(dir, 'label.pdf'),
        join(dir, 'page'),
      ]);
      assert.equal(run.status, 0, String(run.stderr));
      const page = grayFromPng(await readFile(join(dir, 'page.png')));
      const scale = 203 / 72;
      const box = (b: { x: number; y: number; width: number; height: number }) =>
        crop(page, b.x * scale, b.y * scale, b.width * scale, b.height * scale);
      rasterized = {
        tracking: decodeCode128(box(shippingLabelLayout.trackingBarcode)),
        sscc: decodeCode128(box(shippingLabelLayout.ssccBarcode)),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } else if (process.env.CI === 'true') {
    assert.fail('pdftoppm is required in CI: apt-get install -y poppler-utils');
  }
  return { pages: pdf.pageCount, tracking, sscc, rasterized };
}

/** The label's ZPL II: one well-formed label with a Code 128 tracking barcode and a GS1-128 SSCC with (00). */
export function readLabelZpl(text: string): { tracking: string; sscc: string } {
  assert.ok(text.trimStart().startsWith('^XA') && text.trimEnd().endsWith('^XZ'), 'a ZPL job is ^XA ... ^XZ');
  const labels = parseZpl(text);
  assert.equal(labels.length, 1);
  const barcodes = (labels[0]?.fields ?? []).filter((f) => f.command('BC') !== undefined);
  assert.equal(barcodes.length, 2, 'two ^BC barcodes');
  const [tracking, sscc] = barcodes;
  assert.match(tracking?.command('BC')?.params ?? '', /,A$/, 'Code 128 automatic mode');
  assert.match(sscc?.command('BC')?.params ?? '', /,D$/, 'Code 128 GS1 (UCC/EAN) mode');
  assert.match(sscc?.data ?? '', /^\(00\)\d{18}$/);
  return { tracking: tracking?.data ?? '', sscc: (sscc?.data ?? '').slice(4) };
}

/** Any PDF document the API serves: a real PDF with pages, served as an attachment. */
export function assertPdfDocument(res: LightMyRequestResponse, filenamePrefix: string): number {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.match(String(res.headers['content-disposition']), new RegExp(`^attachment; filename="${filenamePrefix}[^"]*\\.pdf"$`));
  const pdf = readPdf(res.rawPayload);
  assert.ok(pdf.pageCount >= 1);
  return pdf.pageCount;
}

/** The text of a PDF through poppler's pdftotext, or null where poppler is not installed. */
export async function pdfText(bytes: Buffer): Promise<string | null> {
  if (spawnSync('pdftotext', ['-v']).error !== undefined) return null;
  const dir = await mkdtemp(join(tmpdir(), 'wf-pdf-'));
  try {
    await writeFile(join(dir, 'doc.pdf'), bytes);
    const run = spawnSync('pdftotext', ['-layout', join(dir, 'doc.pdf'), '-']);
    assert.equal(run.status, 0, String(run.stderr));
    return String(run.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
