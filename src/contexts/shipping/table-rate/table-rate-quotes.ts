import type { RateQuote, RateRequest } from '../carrier.js';
import { billableWeight, priceFor } from './pricing.js';
import { type RateSheet, zoneFor } from './rate-sheet.js';

/**
 * Quotes of the table-rate carrier for one parcel: pure, from the sheet alone. Services without a rate
 * in the parcel's zone, or whose brackets stop below its billable weight, are left out.
 */

export interface TableQuotes {
  readonly zone: string | undefined;
  readonly quotes: readonly RateQuote[];
}

/** The quote reference: everything that fixes the price, so a label can prove it pays what was quoted. */
export const tableQuoteRef = (sheet: RateSheet, service: string, zone: string, billableG: number, amountMinor: number): string =>
  `${sheet.carrier.id}:${service}:${zone}:${billableG}:${amountMinor}`;

export function tableRateQuotes(sheet: RateSheet, request: RateRequest): TableQuotes {
  const zone = zoneFor(sheet, request.from, request.to);
  if (zone === undefined) return { zone, quotes: [] };
  const wanted = request.serviceCodes === undefined ? undefined : new Set(request.serviceCodes);
  const quotes: RateQuote[] = [];
  for (const service of sheet.services.values()) {
    if (wanted !== undefined && !wanted.has(service.code)) continue;
    const weight = billableWeight(sheet, service, request.parcel);
    const price = priceFor(sheet, service.code, zone, weight.billableG, request.to.residential === true);
    if (price === undefined) continue;
    quotes.push({
      carrierId: sheet.carrier.id,
      carrierName: sheet.carrier.name,
      serviceCode: service.code,
      serviceName: service.name,
      amount: { amountMinor: price.totalMinor, currency: sheet.currency },
      transitDays: price.transitDays,
      quoteRef: tableQuoteRef(sheet, service.code, zone, weight.billableG, price.totalMinor),
      billableWeightG: weight.billableG,
      zone,
      charges: price.charges,
    });
  }
  quotes.sort((a, b) => a.amount.amountMinor - b.amount.amountMinor || a.serviceCode.localeCompare(b.serviceCode));
  return { zone, quotes };
}
