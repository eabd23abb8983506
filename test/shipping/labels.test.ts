import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import bwipjs from 'bwip-js';
import fc from 'fast-check';
import {
  buildSscc,
  code128Png,
  estimateCode128Modules,
  formatSscc,
  gs1Mod10CheckDigit,
  isValidSscc,
  renderManifestPdf,
  renderPackingSlipPdf,
  renderPickListPdf,
  renderShippingLabelPdf,
  renderShippingLabelsPdf,
  renderShippingLabelsZpl,
  renderShippingLabelZpl,
  type ShippingLabelInput,
  shippingLabelLayout,
  ssccGs1128Png,
} from '../../src/contexts/shipping/index.js';
import { crop, decodeCode128, grayFromPixels, grayFromPng, stretch } from './support/barcode-reader.js';
import { customer, reno, sscc } from './support/fixtures.js';
import { type PdfDocument, readPdf } from './support/pdf-structure.js';
import { parseZpl } from './support/zpl-structure.js';

const labelInput = (overrides: Partial<ShippingLabelInput> = {}): ShippingLabelInput => ({
  carrierName: 'Fulfill Table Rate',
  serviceName: 'Ground',
  trackingNumber: 'FT1234567890128',
  sscc: sscc(123456789),
  from: reno,
  to: customer({ name: 'José Müller ^~_ Łukasz', company: 'ACME ^Inc~ _Ltd_' }),
  weightG: 1250,
  parcelSequence: 1,
  parcelCount: 2,
  shipDate: '2026-03-02',
  reference: 'ORDER-1001',
  ...overrides,
});

/** The barcode images a PDF embeds (soft masks aside), in the order the pages use them. */
const barcodeImages = (pdf: PdfDocument) => pdf.images.filter((i) => !i.isSoftMask).sort((a, b) => a.num - b.num);

/** The dark modules of a rendered barcode row, quiet zones trimmed: what a scanner's single line sees. */
function barsOf(gray: Uint8ClampedArray | Uint8Array): string {
  const row = Array.from(gray, (v) => (v < 128 ? '1' : '0')).join('');
  return row.replace(/^0+|0+$/g, '');
}

/** bwip-js rendering the symbol itself at one pixel per module: the reference our embedded image must match. */
async function bwipReference(bcid: string, text: string) {
  const png = await bwipjs.toBuffer({ bcid, text, scale: 1, height: 5, includetext: false, backgroundcolor: 'FFFFFF', paddingwidth: 10 });
  const image = grayFromPng(png);
  return {
    png,
    middleRow: image.gray.subarray(Math.floor(image.height / 2) * image.width, (Math.floor(image.height / 2) + 1) * image.width),
  };
}

const pdftoppmAvailable = spawnSync('pdftoppm', ['-v']).error === undefined;

describe('SSCC-18', () => {
  test('the GS1 check digit: modulo 10 with weights 3 and 1 from the right', () => {
    assert.equal(gs1Mod10CheckDigit('10614141123456789'), 7, 'the GS1 General Specifications example SSCC');
    assert.equal(gs1Mod10CheckDigit('400638133393'), 1, 'GTIN-13 4006381333931');
    assert.equal(gs1Mod10CheckDigit('00614141000000001'), 2);
  });

  test('built from extension digit, company prefix and serial reference', () => {
    assert.deepEqual(buildSscc({ extensionDigit: 1, companyPrefix: '0614141', serialReference: 123456789 }), {
      ok: true,
      value: '106141411234567897',
    });
    assert.deepEqual(buildSscc({ extensionDigit: 0, companyPrefix: '0614141', serialReference: 1n }), {
      ok: true,
      value: '006141410000000012',
    });
    assert.deepEqual(buildSscc({ extensionDigit: 3, companyPrefix: '4012345678', serialReference: '42' }), {
      ok: true,
      value: '340123456780000421',
    });
    assert.equal(formatSscc('106141411234567897'), '(00) 1 0614141 123456789 7');
    const error = (parts: Parameters<typeof buildSscc>[0]) => {
      const built = buildSscc(parts);
      return built.ok ? undefined : built.error.field;
    };
    assert.equal(error({ extensionDigit: 10, companyPrefix: '0614141', serialReference: 1 }), 'extensionDigit');
    assert.equal(error({ extensionDigit: 0, companyPrefix: '061414', serialReference: 1 }), 'companyPrefix');
    assert.equal(error({ extensionDigit: 0, companyPrefix: '0614141', serialReference: 1_000_000_000 }), 'serialReference');
    assert.equal(error({ extensionDigit: 0, companyPrefix: '0614141', serialReference: -1 }), 'serialReference');
  });

  test('property: every built SSCC is valid and any single wrong digit is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.stringMatching(/^\d{7,10}$/),
        fc.bigInt({ min: 0n, max: 999_999n }),
        fc.nat(17),
        fc.integer({ min: 1, max: 9 }),
        (extensionDigit, companyPrefix, serialReference, position, delta) => {
          const built = buildSscc({ extensionDigit, companyPrefix, serialReference });
          assert.ok(built.ok && isValidSscc(built.value) && built.value.length === 18);
          const digit = (Number(built.value[position]) + delta) % 10;
          assert.equal(isValidSscc(`${built.value.slice(0, position)}${digit}${built.value.slice(position + 1)}`), false);
        },
      ),
    );
  });
});

