import type { LabelFile, LabelFormat } from '../carrier.js';
import { renderShippingLabelPdf } from './shipping-label-pdf.js';
import { renderShippingLabelZpl } from './shipping-label-zpl.js';
import type { ShippingLabelInput } from './types.js';

/** The label files a locally generated label offers: PDF and ZPL (PNG only comes from carriers). */
export const localLabelFormats: readonly LabelFormat[] = ['pdf', 'zpl'];

export const labelContentTypes: Readonly<Record<LabelFormat, string>> = {
  pdf: 'application/pdf',
  zpl: 'application/zpl',
  png: 'image/png',
};

/** Renders the requested formats of one label; formats it cannot produce are left out. */
export async function renderLabelFiles(input: ShippingLabelInput, formats: readonly LabelFormat[]): Promise<LabelFile[]> {
  const files: LabelFile[] = [];
  for (const format of new Set(formats)) {
    if (format === 'pdf')
      files.push({ format, contentType: labelContentTypes.pdf, kind: 'inline', bytes: await renderShippingLabelPdf(input) });
    if (format === 'zpl') {
      const bytes = new TextEncoder().encode(renderShippingLabelZpl(input));
      files.push({ format, contentType: labelContentTypes.zpl, kind: 'inline', bytes });
    }
  }
  return files;
}
