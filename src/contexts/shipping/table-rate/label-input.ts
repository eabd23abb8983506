import type { ShippingLabelInput } from '../labels/types.js';
import type { TableRateLabelRecord } from './store.js';

/**
 * What the table-rate carrier prints on a label, from the record it keeps. The one place this mapping lives:
 * the carrier renders its files with it, and a PDF rendered later on request must come out byte for byte
 * the same.
 */
export function tableRateLabelInput(record: TableRateLabelRecord, carrierName: string): ShippingLabelInput {
  return {
    carrierName,
    serviceName: record.serviceName,
    trackingNumber: record.trackingNumber,
    sscc: record.parcel.sscc,
    from: record.from,
    to: record.to,
    weightG: record.parcel.weightG,
    parcelSequence: record.parcel.sequence,
    parcelCount: record.parcel.count,
    shipDate: record.shipDate,
    reference: record.reference,
  };
}
