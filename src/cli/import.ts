import fs from 'node:fs';
import readline from 'node:readline';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { CsvError, parse } from 'csv-parse';
import type { App } from '../compose.js';
import { type IntakeOutcome, type OrderInput, placeOrders } from '../contexts/orders/index.js';
import { OrderCreate } from '../http/schemas/orders.js';
import { compileBodyValidator } from '../http/validation.js';
import { limits } from '../kernel/limits.js';
import { isTransient, isUniqueViolation } from '../storage/index.js';
import { CliError, type GlobalOptions, withApp } from './context.js';

/** One order read from a file, with the line it started on (for the rejects file). */
export interface ImportRow {
  readonly row: number;
  readonly order: unknown;
}

export interface ImportSummary {
  read: number;
  created: number;
  existed: number;
  rejected: number;
  seconds: number;
}

const batchSizeDefault = 1_000;
const validator = compileBodyValidator(OrderCreate);

/** CSV rows are order lines; consecutive rows with the same channel and external_id form one order. */
export async function* csvOrders(stream: NodeJS.ReadableStream): AsyncGenerator<ImportRow> {
  const parser = stream.pipe(parse({ columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true, info: true }));
  let current: { row: number; key: string; order: Record<string, unknown> & { lines: unknown[] } } | undefined;
  try {
    for await (const { info, record } of parser as AsyncIterable<{ info: { lines: number }; record: Record<string, string> }>) {
      // info.lines is the line the record ends on; a quoted value may span lines, so count back to where it starts.
      const line = info.lines - Object.values(record).join('').split('\n').length + 1;
      const key = `${record.channel}\u0000${record.external_id}`;
      if (current && current.key !== key) {
        yield { row: current.row, order: current.order };
        current = undefined;
      }
      if (!current) current = { row: line, key, order: csvOrderHeader(record) };
      current.order.lines.push({ sku: record.sku, quantity: toNumber(record.quantity), unit_price: toNumber(record.unit_price) });
    }
  } catch (error) {
    // A broken CSV (an unclosed quote swallows the rest of the file) cannot be read on: stop with a clear message.
    if (error instanceof CsvError)
      throw new CliError(
        `the CSV file is malformed (${error.message}); orders before that point may be imported, fix the file and import it again`,
      );
    throw error;
  }
  if (current) yield { row: current.row, order: current.order };
}

const toNumber = (value: string | undefined): unknown => (value !== undefined && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value);
const present = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

