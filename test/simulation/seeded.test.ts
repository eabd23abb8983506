/**
 * A seeded simulation (TigerStyle): thousands of random operations driven straight into the services (no HTTP),
 * with order submissions going through the group-commit intake queue concurrently with everything else. The
 * operations are a pure function of the seed (SeededRandom); time (ManualClock) and ids (SequentialIds) are
 * deterministic too. Invariants are checked after every operation where cheap and in full every
 * `fullCheckEveryOps` operations. A failure names the seed and the operation index:
 *
 *   SIM_SEED=<seed> [SIM_OPS=<n>] [FULFILL_TEST_DIALECTS=sqlite] node --import tsx --test test/simulation/seeded.test.ts
 *
 * replays the same operations. On SQLite the interleaving is deterministic as well (one writer, a
 * synchronous driver); on PostgreSQL the operations are the same but the database may interleave them differently.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type App, compose } from '../../src/compose.js';
import { createItem, createLocation } from '../../src/contexts/catalog/index.js';
import {
  adjustStock,
  cancelTransfer,
  createTransfer,
  levelHolds,
  receiveStock,
  receiveTransfer,
  verifyInventory,
} from '../../src/contexts/inventory/index.js';
import {
  cancelOrder,
  getOrder,
  type HoldReason,
  type IntakeOutcome,
  type OrderInput,
  placeHold,
  releaseHold,
} from '../../src/contexts/orders/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { SequentialIds } from '../../src/kernel/ids.js';
import { SeededRandom } from '../../src/kernel/random.js';
import type { Result } from '../../src/kernel/result.js';
import type { DialectName } from '../../src/storage/index.js';
import { createTestDatabase, testDialects } from '../support/dialects.js';

/** Seeds CI runs on every push; SIM_SEED replaces them with one. */
const ciSeeds: Record<DialectName, number[]> = { sqlite: [1, 2, 3], postgres: [1, 2] };
/** Sized so the whole file stays well under a minute and a half on a busy 2-core machine. */
const ciOpsPerSeed: Record<DialectName, number> = { sqlite: 1_200, postgres: 800 };
const opsPerSeed = (dialect: DialectName) => Number(process.env.SIM_OPS ?? ciOpsPerSeed[dialect]);
const fullCheckEveryOps = 200;
const actor = 'simulation';

// ---------------------------------------------------------------- the world

const locationSpecs = [
  { code: 'WH-EAST', priority: 1, country: 'US', postal: '07102', active: true },
  { code: 'WH-WEST', priority: 1, country: 'US', postal: '94105', active: true },
  { code: 'STORE-CHI', priority: 2, country: 'US', postal: '60601', active: true },
  { code: '3PL-TOR', priority: 3, country: 'CA', postal: 'M5V 2T6', active: true },
  { code: 'OLD-DEPOT', priority: 0, country: 'US', postal: '07102', active: false },
] as const;
const itemSpecs = [
  { sku: 'MUG', kind: 'physical', policy: 'deny' },
  { sku: 'TEE', kind: 'physical', policy: 'deny' },
  { sku: 'CAP', kind: 'physical', policy: 'deny' },
  { sku: 'BOOK', kind: 'physical', policy: 'continue' },
  { sku: 'LAMP', kind: 'physical', policy: 'continue' },
  { sku: 'EBOOK', kind: 'digital', policy: 'deny' },
] as const;
const physicalItems = [0, 1, 2, 3, 4];
const destinations = [
  { country: 'US', postal_code: '07030' },
  { country: 'US', postal_code: '94016' },
  { country: 'US', postal_code: '60614' },
  { country: 'CA', postal_code: 'M4C 1B5' },
] as const;
const holdReasons: HoldReason[] = ['payment', 'fraud', 'address', 'inventory', 'manual'];

// ---------------------------------------------------------------- operations: a pure function of the seed

interface Submission {
  /** The submission number: later operations refer to orders by it. */
  readonly n: number;
  readonly input: OrderInput;
  readonly key?: string;
}