describe('shipping label PDF', () => {
  test('a real one-page 4x6 PDF whose embedded barcodes are bwip-js symbols and decode to the tracking number and SSCC', async () => {
    const input = labelInput();
    const bytes = await renderShippingLabelPdf(input);
    assert.equal(Buffer.from(bytes.subarray(0, 5)).toString(), '%PDF-');
    const pdf = readPdf(bytes);
    assert.equal(pdf.pageCount, 1);
    const page = pdf.pages[0];
    assert.ok(page?.kind === 'dict');
    assert.deepEqual(
      page.entries.get('MediaBox'),
      { kind: 'array', items: [0, 0, 288, 432].map((value) => ({ kind: 'number', value })) },
      '4 x 6 inches',
    );
    const [trackingImage, ssccImage] = barcodeImages(pdf);
    assert.ok(trackingImage && ssccImage && barcodeImages(pdf).length === 2);

    const cases = [
      {
        image: trackingImage,
        png: await code128Png(input.trackingNumber),
        bcid: 'code128',
        text: input.trackingNumber,
        scanned: input.trackingNumber,
      },
      { image: ssccImage, png: await ssccGs1128Png(input.sscc), bcid: 'gs1-128', text: `(00)${input.sscc}`, scanned: `]C100${input.sscc}` },
    ];
    for (const { image, png, bcid, text, scanned } of cases) {
      const own = grayFromPng(png);
      assert.deepEqual([image.width, image.height, image.colors], [own.width, own.height, 1], 'a grayscale image, one pixel per module');
      assert.deepEqual(Array.from(image.pixels), Array.from(own.gray), 'the PDF embeds exactly the barcode PNG');
      const reference = await bwipReference(bcid, text);
      assert.equal(barsOf(image.pixels), barsOf(reference.middleRow), `${bcid}: the same bars as bwip-js's own rendering`);
      assert.equal(decodeCode128(grayFromPng(reference.png)), scanned, 'bwip-js rendering scans');
      assert.equal(
        decodeCode128(stretch(grayFromPixels(image.width, image.height, image.pixels, 1), 40)),
        scanned,
        'the embedded image scans',
      );
    }
  });

  test('rasterized with pdftoppm, the printed page scans back to the tracking number and SSCC', async (t) => {
    if (!pdftoppmAvailable) {
      if (process.env.CI === 'true') assert.fail('pdftoppm is required in CI: apt-get install -y poppler-utils');
      t.skip('pdftoppm not installed (apt-get install -y poppler-utils)');
      return;
    }
    const input = labelInput({ trackingNumber: '1Z999AA10123456784', sscc: sscc(987654321) });
    const dir = await mkdtemp(join(tmpdir(), 'label-raster-'));
    try {
      await writeFile(join(dir, 'label.pdf'), await renderShippingLabelPdf(input));
      for (const dpi of [203, 300]) {
        const run = spawnSync('pdftoppm', [
          '-r',
          String(dpi),
          '-gray',
          '-png',
          '-singlefile',
          join(dir, 'label.pdf'),
          join(dir, `page-${dpi}`),
        ]);
        assert.equal(run.status, 0, String(run.stderr));
        const page = grayFromPng(await readFile(join(dir, `page-${dpi}.png`)));
        const scale = dpi / 72;
        assert.equal(page.width, Math.round(288 * scale));
        const box = (b: { x: number; y: number; width: number; height: number }) =>
          crop(page, b.x * scale, b.y * scale, b.width * scale, b.height * scale);
        assert.equal(decodeCode128(box(shippingLabelLayout.trackingBarcode)), input.trackingNumber, `tracking at ${dpi} dpi`);
        assert.equal(decodeCode128(box(shippingLabelLayout.ssccBarcode)), `]C100${input.sscc}`, `SSCC at ${dpi} dpi`);
      }
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('a shipment prints as one PDF, a page per parcel, each page with its own barcodes', async () => {
    const inputs = [1, 2, 3].map((n) =>
      labelInput({ trackingNumber: `FT00000000000${n}`, sscc: sscc(n), parcelSequence: n, parcelCount: 3 }),
    );
    const pdf = readPdf(await renderShippingLabelsPdf(inputs));
    assert.equal(pdf.pageCount, 3);
    const images = barcodeImages(pdf);
    assert.equal(images.length, 6);
    inputs.forEach((input, i) => {
      const [tracking, code] = [images[i * 2], images[i * 2 + 1]];
      assert.ok(tracking && code);
      assert.equal(decodeCode128(stretch(grayFromPixels(tracking.width, tracking.height, tracking.pixels, 1), 40)), input.trackingNumber);
      assert.equal(decodeCode128(stretch(grayFromPixels(code.width, code.height, code.pixels, 1), 40)), `]C100${input.sscc}`);
    });
  });

  test('the same input gives the same bytes; bad input is a bug and is refused loudly', async () => {
    const a = await renderShippingLabelPdf(labelInput());
    const b = await renderShippingLabelPdf(labelInput());
    assert.ok(Buffer.from(a).equals(Buffer.from(b)));
    await assert.rejects(renderShippingLabelPdf(labelInput({ sscc: '106141411234567890' })), /sscc/);
    await assert.rejects(renderShippingLabelPdf(labelInput({ parcelSequence: 3 })), /parcelSequence/);
    assert.throws(() => renderShippingLabelZpl(labelInput({ trackingNumber: 'has space' })), /trackingNumber/);
  });
});

describe('shipping label ZPL', () => {
  test('well formed: one ^XA ... ^XZ label, 4x6 at 203 dpi, Code 128 tracking and GS1 SSCC with (00)', () => {
    const input = labelInput();
    const zpl = renderShippingLabelZpl(input);
    const [label, ...rest] = parseZpl(zpl);
    assert.ok(label);
    assert.equal(rest.length, 0);
    assert.equal(label.setting('PW'), '812');
    assert.equal(label.setting('LL'), '1218');
    assert.equal(label.setting('CI'), '28', 'UTF-8 field data');
    const barcodes = label.fields.filter((f) => f.command('BC') !== undefined);
    assert.equal(barcodes.length, 2);
    const [tracking, code] = barcodes;
    assert.ok(tracking && code);
    assert.equal(tracking.data, input.trackingNumber);
    assert.match(tracking.command('BC')?.params ?? '', /^N,\d+,N,N,N,A$/, 'Code 128, automatic subsets');
    assert.equal(code.data, `(00)${input.sscc}`);
    assert.match(code.command('BC')?.params ?? '', /^N,\d+,N,N,N,D$/, 'Code 128 in GS1 (UCC/EAN) mode');
    for (const field of label.fields) {
      assert.ok(
        field.origin.x >= 0 && field.origin.x < 812 && field.origin.y >= 0 && field.origin.y < 1218,
        `field at ${JSON.stringify(field.origin)}`,
      );
    }
  });

  test('field data is escaped: ^, ~ and _ in addresses cannot start a command and read back unchanged', () => {
    const input = labelInput();
    const zpl = renderShippingLabelZpl(input);
    assert.ok(!zpl.includes('^Inc') && !zpl.includes('~ _'));
    const texts = parseZpl(zpl)[0]?.fields.map((f) => f.data) ?? [];
    assert.ok(texts.includes('José Müller ^~_ Łukasz'), 'UTF-8 and specials survive');
    assert.ok(texts.includes('ACME ^Inc~ _Ltd_'));
    assert.ok(texts.includes('Redondo Beach CA 90277'));
  });

  test('a long tracking number gets narrower bars so the symbol stays on the label', () => {
    for (const trackingNumber of ['FT1234567890128', '1ZAB12CD3456789012', 'LONG-ALPHANUMERIC-TRACKING-NUMBER-XYZ']) {
      const label = parseZpl(renderShippingLabelZpl(labelInput({ trackingNumber })))[0];
      const field = label?.fields.find((f) => f.data === trackingNumber && f.command('BC') !== undefined);
      assert.ok(field);
      const moduleDots = Number(field.command('BY')?.params);
      assert.ok(moduleDots >= 1 && moduleDots <= 3);
      assert.ok(field.origin.x + estimateCode128Modules(trackingNumber) * moduleDots <= 812, `${trackingNumber} fits`);
    }
  });

  test('a print job of several labels', () => {
    const job = renderShippingLabelsZpl([labelInput(), labelInput({ trackingNumber: 'FT0000000000017', parcelSequence: 2 })]);
    const labels = parseZpl(job);
    assert.equal(labels.length, 2);
    assert.ok(labels[1]?.fields.some((f) => f.data === 'PARCEL 2 OF 2'));
  });
});

describe('packing slip, pick list and manifest PDFs', () => {
  const scanImage = (pdf: PdfDocument, index: number) => {
    const image = barcodeImages(pdf)[index];
    assert.ok(image, `image ${index}`);
    return decodeCode128(stretch(grayFromPixels(image.width, image.height, image.pixels, 1), 40));
  };
  const textOf = (pdf: PdfDocument, key: string) => {
    const entry = pdf.info.get(key);
    const value = entry?.kind === 'ref' ? pdf.objects.get(entry.num)?.value : entry;
    return value?.kind === 'string' ? value.value.toString('latin1') : undefined;
  };

  test('a packing slip per fulfillment order: lines, quantities, the order number as a barcode', async () => {
    const lines = [
      { sku: 'MUG-1', name: 'Coffee mug, blue', quantity: 2, barcode: '0012345678905' },
      { sku: 'TEE-M', name: 'T-shirt M', quantity: 1 },
    ];
    const bytes = await renderPackingSlipPdf({
      orderNumber: '1001',
      fulfillmentOrderId: 'fo_01',
      from: reno,
      to: customer(),
      date: '2026-03-02',
      lines,
    });
    const pdf = readPdf(bytes);
    assert.equal(pdf.pageCount, 1);
    assert.equal(scanImage(pdf, 0), '1001');
    assert.equal(textOf(pdf, 'Title'), 'Packing slip 1001');
    const many = Array.from({ length: 120 }, (_, i) => ({ sku: `SKU-${i}`, name: `Item ${i}`, quantity: i + 1 }));
    const long = readPdf(
      await renderPackingSlipPdf({
        orderNumber: '1002',
        fulfillmentOrderId: 'fo_02',
        from: reno,
        to: customer(),
        date: '2026-03-02',
        lines: many,
        pageSize: 'LETTER',
      }),
    );
    assert.ok(long.pageCount >= 3, `120 lines need several pages, got ${long.pageCount}`);
  });

  test('a pick list: bin, SKU, barcode, quantity, tote, the pick list id as a barcode, paginated', async () => {
    const lines = Array.from({ length: 90 }, (_, i) => ({
      bin: `A-${String(i).padStart(2, '0')}-1`,
      sku: `SKU-${i}`,
      name: `Item ${i}`,
      barcode: `00123456${String(i).padStart(5, '0')}`,
      quantity: 1 + (i % 4),
      tote: `T${1 + (i % 6)}`,
    }));
    const pdf = readPdf(
      await renderPickListPdf({ pickListId: 'PL-000123', waveId: 'W-7', locationName: 'Reno DC', date: '2026-03-02', lines }),
    );
    assert.ok(pdf.pageCount >= 2);
    assert.equal(scanImage(pdf, 0), 'PL-000123');
  });

  test('a manifest lists every parcel handed over', async () => {
    const entries = [1, 2, 3].map((n) => ({
      parcelId: `par_${n}`,
      trackingNumber: `FT00000000000${n}`,
      sscc: sscc(n),
      serviceCode: 'ground',
      weightG: 1000 * n,
      amount: { amountMinor: 1070, currency: 'USD' },
    }));
    const manifest = {
      id: 'MF-20260302-00000042',
      carrierId: 'table-rate',
      carrierName: 'Fulfill Table Rate',
      locationId: 'loc_reno',
      shipDate: '2026-03-02',
      createdAt: '2026-03-02T17:00:00.000Z',
      entries,
      totalWeightG: 6000,
      totalAmount: { amountMinor: 3210, currency: 'USD' },
    };
    const pdf = readPdf(await renderManifestPdf({ manifest, locationName: 'Reno DC' }));
    assert.equal(pdf.pageCount, 1);
    assert.equal(scanImage(pdf, 0), manifest.id);
  });
});
