/**
 * node --import tsx bench/mail.ts [--quick] [--only sqlite|postgres] [--emails <n>] [--no-write]
 *
 * The mail figures (issue 4): templates rendered per second (pure), e-mails queued per second (`queueEmails`
 * in the caller's transaction, batches of 500), and e-mails sent per second by the outbox (`drain()`), once as
 * .eml files (the embedded default) and once over SMTP to a local smtp-server on 127.0.0.1 (nodemailer's pool,
 * 5 connections). `runMailBench` returns the results and a printable table; alone, this prints the table and
 * writes bench/results/mail.json. A failed check (an e-mail not sent, a message missing) is an error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { compose } from '../src/compose.js';
import { type EmailRequest, queueEmails } from '../src/contexts/mail/index.js';
import { renderEmail } from '../src/contexts/mail/render.js';
import { orderSampleData } from '../src/contexts/mail/templates.js';
import { onlyDialects, saveResults } from './lib/cli.js';
import { BenchDatabases, type BenchDialect, postgresReachable } from './lib/databases.js';
import { repoRoot } from './lib/processes.js';

export interface MailBenchOptions {
  readonly quick: boolean;
  readonly dialects: readonly BenchDialect[];
  /** E-mails per measured run; default 5,000, quick 1,000. */
  readonly emails?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface MailRun {
  readonly dialect: BenchDialect;
  readonly mode: 'file' | 'smtp';
  readonly emails: number;
  readonly queuedPerSecond: number;
  readonly sentPerSecond: number;
}

export interface MailBenchResults {
  readonly rendersPerSecond: number;
  readonly runs: readonly MailRun[];
  readonly problems: readonly string[];
}

export const mailResultsFile = path.join(repoRoot, 'bench', 'results', 'mail.json');

function measureRendering(count: number): number {
  const data = orderSampleData.order_confirmation as Record<string, unknown>;
  // Warm up first: the first renders run before the JIT has compiled Handlebars' runtime.
  for (let i = 0; i < 1_000; i += 1) renderEmail('order_confirmation', i % 2 ? 'en' : 'pt-BR', data, 'Bench');
  const start = performance.now();
  for (let i = 0; i < count; i += 1) renderEmail('order_confirmation', i % 2 ? 'en' : 'pt-BR', data, 'Bench');
  return count / ((performance.now() - start) / 1000);
}

/** An SMTP server that accepts and counts (no parsing: the server must not be the bottleneck). */
async function countingSmtp(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received += 1;
        callback(null, `queued as bench-${received}`);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function measureRun(
  databases: BenchDatabases,
  dialect: BenchDialect,
  mode: 'file' | 'smtp',
  count: number,
  problems: string[],
): Promise<MailRun> {
  const db = await databases.create(dialect, `mail_${mode}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-bench-mail-'));
  const smtp = mode === 'smtp' ? await countingSmtp() : null;
  const app = await compose({
    ...db.composeOptions,
    dataDir,
    ...(smtp ? { smtpUrl: smtp.url } : {}),
    mailFrom: 'Bench <bench@example.com>',
  });
  try {
    const data = orderSampleData.order_confirmation as Record<string, unknown>;
    const requests: EmailRequest[] = Array.from({ length: count }, (_, i) => ({
      to: `customer${i}@example.com`,
      template: 'order_confirmation',
      locale: i % 3 === 0 ? 'pt-BR' : 'en',
      data,
      dedupeKey: `bench:${i}`,
      orderId: null,
    }));
    const queuedStart = performance.now();
    for (let i = 0; i < requests.length; i += 500) await app.db.transaction((tx) => queueEmails(tx, app, requests.slice(i, i + 500)));
    const queuedPerSecond = count / ((performance.now() - queuedStart) / 1000);
    const sendStart = performance.now();
    await app.dispatcher.drain();
    const sentPerSecond = count / ((performance.now() - sendStart) / 1000);
    const sent = await app.db.read
      .selectFrom('emails')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'sent')
      .executeTakeFirstOrThrow();
    if (Number(sent.n) !== count) problems.push(`${dialect} ${mode}: ${sent.n} of ${count} e-mails sent`);
    if (smtp && smtp.count() !== count) problems.push(`${dialect} smtp: the server received ${smtp.count()} of ${count}`);
    if (mode === 'file') {
      const files = fs.readdirSync(path.join(dataDir, 'mail')).filter((f) => f.endsWith('.eml')).length;
      if (files !== count) problems.push(`${dialect} file: ${files} .eml files for ${count} e-mails`);
    }
    return { dialect, mode, emails: count, queuedPerSecond, sentPerSecond };
  } finally {
    await app.close();
    await smtp?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await databases.drop(db);
  }
}

export function formatMailReport(results: MailBenchResults): string {
  const lines = [
    'Mail',
    `  templates rendered (order confirmation, layout, both parts): ${Math.round(results.rendersPerSecond).toLocaleString('en')}/s`,
    '  dialect   mode   e-mails   queued/s   sent/s',
  ];
  for (const r of results.runs) {
    lines.push(
      `  ${r.dialect.padEnd(9)} ${r.mode.padEnd(6)} ${String(r.emails).padStart(7)}   ${Math.round(r.queuedPerSecond).toLocaleString('en').padStart(8)}   ${Math.round(r.sentPerSecond).toLocaleString('en').padStart(6)}`,
    );
  }
  for (const p of results.problems) lines.push(`  PROBLEM: ${p}`);
  return lines.join('\n');
}

export async function runMailBench(options: MailBenchOptions): Promise<{ results: MailBenchResults; table: string }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const count = options.emails ?? (options.quick ? 1_000 : 5_000);
  const problems: string[] = [];
  log('mail: rendering');
  const rendersPerSecond = measureRendering(options.quick ? 2_000 : 10_000);
  const runs: MailRun[] = [];
  const databases = new BenchDatabases();
  try {
    for (const dialect of options.dialects) {
      if (dialect === 'postgres' && !(await postgresReachable())) {
        log('mail: PostgreSQL not reachable, skipped');
        continue;
      }
      for (const mode of ['file', 'smtp'] as const) {
        log(`mail: ${dialect} ${mode}, ${count} e-mails`);
        runs.push(await measureRun(databases, dialect, mode, count, problems));
      }
    }
  } finally {
    await databases.dropAll();
  }
  const results = { rendersPerSecond, runs, problems };
  return { results, table: formatMailReport(results) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      emails: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const emails = values.emails === undefined ? undefined : Number(values.emails);
  if (emails !== undefined && (!Number.isInteger(emails) || emails <= 0))
    throw new Error(`--emails must be a positive whole number, got "${values.emails}"`);
  const { results, table } = await runMailBench({
    quick: values.quick ?? false,
    dialects: onlyDialects(values.only),
    emails,
  });
  console.log('');
  console.log(table);
  if (!values['no-write']) {
    saveResults(mailResultsFile, results);
  }
  if (results.problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error('mail bench failed:', error);
    process.exitCode = 1;
  }
}