type SimOp =
  | { kind: 'submit'; orders: Submission[] }
  | { kind: 'settle' }
  | { kind: 'receive'; loc: number; lines: { item: number; qty: number }[] }
  | { kind: 'adjust'; loc: number; item: number; delta: number }
  | { kind: 'count'; loc: number; item: number; onHand: number }
  | { kind: 'transfer'; from: number; to: number; item: number; qty: number; receive: boolean }
  | { kind: 'finish'; pick: number; action: 'receive' | 'cancel' }
  | { kind: 'cancel'; pick: number }
  | { kind: 'cancelPart'; pick: number; line: number; qty: number }
  | { kind: 'hold'; pick: number; fo: number | null; reason: HoldReason }
  | { kind: 'release'; pick: number; hold: number }
  /** Two or three operations at once (not only intake races the rest: cancels, holds and receipts race each other). */
  | { kind: 'parallel'; ops: SimOp[] };

class OpGenerator {
  readonly #rng: SeededRandom;
  #submitted = 0;
  readonly #keyed: Submission[] = [];

  constructor(seed: number) {
    this.#rng = new SeededRandom(seed);
  }

  next(): SimOp {
    if (this.#rng.chance(0.08)) {
      const ops: SimOp[] = [];
      for (let n = this.#rng.int(2, 3); ops.length < n; ) {
        const op = this.#one();
        if (op.kind !== 'settle') ops.push(op);
      }
      return { kind: 'parallel', ops };
    }
    return this.#one();
  }

  #one(): SimOp {
    const r = this.#rng;
    const roll = r.next();
    const loc = () => r.int(0, locationSpecs.length - 1);
    const physical = () => r.pick(physicalItems);
    if (roll < 0.3) return { kind: 'submit', orders: Array.from({ length: r.chance(0.3) ? r.int(2, 8) : 1 }, () => this.#submission()) };
    if (roll < 0.35) return { kind: 'settle' };
    if (roll < 0.5) {
      const lines = [...new Set([physical(), physical()])].map((item) => ({ item, qty: r.int(1, 15) }));
      return { kind: 'receive', loc: loc(), lines };
    }
    if (roll < 0.56) return { kind: 'adjust', loc: loc(), item: physical(), delta: r.chance(0.5) ? r.int(1, 6) : -r.int(1, 6) };
    if (roll < 0.59) return { kind: 'count', loc: loc(), item: physical(), onHand: r.int(0, 20) };
    if (roll < 0.65) {
      const from = loc();
      return {
        kind: 'transfer',
        from,
        to: (from + r.int(1, locationSpecs.length - 1)) % locationSpecs.length,
        item: physical(),
        qty: r.int(1, 5),
        receive: r.chance(0.4),
      };
    }
    if (roll < 0.7) return { kind: 'finish', pick: r.int(0, 1_000_000), action: r.chance(0.7) ? 'receive' : 'cancel' };
    if (roll < 0.77) return { kind: 'cancel', pick: r.int(0, 1_000_000) };
    if (roll < 0.86) return { kind: 'cancelPart', pick: r.int(0, 1_000_000), line: r.int(0, 1_000_000), qty: r.int(1, 4) };
    if (roll < 0.93)
      return { kind: 'hold', pick: r.int(0, 1_000_000), fo: r.chance(0.4) ? r.int(0, 1_000_000) : null, reason: r.pick(holdReasons) };
    return { kind: 'release', pick: r.int(0, 1_000_000), hold: r.int(0, 1_000_000) };
  }

  #submission(): Submission {
    const r = this.#rng;
    const n = this.#submitted;
    this.#submitted += 1;
    const previous = this.#keyed.length > 0 && r.chance(0.06) ? r.pick(this.#keyed) : undefined;
    if (previous) {
      // The same Idempotency-Key again: a retry with the same body, or a client bug with another body.
      const same = r.chance(0.6);
      const submission = { n, input: same ? previous.input : this.#input(n), ...(previous.key ? { key: previous.key } : {}) };
      return submission;
    }
    const duplicateNumber = n > 0 && r.chance(0.05) ? r.int(0, n - 1) : n;
    const input = this.#input(duplicateNumber);
    const key = r.chance(0.2) ? `key-${n}` : undefined;
    const submission: Submission = { n, input, ...(key ? { key } : {}) };
    if (key) this.#keyed.push(submission);
    return submission;
  }

  #input(number: number): OrderInput {
    const r = this.#rng;
    const lines = Array.from({ length: r.int(1, 3) }, () => ({
      sku: r.pick(itemSpecs).sku,
      quantity: r.int(1, 6),
      unit_price: r.int(100, 5_000),
    }));
    const dest = r.pick(destinations);
    return {
      channel: 'sim',
      external_id: `E${number}`,
      currency: 'USD',
      customer: { email: `c${number}@example.com`, name: 'Sim Customer' },
      shipping_address: { line1: '1 Main St', city: 'Town', ...dest },
      lines,
      ...(r.chance(0.1) ? { holds: [{ reason: r.pick(holdReasons) }] } : {}),
    };
  }
}

