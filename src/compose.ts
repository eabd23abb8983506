import path from 'node:path';
import { Authenticator } from './contexts/access/index.js';
import type { PlatformDeps } from './contexts/deps.js';
import { digitalModule } from './contexts/digital/index.js';
import type { InventoryDeps } from './contexts/inventory/index.js';
import { leadsModule } from './contexts/leads/index.js';
import { closeMail, mailModule } from './contexts/mail/index.js';
import { allocateBackorders, IntakeQueue, type OrdersDeps } from './contexts/orders/index.js';
import { Dispatcher, type DispatcherOptions } from './contexts/outbox/index.js';
import { loadSecret } from './contexts/settings/index.js';
import { type CarrierAdapter, cheapestTableRate, setUpCarriers } from './contexts/shipping/index.js';
import { defaultSourcingStrategy } from './contexts/sourcing/index.js';
import { trackingModule } from './contexts/tracking/index.js';
import { dimensionalRules, gs1ExamplePrefix, type ShippingDeps } from './contexts/warehouse/index.js';
import { type WebhookOptions, webhooksModule } from './contexts/webhooks/index.js';
import { type Clock, systemClock } from './kernel/clock.js';
import type { Config } from './kernel/config.js';
import { type IdGenerator, uuidV7Ids } from './kernel/ids.js';
import { type Db, type OpenOptions, openDb } from './storage/index.js';

/** Everything the application needs, wired once. Tests build it with their own database, clock and ids. */
export interface App extends OrdersDeps, InventoryDeps, ShippingDeps, PlatformDeps {
  readonly authenticator: Authenticator;
  readonly intake: IntakeQueue;
  /** The outbox dispatcher. The server starts it; tests call `drain()`. */
  readonly dispatcher: Dispatcher;
  readonly mailFrom: string;
  readonly smtpUrl: string | undefined;
  readonly easypostWebhookSecret: string | undefined;
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
  readonly publicUrl?: string | undefined;
  readonly secret?: string | undefined;
  readonly smtpUrl?: string | undefined;
  readonly mailFrom?: string | undefined;
  readonly dispatcherOptions?: DispatcherOptions;
  /** Outbound webhooks: private targets, timeout, when a failing endpoint is disabled (env WEBHOOKS_* by default). */
  readonly webhooks?: WebhookOptions;
  /** Secret EasyPost signs tracker webhooks with (EASYPOST_WEBHOOK_SECRET); unset refuses them. */
  readonly easypostWebhookSecret?: string | undefined;
  /** Hours without a scan before an open shipment is flagged stuck (TRACKING_STUCK_HOURS, default 72). */
  readonly trackingStuckHours?: number | undefined;
}

/** The options a configured process (server, worker, CLI) composes the app with. */
export function composeOptions(config: Config): ComposeOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    adminKey: config.adminKey,
    gs1CompanyPrefix: config.gs1CompanyPrefix,
    rateSheetPath: config.rateSheetPath,
    easypostApiKey: config.easypostApiKey,
    easypostBaseUrl: config.easypostBaseUrl,
    publicUrl: config.publicUrl,
    secret: config.secret,
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
    dispatcherOptions: { leaseMs: config.jobLeaseMs },
    easypostWebhookSecret: config.easypostWebhookSecret,
    trackingStuckHours: config.trackingStuckHours,
  };
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
  const platform = {
    ...base,
    publicUrl: (options.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, ''),
    secret: await loadSecret(db, options.secret, clock.now().toISOString()),
    dataDir: path.resolve(options.dataDir ?? './data'),
    mailFrom: options.mailFrom ?? 'Fulfill <no-reply@fulfill.localhost>',
    smtpUrl: options.smtpUrl,
    easypostWebhookSecret: options.easypostWebhookSecret,
  };
  const dispatcher = new Dispatcher(
    platform,
    [
      mailModule(platform),
      webhooksModule(platform, options.webhooks),
      trackingModule(platform, { stuckHours: options.trackingStuckHours }),
      digitalModule(platform),
      leadsModule(platform),
    ],
    options.dispatcherOptions,
  );
  return {
    ...platform,
    authenticator: new Authenticator(base, options.adminKey),
    intake,
    dispatcher,
    async close() {
      await intake.settled();
      await dispatcher.stop();
      closeMail(platform);
      await db.close();
    },
  };
}
