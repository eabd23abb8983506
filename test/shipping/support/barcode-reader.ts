import zxing from '@zxing/library';
import { PNG } from 'pngjs';

/**
 * Reads Code 128 / GS1-128 barcodes from pixels with ZXing (@zxing/library), the way a scanner does.
 * GS1 symbols (FNC1 after the start character) come back prefixed with the symbology identifier `]C1`,
 * so a test can tell a GS1-128 SSCC from a plain Code 128.
 */

const { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } = zxing;

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  /** One byte per pixel, 0 black to 255 white. */
  readonly gray: Uint8ClampedArray;
}

export function grayFromPixels(width: number, height: number, data: Uint8Array, channels: number): GrayImage {
  const gray = new Uint8ClampedArray(width * height);
  for (let i = 0; i < gray.length; i += 1) {
    let sum = 0;
    const usable = Math.min(3, channels);
    for (let c = 0; c < usable; c += 1) sum += data[i * channels + c] ?? 0;
    gray[i] = Math.round(sum / usable);
  }
  return { width, height, gray };
}

/** A PNG file (from bwip-js or from pdftoppm) as gray pixels; pngjs always unpacks to RGBA. */
export function grayFromPng(png: Uint8Array): GrayImage {
  const image = PNG.sync.read(Buffer.from(png));
  return grayFromPixels(image.width, image.height, image.data, 4);
}

export function crop(image: GrayImage, x: number, y: number, width: number, height: number): GrayImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const w = Math.min(image.width - x0, Math.ceil(width));
  const h = Math.min(image.height - y0, Math.ceil(height));
  const gray = new Uint8ClampedArray(w * h);
  for (let row = 0; row < h; row += 1)
    gray.set(image.gray.subarray((y0 + row) * image.width + x0, (y0 + row) * image.width + x0 + w), row * w);
  return { width: w, height: h, gray };
}

/** Repeats the rows of an image, as the PDF does when it stretches a one-pixel-tall barcode to its bar height. */
export function stretch(image: GrayImage, times: number): GrayImage {
  const gray = new Uint8ClampedArray(image.width * image.height * times);
  for (let row = 0; row < image.height * times; row += 1) {
    const source = Math.floor(row / times);
    gray.set(image.gray.subarray(source * image.width, (source + 1) * image.width), row * image.width);
  }
  return { width: image.width, height: image.height * times, gray };
}

export function decodeCode128(image: GrayImage): string {
  const hints = new Map<zxing.DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
    [DecodeHintType.ASSUME_GS1, true],
  ]);
  const source = new RGBLuminanceSource(image.gray, image.width, image.height);
  return new MultiFormatReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
}