// ---------------------------------------------------------------- running operations against the services

const allowedIntakeFailures = new Set(['insufficient_stock', 'order_exists', 'idempotency_in_progress', 'idempotency_key_reused']);

interface SimState {
  readonly app: App;
  readonly clock: ManualClock;
  readonly locationIds: string[];
  readonly itemIds: string[];
  /** Submissions not answered yet: the intake queue commits them in the background. */
  readonly pending: Set<Promise<void>>;
  /** Accepted orders, in the order their acknowledgement arrived. */
  readonly created: { orderId: string; externalId: string }[];
  readonly orderByNumber: Map<string, string>;
  readonly orderByKey: Map<string, string>;
  readonly transfers: { id: string; from: number; to: number; item: number; qty: number }[];
  /** on_hand and incoming per item and location: orders never change them, so they are exactly predictable. */
  readonly stock: Map<string, { onHand: number; incoming: number }>;
  readonly counters: Map<string, number>;
}

const stockKey = (item: number, loc: number) => `${item}|${loc}`;

function bump(state: SimState, name: string): void {
  state.counters.set(name, (state.counters.get(name) ?? 0) + 1);
}

function moveStock(state: SimState, item: number, loc: number, onHand: number, incoming: number): void {
  const s = state.stock.get(stockKey(item, loc)) ?? { onHand: 0, incoming: 0 };
  state.stock.set(stockKey(item, loc), { onHand: s.onHand + onHand, incoming: s.incoming + incoming });
}

/** A business result is fine when it succeeded or failed with one of the expected codes; anything else is a bug. */
function expectResult<T>(state: SimState, kind: string, result: Result<T>, allowed: readonly string[]): result is { ok: true; value: T } {
  if (result.ok) {
    bump(state, `${kind} ok`);
    return true;
  }
  assert.ok(allowed.includes(result.error.code), `${kind}: unexpected ${result.error.code}: ${result.error.detail}`);
  bump(state, `${kind} ${result.error.code}`);
  return false;
}

function recordOutcome(state: SimState, s: Submission, outcome: IntakeOutcome): void {
  if (outcome.kind === 'failed') {
    assert.ok(
      allowedIntakeFailures.has(outcome.failure.code),
      `order ${s.n}: unexpected ${outcome.failure.code}: ${outcome.failure.detail}`,
    );
    bump(state, `order ${outcome.failure.code}`);
    return;
  }
  const body = JSON.parse(outcome.body) as { id: string; external_id: string };
  if (outcome.kind === 'created') {
    bump(state, 'order created');
    const existing = state.orderByNumber.get(body.external_id);
    assert.equal(existing, undefined, `channel order number ${body.external_id} made a second order`);
    state.orderByNumber.set(body.external_id, body.id);
    state.created.push({ orderId: body.id, externalId: body.external_id });
  } else {
    bump(state, 'order replayed');
    assert.equal(outcome.statusCode, 201);
  }
  if (s.key) {
    const first = state.orderByKey.get(s.key);
    if (first === undefined) state.orderByKey.set(s.key, body.id);
    else assert.equal(body.id, first, `Idempotency-Key ${s.key} answered with two different orders`);
  }
}

