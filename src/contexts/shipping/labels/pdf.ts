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

/**
 * pdfkit parses a standard font's AFM metrics file in every document that uses the font: about 2 ms of the
 * 4 ms a one-label PDF takes. The metrics never change, so they are parsed once per process and every later
 * document gets its own font object around the same parsed metrics: the object pdfkit would build itself
 * (same prototype, fields and `F<n>` id), so the bytes are identical: the warehouse bench compares them with
 * pdfkit's own path on every run (bench/warehouse/labels.ts). This knows pdfkit 0.17's font bookkeeping
 * (`_fontFamilies`, `_fontCount`): when a document does not look like that, pdfkit loads the font itself.
 */
interface PdfkitFontState {
  _fontFamilies?: Record<string, object>;
  _fontCount?: number;
}

/** Per font name: the prototype and the fields of a font pdfkit built, without its document and id. */
const sharedFonts = new Map<PdfFont, { readonly prototype: object; readonly fields: Record<string, unknown> }>();

/** Whether documents share parsed font metrics; off only to compare the bytes with pdfkit's own path. */
export const pdfFontSharing = { enabled: true };

function useFont(doc: PDFKit.PDFDocument, name: PdfFont): void {
  const state = doc as unknown as PdfkitFontState;
  const families = state._fontFamilies;
  const shared = sharedFonts.get(name);
  if (pdfFontSharing.enabled && shared && families && families[name] === undefined && typeof state._fontCount === 'number') {
    state._fontCount += 1;
    families[name] = Object.assign(Object.create(shared.prototype) as object, shared.fields, { document: doc, id: `F${state._fontCount}` });
  }
  doc.font(name);
  const loaded = families?.[name] as Record<string, unknown> | undefined;
  if (!shared && loaded && loaded.document === doc && typeof loaded.font === 'object' && loaded.dictionary === undefined) {
    const { document: _document, id: _id, ...fields } = loaded;
    sharedFonts.set(name, { prototype: Object.getPrototypeOf(loaded) as object, fields });
  }
}

export function openPdf(options: PdfOptions): OpenPdf {
  const doc = new PDFDocument({
    // No font while pdfkit builds the document: `useFont` loads it (once per process) right after.
    font: pdfFontSharing.enabled ? '' : (options.font ?? 'Helvetica'),
    autoFirstPage: false,
    margin: 0,
    compress: true,
    info: { Title: toWinAnsi(options.title), Creator: 'Fulfill', Producer: 'Fulfill (pdfkit)', CreationDate: options.date },
  });
  if (pdfFontSharing.enabled) useFont(doc, options.font ?? 'Helvetica');
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
  useFont(doc, box.bold === true ? 'Helvetica-Bold' : 'Helvetica');
  doc.fontSize(box.size).text(toWinAnsi(text), box.x, box.y, {
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
