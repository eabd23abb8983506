/** Tables of the digital area (migration in migrations/0007-digital.ts). */
export interface FileTable {
  id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  /** Where the FileStore keeps the bytes; opaque to everyone else. */
  storage_key: string;
  created_by: string;
  created_at: string;
}

export interface DigitalProductTable {
  item_id: string;
  download_limit: number | null;
  access_days: number | null;
  distinct_ip_limit: number | null;
  license_source: 'none' | 'generated' | 'pool';
  license_max_activations: number | null;
  license_days: number | null;
  license_prefix: string | null;
  created_at: string;
  updated_at: string;
}

export interface DigitalProductFileTable {
  item_id: string;
  file_id: string;
  position: number;
}

export interface LicensePoolCodeTable {
  id: string;
  item_id: string;
  code_hash: string;
  code_cipher: string;
  status: 'available' | 'issued';
  license_id: string | null;
  created_at: string;
  issued_at: string | null;
}

export interface EntitlementTable {
  id: string;
  order_id: string;
  order_line_id: string;
  fulfillment_order_id: string;
  item_id: string;
  sku: string;
  quantity: number;
  token_hash: string;
  status: 'active' | 'revoked';
  download_count: number;
  download_limit: number | null;
  distinct_ip_limit: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
  delivered_at: string;
  created_at: string;
  updated_at: string;
}

export interface EntitlementIpTable {
  entitlement_id: string;
  ip_hash: string;
  created_at: string;
}

export interface DownloadTable {
  id: string;
  entitlement_id: string;
  file_id: string;
  ip_hash: string;
  range_start: number | null;
  counted: number;
  created_at: string;
}

export interface LicenseTable {
  id: string;
  entitlement_id: string;
  order_id: string;
  item_id: string;
  key_hash: string;
  key_cipher: string;
  key_hint: string;
  source: 'generated' | 'pool';
  status: 'inactive' | 'active' | 'suspended' | 'revoked';
  max_activations: number | null;
  expires_at: string | null;
  status_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface LicenseActivationTable {
  id: string;
  license_id: string;
  fingerprint: string;
  label: string | null;
  created_at: string;
  last_seen_at: string;
}

export interface DigitalTables {
  files: FileTable;
  digital_products: DigitalProductTable;
  digital_product_files: DigitalProductFileTable;
  license_pool_codes: LicensePoolCodeTable;
  entitlements: EntitlementTable;
  entitlement_ips: EntitlementIpTable;
  downloads: DownloadTable;
  licenses: LicenseTable;
  license_activations: LicenseActivationTable;
}
