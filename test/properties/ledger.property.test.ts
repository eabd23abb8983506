/**
 * Model-based property test of the inventory ledger and the order lifecycle, through the HTTP API on a real
 * database per dialect. fast-check generates sequences of receive / adjust / transfer (+ receive or cancel) /
 * order / cancel (whole or partial) / hold / release; a pure model (the ledger's own deltas and the default
 * sourcing strategy, plus the documented rules for backorders, cancellation and holds) predicts every answer.
 * After every operation the orders it touched must equal the model; after every sequence every level must
 * equal the model, verify must be ok and no level may break 0 <= reserved <= on_hand.
 *
 * A failure prints its seed: FC_SEED=<seed> (and FC_PATH=<path> for the shrunk case) replays it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { applyDeltas, available, type Deltas, deltas, emptyLevel, type Level, levelHolds } from '../../src/contexts/inventory/index.js';
import { defaultSourcingStrategy, type SourcingLocation } from '../../src/contexts/sourcing/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { SequentialIds } from '../../src/kernel/ids.js';
import { testDialects } from '../support/dialects.js';
import { address, item, location, must } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/harness.js';

const runsPerDialect = Number(process.env.LEDGER_RUNS ?? 40);
const opsPerRunMax = Number(process.env.LEDGER_OPS ?? 40);

// ---------------------------------------------------------------- the world of one run

const locationSpecs = [
  { suffix: 'A', priority: 1, country: 'US', postal: '62701', active: true },
  { suffix: 'B', priority: 1, country: 'US', postal: '10001', active: true },
  { suffix: 'C', priority: 2, country: 'CA', postal: 'M5V 2T6', active: true },
  { suffix: 'Z', priority: 0, country: 'US', postal: '62701', active: false },
] as const;
const itemSpecs = [
  { suffix: 'D0', kind: 'physical', policy: 'deny' },
  { suffix: 'D1', kind: 'physical', policy: 'deny' },
  { suffix: 'C0', kind: 'physical', policy: 'continue' },
  { suffix: 'C1', kind: 'physical', policy: 'continue' },
  { suffix: 'DIG', kind: 'digital', policy: 'deny' },
] as const;
const physicalItems = [0, 1, 2, 3];
const destinations = [
  { country: 'US', postal: '62701' },
  { country: 'US', postal: '10001' },
  { country: 'CA', postal: 'M5V 2T6' },
] as const;

// ---------------------------------------------------------------- operations

type Op =
  | { kind: 'receive'; loc: number; lines: { item: number; qty: number }[] }
  | { kind: 'adjust'; loc: number; item: number; delta: number }
  | { kind: 'count'; loc: number; item: number; onHand: number }
  | { kind: 'transfer'; from: number; to: number; item: number; qty: number; receive: boolean; fit: boolean }
  | { kind: 'finish'; pick: number; action: 'receive' | 'cancel' }
  | { kind: 'order'; lines: { item: number; qty: number }[]; dest: number; hold: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'cancelPart'; pick: number; line: number; qty: number; split: boolean }
  | { kind: 'hold'; pick: number; fo: number | null }
  | { kind: 'release'; pick: number; hold: number };

const loc = fc.integer({ min: 0, max: locationSpecs.length - 1 });
const physical = fc.constantFrom(...physicalItems);
const qty = fc.integer({ min: 1, max: 4 });
const pick = fc.nat({ max: 999 });

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      loc,
      lines: fc.uniqueArray(fc.record({ item: physical, qty: fc.integer({ min: 1, max: 6 }) }), {
        minLength: 1,
        maxLength: 2,
        selector: (l) => l.item,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      loc,
      item: physical,
      delta: fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('count' as const), loc, item: physical, onHand: fc.integer({ min: 0, max: 8 }) }) },
  {
    weight: 3,
    arbitrary: fc
      // `fit` sends no more than is available at the source (when any is), so that transfers also succeed.
      .record({ kind: fc.constant('transfer' as const), from: loc, to: loc, item: physical, qty, receive: fc.boolean(), fit: fc.boolean() })
      .filter((t) => t.from !== t.to),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('finish' as const), pick, action: fc.constantFrom('receive' as const, 'cancel' as const) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      lines: fc.array(fc.record({ item: fc.integer({ min: 0, max: itemSpecs.length - 1 }), qty: fc.integer({ min: 1, max: 8 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      dest: fc.integer({ min: 0, max: destinations.length - 1 }),
      hold: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('cancelPart' as const),
      pick,
      line: pick,
      qty: fc.integer({ min: 1, max: 3 }),
      // Aim at a line whose units wait at several places when there is one: where "newest first" matters.
      split: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hold' as const), pick, fo: fc.option(pick, { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick, hold: pick }) },
);

// ---------------------------------------------------------------- the model

type FoStatus = 'open' | 'on_hold' | 'cancelled';
interface MFoLine {
  readonly line: number;
  qty: number;
  cancelled: number;
  /** Creation order: the API cancels the newest fulfillment order lines first. */
  readonly seq: number;
}
interface MFo {
  id?: string;
  readonly loc: number | null;
  readonly path: 'physical' | 'digital';
  status: FoStatus;
  readonly lines: MFoLine[];
  readonly seq: number;
}
interface MBackorder {
  readonly line: number;
  qty: number;
  readonly seq: number;
}
interface MHold {
  id?: string;
  readonly fo: MFo | null;
  active: boolean;
}
interface MOrder {
  readonly id: string;
  readonly externalId: string;
  status: 'open' | 'backordered' | 'cancelled';
  readonly lines: { id: string; readonly item: number; readonly qty: number; cancelled: number }[];
  readonly fos: MFo[];
  readonly backorders: MBackorder[];
  readonly holds: MHold[];
}
interface MTransfer {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly item: number;
  readonly qty: number;
  status: 'in_transit' | 'received' | 'cancelled';
}