function csvOrderHeader(r: Record<string, string>): Record<string, unknown> & { lines: unknown[] } {
  const address = present(r.ship_line1)
    ? Object.fromEntries(
        Object.entries({
          name: present(r.ship_name),
          company: present(r.ship_company),
          line1: r.ship_line1,
          line2: present(r.ship_line2),
          city: r.ship_city,
          region: present(r.ship_region),
          postal_code: r.ship_postal_code,
          country: r.ship_country,
          phone: present(r.ship_phone),
        }).filter(([, v]) => v !== undefined),
      )
    : undefined;
  const customer = Object.fromEntries(
    Object.entries({ email: r.customer_email, name: present(r.customer_name), phone: present(r.customer_phone) }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return Object.fromEntries(
    Object.entries({
      channel: r.channel,
      external_id: r.external_id,
      currency: r.currency,
      customer,
      shipping_address: address,
      service_level: present(r.service_level),
      promise_date: present(r.promise_date),
      note: present(r.note),
      lines: [],
    }).filter(([, v]) => v !== undefined),
  ) as Record<string, unknown> & { lines: unknown[] };
}

export async function* ndjsonOrders(stream: NodeJS.ReadableStream): AsyncGenerator<ImportRow> {
  let row = 0;
  for await (const text of readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    row += 1;
    if (text.trim() === '') continue;
    try {
      yield { row, order: JSON.parse(text) };
    } catch {
      yield { row, order: Symbol.for('malformed') };
    }
  }
}

/** Places a batch; if another writer raced us to an order number, falls back to the intake queue's per-order retry. */
async function placeBatch(app: App, orders: OrderInput[]): Promise<IntakeOutcome[]> {
  try {
    return await app.db.transaction((tx) =>
      placeOrders(
        tx,
        app,
        orders.map((input) => ({ input, actor: 'cli' })),
      ),
    );
  } catch (error) {
    if (!isUniqueViolation(error) && !isTransient(error)) throw error;
    return Promise.all(orders.map((input) => app.intake.submit({ input, actor: 'cli' })));
  }
}

/** Imports orders from rows: validates each exactly as the API does, places them in batches, reports rejects. */
export async function importOrders(
  app: App,
  rows: AsyncIterable<ImportRow>,
  options: { batchSize?: number; onReject?: (reject: Record<string, unknown>) => void; onProgress?: (summary: ImportSummary) => void } = {},
): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const summary: ImportSummary = { read: 0, created: 0, existed: 0, rejected: 0, seconds: 0 };
  const batchSize = Math.min(Math.max(1, options.batchSize ?? batchSizeDefault), limits.batchOrdersMax * 10);
  let batch: { row: number; order: OrderInput }[] = [];
  const reject = (row: number, order: unknown, code: string, detail: string, errors?: unknown) => {
    summary.rejected += 1;
    const o = typeof order === 'object' && order !== null ? (order as Record<string, unknown>) : {};
    options.onReject?.({
      row,
      channel: o.channel ?? null,
      external_id: o.external_id ?? null,
      code,
      detail,
      ...(errors ? { errors } : {}),
    });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await placeBatch(
      app,
      batch.map((b) => b.order),
    );
    outcomes.forEach((outcome, i) => {
      const { row, order } = batch[i] as { row: number; order: OrderInput };
      if (outcome.kind === 'created') summary.created += 1;
      else if (outcome.kind === 'failed' && outcome.failure.code === 'order_exists') summary.existed += 1;
      else if (outcome.kind === 'failed') reject(row, order, outcome.failure.code, outcome.failure.detail, outcome.failure.extra?.errors);
    });
    batch = [];
    options.onProgress?.(summary);
  };
  for await (const { row, order } of rows) {
    summary.read += 1;
    if (summary.read > limits.importRowsMax) throw new CliError(`a file may hold at most ${limits.importRowsMax} orders`);
    if (typeof order === 'symbol') {
      reject(row, {}, 'malformed_json', 'the line is not valid JSON');
      continue;
    }
    const errors = validator.check(order);
    if (errors.length > 0) {
      reject(row, order, 'validation_failed', errors.map((e) => `${e.pointer} ${e.detail}`).join('; '), errors);
      continue;
    }
    batch.push({ row, order: order as OrderInput });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return summary;
}

export function importCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('import <file>')
    .description('Import orders from a CSV (one row per order line) or NDJSON (one order per line) file; see docs/import.md')
    .option('--format <format>', 'csv or ndjson (default: from the file extension)')
    .option('--rejects <file>', 'where to write rejected rows as NDJSON (default: <file>.rejects.ndjson)')
    .option('--batch-size <n>', 'orders per transaction', String(batchSizeDefault))
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, options: { format?: string; rejects?: string; batchSize: string; progress: boolean }) => {
      if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
      const format = options.format ?? (/\.csv$/i.test(file) ? 'csv' : /\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : undefined);
      if (format !== 'csv' && format !== 'ndjson') throw new CliError('say --format csv or --format ndjson (the extension does not tell)');
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError('--batch-size must be a positive whole number');
      const rejectsPath = options.rejects ?? `${file}.rejects.ndjson`;
      // Opened before any order is placed: a rejects file that cannot be written stops the import up front.
      let rejectsFd: number;
      try {
        rejectsFd = fs.openSync(rejectsPath, 'w');
      } catch (error) {
        throw new CliError(`cannot write the rejects file: ${(error as Error).message}`);
      }
      const size = fs.statSync(file).size;
      const stream = fs.createReadStream(file);
      const bar =
        options.progress && process.stderr.isTTY
          ? new SingleBar({ format: 'import [{bar}] {percentage}% | {created} created | {rejected} rejected', stream: process.stderr })
          : undefined;
      bar?.start(size, 0, { created: 0, rejected: 0 });
      const rejects = fs.createWriteStream(rejectsPath, { fd: rejectsFd });
      const summary = await withApp(globals(), (app) =>
        importOrders(app, format === 'csv' ? csvOrders(stream) : ndjsonOrders(stream), {
          batchSize,
          onReject: (r) => rejects.write(`${JSON.stringify(r)}\n`),
          onProgress: (s) => bar?.update(stream.bytesRead, { created: s.created, rejected: s.rejected }),
        }),
      );
      bar?.update(size);
      bar?.stop();
      await new Promise<void>((resolve) => rejects.end(resolve));
      if (summary.rejected === 0) fs.rmSync(rejectsPath, { force: true });
      const rate = summary.seconds > 0 ? Math.round(summary.created / summary.seconds) : summary.created;
      console.log(
        `read ${summary.read} orders: ${summary.created} created, ${summary.existed} already existed, ${summary.rejected} rejected in ${summary.seconds.toFixed(2)} s (${rate} orders/s)`,
      );
      if (summary.rejected > 0) {
        console.log(`rejected rows and why: ${rejectsPath}`);
        process.exitCode = 3;
      }
    });
}
