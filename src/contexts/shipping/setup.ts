import type { Clock } from '../../kernel/clock.js';
import type { Db } from '../../storage/index.js';
import type { CarrierAdapter } from './carrier.js';
import { createDbTableRateStore } from './db-store.js';
import { createEasyPostCarrier } from './easypost/easypost-carrier.js';
import { defaultRateSheet, readRateSheetFile } from './table-rate/default-sheet.js';
import { priceFor } from './table-rate/pricing.js';
import { type RateSheet, zoneFor } from './table-rate/rate-sheet.js';
import { createTableRateCarrier } from './table-rate/table-rate-carrier.js';

export interface CarrierSetup {
  readonly rateSheetPath?: string | undefined;
  readonly easypostApiKey?: string | undefined;
  readonly easypostBaseUrl?: string | undefined;
}

export class CarrierSetupError extends Error {
  override name = 'CarrierSetupError';
}

/** The carriers an installation offers: always the table-rate carrier, EasyPost when it has a key. */
export async function setUpCarriers(
  db: Db,
  clock: Clock,
  setup: CarrierSetup,
): Promise<{ carriers: Map<string, CarrierAdapter>; sheet: RateSheet }> {
  let sheet = defaultRateSheet;
  if (setup.rateSheetPath) {
    const read = await readRateSheetFile(setup.rateSheetPath);
    if (!read.ok) {
      const detail =
        read.error.kind === 'unreadable' ? read.error.detail : read.error.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ');
      throw new CarrierSetupError(`FULFILL_RATE_SHEET ${setup.rateSheetPath}: ${detail}`);
    }
    sheet = read.value;
  }
  const carriers = new Map<string, CarrierAdapter>();
  const tableRate = createTableRateCarrier({ sheet, store: createDbTableRateStore(db, sheet.carrier.id), clock });
  carriers.set(tableRate.id, tableRate);
  if (setup.easypostApiKey) {
    const easypost = createEasyPostCarrier({ apiKey: setup.easypostApiKey, baseUrl: setup.easypostBaseUrl, clock });
    carriers.set(easypost.id, easypost);
  }
  return { carriers, sheet };
}

/** The cheapest table rate for a billable weight between two places: what box choice weighs parcels by. */
export function cheapestTableRate(
  sheet: RateSheet,
  from: { country: string; postalCode: string },
  to: { country: string; postalCode: string },
) {
  const zone = zoneFor(sheet, from, to);
  return (billableG: number): number | null => {
    if (zone === undefined) return null;
    let best: number | null = null;
    for (const code of sheet.services.keys()) {
      const price = priceFor(sheet, code, zone, billableG, false);
      if (price && (best === null || price.totalMinor < best)) best = price.totalMinor;
    }
    return best;
  };
}
