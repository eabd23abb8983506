import { assert } from '../../../kernel/assert.js';
import type { Manifest } from '../carrier.js';
import { formatMoney } from '../money.js';
import { barcodeModulePx, code128Png } from './barcodes.js';
import { barcodeImage, line, openPdf, rule } from './pdf.js';
import { drawTable, pageSizes, type TableColumn } from './table.js';
import { formatWeight } from './text.js';

/**
 * The end-of-day manifest the driver signs: every parcel handed over at one location on one day,
 * with totals. The manifest id is a Code 128 barcode so the carrier can scan the sheet.
 */

const margin = 36;

const columns: readonly TableColumn[] = [
  { header: '#', width: 30, align: 'right' },
  { header: 'Tracking number', width: 140 },
  { header: 'SSCC', width: 120 },
  { header: 'Service', width: 70 },
  { header: 'Weight', width: 90, align: 'right' },
  { header: 'Amount', width: 70, align: 'right' },
];

export interface ManifestDocumentInput {
  readonly manifest: Manifest;
  readonly locationName: string;
  readonly pageSize?: 'A4' | 'LETTER' | undefined;
}

export async function renderManifestPdf(input: ManifestDocumentInput): Promise<Uint8Array> {
  const { manifest } = input;
  const [pageWidth, pageHeight] = pageSizes[input.pageSize ?? 'A4'];
  const barcode = await code128Png(manifest.id);
  const pdf = openPdf({ title: `Manifest ${manifest.id}`, date: new Date(`${manifest.shipDate}T00:00:00.000Z`) });
  const { doc } = pdf;
  const newPage = (): number => {
    doc.addPage({ size: [pageWidth, pageHeight], margin: 0 });
    line(doc, 'CARRIER MANIFEST', { x: margin, y: margin, width: 300, size: 18, bold: true });
    line(doc, `${manifest.carrierName}   ${input.locationName}   ${manifest.shipDate}`, {
      x: margin,
      y: margin + 24,
      width: 330,
      size: 10,
    });
    line(doc, manifest.id, { x: margin, y: margin + 38, width: 330, size: 8 });
    barcodeImage(doc, barcode, { x: pageWidth - margin - 180, y: margin, width: 180, height: 40 }, barcodeModulePx, 1.2);
    return margin + 64;
  };
  const rows = manifest.entries.map((e, i) => [
    String(i + 1),
    e.trackingNumber,
    e.sscc,
    e.serviceCode,
    formatWeight(e.weightG),
    formatMoney(e.amount),
  ]);
  const layout = { x: margin, top: margin + 64, bottom: pageHeight - margin - 90, rowHeight: 15, fontSize: 8, newPage };
  const end = drawTable(doc, columns, rows, layout, newPage());
  assert(end <= pageHeight, 'table stays on the page');
  rule(doc, margin, end + 4, pageWidth - margin, 0.8);
  const total = manifest.totalAmount === null ? '' : `   total ${formatMoney(manifest.totalAmount)}`;
  line(doc, `${manifest.entries.length} parcels   ${formatWeight(manifest.totalWeightG)}${total}`, {
    x: margin,
    y: end + 10,
    width: 500,
    size: 10,
    bold: true,
  });
  line(doc, 'Received by (driver): ______________________   Signature: ______________________   Time: ________', {
    x: margin,
    y: end + 40,
    width: pageWidth - 2 * margin,
    size: 9,
  });
  doc.end();
  return pdf.bytes;
}
