/** Tables of the tracking area (migration 0006-tracking). */
export interface ShipmentTrackingTable {
  shipment_id: string;
  order_id: string;
  /** The carrier adapter id (`easypost`, `table-rate`). */
  carrier: string;
  /** SHA-256 hex of the public token (HMAC of the shipment id under the server secret). */
  token_hash: string;
  /** JSON array of the shipment's tracking numbers. */
  tracking_codes: string;
  /** Canonical status (docs/tracking.md). */
  status: string;
  status_reason: string;
  /** JSON: per tracking code `{rank, status, reason, last}`, the fold's state. */
  codes: string;
  shipped_at: string;
  /** `YYYY-MM-DD`. */
  expected_delivery_date: string | null;
  /** `service` (ship date + transit days) or `carrier` (the carrier's estimate). */
  expected_source: string | null;
  last_event_at: string | null;
  delivered_at: string | null;
  late: number;
  stuck: number;
  flagged_at: string | null;
  polled_at: string | null;
  /** The last `aggregate_seq` of this shipment's events. */
  event_seq: number;
  created_at: string;
  updated_at: string;
}

export interface TrackingEventTable {
  id: string;
  shipment_id: string;
  carrier: string;
  tracking_code: string;
  raw_status: string;
  raw_detail: string | null;
  status: string;
  reason: string;
  message: string;
  city: string | null;
  state: string | null;
  country: string | null;
  occurred_at: string;
  received_at: string;
  source: 'webhook' | 'poll' | 'api';
  raw: string;
}

export interface TrackingTables {
  shipment_tracking: ShipmentTrackingTable;
  tracking_events: TrackingEventTable;
}
