import { isIsoDate } from '../business-days.js';
import { shippingLimits } from '../limits.js';
import { barcodeTextPattern } from './barcodes.js';
import { isValidSscc } from './sscc.js';
import type { ShippingLabelInput } from './types.js';

/**
 * What makes a shipping label input printable. The renderers assert it (a bad input there is a bug:
 * carrier adapters validate what they receive); call this first when the data comes from elsewhere.
 */
export function shippingLabelInputErrors(input: ShippingLabelInput): string[] {
  const errors: string[] = [];
  if (!barcodeTextPattern.test(input.trackingNumber) || input.trackingNumber.length > shippingLimits.trackingNumberLengthMax) {
    errors.push(`trackingNumber must be 1 to ${shippingLimits.trackingNumberLengthMax} printable ASCII characters`);
  }
  if (!isValidSscc(input.sscc)) errors.push('sscc must be 18 digits with a correct GS1 check digit');
  if (!Number.isInteger(input.weightG) || input.weightG < 1 || input.weightG > shippingLimits.parcelWeightGMax) {
    errors.push('weightG must be a positive whole number of grams');
  }
  const { parcelSequence, parcelCount } = input;
  if (
    !Number.isInteger(parcelCount) ||
    parcelCount < 1 ||
    !Number.isInteger(parcelSequence) ||
    parcelSequence < 1 ||
    parcelSequence > parcelCount
  ) {
    errors.push('parcelSequence must be from 1 to parcelCount');
  }
  if (!isIsoDate(input.shipDate)) errors.push('shipDate must be YYYY-MM-DD');
  return errors;
}
