import { assert } from '../../../kernel/assert.js';
import { barcodeModulePx, code128Png, ssccGs1128Png } from './barcodes.js';
import { barcodeImage, type ImageBox, labelPageSize, line, openPdf, rule } from './pdf.js';
import { formatSscc } from './sscc.js';
import { addressLines, formatWeight } from './text.js';
import type { ShippingLabelInput } from './types.js';
import { shippingLabelInputErrors } from './validate-label.js';

/**
 * The 4x6 inch shipping label as PDF, one page per parcel. Boxes are in PDF points from the top-left
 * corner; they are exported so tests (and a preview) know where each barcode sits.
 */
export const shippingLabelLayout = {
  page: { width: labelPageSize[0], height: labelPageSize[1] },
  margin: 12,
  from: { x: 12, y: 10, width: 150 },
  service: { x: 150, y: 10, width: 126 },
  shipTo: { x: 18, y: 74, width: 258 },
  banner: { x: 12, y: 176, width: 264 },
  trackingBarcode: { x: 18, y: 232, width: 252, height: 64 },
  ssccBarcode: { x: 18, y: 340, width: 252, height: 56 },
} as const;

/** Widest a narrow bar may be drawn, in points: 1.2 pt is 5 dots at 300 dpi, 3.4 dots at 203 dpi. */
const moduleMaxPt = 1.2;

interface LabelImages {
  readonly tracking: Uint8Array;
  readonly sscc: Uint8Array;
}

function drawHeader(doc: PDFKit.PDFDocument, input: ShippingLabelInput): void {
  const { from, service } = shippingLabelLayout;
  line(doc, 'FROM:', { x: from.x, y: from.y, width: from.width, size: 6, bold: true });
  addressLines(input.from).forEach((text, i) => {
    line(doc, text, { x: from.x, y: from.y + 8 + i * 8.5, width: from.width, size: 7, bold: true });
  });
  line(doc, input.carrierName, { x: service.x, y: service.y, width: service.width, size: 10, bold: true, align: 'right' });
  line(doc, input.serviceName, { x: service.x, y: service.y + 14, width: service.width, size: 13, bold: true, align: 'right' });
  rule(doc, 8, 66, 280, 1.5);
}

function drawShipTo(doc: PDFKit.PDFDocument, input: ShippingLabelInput): void {
  const { shipTo } = shippingLabelLayout;
  line(doc, 'SHIP TO:', { x: 12, y: shipTo.y, width: 80, size: 7, bold: true });
  addressLines(input.to).forEach((text, i) => {
    line(doc, text, { x: shipTo.x, y: shipTo.y + 11 + i * 14.5, width: shipTo.width, size: 12, bold: true });
  });
  rule(doc, 8, 172, 280, 1.5);
}

function drawBanner(doc: PDFKit.PDFDocument, input: ShippingLabelInput): void {
  const { banner } = shippingLabelLayout;
  line(doc, input.serviceName.toUpperCase(), { x: banner.x, y: banner.y, width: 170, size: 16, bold: true });
  const parcelText = `PARCEL ${input.parcelSequence} OF ${input.parcelCount}`;
  line(doc, parcelText, { x: banner.x + 150, y: banner.y + 2, width: banner.width - 150, size: 11, bold: true, align: 'right' });
  const details = [`WT ${formatWeight(input.weightG)}`, `SHIP ${input.shipDate}`];
  if (input.reference !== undefined && input.reference !== '') details.push(`REF ${input.reference}`);
  line(doc, details.join('   '), { x: banner.x, y: banner.y + 24, width: banner.width, size: 7.5, bold: true });
  rule(doc, 8, 218, 280, 1.5);
}

function drawBarcodes(doc: PDFKit.PDFDocument, input: ShippingLabelInput, images: LabelImages): void {
  const { trackingBarcode: tracking, ssccBarcode: sscc } = shippingLabelLayout;
  line(doc, 'TRACKING #', { x: 12, y: 222, width: 100, size: 6, bold: true });
  barcodeImage(doc, images.tracking, tracking as ImageBox, barcodeModulePx, moduleMaxPt);
  line(doc, input.trackingNumber, { x: 12, y: tracking.y + tracking.height + 5, width: 264, size: 11, bold: true, align: 'center' });
  rule(doc, 8, 322, 280, 1.5);
  line(doc, 'SSCC', { x: 12, y: 328, width: 100, size: 6, bold: true });
  barcodeImage(doc, images.sscc, sscc as ImageBox, barcodeModulePx, moduleMaxPt);
  const hri = formatSscc(input.sscc, input.ssccCompanyPrefixLength);
  line(doc, hri, { x: 12, y: sscc.y + sscc.height + 5, width: 264, size: 10, bold: true, align: 'center' });
}

function drawLabelPage(doc: PDFKit.PDFDocument, input: ShippingLabelInput, images: LabelImages): void {
  doc.addPage({ size: [...labelPageSize], margin: 0 });
  drawHeader(doc, input);
  drawShipTo(doc, input);
  drawBanner(doc, input);
  drawBarcodes(doc, input, images);
}

async function labelImages(input: ShippingLabelInput): Promise<LabelImages> {
  const [tracking, sscc] = await Promise.all([code128Png(input.trackingNumber), ssccGs1128Png(input.sscc)]);
  return { tracking, sscc };
}

/**
 * Several labels in one PDF, one page each, in the given order: the way a packing station prints every
 * parcel of a shipment (and much faster per label than one file each).
 */
export async function renderShippingLabelsPdf(inputs: readonly ShippingLabelInput[]): Promise<Uint8Array> {
  assert(inputs.length >= 1, 'at least one label to render');
  for (const input of inputs) {
    const errors = shippingLabelInputErrors(input);
    assert(errors.length === 0, `shipping label input: ${errors.join('; ')}`);
  }
  const images = await Promise.all(inputs.map(labelImages));
  const first = inputs[0];
  assert(first !== undefined, 'first label');
  const pdf = openPdf({
    title: `Shipping label ${first.trackingNumber}`,
    date: new Date(`${first.shipDate}T00:00:00.000Z`),
    font: 'Helvetica-Bold',
  });
  inputs.forEach((input, i) => {
    const pageImages = images[i];
    assert(pageImages !== undefined, 'images for every label');
    drawLabelPage(pdf.doc, input, pageImages);
  });
  pdf.doc.end();
  return pdf.bytes;
}

/** One 4x6 label as a one-page PDF. */
export function renderShippingLabelPdf(input: ShippingLabelInput): Promise<Uint8Array> {
  return renderShippingLabelsPdf([input]);
}