function submit(state: SimState, s: Submission): void {
  const promise = state.app.intake
    .submit({
      input: s.input,
      actor,
      idempotency: s.key ? { principal: actor, key: s.key, fingerprint: JSON.stringify(s.input) } : undefined,
    })
    .then((outcome) => recordOutcome(state, s, outcome));
  const tracked = promise.finally(() => state.pending.delete(tracked));
  state.pending.add(tracked);
}

/** Waits for every submission so far; the first failure among them fails the simulation. */
async function settle(state: SimState): Promise<void> {
  while (state.pending.size > 0) await Promise.all([...state.pending]);
}

const pickOrder = (state: SimState, pick: number) => state.created[pick % Math.max(1, state.created.length)];

async function execute(state: SimState, op: SimOp, concurrent = false): Promise<void> {
  const { app } = state;
  const loc = (i: number) => locationSpecs[i]?.code as string;
  const sku = (i: number) => itemSpecs[i]?.sku as string;
  switch (op.kind) {
    case 'submit':
      for (const s of op.orders) submit(state, s);
      return;
    case 'settle':
      await settle(state);
      return;
    case 'parallel':
      await Promise.all(op.ops.map((o) => execute(state, o, true)));
      return;
    case 'receive': {
      const before = await backordersOf(
        state,
        op.lines.map((l) => state.itemIds[l.item] as string),
      );
      const result = await receiveStock(
        app,
        { location: loc(op.loc), lines: op.lines.map((l) => ({ sku: sku(l.item), quantity: l.qty })) },
        actor,
      );
      if (expectResult(state, 'receive', result, [])) for (const l of op.lines) moveStock(state, l.item, op.loc, l.qty, 0);
      // The FIFO check assumes nothing but intake ran meanwhile.
      if (!concurrent) for (const l of op.lines) await checkBackordersServed(state, l.item, op.loc, before);
      return;
    }
    case 'adjust':
    case 'count': {
      const line = op.kind === 'adjust' ? { sku: sku(op.item), delta: op.delta } : { sku: sku(op.item), on_hand: op.onHand };
      const result = await adjustStock(app, { location: loc(op.loc), reason: 'cycle_count', lines: [line] }, actor);
      if (expectResult(state, op.kind, result, ['insufficient_stock'])) {
        moveStock(state, op.item, op.loc, result.value.lines[0]?.quantity ?? 0, 0);
      }
      return;
    }
    case 'transfer': {
      const result = await createTransfer(
        app,
        { from: loc(op.from), to: loc(op.to), receive: op.receive, lines: [{ sku: sku(op.item), quantity: op.qty }] },
        actor,
      );
      if (!expectResult(state, 'transfer', result, ['insufficient_stock'])) return;
      moveStock(state, op.item, op.from, -op.qty, 0);
      if (op.receive) moveStock(state, op.item, op.to, op.qty, 0);
      else {
        moveStock(state, op.item, op.to, 0, op.qty);
        state.transfers.push({ id: result.value.id, from: op.from, to: op.to, item: op.item, qty: op.qty });
      }
      return;
    }
    case 'finish': {
      const tr = state.transfers[op.pick % Math.max(1, state.transfers.length)];
      if (!tr) return;
      const result = op.action === 'receive' ? await receiveTransfer(app, tr.id, actor) : await cancelTransfer(app, tr.id, actor);
      if (!expectResult(state, `transfer ${op.action}`, result, ['illegal_transition'])) return;
      moveStock(state, tr.item, tr.to, op.action === 'receive' ? tr.qty : 0, -tr.qty);
      if (op.action === 'cancel') moveStock(state, tr.item, tr.from, tr.qty, 0);
      return;
    }
    case 'cancel':
    case 'cancelPart': {
      const target = pickOrder(state, op.pick);
      if (!target) return;
      let lines: { line_id: string; quantity: number }[] | undefined;
      if (op.kind === 'cancelPart') {
        const view = await getOrder(app, target.orderId);
        assert.ok(view.ok);
        const line = view.value.lines[op.line % view.value.lines.length];
        if (!line) return;
        lines = [{ line_id: line.id, quantity: op.qty }];
      }
      const result = await cancelOrder(app, target.orderId, { reason: 'simulation', lines }, actor);
      expectResult(state, op.kind, result, ['illegal_transition', 'not_cancellable']);
      return;
    }
    case 'hold': {
      const target = pickOrder(state, op.pick);
      if (!target) return;
      const view = await getOrder(app, target.orderId);
      assert.ok(view.ok);
      const fos = view.value.fulfillment_orders;
      const fo = op.fo === null || fos.length === 0 ? undefined : fos[op.fo % fos.length];
      const result = await placeHold(app, target.orderId, { reason: op.reason, fulfillment_order_id: fo?.id }, actor);
      expectResult(state, 'hold', result, ['illegal_transition', 'limit_reached']);
      return;
    }
    case 'release': {
      const target = pickOrder(state, op.pick);
      if (!target) return;
      const view = await getOrder(app, target.orderId);
      assert.ok(view.ok);
      const hold = view.value.holds[op.hold % Math.max(1, view.value.holds.length)];
      if (!hold) return;
      const result = await releaseHold(app, target.orderId, hold.id, actor);
      expectResult(state, 'release', result, ['hold_not_active']);
      return;
    }
  }
}

