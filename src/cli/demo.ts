import type { Command } from 'commander';
import type { App } from '../compose.js';
import { createBins, createItem, createLocation, findLocationByCode } from '../contexts/catalog/index.js';
import { receiveStock } from '../contexts/inventory/index.js';
import { cancelOrder, type IntakeOutcome, type OrderInput, placeHold, placeOrders } from '../contexts/orders/index.js';
import { assignSlots } from '../contexts/warehouse/index.js';
import { SeededRandom } from '../kernel/random.js';
import { CliError, type GlobalOptions, withApp } from './context.js';
import { demoItems, demoLocations, destinations, firstNames, lastNames } from './demo-data.js';
import { type DemoGoods, loadDemoGoods } from './demo-goods.js';

export interface DemoSummary {
  readonly locations: number;
  readonly items: number;
  readonly orders: { created: number; backordered: number; refused: number; held: number; cancelled: number };
  readonly goods: DemoGoods;
}

const ordersPerBatch = 100;

function unwrapOk<T>(result: { ok: true; value: T } | { ok: false; error: { detail: string } }): T {
  if (!result.ok) throw new CliError(result.error.detail);
  return result.value;
}

/** Fills an empty database with a believable catalog, locations, bins, stock and orders. Deterministic per seed. */
export async function loadDemo(app: App, options: { orders: number; seed: number }): Promise<DemoSummary> {
  if (await findLocationByCode(app.db.read, 'WH-EAST')) throw new CliError('the demo data is already loaded (location WH-EAST exists)');
  const random = new SeededRandom(options.seed);
  for (const location of demoLocations) unwrapOk(await createLocation(app, location, 'demo'));
  const items = demoItems();
  for (const item of items) unwrapOk(await createItem(app, item, 'demo'));
  for (const code of ['WH-EAST', 'WH-WEST']) {
    const bins: { code: string; pick_sequence: number }[] = [];
    for (let aisle = 1; aisle <= 4; aisle += 1)
      for (let shelf = 1; shelf <= 8; shelf += 1)
        bins.push({
          code: `${String.fromCharCode(64 + aisle)}-${String(shelf).padStart(2, '0')}-01`,
          pick_sequence: aisle * 100 + (aisle % 2 === 1 ? shelf : 9 - shelf),
        });
    unwrapOk(await createBins(app, code, bins, 'demo'));
    const slots = items
      .filter((i) => i.kind === 'physical')
      .map((item, n) => ({ sku: item.sku, bin: (bins[n % bins.length] as { code: string }).code }));
    unwrapOk(await assignSlots(app, code, slots, 'demo'));
  }
  // Before the orders: their digital lines are delivered (by the server's outbox) from what is set here.
  const goods = await loadDemoGoods(app);
  const physical = items.filter((i) => i.kind === 'physical');
  for (const location of demoLocations) {
    const lines = physical
      .filter(() => random.chance(location.kind === 'supplier' ? 0.3 : 0.8))
      .map((i) => ({ sku: i.sku, quantity: i.inventory_policy === 'continue' ? random.int(0, 3) : random.int(10, 120) }))
      .filter((l) => l.quantity > 0);
    if (lines.length > 0)
      unwrapOk(await receiveStock(app, { location: location.code, reference: `PO-${random.int(10_000, 99_999)}`, lines }, 'demo'));
  }
  const orders: OrderInput[] = [];
  for (let n = 0; n < options.orders; n += 1) {
    const first = random.pick(firstNames);
    const last = random.pick(lastNames);
    const to = random.pick(destinations);
    const lineCount = random.int(1, 4);
    const skus = new Set<string>();
    while (skus.size < lineCount)
      skus.add(random.chance(0.08) ? random.pick(items.filter((i) => i.kind !== 'physical')).sku : random.pick(physical).sku);
    orders.push({
      channel: random.pick(['web', 'web', 'web', 'amazon', 'pos']),
      external_id: String(100_000 + n),
      currency: to.country === 'US' ? 'USD' : 'EUR',
      customer: {
        email: `${first}.${last}.${n}@example.com`
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^\x20-\x7e]/g, ''),
        name: `${first} ${last}`,
        phone: `+1555${String(random.int(1_000_000, 9_999_999))}`,
      },
      shipping_address: {
        name: `${first} ${last}`,
        line1: `${random.int(1, 999)} ${random.pick(['Main St', 'Oak Ave', 'Maple Rd', 'Kerkstraat', 'Hauptstraße'])}`,
        ...to,
      },
      lines: [...skus].map((sku) => ({ sku, quantity: random.int(1, 3), unit_price: random.int(5, 120) * 100 - 1 })),
      service_level: random.pick(['standard', 'standard', 'express']),
      ...(random.chance(0.05) ? { holds: [{ reason: 'payment' as const, note: 'awaiting payment capture' }] } : {}),
    });
  }
  const outcomes: IntakeOutcome[] = [];
  for (let i = 0; i < orders.length; i += ordersPerBatch) {
    const batch = orders.slice(i, i + ordersPerBatch).map((input) => ({ input, actor: 'demo' }));
    outcomes.push(...(await app.db.transaction((tx) => placeOrders(tx, app, batch))));
  }
  const created = outcomes.flatMap((o) =>
    o.kind === 'created' ? [{ id: o.orderId, view: JSON.parse(o.body) as { status: string; on_hold: boolean } }] : [],
  );
  let held = created.filter((c) => c.view.on_hold).length;
  let cancelled = 0;
  for (const c of created) {
    if (c.view.on_hold) continue;
    const roll = random.next();
    if (roll < 0.03) {
      unwrapOk(await cancelOrder(app, c.id, { reason: 'customer changed their mind' }, 'demo'));
      cancelled += 1;
    } else if (roll < 0.06) {
      unwrapOk(await placeHold(app, c.id, { reason: random.pick(['fraud', 'address'] as const), note: 'flagged for review' }, 'demo'));
      held += 1;
    }
  }
  return {
    locations: demoLocations.length,
    items: items.length,
    orders: {
      created: created.length,
      backordered: created.filter((c) => c.view.status === 'backordered').length,
      refused: outcomes.length - created.length,
      held,
      cancelled,
    },
    goods,
  };
}

export function demoCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description('Fill a fresh database with a believable catalog, locations, stock and a few hundred orders')
    .option('--orders <n>', 'how many orders to try to place', '300')
    .option('--seed <n>', 'random seed (same seed, same data)', '42')
    .action(async (options: { orders: string; seed: string }) => {
      const orders = Number(options.orders);
      const seed = Number(options.seed);
      if (!Number.isInteger(orders) || orders < 0 || orders > 1_000_000)
        throw new CliError('--orders must be a whole number from 0 to 1000000');
      if (!Number.isInteger(seed)) throw new CliError('--seed must be a whole number');
      const summary = await withApp(globals(), (app) => loadDemo(app, { orders, seed }));
      console.log(`demo loaded: ${summary.locations} locations, ${summary.items} items`);
      console.log(
        `orders: ${summary.orders.created} created (${summary.orders.backordered} backordered, ${summary.orders.held} on hold, ${summary.orders.cancelled} cancelled), ${summary.orders.refused} refused for lack of stock`,
      );
      console.log(
        `digital: EBOOK-1 delivers fulfillment-handbook.pdf (${summary.goods.ebookFileId}), LICENSE-PRO issues license keys; lead form: /f/${summary.goods.formSlug}`,
      );
      console.log('e-mails, digital deliveries and webhooks go out when the server runs (fulfill serve, or fulfill worker)');
    });
}
