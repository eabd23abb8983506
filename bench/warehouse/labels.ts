/**
 * Labels per second through the renderers alone: one PDF file per label (what a carrier call returns), a
 * multi-page PDF per batch of labels (a packing station printing a wave), and ZPL II. Inputs are real Olist
 * ship-to addresses with table-rate style tracking numbers and valid SSCCs, all made before timing starts.
 */
import { performance } from 'node:perf_hooks';
import {
  buildSscc,
  gs1Mod10CheckDigit,
  renderShippingLabelPdf,
  renderShippingLabelsPdf,
  renderShippingLabelZpl,
  type ShippingAddress,
  type ShippingLabelInput,
} from '../../src/contexts/shipping/index.js';
import { pdfFontSharing } from '../../src/contexts/shipping/labels/pdf.js';
import { gs1ExamplePrefix } from '../../src/contexts/warehouse/index.js';
import { loadOlist } from './olist.js';

export interface RenderRate {
  readonly labels: number;
  readonly seconds: number;
  readonly labelsPerSecond: number;
  /** Mean size of one label's file. */
  readonly bytesPerLabel: number;
  /** Labels per second of each round (the figure is the median round, so one stall of a shared machine does not decide it). */
  readonly rounds: readonly number[];
}

export interface RendererResults {
  /** The PDFs are byte for byte those pdfkit makes without the shared font metrics (src/.../labels/pdf.ts). */
  readonly sameBytesAsPdfkit: boolean;
  readonly pdf: RenderRate;
  readonly pdfBatched: RenderRate & { readonly labelsPerFile: number };
  readonly zpl: RenderRate;
}

/** The bench warehouse: every label is sent from here. */
export const benchWarehouseAddress: ShippingAddress = {
  name: 'Fulfill Bench Warehouse',
  line1: 'Avenida Paulista 1000',
  city: 'Sao Paulo',
  region: 'SP',
  postalCode: '01310',
  country: 'BR',
};

function labelInputs(count: number): ShippingLabelInput[] {
  const { orders } = loadOlist();
  return Array.from({ length: count }, (_, i) => {
    const order = orders[i % orders.length];
    if (!order) throw new Error('the Olist sample has no orders');
    const digits = String(100_000_000_000 + i).slice(-12);
    const sscc = buildSscc({ extensionDigit: 0, companyPrefix: gs1ExamplePrefix, serialReference: i + 1 });
    if (!sscc.ok) throw new Error(sscc.error.message);
    return {
      carrierName: 'Fulfill Table Rate',
      serviceName: 'International Standard',
      trackingNumber: `FT${digits}${gs1Mod10CheckDigit(digits)}`,
      sscc: sscc.value,
      from: benchWarehouseAddress,
      to: {
        name: `Customer ${order.customer.uniqueId.slice(0, 8)}`,
        line1: '(street not in the Olist sample)',
        city: order.customer.city,
        region: order.customer.state,
        postalCode: order.customer.zip,
        country: 'BR',
      },
      weightG: 300 + (i % 50) * 97,
      parcelSequence: 1,
      parcelCount: 1,
      shipDate: '2025-03-03',
      reference: order.id,
    };
  });
}

interface Round {
  readonly seconds: number;
  readonly bytes: number;
}

async function timed(run: () => Promise<number>): Promise<Round> {
  const start = performance.now();
  const bytes = await run();
  return { seconds: (performance.now() - start) / 1_000, bytes };
}

function median(rounds: readonly Round[], labels: number): RenderRate {
  const sorted = [...rounds].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)] as Round;
  return {
    labels,
    seconds: mid.seconds,
    labelsPerSecond: labels / mid.seconds,
    bytesPerLabel: Math.round(mid.bytes / labels),
    rounds: rounds.map((r) => Math.round(labels / r.seconds)),
  };
}

/** Renders labels with and without the shared font metrics and compares the files byte for byte. */
async function sameBytesAsPdfkit(inputs: readonly ShippingLabelInput[]): Promise<boolean> {
  const render = async (sharing: boolean) => {
    pdfFontSharing.enabled = sharing;
    try {
      return [...(await Promise.all(inputs.map(renderShippingLabelPdf))), await renderShippingLabelsPdf(inputs)];
    } finally {
      pdfFontSharing.enabled = true;
    }
  };
  const own = await render(false);
  const shared = await render(true);
  return own.every((file, i) => Buffer.compare(Buffer.from(file), Buffer.from(shared[i] ?? new Uint8Array())) === 0);
}

export async function measureRenderers(options: {
  pdfLabels: number;
  zplLabels: number;
  labelsPerFile: number;
  rounds: number;
}): Promise<RendererResults> {
  const inputs = labelInputs(Math.max(options.pdfLabels, options.zplLabels));
  // Warm-up: pdfkit's font metrics, bwip-js and the JIT.
  for (const input of inputs.slice(0, 30)) {
    await renderShippingLabelPdf(input);
    renderShippingLabelZpl(input);
  }
  const pdfInputs = inputs.slice(0, options.pdfLabels);
  const zplInputs = inputs.slice(0, options.zplLabels);
  const pdf: Round[] = [];
  const batched: Round[] = [];
  const zpl: Round[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    pdf.push(
      await timed(async () => {
        let bytes = 0;
        for (const input of pdfInputs) bytes += (await renderShippingLabelPdf(input)).byteLength;
        return bytes;
      }),
    );
    batched.push(
      await timed(async () => {
        let bytes = 0;
        for (let i = 0; i < pdfInputs.length; i += options.labelsPerFile) {
          bytes += (await renderShippingLabelsPdf(pdfInputs.slice(i, i + options.labelsPerFile))).byteLength;
        }
        return bytes;
      }),
    );
    zpl.push(
      await timed(async () => {
        let bytes = 0;
        for (const input of zplInputs) bytes += Buffer.byteLength(renderShippingLabelZpl(input));
        return bytes;
      }),
    );
  }
  return {
    sameBytesAsPdfkit: await sameBytesAsPdfkit(inputs.slice(0, 20)),
    pdf: median(pdf, pdfInputs.length),
    pdfBatched: { ...median(batched, pdfInputs.length), labelsPerFile: options.labelsPerFile },
    zpl: median(zpl, zplInputs.length),
  };
}
