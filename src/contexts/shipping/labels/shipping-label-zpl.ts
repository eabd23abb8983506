import { assert } from '../../../kernel/assert.js';
import { formatSscc } from './sscc.js';
import { addressLines, formatWeight } from './text.js';
import type { ShippingLabelInput } from './types.js';
import { shippingLabelInputErrors } from './validate-label.js';

/**
 * The 4x6 inch shipping label as ZPL II for a 203 dpi thermal printer (812 x 1218 dots). The printer
 * draws the barcodes itself from ^BC (Code 128): automatic subset mode for the tracking number, GS1 mode
 * (mode D, FNC1 and parentheses handled by the printer) for the SSCC with AI (00).
 *
 * Text fields are UTF-8 (^CI28) and escaped with ^FH: `_`, `^`, `~` and control characters are written
 * as `_XX` hex, so no field data can start a command.
 */

export const zplLabelWidthDots = 812;
export const zplLabelLengthDots = 1218;

const hex = (code: number): string => `_${code.toString(16).toUpperCase().padStart(2, '0')}`;

/** Field data safe inside `^FH^FD ... ^FS`. */
export function zplEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += char === '_' || char === '^' || char === '~' || code < 0x20 || code === 0x7f ? hex(code) : char;
  }
  return out;
}

const textField = (x: number, y: number, size: number, text: string, block?: { width: number; align: 'L' | 'C' | 'R' }): string => {
  const fb = block === undefined ? '' : `^FB${block.width},1,0,${block.align},0`;
  return `^FO${x},${y}^A0N,${size},${size}${fb}^FH^FD${zplEscape(text)}^FS`;
};

/**
 * Modules a Code 128 symbol of `text` needs, estimated from runs of digits (two per symbol character),
 * only to choose a bar width that fits the label. The printer does the encoding.
 */
export function estimateCode128Modules(text: string): number {
  let symbols = 0;
  for (const run of text.match(/\d{4,}|\D+|\d{1,3}/g) ?? []) symbols += /^\d{4,}$/.test(run) ? Math.ceil(run.length / 2) + 1 : run.length;
  return (symbols + 2) * 11 + 13;
}

/**
 * Bar width in dots so the symbol fits in `maxDots`: 3 dots (0.375 mm) reads everywhere, 2 is fine, 1 (0.125 mm)
 * only for unusually long alphanumeric numbers, which would otherwise be cut off at the label's edge.
 */
const moduleDots = (modules: number, maxDots: number): number => (modules * 3 <= maxDots ? 3 : modules * 2 <= maxDots ? 2 : 1);

function barcodeField(y: number, modules: number, command: string, data: string): string {
  const width = moduleDots(modules, zplLabelWidthDots - 60);
  const x = Math.max(30, Math.floor((zplLabelWidthDots - modules * width) / 2));
  return `^FO${x},${y}^BY${width}${command}^FH^FD${zplEscape(data)}^FS`;
}

function headerFields(input: ShippingLabelInput): string[] {
  const fields = [textField(30, 24, 20, 'FROM:')];
  addressLines(input.from).forEach((text, i) => {
    fields.push(textField(30, 48 + i * 22, 20, text, { width: 380, align: 'L' }));
  });
  fields.push(textField(420, 24, 30, input.carrierName, { width: 362, align: 'R' }));
  fields.push(textField(420, 64, 38, input.serviceName, { width: 362, align: 'R' }));
  fields.push('^FO20,186^GB772,4,4^FS');
  return fields;
}

function shipToFields(input: ShippingLabelInput): string[] {
  const fields = [textField(30, 200, 22, 'SHIP TO:')];
  addressLines(input.to).forEach((text, i) => {
    fields.push(textField(50, 232 + i * 40, 36, text, { width: 730, align: 'L' }));
  });
  fields.push('^FO20,480^GB772,4,4^FS');
  return fields;
}

function bannerFields(input: ShippingLabelInput): string[] {
  const details = [`WT ${formatWeight(input.weightG)}`, `SHIP ${input.shipDate}`];
  if (input.reference !== undefined && input.reference !== '') details.push(`REF ${input.reference}`);
  return [
    textField(30, 496, 48, input.serviceName.toUpperCase(), { width: 470, align: 'L' }),
    textField(500, 500, 36, `PARCEL ${input.parcelSequence} OF ${input.parcelCount}`, { width: 282, align: 'R' }),
    textField(30, 556, 24, details.join('   '), { width: 752, align: 'L' }),
    '^FO20,596^GB772,4,4^FS',
  ];
}

function barcodeFields(input: ShippingLabelInput): string[] {
  return [
    textField(30, 610, 20, 'TRACKING #'),
    barcodeField(640, estimateCode128Modules(input.trackingNumber), '^BCN,180,N,N,N,A', input.trackingNumber),
    textField(30, 832, 34, input.trackingNumber, { width: 752, align: 'C' }),
    '^FO20,878^GB772,4,4^FS',
    textField(30, 892, 20, 'SSCC'),
    barcodeField(922, estimateCode128Modules(`0${input.sscc}`) + 11, '^BCN,180,N,N,N,D', `(00)${input.sscc}`),
    textField(30, 1112, 30, formatSscc(input.sscc, input.ssccCompanyPrefixLength), { width: 752, align: 'C' }),
  ];
}

/** One label: `^XA ... ^XZ`. */
export function renderShippingLabelZpl(input: ShippingLabelInput): string {
  const errors = shippingLabelInputErrors(input);
  assert(errors.length === 0, `shipping label input: ${errors.join('; ')}`);
  const fields = [
    '^XA',
    '^CI28',
    `^PW${zplLabelWidthDots}`,
    `^LL${zplLabelLengthDots}`,
    '^LH0,0',
    ...headerFields(input),
    ...shipToFields(input),
    ...bannerFields(input),
    ...barcodeFields(input),
    '^PQ1',
    '^XZ',
  ];
  return `${fields.join('\n')}\n`;
}

/** Several labels in one print job, in order. */
export function renderShippingLabelsZpl(inputs: readonly ShippingLabelInput[]): string {
  assert(inputs.length >= 1, 'at least one label to render');
  return inputs.map(renderShippingLabelZpl).join('');
}
