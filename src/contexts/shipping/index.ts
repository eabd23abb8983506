/**
 * The shipping context's public surface: carrier adapters (table rate, EasyPost), rate shopping, label
 * and document rendering, SSCC helpers. Other contexts import from here only.
 */

export { addBusinessDays, isBusinessDay, isIsoDate, nextBusinessDay } from './business-days.js';
export {
  type CarrierAdapter,
  type CarrierCapability,
  type CarrierFailure,
  type CarrierFailureCode,
  type CarrierFieldError,
  type CarrierResult,
  type Charge,
  type ChargeKind,
  carrierCapabilities,
  carrierFailure,
  carrierFailureCodes,
  carrierFailureHttpStatus,
  type Label,
  type LabelFile,
  type LabelFormat,
  type LabelParcel,
  type LabelRequest,
  type Manifest,
  type ManifestEntry,
  type ManifestRequest,
  type Money,
  type ParcelSpec,
  type RateQuote,
  type RateRequest,
  type ShippingAddress,
  type TrackingEvent,
  type TrackingInfo,
  type TrackingStatus,
  type TrackRequest,
  trackingStatuses,
  type VoidRequest,
  type VoidResult,
} from './carrier.js';
export { createDbTableRateStore } from './db-store.js';
export { createEasyPostCarrier, EasyPostCarrier, type EasyPostCarrierOptions, easyPostBaseUrl } from './easypost/easypost-carrier.js';
export { barcodeModulePx, code128Png, ssccGs1128Png } from './labels/barcodes.js';
export { labelContentTypes, localLabelFormats, renderLabelFiles } from './labels/label-files.js';
export { type ManifestDocumentInput, renderManifestPdf } from './labels/manifest-pdf.js';
export { renderPackingSlipPdf } from './labels/packing-slip-pdf.js';
export { renderPickListPdf } from './labels/pick-list-pdf.js';
export { renderShippingLabelPdf, renderShippingLabelsPdf, shippingLabelLayout } from './labels/shipping-label-pdf.js';
export {
  estimateCode128Modules,
  renderShippingLabelsZpl,
  renderShippingLabelZpl,
  zplEscape,
  zplLabelLengthDots,
  zplLabelWidthDots,
} from './labels/shipping-label-zpl.js';
export { buildSscc, formatSscc, gs1Mod10CheckDigit, isValidSscc, type SsccError, type SsccParts } from './labels/sscc.js';
export type { PackingSlipInput, PackingSlipLine, PickListInput, PickListLine, ShippingLabelInput } from './labels/types.js';
export { shippingLabelInputErrors } from './labels/validate-label.js';
export { shippingLimits } from './limits.js';
export { decimalToMinor, formatMoney, minorToDecimal } from './money.js';
export {
  chooseRate,
  combineParcelQuotes,
  type EvaluatedQuote,
  type QuoteVerdict,
  type RateChoice,
  type RateShoppingFailure,
  type RateShoppingFailureCode,
  type RateShoppingInput,
  type RateStrategy,
} from './rate-shopping.js';
export { type CarrierSetup, CarrierSetupError, cheapestTableRate, setUpCarriers } from './setup.js';
export { defaultRateSheet, type RateSheetFileError, readRateSheetFile } from './table-rate/default-sheet.js';
export { tableRateLabelInput } from './table-rate/label-input.js';
export { type BillableWeight, billableWeight, dimensionalWeightG, priceFor, type TablePrice } from './table-rate/pricing.js';
export { parseRateSheet, type RateSheet, zoneFor } from './table-rate/rate-sheet.js';
export { type RateSheetDocument, RateSheetSchema, rateSheetFormat } from './table-rate/rate-sheet-schema.js';
export { createMemoryTableRateStore, type TableRateLabelRecord, type TableRateStore } from './table-rate/store.js';
export { createTableRateCarrier, TableRateCarrier, type TableRateCarrierOptions } from './table-rate/table-rate-carrier.js';
export { type TableQuotes, tableRateQuotes } from './table-rate/table-rate-quotes.js';
export { isTableRateTrackingNumber, type RandomInt } from './table-rate/tracking-number.js';
