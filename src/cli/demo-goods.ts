import { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type { App } from '../compose.js';
import { putDigitalProduct } from '../contexts/digital/index.js';
import { saveFile } from '../contexts/files/index.js';
import { createForm } from '../contexts/leads/index.js';

/** A small but real PDF e-book for the demo's digital item and lead form (made with pdfkit, not shipped as a file). */
export function demoEbook(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A5', margin: 48, info: { Title: 'The Fulfillment Handbook', Author: 'Fulfill demo' } });
  const chunks: Uint8Array[] = [];
  doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(22).text('The Fulfillment Handbook', { align: 'center' }).moveDown();
  doc.fontSize(11).text('A demo e-book delivered by Fulfill: everything between "the customer paid" and "the customer has it".');
  const chapters = [
    ['Orders', 'Take orders from every channel, exactly once, and reserve stock in the same transaction.'],
    ['Inventory', 'Move stock only through the ledger; levels are its fold, and verify proves it.'],
    ['Sourcing', 'Ship from one location when one can, from the fewest otherwise.'],
    ['Pick, pack, ship', 'Walk the bins in order, scan every unit, choose the box by fit and price, buy each label once.'],
    ['Telling people', 'E-mails and webhooks leave through the outbox: never before the change commits, never lost.'],
  ];
  for (const [n, [title, body]] of chapters.entries()) {
    doc
      .addPage()
      .fontSize(16)
      .text(`${n + 1}. ${title}`)
      .moveDown()
      .fontSize(11)
      .text(body as string);
  }
  doc.end();
  return done;
}

export interface DemoGoods {
  readonly ebookFileId: string;
  readonly formSlug: string;
}

/**
 * What the demo's digital items deliver (the e-book file; license keys generated with a `PRO` prefix) and a
 * lead form offering the same e-book, so a new user sees digital delivery and lead capture work at once.
 */
export async function loadDemoGoods(app: App): Promise<DemoGoods> {
  const pdf = await demoEbook();
  const file = await saveFile(app, Readable.from([pdf]), {
    name: 'fulfillment-handbook.pdf',
    contentType: 'application/pdf',
    createdBy: 'demo',
  });
  await putDigitalProduct(app, 'EBOOK-1', { files: [file.id], download_limit: 5, access_days: 365 });
  await putDigitalProduct(app, 'LICENSE-PRO', { license: { source: 'generated', max_activations: 2, prefix: 'PRO' } });
  const form = await createForm(app, {
    slug: 'fulfillment-handbook',
    name: 'Get the Fulfillment Handbook',
    fields: [{ name: 'email' }, { name: 'name' }, { name: 'company' }],
    asset: { file_id: file.id },
    consent: { text: 'I agree that the demo shop stores my details to send me the handbook.', version: 'demo-1' },
    thank_you: { message: 'Thanks! The handbook is on its way to your inbox.' },
  });
  return { ebookFileId: file.id, formSlug: form.slug };
}
