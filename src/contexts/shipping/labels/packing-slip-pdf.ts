import { assert } from '../../../kernel/assert.js';
import { isIsoDate } from '../business-days.js';
import { shippingLimits } from '../limits.js';
import { barcodeModulePx, barcodeTextPattern, code128Png } from './barcodes.js';
import { barcodeImage, line, openPdf, rule } from './pdf.js';
import { drawTable, pageSizes, type TableColumn } from './table.js';
import { addressLines } from './text.js';
import type { PackingSlipInput } from './types.js';

/**
 * The packing slip that travels in the box: order number (also as Code 128, so a returns desk can scan
 * it), ship-to, and every line with its quantity. One per fulfillment order.
 */

const margin = 40;

const columns: readonly TableColumn[] = [
  { header: '#', width: 30, align: 'right' },
  { header: 'SKU', width: 110 },
  { header: 'Description', width: 215 },
  { header: 'Barcode', width: 100 },
  { header: 'Qty', width: 60, align: 'right' },
];

function drawSlipHeader(doc: PDFKit.PDFDocument, input: PackingSlipInput, barcode: Uint8Array, pageWidth: number): number {
  line(doc, 'PACKING SLIP', { x: margin, y: margin, width: 250, size: 20, bold: true });
  line(doc, `Order ${input.orderNumber}`, { x: margin, y: margin + 28, width: 250, size: 12, bold: true });
  line(doc, `Fulfillment order ${input.fulfillmentOrderId}`, { x: margin, y: margin + 44, width: 260, size: 8 });
  line(doc, `Date ${input.date}`, { x: margin, y: margin + 56, width: 250, size: 8 });
  barcodeImage(doc, barcode, { x: pageWidth - margin - 200, y: margin, width: 200, height: 44 }, barcodeModulePx, 1.2);
  line(doc, input.orderNumber, { x: pageWidth - margin - 200, y: margin + 48, width: 200, size: 9, align: 'center' });
  return margin + 80;
}

function drawAddresses(doc: PDFKit.PDFDocument, input: PackingSlipInput, y: number): number {
  line(doc, 'FROM', { x: margin, y, width: 200, size: 8, bold: true });
  line(doc, 'SHIP TO', { x: margin + 260, y, width: 200, size: 8, bold: true });
  addressLines(input.from).forEach((text, i) => {
    line(doc, text, { x: margin, y: y + 12 + i * 11, width: 240, size: 9 });
  });
  addressLines(input.to).forEach((text, i) => {
    line(doc, text, { x: margin + 260, y: y + 12 + i * 11, width: 240, size: 9 });
  });
  return y + 12 + 6 * 11 + 14;
}

function drawFooter(doc: PDFKit.PDFDocument, input: PackingSlipInput, y: number, pageWidth: number): void {
  const units = input.lines.reduce((sum, l) => sum + l.quantity, 0);
  rule(doc, margin, y + 2, pageWidth - margin, 0.8);
  line(doc, `Total units: ${units}`, { x: margin, y: y + 8, width: 300, size: 10, bold: true });
  let next = y + 26;
  for (const parcel of input.parcels ?? []) {
    line(doc, `${parcel.carrierName} tracking ${parcel.trackingNumber}`, { x: margin, y: next, width: 400, size: 9 });
    next += 12;
  }
  if (input.note !== undefined && input.note !== '')
    line(doc, `Note: ${input.note}`, { x: margin, y: next + 4, width: pageWidth - 2 * margin, size: 9 });
}

export async function renderPackingSlipPdf(input: PackingSlipInput): Promise<Uint8Array> {
  assert(barcodeTextPattern.test(input.orderNumber), `order number must be printable ASCII: ${input.orderNumber}`);
  assert(isIsoDate(input.date), `packing slip date must be YYYY-MM-DD: ${input.date}`);
  assert(input.lines.length <= shippingLimits.documentLinesMax, 'too many packing slip lines');
  assert(
    input.lines.every((l) => Number.isInteger(l.quantity) && l.quantity > 0),
    'line quantities must be positive whole numbers',
  );
  const [pageWidth, pageHeight] = pageSizes[input.pageSize ?? 'A4'];
  const barcode = await code128Png(input.orderNumber);
  const pdf = openPdf({ title: `Packing slip ${input.orderNumber}`, date: new Date(`${input.date}T00:00:00.000Z`) });
  const { doc } = pdf;
  const newPage = (): number => {
    doc.addPage({ size: [pageWidth, pageHeight], margin: 0 });
    return drawSlipHeader(doc, input, barcode, pageWidth);
  };
  const top = drawAddresses(doc, input, newPage());
  const rows = input.lines.map((l, i) => [String(i + 1), l.sku, l.name, l.barcode ?? '', String(l.quantity)]);
  const layout = { x: margin, top: margin + 80, bottom: pageHeight - margin - 60, rowHeight: 16, fontSize: 9, newPage };
  const end = drawTable(doc, columns, rows, layout, top);
  drawFooter(doc, input, end, pageWidth);
  doc.end();
  return pdf.bytes;
}
