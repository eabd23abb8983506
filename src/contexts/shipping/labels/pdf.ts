import PDFDocument from 'pdfkit';
import { toWinAnsi } from './text.js';

/**
 * The small layer over pdfkit the documents share: a document whose bytes arrive as one Uint8Array,
 * fixed metadata (the same input gives the same bytes) and a text helper that never wraps into the
 * next box.
 */

export type PageSize = 'A4' | 'LETTER';

/** 4 x 6 inches in PDF points (72 per inch). */
export const labelPageSize: readonly [number, number] = [288, 432];

export type PdfFont = 'Helvetica' | 'Helvetica-Bold';

export interface PdfOptions {
  readonly title: string;
  /** Stamped as the creation date, so rendering is deterministic. */
  readonly date: Date;
  /**
   * The font loaded when the document opens. pdfkit parses a standard font's metrics for every document
   * (about 3 ms each), so a document that only needs bold text opens with bold and never loads regular.
   */
  readonly font?: PdfFont | undefined;
}

export interface OpenPdf {
  readonly doc: PDFKit.PDFDocument;
  /** Resolves with the whole file once `doc.end()` was called. */
  readonly bytes: Promise<Uint8Array>;
}

export function openPdf(options: PdfOptions): OpenPdf {
  const doc = new PDFDocument({
    font: options.font ?? 'Helvetica',
    autoFirstPage: false,
    margin: 0,
    compress: true,
    info: { Title: toWinAnsi(options.title), Creator: 'Fulfill', Producer: 'Fulfill (pdfkit)', CreationDate: options.date },
  });
  const chunks: Uint8Array[] = [];
  doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
  const bytes = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

export interface TextBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly size: number;
  readonly bold?: boolean;
  readonly align?: 'left' | 'center' | 'right';
}

/** One line of text in a box: too long is cut with an ellipsis instead of wrapping over what follows. */
export function line(doc: PDFKit.PDFDocument, text: string, box: TextBox): void {
  doc
    .font(box.bold === true ? 'Helvetica-Bold' : 'Helvetica')
    .fontSize(box.size)
    .text(toWinAnsi(text), box.x, box.y, {
      width: box.width,
      align: box.align ?? 'left',
      lineBreak: false,
      ellipsis: true,
      height: box.size * 1.3,
    });
}

export function rule(doc: PDFKit.PDFDocument, x1: number, y: number, x2: number, width = 1): void {
  doc.moveTo(x1, y).lineTo(x2, y).lineWidth(width).stroke('black');
}

/** Width and height in pixels of a PNG, read from its IHDR chunk. */
export function pngSize(png: Uint8Array): { readonly width: number; readonly height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export interface ImageBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Places a 1D barcode image in a box: full box height, each module at most `moduleMaxPt` wide, centred.
 * Returns where the image landed.
 */
export function barcodeImage(doc: PDFKit.PDFDocument, png: Uint8Array, box: ImageBox, modulePx: number, moduleMaxPt: number): ImageBox {
  const size = pngSize(png);
  const width = Math.min(box.width, (size.width / modulePx) * moduleMaxPt);
  const x = box.x + (box.width - width) / 2;
  doc.image(Buffer.from(png.buffer, png.byteOffset, png.byteLength), x, box.y, { width, height: box.height });
  return { x, y: box.y, width, height: box.height };
}
