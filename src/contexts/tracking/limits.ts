/** Every limit of the tracking area, unit last (docs/tracking.md, docs/limits.md). */
export const trackingLimits = {
  /** Webhook or API requests stored in one group commit. */
  groupCommitRequestsMax: 512,
  /** Scans stored in one group commit (a request bigger than this still goes alone). */
  groupCommitScansMax: 8_000,
  /** Times a request is retried alone after its batch hit a conflict. */
  ingestRetriesMax: 3,
  /** Scans in one webhook tracker or one API request. */
  scansPerRequestMax: 500,
  /** Bytes of one EasyPost webhook body. */
  webhookBodyBytesMax: 1_048_576,
  messageLengthMax: 500,
  locationPartLengthMax: 80,
  trackingCodeLengthMax: 64,
  /** Shipments asked about per polling round, and the pause between two polls of one shipment. */
  pollShipmentsPerRoundMax: 50,
  pollIntervalMs: 3_600_000,
  pollTickMs: 60_000,
  /** How often late and stuck parcels are looked for, and how many are flagged per round. */
  flagTickMs: 300_000,
  flagShipmentsPerRoundMax: 500,
  /** No scan for this long means stuck (TRACKING_STUCK_HOURS). */
  stuckHoursDefault: 72,
  timelineEventsMax: 500,
} as const;