/** What the model expects an operation to answer. */
type Expect = { status: number; code?: string };

class Model {
  readonly levels = new Map<string, Level>();
  readonly orders: MOrder[] = [];
  readonly transfers: MTransfer[] = [];
  #seq = 0;

  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  level(item: number, loc: number): Level {
    return this.levels.get(`${item}|${loc}`) ?? emptyLevel;
  }

  apply(item: number, loc: number, d: Deltas): void {
    const next = applyDeltas(this.level(item, loc), d);
    assert.ok(levelHolds(next), `model bug: ${JSON.stringify(next)} for item ${item} at ${loc}`);
    this.levels.set(`${item}|${loc}`, next);
  }

  /** Backorders of these items are served first-in-first-out from `loc` when it gained stock (backorders.ts). */
  serveBackorders(items: readonly number[], loc: number, touched: Set<MOrder>): void {
    if (!locationSpecs[loc]?.active) return;
    for (const it of [...new Set(items)].sort((a, b) => a - b)) {
      const waiting = this.orders
        .flatMap((o) => o.backorders.filter((b) => b.qty > 0 && o.lines[b.line]?.item === it).map((b) => ({ o, b })))
        .sort((x, y) => x.b.seq - y.b.seq);
      for (const { o, b } of waiting) {
        const q = Math.min(b.qty, available(this.level(it, loc)));
        if (q <= 0) continue;
        let fo = o.fos
          .filter((f) => f.path === 'physical' && f.loc === loc && (f.status === 'open' || f.status === 'on_hold'))
          .sort((x, y) => x.seq - y.seq)[0];
        if (fo === undefined) {
          const held = o.holds.some((h) => h.active && h.fo === null);
          fo = { loc, path: 'physical', status: held ? 'on_hold' : 'open', lines: [], seq: this.nextSeq() };
          o.fos.push(fo);
        }
        this.apply(it, loc, deltas.reserve(q));
        const foLine = fo.lines.find((l) => l.line === b.line);
        if (foLine) foLine.qty += q;
        else fo.lines.push({ line: b.line, qty: q, cancelled: 0, seq: this.nextSeq() });
        b.qty -= q;
        touched.add(o);
        if (b.qty === 0 && o.status === 'backordered' && !o.backorders.some((x) => x.qty > 0)) o.status = 'open';
      }
    }
  }

