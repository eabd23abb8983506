export const itemKinds = ['physical', 'digital', 'service'] as const;
export type ItemKind = (typeof itemKinds)[number];
export const inventoryPolicies = ['deny', 'continue'] as const;
export type InventoryPolicy = (typeof inventoryPolicies)[number];
export const locationKinds = ['warehouse', 'store', '3pl', 'supplier'] as const;
export type LocationKind = (typeof locationKinds)[number];

export interface Dimensions {
  readonly length: number;
  readonly width: number;
  readonly height: number;
}

export interface Item {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly kind: ItemKind;
  readonly weight_g: number | null;
  readonly dimensions_mm: Dimensions | null;
  readonly barcode: string | null;
  readonly hs_code: string | null;
  readonly country_of_origin: string | null;
  readonly customs_value: { readonly amount: number; readonly currency: string } | null;
  readonly inventory_policy: InventoryPolicy;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Address {
  readonly name?: string | undefined;
  readonly company?: string | undefined;
  readonly line1: string;
  readonly line2?: string | undefined;
  readonly city: string;
  readonly region?: string | undefined;
  readonly postal_code: string;
  readonly country: string;
  readonly phone?: string | undefined;
}

export interface Location {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly kind: LocationKind;
  readonly priority: number;
  readonly active: boolean;
  readonly address: Address;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Bin {
  readonly id: string;
  readonly location: string;
  readonly code: string;
  readonly pick_sequence: number;
  readonly created_at: string;
}
