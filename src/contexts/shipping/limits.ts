/**
 * Limits of the shipping context, named with their unit last (TigerStyle). Each one bounds work that
 * a single request, rate sheet or carrier call can cause.
 */
export const shippingLimits = {
  /** Longest side of a parcel a carrier adapter accepts: 3 m. */
  parcelSideMmMax: 3_000,
  /** Heaviest parcel: 150 kg, above any parcel carrier's limit. */
  parcelWeightGMax: 150_000,
  /** Characters of a name, street, city or reference printed on a label. */
  addressFieldLengthMax: 200,
  postalCodeLengthMax: 20,
  idempotencyKeyLengthMax: 255,
  trackingNumberLengthMax: 40,
  /** Quotes one rate call may return and rate shopping may compare. */
  quotesMax: 200,
  /** How long one HTTP call to a carrier may take before it counts as a timeout. */
  carrierTimeoutMsDefault: 10_000,
  carrierTimeoutMsMax: 120_000,
  /** Extra attempts for idempotent carrier calls (never for a purchase or a refund). */
  carrierRetriesMax: 2,
  carrierRetryBackoffMsDefault: 100,
  carrierRetryBackoffMsMax: 5_000,
  /** Bytes of a carrier response body we read; a label API never answers more than this for JSON. */
  carrierResponseBytesMax: 4_194_304,
  /** Completed label purchases an adapter remembers per process for idempotent replays. */
  labelReplayEntriesMax: 10_000,
  /** Rate sheet size. */
  rateSheetServicesMax: 50,
  rateSheetZonesMax: 500,
  rateSheetZoneRulesMax: 1_000,
  rateSheetRatesMax: 5_000,
  rateSheetBracketsMax: 200,
  rateSheetPostalPrefixesMax: 10_000,
  transitDaysMax: 60,
  /** Parcels one manifest lists. */
  manifestParcelsMax: 100_000,
  /** Lines on one packing slip or pick list document. */
  documentLinesMax: 5_000,
  /** Business days the calendar walks forward before giving up (a year of holidays would be a bug). */
  calendarDaysScanMax: 3_660,
} as const;