  receive(op: Extract<Op, { kind: 'receive' }>, touched: Set<MOrder>): Expect {
    for (const l of op.lines) this.apply(l.item, op.loc, deltas.receive(l.qty));
    this.serveBackorders(
      op.lines.map((l) => l.item),
      op.loc,
      touched,
    );
    return { status: 201 };
  }

  adjust(loc: number, it: number, delta: number, touched: Set<MOrder>): Expect {
    const level = this.level(it, loc);
    if (level.onHand + delta < level.reserved) return { status: 409, code: 'insufficient_stock' };
    if (delta !== 0) this.apply(it, loc, deltas.adjust(delta));
    if (delta > 0) this.serveBackorders([it], loc, touched);
    return { status: 201 };
  }

  createTransfer(op: Extract<Op, { kind: 'transfer' }>): Expect {
    if (available(this.level(op.item, op.from)) < op.qty) return { status: 409, code: 'insufficient_stock' };
    this.apply(op.item, op.from, deltas.transferOut(op.qty));
    this.apply(op.item, op.to, deltas.transferInTransit(op.qty));
    return { status: 201 };
  }

  finishTransfer(tr: MTransfer, action: 'receive' | 'cancel', touched: Set<MOrder>): Expect {
    if (tr.status !== 'in_transit') return { status: 409, code: 'illegal_transition' };
    if (action === 'receive') {
      this.apply(tr.item, tr.to, deltas.transferReceive(tr.qty));
      tr.status = 'received';
      this.serveBackorders([tr.item], tr.to, touched);
    } else {
      this.apply(tr.item, tr.to, { onHand: 0, reserved: 0, incoming: -tr.qty });
      this.apply(tr.item, tr.from, deltas.receive(tr.qty));
      tr.status = 'cancelled';
      this.serveBackorders([tr.item], tr.from, touched);
    }
    return { status: 200 };
  }

  /** Plans an order with the real (pure) default strategy against the model's availability. */
  placeOrder(op: Extract<Op, { kind: 'order' }>, id: () => string, externalId: string, codes: World): Expect & { order?: MOrder } {
    const lines = op.lines.map((l, index) => ({ ...l, index, spec: itemSpecs[l.item] as (typeof itemSpecs)[number] }));
    const physicalLines = lines.filter((l) => l.spec.kind === 'physical');
    const locations: SourcingLocation[] = locationSpecs.flatMap((s, i) =>
      s.active ? [{ id: String(i), code: codes.location(i), priority: s.priority, country: s.country, postalCode: s.postal }] : [],
    );
    const dest = destinations[op.dest] as (typeof destinations)[number];
    const plan =
      physicalLines.length === 0
        ? { allocations: [], backorders: [], shortfalls: [] }
        : defaultSourcingStrategy({
            lines: physicalLines.map((l) => ({
              index: l.index,
              itemId: String(l.item),
              sku: codes.sku(l.item),
              quantity: l.qty,
              policy: l.spec.policy,
            })),
            locations,
            destination: { country: dest.country, postalCode: dest.postal },
            available: (itemId, locationId) => available(this.level(Number(itemId), Number(locationId))),
          });
    if (plan.shortfalls.length > 0) return { status: 409, code: 'insufficient_stock' };
    const foStatus: FoStatus = op.hold ? 'on_hold' : 'open';
    const order: MOrder = {
      id: id(),
      externalId,
      status: plan.backorders.length > 0 ? 'backordered' : 'open',
      lines: op.lines.map((l) => ({ id: '', item: l.item, qty: l.qty, cancelled: 0 })),
      fos: [],
      backorders: [],
      holds: op.hold ? [{ fo: null, active: true }] : [],
    };
    const foAt = (locIdx: number | null, path: MFo['path']) => {
      let fo = order.fos.find((f) => f.loc === locIdx && f.path === path);
      if (!fo) {
        fo = { loc: locIdx, path, status: foStatus, lines: [], seq: this.nextSeq() };
        order.fos.push(fo);
      }
      return fo;
    };
    for (const a of plan.allocations) {
      const locIdx = Number(a.locationId);
      foAt(locIdx, 'physical').lines.push({ line: a.lineIndex, qty: a.quantity, cancelled: 0, seq: this.nextSeq() });
      this.apply(op.lines[a.lineIndex]?.item as number, locIdx, deltas.reserve(a.quantity));
    }
    for (const l of lines) {
      if (l.spec.kind !== 'physical') foAt(null, 'digital').lines.push({ line: l.index, qty: l.qty, cancelled: 0, seq: this.nextSeq() });
    }
    for (const b of plan.backorders) order.backorders.push({ line: b.lineIndex, qty: b.quantity, seq: this.nextSeq() });
    this.orders.push(order);
    return { status: 201, order };
  }

