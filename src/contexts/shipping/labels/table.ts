import { line, rule } from './pdf.js';

/**
 * A paginated table for the A4 / Letter documents (packing slip, pick list, manifest). Rows never split;
 * when the page is full a new page starts and the header is repeated.
 */

export interface TableColumn {
  readonly header: string;
  readonly width: number;
  readonly align?: 'left' | 'center' | 'right';
}

export interface TableLayout {
  readonly x: number;
  readonly top: number;
  readonly bottom: number;
  readonly rowHeight: number;
  readonly fontSize: number;
  /** Draws the page's own header on a new page and returns the y where the table may continue. */
  readonly newPage: () => number;
}

function drawHeaderRow(doc: PDFKit.PDFDocument, columns: readonly TableColumn[], layout: TableLayout, y: number): number {
  let x = layout.x;
  for (const column of columns) {
    line(doc, column.header, { x: x + 2, y, width: column.width - 4, size: layout.fontSize, bold: true, align: column.align ?? 'left' });
    x += column.width;
  }
  const bottom = y + layout.rowHeight - 4;
  rule(doc, layout.x, bottom, x, 0.8);
  return bottom + 4;
}

/** Draws the rows from `y`; returns the y below the last row. */
export function drawTable(
  doc: PDFKit.PDFDocument,
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  layout: TableLayout,
  startY: number,
): number {
  let y = drawHeaderRow(doc, columns, layout, startY);
  for (const row of rows) {
    if (y + layout.rowHeight > layout.bottom) y = drawHeaderRow(doc, columns, layout, layout.newPage());
    let x = layout.x;
    columns.forEach((column, i) => {
      line(doc, row[i] ?? '', { x: x + 2, y, width: column.width - 4, size: layout.fontSize, align: column.align ?? 'left' });
      x += column.width;
    });
    rule(doc, layout.x, y + layout.rowHeight - 3, x, 0.2);
    y += layout.rowHeight;
  }
  return y;
}

export const pageSizes = {
  A4: [595.28, 841.89],
  LETTER: [612, 792],
} as const satisfies Record<string, readonly [number, number]>;
