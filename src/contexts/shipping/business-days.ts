import { assert } from '../../kernel/assert.js';
import { shippingLimits } from './limits.js';

/**
 * A calendar of business days for transit times. Pure: dates are `YYYY-MM-DD` strings read as UTC days,
 * so the answer never depends on the machine's time zone.
 */

const dayMs = 86_400_000;
const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (`2026-02-30` is not one). */
export function isIsoDate(text: string): boolean {
  const match = isoDatePattern.exec(text);
  if (match === null) return false;
  const date = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

const toDay = (date: string): number => {
  assert(isIsoDate(date), `not a YYYY-MM-DD date: ${date}`);
  return Date.parse(`${date}T00:00:00.000Z`) / dayMs;
};

const fromDay = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);

/** Saturday and Sunday are not business days, nor are the listed holidays. */
export function isBusinessDay(date: string, holidays: ReadonlySet<string> = noHolidays): boolean {
  const weekday = new Date(toDay(date) * dayMs).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

export const noHolidays: ReadonlySet<string> = new Set();

/** The first business day on or after `date`: a parcel handed over on a Saturday leaves on Monday. */
export function nextBusinessDay(date: string, holidays: ReadonlySet<string> = noHolidays): string {
  let day = toDay(date);
  for (let scanned = 0; scanned < shippingLimits.calendarDaysScanMax; scanned += 1) {
    const candidate = fromDay(day);
    if (isBusinessDay(candidate, holidays)) return candidate;
    day += 1;
  }
  assert(false, `no business day within ${shippingLimits.calendarDaysScanMax} days of ${date}`);
}

/**
 * The delivery day for a parcel handed over on `shipDate` with `transitDays` business days in transit.
 * Transit starts on the first business day on or after the ship date; 0 days means delivered that day.
 */
export function addBusinessDays(shipDate: string, transitDays: number, holidays: ReadonlySet<string> = noHolidays): string {
  assert(Number.isInteger(transitDays) && transitDays >= 0, `transit days must be a whole number >= 0: ${transitDays}`);
  assert(transitDays <= shippingLimits.transitDaysMax, `transit days above ${shippingLimits.transitDaysMax}: ${transitDays}`);
  let date = nextBusinessDay(shipDate, holidays);
  for (let remaining = transitDays; remaining > 0; remaining -= 1) {
    date = nextBusinessDay(fromDay(toDay(date) + 1), holidays);
  }
  return date;
}
