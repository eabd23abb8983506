import type { Clock } from '../../kernel/clock.js';
import type { Db } from '../../storage/index.js';
import type { CarrierAdapter, ParcelSpec } from './carrier.js';
import { createDbTableRateStore } from './db-store.js';
import { createEasyPostCarrier } from './easypost/easypost-carrier.js';
import { defaultRateSheet, readRateSheetFile } from './table-rate/default-sheet.js';
import type { RateSheet } from './table-rate/rate-sheet.js';
import { createTableRateCarrier } from './table-rate/table-rate-carrier.js';
import { tableRateQuotes } from './table-rate/table-rate-quotes.js';

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

/**
 * The cheapest table rate for a parcel between two places: what box choice weighs parcels by. Each service
 * applies its own dimensional divisor and rounding to the box's outer size and the actual weight.
 */
export function cheapestTableRate(
  sheet: RateSheet,
  from: { country: string; postalCode: string },
  to: { country: string; postalCode: string },
) {
  const place = (p: { country: string; postalCode: string }) => ({
    name: '',
    line1: '',
    city: '',
    country: p.country,
    postalCode: p.postalCode,
  });
  return (parcel: ParcelSpec): number | null => {
    const { quotes } = tableRateQuotes(sheet, {
      idempotencyKey: 'cartonization',
      from: place(from),
      to: place(to),
      parcel,
      shipDate: '2000-01-03',
    });
    return quotes.reduce<number | null>((best, q) => (best === null || q.amount.amountMinor < best ? q.amount.amountMinor : best), null);
  };
}
