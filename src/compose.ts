import { Authenticator } from './contexts/access/index.js';
import type { InventoryDeps } from './contexts/inventory/index.js';
import { allocateBackorders, IntakeQueue, type OrdersDeps } from './contexts/orders/index.js';
import { type CarrierAdapter, cheapestTableRate, setUpCarriers } from './contexts/shipping/index.js';
import { defaultSourcingStrategy } from './contexts/sourcing/index.js';
import { dimensionalRules, gs1ExamplePrefix, type ShippingDeps } from './contexts/warehouse/index.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { type IdGenerator, uuidV7Ids } from './kernel/ids.js';
import { type Db, type OpenOptions, openDb } from './storage/index.js';

/** Everything the application needs, wired once. Tests build it with their own database, clock and ids. */
export interface App extends OrdersDeps, InventoryDeps, ShippingDeps {
  readonly authenticator: Authenticator;
  readonly intake: IntakeQueue;
  close(): Promise<void>;
}

export interface ComposeOptions extends OpenOptions {
  readonly adminKey?: string | undefined;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly db?: Db;
  readonly gs1CompanyPrefix?: string | undefined;
  readonly rateSheetPath?: string | undefined;
  readonly easypostApiKey?: string | undefined;
  readonly easypostBaseUrl?: string | undefined;
  /** Extra carrier adapters (tests plug a carrier in here). */
  readonly carriers?: readonly CarrierAdapter[] | undefined;
}

export async function compose(options: ComposeOptions): Promise<App> {
  const db = options.db ?? (await openDb(options));
  const clock = options.clock ?? systemClock;
  const { carriers, sheet } = await setUpCarriers(db, clock, options);
  for (const carrier of options.carriers ?? []) carriers.set(carrier.id, carrier);
  const base = {
    db,
    clock,
    ids: options.ids ?? uuidV7Ids,
    sourcing: defaultSourcingStrategy,
    onStockAvailable: allocateBackorders,
    carriers,
    gs1CompanyPrefix: options.gs1CompanyPrefix ?? gs1ExamplePrefix,
    parcelPricing: ({ from, to }: { from: { country: string; postalCode: string }; to: { country: string; postalCode: string } }) => {
      const price = cheapestTableRate(sheet, from, to);
      return {
        dimensionalRule: dimensionalRules.metric5000HalfKg,
        rate: ({ box, actualWeightG }: { box: { outerMm: { length: number; width: number; height: number } }; actualWeightG: number }) =>
          price({ lengthMm: box.outerMm.length, widthMm: box.outerMm.width, heightMm: box.outerMm.height, weightG: actualWeightG }),
      };
    },
  };
  const intake = new IntakeQueue(base);
  return {
    ...base,
    authenticator: new Authenticator(base, options.adminKey),
    intake,
    async close() {
      await intake.settled();
      await db.close();
    },
  };
}