// ---------------------------------------------------------------- invariants

async function backordersOf(state: SimState, itemIds: readonly string[]) {
  return state.app.db.read
    .selectFrom('backorders')
    .select(['id', 'item_id', 'quantity', 'created_at'])
    .where('item_id', 'in', [...itemIds, ''])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * After stock arrives at an active location: first-in-first-out (no backorder was served while an older one of
 * the same item still waits) and nothing left waiting while that location still has the item available.
 * Only intake runs concurrently with this check, and intake never serves or shrinks an existing backorder.
 */
async function checkBackordersServed(
  state: SimState,
  item: number,
  loc: number,
  before: Awaited<ReturnType<typeof backordersOf>>,
): Promise<void> {
  if (!locationSpecs[loc]?.active) return;
  const itemId = state.itemIds[item] as string;
  const after = new Map((await backordersOf(state, [itemId])).map((b) => [b.id, b.quantity]));
  const mine = before.filter((b) => b.item_id === itemId);
  if (mine.some((b) => (after.get(b.id) ?? 0) < b.quantity)) bump(state, 'receipt serving backorders (FIFO checked)');
  mine.forEach((b, i) => {
    if ((after.get(b.id) ?? 0) < b.quantity) {
      for (const older of mine.slice(0, i)) {
        assert.equal(after.get(older.id), 0, `backorder ${b.id} was served before the older ${older.id} (FIFO)`);
      }
    }
  });
  const level = await state.app.db.read
    .selectFrom('inventory_levels')
    .select(['on_hand', 'reserved'])
    .where('item_id', '=', itemId)
    .where('location_id', '=', state.locationIds[loc] as string)
    .executeTakeFirst();
  const waiting = [...after.values()].some((q) => q > 0);
  if (waiting && level) bump(state, 'receipt leaving backorders waiting');
  assert.ok(
    !waiting || !level || level.on_hand - level.reserved === 0,
    `${itemSpecs[item]?.sku} available at ${locationSpecs[loc]?.code} while backorders wait`,
  );
}

/** The full set of invariants, on a quiet database (every submission answered). */
async function checkAll(state: SimState): Promise<void> {
  await settle(state);
  const db = state.app.db.read;
  const report = await verifyInventory(state.app);
  assert.ok(report.ok, `verify: ${JSON.stringify(report).slice(0, 2_000)}`);

  const levels = await db.selectFrom('inventory_levels').selectAll().execute();
  for (const l of levels) {
    assert.ok(levelHolds({ onHand: l.on_hand, reserved: l.reserved, incoming: l.incoming }), `level broken: ${JSON.stringify(l)}`);
  }
  for (const [item] of itemSpecs.entries()) {
    for (const [loc] of locationSpecs.entries()) {
      const l = levels.find((x) => x.item_id === state.itemIds[item] && x.location_id === state.locationIds[loc]);
      const expected = state.stock.get(stockKey(item, loc)) ?? { onHand: 0, incoming: 0 };
      assert.deepEqual(
        { onHand: l?.on_hand ?? 0, incoming: l?.incoming ?? 0 },
        expected,
        `${itemSpecs[item]?.sku} at ${locationSpecs[loc]?.code}: on_hand/incoming`,
      );
    }
  }

  const [orders, lines, fos, foLines, backorders, holds, events] = await Promise.all([
    db.selectFrom('orders').select(['id', 'channel', 'external_id', 'status', 'event_seq']).execute(),
    db.selectFrom('order_lines').select(['id', 'order_id', 'quantity', 'cancelled_quantity']).execute(),
    db.selectFrom('fulfillment_orders').select(['id', 'order_id', 'status', 'path', 'location_id']).execute(),
    db.selectFrom('fulfillment_order_lines').select(['fulfillment_order_id', 'order_line_id', 'quantity', 'cancelled_quantity']).execute(),
    db.selectFrom('backorders').select(['order_id', 'order_line_id', 'quantity']).execute(),
    db.selectFrom('holds').select(['order_id', 'fulfillment_order_id', 'status']).execute(),
    db.selectFrom('events').select(['aggregate_id', 'aggregate_seq']).where('aggregate_type', '=', 'order').execute(),
  ]);
  const numbers = new Set(orders.map((o) => `${o.channel}|${o.external_id}`));
  assert.equal(numbers.size, orders.length, 'one channel order number is one order');
  assert.equal(orders.length, state.created.length, 'every order in the database was acknowledged once');

  const group = <T>(rows: readonly T[], key: (r: T) => string) => {
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const list = map.get(key(r));
      if (list) list.push(r);
      else map.set(key(r), [r]);
    }
    return (k: string) => map.get(k) ?? [];
  };
  const foLinesOfLine = group(foLines, (l) => l.order_line_id);
  const foLinesOfFo = group(foLines, (l) => l.fulfillment_order_id);
  const backordersOfLine = group(backorders, (b) => b.order_line_id);
  const linesOf = group(lines, (l) => l.order_id);
  const fosOf = group(fos, (f) => f.order_id);
  const holdsOf = group(holds, (h) => h.order_id);
  const seqsOf = group(events, (e) => e.aggregate_id);
  for (const line of lines) {
    const placed = foLinesOfLine(line.id).reduce((s, l) => s + l.quantity, 0);
    const waiting = backordersOfLine(line.id).reduce((s, b) => s + b.quantity, 0);
    assert.equal(line.cancelled_quantity + placed + waiting, line.quantity, `line ${line.id}: cancelled + placed + backordered = ordered`);
  }
  for (const fo of fos) {
    if (fo.status === 'cancelled')
      assert.ok(
        foLinesOfFo(fo.id).every((l) => l.quantity === 0),
        `cancelled ${fo.id} still holds units`,
      );
    assert.equal(fo.path === 'physical', fo.location_id !== null, `${fo.id}: a location exactly for physical work`);
  }
  for (const o of orders) {
    const ls = linesOf(o.id);
    const allCancelled = ls.every((l) => l.cancelled_quantity === l.quantity);
    const waiting = ls.some((l) => backordersOfLine(l.id).some((b) => b.quantity > 0));
    assert.equal(o.status === 'cancelled', allCancelled, `order ${o.external_id}: cancelled exactly when every unit is`);
    if (!allCancelled) assert.equal(o.status, waiting ? 'backordered' : 'open', `order ${o.external_id}: status`);
    const active = holdsOf(o.id).filter((h) => h.status === 'active');
    if (o.status === 'cancelled') assert.equal(active.length, 0, `cancelled order ${o.external_id} still has active holds`);
    const orderHeld = active.some((h) => h.fulfillment_order_id === null);
    for (const fo of fosOf(o.id)) {
      const covered = orderHeld || active.some((h) => h.fulfillment_order_id === fo.id);
      if (fo.status === 'on_hold') assert.ok(covered, `${fo.id} on hold without an active hold`);
      if (covered) assert.ok(fo.status === 'on_hold' || fo.status === 'cancelled', `${fo.id} is ${fo.status} under an active hold`);
    }
    const seqs = seqsOf(o.id)
      .map((e) => e.aggregate_seq)
      .sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: o.event_seq }, (_, i) => i + 1),
      `order ${o.external_id}: its timeline is 1..event_seq`,
    );
  }
}