  /** Cancels a whole order (lines undefined) or line quantities: backorders first, then the newest open work. */
  cancel(o: MOrder, lines: { line: number; qty: number }[] | undefined): Expect {
    const whole = lines === undefined;
    if (whole && o.status === 'cancelled') return { status: 409, code: 'illegal_transition' };
    const requested = lines ?? o.lines.map((l, line) => ({ line, qty: l.qty - l.cancelled }));
    const boTakes: { b: MBackorder; q: number }[] = [];
    const takes: { fo: MFo; fl: MFoLine; q: number }[] = [];
    for (const r of requested) {
      let left = r.qty;
      for (const b of o.backorders.filter((x) => x.line === r.line && x.qty > 0)) {
        const q = Math.min(left, b.qty);
        if (q > 0) boTakes.push({ b, q });
        left -= q;
      }
      const open = o.fos
        .filter((fo) => fo.status === 'open' || fo.status === 'on_hold')
        .flatMap((fo) => fo.lines.filter((fl) => fl.line === r.line && fl.qty > 0).map((fl) => ({ fo, fl })))
        .sort((x, y) => y.fl.seq - x.fl.seq);
      if (!whole && open.length > 1 && left < open.reduce((sum, x) => sum + x.fl.qty, 0)) {
        count('cancel part of a line held at several places');
      }
      for (const { fo, fl } of open) {
        const q = Math.min(left, fl.qty);
        if (q > 0) takes.push({ fo, fl, q });
        left -= q;
      }
      if (left > 0) {
        assert.ok(!whole, 'model bug: a whole cancellation must always be possible');
        return { status: 409, code: 'not_cancellable' };
      }
    }
    for (const { b, q } of boTakes) b.qty -= q;
    for (const { fo, fl, q } of takes) {
      if (fo.path === 'physical' && fo.loc !== null) this.apply(o.lines[fl.line]?.item as number, fo.loc, deltas.release(q));
      fl.qty -= q;
      fl.cancelled += q;
    }
    for (const r of requested) (o.lines[r.line] as MOrder['lines'][number]).cancelled += r.qty;
    for (const fo of o.fos) {
      if ((fo.status === 'open' || fo.status === 'on_hold') && fo.lines.every((l) => l.qty === 0)) fo.status = 'cancelled';
    }
    if (o.lines.every((l) => l.cancelled === l.qty)) {
      o.status = 'cancelled';
      for (const h of o.holds) h.active = false;
    } else if (o.status === 'backordered' && !o.backorders.some((b) => b.qty > 0)) o.status = 'open';
    return { status: 200 };
  }

