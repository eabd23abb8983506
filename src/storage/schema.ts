import type { Generated } from 'kysely';
import type { DigitalTables } from './schema-digital.js';
import type { LeadTables } from './schema-leads.js';
import type { MailTables } from './schema-mail.js';
import type { TrackingTables } from './schema-tracking.js';
import type { WebhookTables } from './schema-webhooks.js';

/**
 * The database schema as Kysely sees it. Conventions that hold on both dialects:
 * timestamps are ISO-8601 UTC text (sortable, identical on SQLite and PostgreSQL), booleans are 0/1
 * integers, JSON documents are text, money is integer minor units. See docs/adr/0003-storage.md.
 */
export interface ApiKeyTable {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ItemTable {
  id: string;
  sku: string;
  name: string;
  kind: string;
  weight_g: number | null;
  length_mm: number | null;
  width_mm: number | null;
  height_mm: number | null;
  barcode: string | null;
  hs_code: string | null;
  country_of_origin: string | null;
  customs_value: number | null;
  customs_currency: string | null;
  inventory_policy: string;
  created_at: string;
  updated_at: string;
}

export interface LocationTable {
  id: string;
  code: string;
  name: string;
  kind: string;
  priority: number;
  active: number;
  address: string;
  country: string;
  postal_code: string;
  created_at: string;
  updated_at: string;
}

export interface BinTable {
  id: string;
  location_id: string;
  code: string;
  pick_sequence: number;
  created_at: string;
}

export interface InventoryLevelTable {
  item_id: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  incoming: number;
  updated_at: string;
}

export interface InventoryMovementTable {
  id: Generated<number>;
  item_id: string;
  location_id: string;
  kind: string;
  on_hand_delta: number;
  reserved_delta: number;
  incoming_delta: number;
  reason: string | null;
  ref_type: string | null;
  ref_id: string | null;
  actor: string;
  created_at: string;
}

export interface TransferTable {
  id: string;
  from_location_id: string;
  to_location_id: string;
  status: string;
  lines: string;
  reference: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderTable {
  id: string;
  channel: string;
  external_id: string;
  status: string;
  currency: string;
  customer: string;
  customer_email: string;
  shipping_address: string;
  service_level: string;
  promise_date: string | null;
  subtotal: number;
  unit_count: number;
  note: string | null;
  cancel_reason: string | null;
  /** The customer's language (BCP 47), when the order said (migration 0004-mail). */
  locale: string | null;
  event_seq: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface OrderLineTable {
  id: string;
  order_id: string;
  line_no: number;
  item_id: string;
  sku: string;
  kind: string;
  quantity: number;
  cancelled_quantity: number;
  unit_price: number;
}

export interface FulfillmentOrderTable {
  id: string;
  order_id: string;
  location_id: string | null;
  path: string;
  status: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface FulfillmentOrderLineTable {
  id: string;
  fulfillment_order_id: string;
  order_line_id: string;
  item_id: string;
  quantity: number;
  cancelled_quantity: number;
}

export interface BackorderTable {
  id: string;
  order_id: string;
  order_line_id: string;
  item_id: string;
  quantity: number;
  created_at: string;
}

export interface HoldTable {
  id: string;
  order_id: string;
  fulfillment_order_id: string | null;
  reason: string;
  note: string | null;
  status: string;
  created_by: string;
  created_at: string;
  released_by: string | null;
  released_at: string | null;
}

export interface EventTable {
  seq: Generated<number>;
  id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_seq: number;
  order_id: string | null;
  actor: string;
  data: string;
  created_at: string;
  dispatched_at: string | null;
  dispatch_attempts: Generated<number>;
  dispatch_after: string | null;
  dispatch_error: string | null;
}

export interface SettingTable {
  key: string;
  value: string;
  created_at: string;
}

export interface JobTable {
  id: string;
  kind: string;
  dedupe_key: string;
  subject_id: string | null;
  payload: string;
  status: 'pending' | 'running' | 'succeeded' | 'dead';
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface IdempotencyKeyTable {
  principal: string;
  key: string;
  fingerprint: string;
  status_code: number;
  response: string;
  created_at: string;
}

export interface ItemBinTable {
  location_id: string;
  item_id: string;
  bin_id: string;
  updated_at: string;
}

export interface BoxTable {
  id: string;
  location_id: string;
  code: string;
  kind: string;
  length_mm: number;
  width_mm: number;
  height_mm: number;
  outer_length_mm: number;
  outer_width_mm: number;
  outer_height_mm: number;
  max_weight_g: number;
  box_weight_g: number;
  cost: number;
  active: number;
  created_at: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface WaveTable {
  id: string;
  location_id: string;
  strategy: string;
  status: string;
  filters: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface PickListTable {
  id: string;
  wave_id: string;
  location_id: string;
  status: string;
  walk_length: number;
  naive_walk_length: number;
  created_at: string;
  updated_at: string;
}

export interface PickTaskTable {
  id: string;
  pick_list_id: string;
  position: number;
  fulfillment_order_id: string;
  fulfillment_order_line_id: string;
  item_id: string;
  bin_code: string | null;
  pick_sequence: number;
  tote: string;
  quantity: number;
  picked_quantity: number;
  short_quantity: number;
  status: string;
}

export interface ParcelTable {
  id: string;
  fulfillment_order_id: string;
  location_id: string;
  status: string;
  box_code: string;
  length_mm: number;
  width_mm: number;
  height_mm: number;
  weight_g: number;
  sscc: string;
  label_state: string;
  carrier: string | null;
  service: string | null;
  tracking_number: string | null;
  carrier_shipment_id: string | null;
  billable_weight_g: number | null;
  label_cost: number | null;
  label_currency: string | null;
  label_attempts: number;
  label_error: string | null;
  rate_choice: string | null;
  shipment_id: string | null;
  manifest_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ParcelItemTable {
  parcel_id: string;
  fulfillment_order_line_id: string;
  item_id: string;
  quantity: number;
}

export interface ParcelDocumentTable {
  parcel_id: string;
  format: string;
  content: Buffer;
  created_at: string;
}

export interface ShipmentTable {
  id: string;
  fulfillment_order_id: string;
  order_id: string;
  location_id: string;
  carrier: string;
  service: string;
  status: string;
  tracking_numbers: string;
  cost: number;
  currency: string;
  rate_choice: string;
  shipped_at: string;
  created_by: string;
}

export interface CarrierLabelTable {
  idempotency_key: string;
  carrier_id: string;
  label_ref: string;
  location_id: string;
  ship_date: string;
  status: string;
  manifest_id: string | null;
  record: string;
  created_at: string;
}

export interface CarrierManifestTable {
  idempotency_key: string;
  carrier_id: string;
  manifest: string;
}

export interface ManifestTable {
  id: string;
  location_id: string;
  carrier: string;
  ship_date: string;
  parcel_count: number;
  created_by: string;
  created_at: string;
}

/**
 * Every table. Each later capability keeps its table types in its own file (schema-<area>.ts) so the
 * areas can grow without touching each other.
 */
export interface Database extends MailTables, WebhookTables, TrackingTables, DigitalTables, LeadTables {
  jobs: JobTable;
  settings: SettingTable;
  api_keys: ApiKeyTable;
  items: ItemTable;
  locations: LocationTable;
  bins: BinTable;
  inventory_levels: InventoryLevelTable;
  inventory_movements: InventoryMovementTable;
  transfers: TransferTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  fulfillment_orders: FulfillmentOrderTable;
  fulfillment_order_lines: FulfillmentOrderLineTable;
  backorders: BackorderTable;
  holds: HoldTable;
  events: EventTable;
  idempotency_keys: IdempotencyKeyTable;
  item_bins: ItemBinTable;
  boxes: BoxTable;
  counters: CounterTable;
  waves: WaveTable;
  pick_lists: PickListTable;
  pick_tasks: PickTaskTable;
  parcels: ParcelTable;
  parcel_items: ParcelItemTable;
  parcel_documents: ParcelDocumentTable;
  shipments: ShipmentTable;
  manifests: ManifestTable;
  carrier_labels: CarrierLabelTable;
  carrier_manifests: CarrierManifestTable;
}