// ---------------------------------------------------------------- the simulation

async function simulate(dialect: DialectName, seed: number, ops: number): Promise<Map<string, number>> {
  const database = await createTestDatabase(dialect);
  const clock = new ManualClock('2026-03-01T08:00:00.000Z');
  const app = await compose({
    ...(database.sqliteFile ? { sqliteFile: database.sqliteFile } : {}),
    ...(database.databaseUrl ? { databaseUrl: database.databaseUrl, searchPath: database.searchPath } : {}),
    clock,
    ids: new SequentialIds(),
  });
  const state: SimState = {
    app,
    clock,
    locationIds: [],
    itemIds: [],
    pending: new Set(),
    created: [],
    orderByNumber: new Map(),
    orderByKey: new Map(),
    transfers: [],
    stock: new Map(),
    counters: new Map(),
  };
  let index = -1;
  let op: SimOp | undefined;
  try {
    for (const s of locationSpecs) {
      const created = await createLocation(
        app,
        {
          code: s.code,
          name: s.code,
          kind: s.code.startsWith('3PL') ? '3pl' : s.code.startsWith('STORE') ? 'store' : 'warehouse',
          priority: s.priority,
          active: s.active,
          address: { line1: '1 Dock Rd', city: 'Depot', postal_code: s.postal, country: s.country },
        },
        actor,
      );
      assert.ok(created.ok);
      state.locationIds.push(created.value.id);
    }
    for (const s of itemSpecs) {
      const created = await createItem(app, { sku: s.sku, name: s.sku, kind: s.kind, inventory_policy: s.policy }, actor);
      assert.ok(created.ok);
      state.itemIds.push(created.value.id);
    }
    const generator = new OpGenerator(seed);
    for (index = 0; index < ops; index += 1) {
      op = generator.next();
      clock.advance(1_000);
      await execute(state, op);
      if ((index + 1) % fullCheckEveryOps === 0) await checkAll(state);
    }
    op = undefined;
    await checkAll(state);
    return state.counters;
  } catch (error) {
    const at = op ? `operation ${index} ${JSON.stringify(op).slice(0, 500)}` : 'the final check';
    const replay = `SIM_SEED=${seed} SIM_OPS=${Math.max(index + 1, 1)} FULFILL_TEST_DIALECTS=${dialect} node --import tsx --test test/simulation/seeded.test.ts`;
    throw new Error(`simulation failed on ${dialect}, seed ${seed}, at ${at}: ${(error as Error).message}\nreplay: ${replay}`, {
      cause: error,
    });
  } finally {
    await Promise.allSettled([...state.pending]);
    await app.close();
    await database.drop();
  }
}

const seeds = (dialect: DialectName) => (process.env.SIM_SEED ? [Number(process.env.SIM_SEED)] : ciSeeds[dialect]);

for (const dialect of await testDialects()) {
  describe(`seeded simulation (${dialect})`, () => {
    for (const seed of seeds(dialect)) {
      test(`seed ${seed}: ${opsPerSeed(dialect)} operations keep every invariant`, async (t) => {
        const counters = await simulate(dialect, seed, opsPerSeed(dialect));
        t.diagnostic(JSON.stringify(Object.fromEntries([...counters].sort())));
      });
    }
  });
}