  hold(o: MOrder, fo: MFo | null): Expect {
    if (o.status === 'cancelled') return { status: 409, code: 'illegal_transition' };
    const targets = fo ? [fo] : o.fos.filter((f) => f.status === 'open');
    if (targets.some((f) => f.status === 'cancelled')) return { status: 409, code: 'illegal_transition' };
    for (const f of targets) f.status = 'on_hold';
    o.holds.push({ fo, active: true });
    return { status: 201 };
  }

  release(o: MOrder, h: MHold): Expect {
    if (!h.active) return { status: 409, code: 'hold_not_active' };
    h.active = false;
    const remaining = o.holds.filter((x) => x.active);
    const orderHeld = remaining.some((x) => x.fo === null);
    for (const fo of o.fos) {
      if (fo.status === 'on_hold' && !orderHeld && !remaining.some((x) => x.fo === fo)) fo.status = 'open';
    }
    return { status: 200 };
  }
}

// ---------------------------------------------------------------- comparing the API with the model

interface OrderView {
  id: string;
  status: string;
  on_hold: boolean;
  lines: { id: string; line_no: number; quantity: number; cancelled_quantity: number; backordered_quantity: number }[];
  fulfillment_orders: {
    id: string;
    location: string | null;
    path: string;
    status: string;
    lines: { id: string; line_id: string; quantity: number; cancelled_quantity: number }[];
  }[];
  holds: { id: string; status: string; fulfillment_order_id: string | null }[];
}

/** Compares an order view with the model, and learns the ids of fulfillment orders and holds the model made. */
function compareOrder(m: MOrder, view: OrderView, world: World): void {
  const where = `order ${m.externalId}`;
  assert.equal(view.id, m.id, where);
  assert.equal(view.status, m.status, `${where}: status`);
  assert.equal(
    view.on_hold,
    m.holds.some((h) => h.active),
    `${where}: on_hold`,
  );
  const lines = [...view.lines].sort((a, b) => a.line_no - b.line_no);
  assert.equal(lines.length, m.lines.length, `${where}: line count`);
  m.lines.forEach((l, i) => {
    const v = lines[i] as OrderView['lines'][number];
    if (l.id === '') l.id = v.id;
    assert.equal(v.id, l.id);
    assert.equal(v.quantity, l.qty);
    assert.equal(v.cancelled_quantity, l.cancelled, `${where} line ${i + 1}: cancelled`);
    const backordered = m.backorders.filter((b) => b.line === i).reduce((s, b) => s + b.qty, 0);
    assert.equal(v.backordered_quantity, backordered, `${where} line ${i + 1}: backordered`);
  });
  assert.equal(view.fulfillment_orders.length, m.fos.length, `${where}: fulfillment orders ${JSON.stringify(view.fulfillment_orders)}`);
  const known = new Set(m.fos.flatMap((f) => (f.id ? [f.id] : [])));
  for (const fo of m.fos) {
    const code = fo.loc === null ? null : world.location(fo.loc);
    let v = fo.id ? view.fulfillment_orders.find((x) => x.id === fo.id) : undefined;
    if (!fo.id) {
      const candidates = view.fulfillment_orders.filter((x) => !known.has(x.id) && x.location === code && x.path === fo.path);
      assert.equal(candidates.length, 1, `${where}: one new fulfillment order at ${code}`);
      v = candidates[0];
      fo.id = v?.id;
      if (fo.id) known.add(fo.id);
    }
    assert.ok(v, `${where}: fulfillment order ${fo.id} missing`);
    assert.equal(v.location, code);
    assert.equal(v.status, fo.status, `${where}: fulfillment order at ${code}: status`);
    const expected = fo.lines.map((l) => ({ line_id: m.lines[l.line]?.id, quantity: l.qty, cancelled_quantity: l.cancelled }));
    const actual = v.lines.map((l) => ({ line_id: l.line_id, quantity: l.quantity, cancelled_quantity: l.cancelled_quantity }));
    const byLine = (a: { line_id: string | undefined }, b: { line_id: string | undefined }) =>
      (a.line_id ?? '') < (b.line_id ?? '') ? -1 : 1;
    assert.deepEqual(actual.sort(byLine), expected.sort(byLine), `${where}: fulfillment order at ${code}: lines`);
  }
  assert.equal(view.holds.length, m.holds.length, `${where}: holds`);
  const knownHolds = new Set(m.holds.flatMap((h) => (h.id ? [h.id] : [])));
  for (const h of m.holds) {
    if (!h.id) {
      const fresh = view.holds.filter((x) => !knownHolds.has(x.id));
      assert.equal(fresh.length, 1, `${where}: one new hold`);
      h.id = fresh[0]?.id;
      if (h.id) knownHolds.add(h.id);
    }
    const v = view.holds.find((x) => x.id === h.id);
    assert.ok(v, `${where}: hold ${h.id}`);
    assert.equal(v.status, h.active ? 'active' : 'released', `${where}: hold ${h.id} status`);
    assert.equal(v.fulfillment_order_id, h.fo?.id ?? null);
  }
}

