import { Authenticator } from './contexts/access/index.js';
import type { InventoryDeps } from './contexts/inventory/index.js';
import { allocateBackorders, IntakeQueue, type OrdersDeps } from './contexts/orders/index.js';
import { defaultSourcingStrategy } from './contexts/sourcing/index.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { type IdGenerator, uuidV7Ids } from './kernel/ids.js';
import { type Db, type OpenOptions, openDb } from './storage/index.js';

/** Everything the application needs, wired once. Tests build it with their own database, clock and ids. */
export interface App extends OrdersDeps, InventoryDeps {
  readonly authenticator: Authenticator;
  readonly intake: IntakeQueue;
  close(): Promise<void>;
}

export interface ComposeOptions extends OpenOptions {
  readonly adminKey?: string | undefined;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly db?: Db;
}

export async function compose(options: ComposeOptions): Promise<App> {
  const db = options.db ?? (await openDb(options));
  const base = {
    db,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? uuidV7Ids,
    sourcing: defaultSourcingStrategy,
    onStockAvailable: allocateBackorders,
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
