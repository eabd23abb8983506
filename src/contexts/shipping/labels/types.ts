import type { ShippingAddress } from '../carrier.js';

/** Everything printed on one 4x6 shipping label. Plain data: the caller gathers it from the parcel and label. */
export interface ShippingLabelInput {
  readonly carrierName: string;
  readonly serviceName: string;
  readonly trackingNumber: string;
  /** SSCC-18 of the parcel, printed as GS1-128 with AI (00). */
  readonly sscc: string;
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  readonly weightG: number;
  /** "Parcel n of m". */
  readonly parcelSequence: number;
  readonly parcelCount: number;
  /** `YYYY-MM-DD`; also stamped as the PDF's creation date. */
  readonly shipDate: string;
  /** For example the order number. */
  readonly reference?: string | undefined;
  /** Digits of the GS1 company prefix inside the SSCC, only to space the human-readable text (default 7). */
  readonly ssccCompanyPrefixLength?: number | undefined;
}

export interface PackingSlipLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  /** GTIN or other code the packer scans. */
  readonly barcode?: string | undefined;
}

/** One packing slip per fulfillment order. */
export interface PackingSlipInput {
  readonly orderNumber: string;
  readonly fulfillmentOrderId: string;
  /** The sender printed in the header: shop or warehouse name and address. */
  readonly from: ShippingAddress;
  readonly to: ShippingAddress;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly lines: readonly PackingSlipLine[];
  readonly note?: string | undefined;
  readonly parcels?: readonly { readonly trackingNumber: string; readonly carrierName: string }[] | undefined;
  readonly pageSize?: 'A4' | 'LETTER' | undefined;
}

export interface PickListLine {
  readonly bin: string;
  readonly sku: string;
  readonly name: string;
  /** GTIN or SKU the picker scans to confirm. */
  readonly barcode: string;
  readonly quantity: number;
  /** Tote (order slot) the units go into; one per order in a batch pick. */
  readonly tote: string;
}

/** A pick list, its lines already in walking order (bin pick sequence). */
export interface PickListInput {
  readonly pickListId: string;
  readonly waveId?: string | undefined;
  readonly locationName: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly lines: readonly PickListLine[];
  readonly pageSize?: 'A4' | 'LETTER' | undefined;
}