/** Outcomes seen, by operation and status: printed so that a generator that stopped reaching a case shows. */
const outcomes = new Map<string, number>();
const count = (name: string) => outcomes.set(name, (outcomes.get(name) ?? 0) + 1);

function expectAnswer(res: LightMyRequestResponse, expected: Expect, what: string): void {
  count(`${what.split(' ')[0]} ${expected.status}${expected.code ? ` ${expected.code}` : ''}`);
  assert.equal(res.statusCode, expected.status, `${what}: ${res.statusCode} ${res.body}`);
  if (expected.code) assert.equal(res.json().code, expected.code, `${what}: ${res.body}`);
}

// ---------------------------------------------------------------- running a sequence against the API

interface World {
  readonly run: number;
  location(i: number): string;
  sku(i: number): string;
}

async function createWorld(t: TestApp, run: number): Promise<World> {
  const world: World = {
    run,
    location: (i) => `R${run}-${locationSpecs[i]?.suffix}`,
    sku: (i) => `R${run}-${itemSpecs[i]?.suffix}`,
  };
  for (const [i, s] of locationSpecs.entries()) {
    await must(
      t,
      '/v1/locations',
      location(world.location(i), {
        priority: s.priority,
        active: s.active,
        address: { line1: '1 Dock Rd', city: 'Somewhere', postal_code: s.postal, country: s.country },
      }),
    );
  }
  for (const [i, s] of itemSpecs.entries()) {
    await must(t, '/v1/items', item(world.sku(i), { kind: s.kind, inventory_policy: s.policy }));
  }
  return world;
}

