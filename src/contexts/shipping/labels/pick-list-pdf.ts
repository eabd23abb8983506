import { assert } from '../../../kernel/assert.js';
import { isIsoDate } from '../business-days.js';
import { shippingLimits } from '../limits.js';
import { barcodeModulePx, barcodeTextPattern, code128Png } from './barcodes.js';
import { barcodeImage, line, openPdf } from './pdf.js';
import { drawTable, pageSizes, type TableColumn } from './table.js';
import type { PickListInput } from './types.js';

/**
 * The pick list a picker walks with: lines in bin pick-sequence order (the caller sorts them), each
 * with bin, SKU, the barcode to scan, quantity and the tote the units go into. The pick list id is a
 * Code 128 barcode in the header, so the handheld can open the list by scanning the paper.
 */

const margin = 36;

const columns: readonly TableColumn[] = [
  { header: '#', width: 26, align: 'right' },
  { header: 'Bin', width: 70 },
  { header: 'SKU', width: 90 },
  { header: 'Description', width: 140 },
  { header: 'Barcode', width: 95 },
  { header: 'Qty', width: 40, align: 'right' },
  { header: 'Tote', width: 50 },
  { header: 'Done', width: 30, align: 'center' },
];

function drawPickHeader(doc: PDFKit.PDFDocument, input: PickListInput, barcode: Uint8Array, pageWidth: number, page: number): number {
  line(doc, 'PICK LIST', { x: margin, y: margin, width: 250, size: 20, bold: true });
  line(doc, input.pickListId, { x: margin, y: margin + 26, width: 280, size: 11, bold: true });
  const wave = input.waveId === undefined ? '' : `Wave ${input.waveId}   `;
  line(doc, `${wave}${input.locationName}   ${input.date}   page ${page}`, { x: margin, y: margin + 42, width: 320, size: 8 });
  barcodeImage(doc, barcode, { x: pageWidth - margin - 190, y: margin, width: 190, height: 40 }, barcodeModulePx, 1.2);
  return margin + 66;
}

export async function renderPickListPdf(input: PickListInput): Promise<Uint8Array> {
  assert(barcodeTextPattern.test(input.pickListId), `pick list id must be printable ASCII: ${input.pickListId}`);
  assert(isIsoDate(input.date), `pick list date must be YYYY-MM-DD: ${input.date}`);
  assert(input.lines.length <= shippingLimits.documentLinesMax, 'too many pick list lines');
  assert(
    input.lines.every((l) => Number.isInteger(l.quantity) && l.quantity > 0),
    'pick quantities must be positive whole numbers',
  );
  const [pageWidth, pageHeight] = pageSizes[input.pageSize ?? 'A4'];
  const barcode = await code128Png(input.pickListId);
  const pdf = openPdf({ title: `Pick list ${input.pickListId}`, date: new Date(`${input.date}T00:00:00.000Z`) });
  const { doc } = pdf;
  let page = 0;
  const newPage = (): number => {
    page += 1;
    doc.addPage({ size: [pageWidth, pageHeight], margin: 0 });
    return drawPickHeader(doc, input, barcode, pageWidth, page);
  };
  const rows = input.lines.map((l, i) => [String(i + 1), l.bin, l.sku, l.name, l.barcode, String(l.quantity), l.tote, '[  ]']);
  const layout = { x: margin, top: margin + 66, bottom: pageHeight - margin, rowHeight: 18, fontSize: 9, newPage };
  const end = drawTable(doc, columns, rows, layout, newPage());
  const units = input.lines.reduce((sum, l) => sum + l.quantity, 0);
  line(doc, `${input.lines.length} lines, ${units} units`, {
    x: margin,
    y: Math.min(end + 6, pageHeight - margin),
    width: 300,
    size: 9,
    bold: true,
  });
  doc.end();
  return pdf.bytes;
}