async function getOrder(t: TestApp, id: string): Promise<OrderView> {
  const res = await t.get(`/v1/orders/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Order lines whose open units sit in more than one fulfillment order line. */
function splitLines(model: Model): { order: MOrder; line: number }[] {
  return model.orders.flatMap((order) =>
    order.lines.flatMap((_, line) => {
      const places = order.fos
        .filter((fo) => fo.status === 'open' || fo.status === 'on_hold')
        .flatMap((fo) => fo.lines.filter((l) => l.line === line && l.qty > 0));
      return places.length > 1 ? [{ order, line }] : [];
    }),
  );
}

/** Runs one operation against the API and the model; returns the orders whose views must now match. */
async function step(t: TestApp, model: Model, world: World, op: Op, index: number): Promise<Set<MOrder>> {
  const touched = new Set<MOrder>();
  const what = `${op.kind} (op ${index}: ${JSON.stringify(op)})`;
  switch (op.kind) {
    case 'receive': {
      const res = await t.post('/v1/inventory/receipts', {
        location: world.location(op.loc),
        lines: op.lines.map((l) => ({ sku: world.sku(l.item), quantity: l.qty })),
      });
      expectAnswer(res, model.receive(op, touched), what);
      break;
    }
    case 'adjust':
    case 'count': {
      const delta = op.kind === 'adjust' ? op.delta : op.onHand - model.level(op.item, op.loc).onHand;
      const line = op.kind === 'adjust' ? { sku: world.sku(op.item), delta } : { sku: world.sku(op.item), on_hand: op.onHand };
      const res = await t.post('/v1/inventory/adjustments', { location: world.location(op.loc), reason: 'cycle_count', lines: [line] });
      expectAnswer(res, model.adjust(op.loc, op.item, delta, touched), what);
      break;
    }
    case 'transfer': {
      // With `fit`, the source is the location with the most available (when any has some) and the quantity fits.
      const fullest =
        [...locationSpecs.keys()].sort((a, b) => available(model.level(op.item, b)) - available(model.level(op.item, a)))[0] ?? 0;
      const from = op.fit && available(model.level(op.item, fullest)) > 0 ? fullest : op.from;
      const to = from === op.to ? (op.to + 1) % locationSpecs.length : op.to;
      const free = available(model.level(op.item, from));
      const quantity = op.fit && free > 0 ? Math.min(op.qty, free) : op.qty;
      const res = await t.post('/v1/inventory/transfers', {
        from: world.location(from),
        to: world.location(to),
        receive: op.receive,
        lines: [{ sku: world.sku(op.item), quantity }],
      });
      const expected = model.createTransfer({ ...op, from, to, qty: quantity });
      expectAnswer(res, expected, what);
      if (expected.status !== 201) break;
      const tr: MTransfer = { id: res.json().id, from, to, item: op.item, qty: quantity, status: 'in_transit' };
      model.transfers.push(tr);
      if (op.receive) model.finishTransfer(tr, 'receive', touched);
      assert.equal(res.json().status, tr.status, what);
      break;
    }
    case 'finish': {
      const tr = model.transfers[op.pick % Math.max(1, model.transfers.length)];
      if (!tr) break;
      const res = await t.post(`/v1/inventory/transfers/${tr.id}/${op.action}`);
      expectAnswer(res, model.finishTransfer(tr, op.action, touched), what);
      break;
    }
    case 'order': {
      const externalId = `R${world.run}-O${index}`;
      const res = await t.post('/v1/orders', {
        channel: 'web',
        external_id: externalId,
        currency: 'USD',
        customer: { email: 'ann@example.com', name: 'Ann Lee' },
        shipping_address: address(destinations[op.dest]?.country, destinations[op.dest]?.postal),
        lines: op.lines.map((l) => ({ sku: world.sku(l.item), quantity: l.qty, unit_price: 500 })),
        ...(op.hold ? { holds: [{ reason: 'payment' }] } : {}),
      });
      const expected = model.placeOrder(op, () => res.json().id, externalId, world);
      expectAnswer(res, expected, what);
      if (expected.order) compareOrder(expected.order, res.json(), world);
      break;
    }
    case 'cancel':
    case 'cancelPart': {
      const split = op.kind === 'cancelPart' && op.split ? splitLines(model) : [];
      const target = split[op.pick % Math.max(1, split.length)];
      const o = target?.order ?? model.orders[op.pick % Math.max(1, model.orders.length)];
      if (!o) break;
      const line = op.kind === 'cancelPart' ? (target?.line ?? op.line % o.lines.length) : 0;
      const lines = op.kind === 'cancelPart' ? [{ line, qty: op.qty }] : undefined;
      const body = lines ? { lines: lines.map((l) => ({ line_id: o.lines[l.line]?.id, quantity: l.qty })) } : { reason: 'customer asked' };
      const res = await t.post(`/v1/orders/${o.id}/cancel`, body);
      expectAnswer(res, model.cancel(o, lines), what);
      touched.add(o);
      break;
    }
    case 'hold': {
      const o = model.orders[op.pick % Math.max(1, model.orders.length)];
      if (!o) break;
      const fo = op.fo === null || o.fos.length === 0 ? null : (o.fos[op.fo % o.fos.length] as MFo);
      const res = await t.post(`/v1/orders/${o.id}/holds`, { reason: 'manual', ...(fo ? { fulfillment_order_id: fo.id } : {}) });
      expectAnswer(res, model.hold(o, fo), what);
      touched.add(o);
      break;
    }
    case 'release': {
      const o = model.orders[op.pick % Math.max(1, model.orders.length)];
      const h = o?.holds[op.hold % Math.max(1, o.holds.length)];
      if (!o || !h) break;
      const res = await t.request({ method: 'DELETE', url: `/v1/orders/${o.id}/holds/${h.id}` });
      expectAnswer(res, model.release(o, h), what);
      touched.add(o);
      break;
    }
  }
  return touched;
}

/** After a sequence: every level equals the model and keeps the invariant, and verify proves the ledger. */
async function checkLevels(t: TestApp, model: Model, world: World): Promise<void> {
  for (const it of physicalItems) {
    const res = await t.get(`/v1/inventory?sku=${world.sku(it)}&limit=500`);
    assert.equal(res.statusCode, 200, res.body);
    const rows = res.json().data as { location: string; on_hand: number; reserved: number; available: number; incoming: number }[];
    for (const [li] of locationSpecs.entries()) {
      const row = rows.find((r) => r.location === world.location(li));
      const m = model.level(it, li);
      const actual = row ? { onHand: row.on_hand, reserved: row.reserved, incoming: row.incoming } : emptyLevel;
      assert.deepEqual(actual, m, `level of ${world.sku(it)} at ${world.location(li)}`);
      if (row) {
        assert.ok(levelHolds(actual), `${world.sku(it)} at ${world.location(li)} breaks 0 <= reserved <= on_hand`);
        assert.equal(row.available, row.on_hand - row.reserved);
      }
    }
  }
  const verify = await t.get('/v1/inventory/verify');
  assert.equal(verify.statusCode, 200, verify.body);
  assert.equal(verify.json().ok, true, `verify: ${verify.body}`);
}

async function runSequence(t: TestApp, run: number, ops: readonly Op[]): Promise<void> {
  const world = await createWorld(t, run);
  const model = new Model();
  for (const [index, op] of ops.entries()) {
    const touched = await step(t, model, world, op, index);
    if (['receive', 'adjust', 'count', 'transfer', 'finish'].includes(op.kind) && touched.size > 0) count('backorders served');
    for (const o of touched) compareOrder(o, await getOrder(t, o.id), world);
  }
  for (const o of model.orders) compareOrder(o, await getOrder(t, o.id), world);
  await checkLevels(t, model, world);
}

// ---------------------------------------------------------------- the test

for (const dialect of await testDialects()) {
  describe(`ledger model-based properties (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { clock: new ManualClock(), ids: new SequentialIds() });
    });
    after(async () => {
      await t?.close();
    });

    test('random sequences of stock and order operations keep the API equal to the model and the ledger exact', async (ctx) => {
      const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
      ctx.diagnostic(`seed ${seed} (replay: FC_SEED=${seed} node --import tsx --test ${'test/properties/ledger.property.test.ts'})`);
      let run = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: opsPerRunMax, size: 'max' }), async (ops) => {
            run += 1;
            await runSequence(t, run, ops);
          }),
          {
            seed,
            numRuns: runsPerDialect,
            ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
          },
        );
      } catch (error) {
        console.error(`ledger property failed on ${dialect}: replay with FC_SEED=${seed} (and FC_PATH from the report below)`);
        throw error;
      }
      ctx.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
      outcomes.clear();
    });
  });
}
