/**
 * The `fulfill` CLI as users run it: a child process (`node --import tsx src/main.ts ...`) with DATA_DIR or
 * DATABASE_URL in its environment, checked by exit code and output. What the CLI wrote is read back through
 * an in-process app opened on the same database.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command, CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { type App, compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { DialectName } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase, testDialects, testPostgresUrl } from '../support/dialects.js';

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..');
const adminKey = 'cli-test-admin-key-0123456789';
/** A guard against a hung child process, not a timing assertion. */
const testTimeoutMs = 240_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ReturnType<typeof spawn>>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs the CLI to completion. The environment is the test's, minus database settings, plus `env`. */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  for (const name of ['DATA_DIR', 'DATABASE_URL', 'FULFILL_ADMIN_KEY', 'PORT', 'HOST', 'FORCE_COLOR']) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A database for the CLI (its environment) and for the in-process app that checks its work. */
interface CliDatabase {
  readonly dialect: DialectName;
  readonly env: Record<string, string>;
  readonly dir: string;
  /** Opens the real app on the same database, runs `fn` with an inject helper, closes it. */
  inProcess<T>(
    fn: (request: (method: string, url: string, payload?: unknown, key?: string) => Promise<Reply>, app: App) => Promise<T>,
  ): Promise<T>;
  drop(): Promise<void>;
}

interface Reply {
  readonly statusCode: number;
  readonly body: string;
  readonly rawPayload: Buffer;
  json(): unknown;
}

/** The `data` of a list answer. */
const dataOf = <T>(reply: Reply): T[] => (reply.json() as { data: T[] }).data;

interface OrderJson {
  external_id: string;
  currency: string;
  customer: unknown;
  shipping_address: unknown;
  service_level: string;
  promise_date: string | null;
  note: string | null;
  subtotal: number;
  lines: { line_no: number; sku: string; quantity: number; unit_price: number }[];
}

async function cliDatabase(dialect: DialectName): Promise<CliDatabase> {
  const database: TestDatabase = await createTestDatabase(dialect);
  const dir = database.sqliteFile ? path.dirname(database.sqliteFile) : fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-cli-'));
  const searchPath = database.searchPath ?? '';
  const databaseUrl = `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${searchPath}`)}`;
  // Files (the demo's e-book, e-mails) go to the test's directory on both dialects, never to ./data.
  const env: Record<string, string> = dialect === 'sqlite' ? { DATA_DIR: dir } : { DATABASE_URL: databaseUrl, DATA_DIR: dir };
  return {
    dialect,
    env,
    dir,
    async inProcess(fn) {
      const app = await compose(
        dialect === 'sqlite' ? { dataDir: dir, adminKey } : { databaseUrl: testPostgresUrl, searchPath, adminKey, dataDir: dir },
      );
      const http = await buildHttpApp(app, { logLevel: false });
      try {
        return await fn(
          async (method, url, payload, key = adminKey) =>
            http.inject({
              method: method as 'GET',
              url,
              headers: { authorization: `Bearer ${key}` },
              ...(payload ? { payload: payload as object } : {}),
            }),
          app,
        );
      } finally {
        await http.close();
        await app.close();
      }
    },
    async drop() {
      await database.drop();
      if (dialect !== 'sqlite') fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('CLI help and usage errors', () => {
  test('--help for the program and every command', { timeout: testTimeoutMs }, async () => {
    // Every command's help, in-process (cheap): each says how to call it and what it does.
    const helps = await everyHelp();
    for (const name of [
      'fulfill',
      'fulfill demo',
      'fulfill import',
      'fulfill inventory',
      'fulfill inventory verify',
      'fulfill keys',
      'fulfill keys create',
      'fulfill keys list',
      'fulfill keys revoke',
      'fulfill migrate',
      'fulfill serve',
    ])
      assert.ok(helps.has(name), `${name} has help`);
    for (const [name, text] of helps) assert.match(text, new RegExp(`^Usage: ${name} .*\\n\\n\\S`), `${name}: ${text}`);
    // And spawned, as a user types it, for the program and the commands with options.
    const spawned: string[][] = [[], ['keys', 'create'], ['import']];
    const runs = await inPairs(spawned, (c) => cli([...c, '--help']));
    runs.forEach((r, i) => {
      const name = ['fulfill', ...(spawned[i] as string[])].join(' ');
      assert.equal(r.code, 0, `${name} --help: ${show(r)}`);
      assert.equal(r.stdout, helps.get(name), `${name} --help: ${show(r)}`);
    });
    for (const command of ['serve', 'migrate', 'keys', 'import', 'inventory', 'demo'])
      assert.match(runs[0]?.stdout ?? '', new RegExp(`\\n  ${command}`));
    assert.match(runs[1]?.stdout ?? '', /--scope <scope\.\.\.>/);
    assert.match(runs[2]?.stdout ?? '', /--rejects <file>/);
  });

  test('unknown commands, bad flags and bad configuration exit non-zero with a clear message', { timeout: testTimeoutMs }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-cli-'));
    const dataDir = { DATA_DIR: dir };
    fs.writeFileSync(path.join(dir, 'orders.txt'), 'x\n');
    // An unclosed quote swallows the rest of the file: the import stops with the line it was found on.
    fs.writeFileSync(
      path.join(dir, 'broken.csv'),
      `${csvHeader}\ncsvfile,B-1,USD,a@example.com,,,,,"1 Main St,,Boston,MA,02108,US,,,,IMP-A,1,100\n`,
    );
    try {
      const cases: [string[], Record<string, string>, RegExp][] = [
        [['bogus'], dataDir, /^error: unknown command 'bogus'/],
        [['--bogus'], dataDir, /^error: unknown option '--bogus'/],
        [['keys', 'create', '--name', 'x'], dataDir, /^error: required option '--scope <scope\.\.\.>' not specified/],
        [['import', path.join(dir, 'orders.txt')], dataDir, /^fulfill: say --format csv or --format ndjson/],
        [
          ['import', path.join(dir, 'orders.txt'), '--format', 'ndjson', '--rejects', path.join(dir, 'no-such-dir', 'rejects.ndjson')],
          dataDir,
          /^fulfill: cannot write the rejects file: ENOENT/,
        ],
        [['import', path.join(dir, 'broken.csv')], dataDir, /^fulfill: the CSV file is malformed \(Quote Not Closed: .* at line 2\)/],
        [
          ['migrate'],
          { DATABASE_URL: 'mysql://root@127.0.0.1/fulfill' },
          /^fulfill: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL\n$/,
        ],
        [
          ['--database-url', 'sqlite:///tmp/x', 'migrate'],
          dataDir,
          /^fulfill: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL\n$/,
        ],
        [
          ['migrate'],
          { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/fulfill' },
          /^fulfill: cannot reach the database .*ECONNREFUSED.*\n$/,
        ],
      ];
      const runs = await inPairs(cases, ([args, env]) => cli(args, env));
      runs.forEach((r, i) => {
        const [args, , message] = cases[i] as [string[], Record<string, string>, RegExp];
        assert.notEqual(r.code, 0, `${args.join(' ')}: ${show(r)}`);
        assert.match(r.stderr, message, `${args.join(' ')}: ${show(r)}`);
        assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, `${args.join(' ')} printed a stack trace: ${show(r)}`);
        assert.equal(r.stdout, '', `${args.join(' ')}: ${show(r)}`);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs two at a time: the machine has two cores and each run starts a Node process. */
async function inPairs<T, R>(list: readonly T[], fn: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < list.length; i += 2) results.push(...(await Promise.all(list.slice(i, i + 2).map(fn))));
  return results;
}

/** The help text of every command and subcommand, keyed by "fulfill keys create". */
async function everyHelp(): Promise<Map<string, string>> {
  const helps = new Map<string, string>();
  const paths: string[][] = [[]];
  for (let i = 0; i < paths.length; i += 1) {
    const words = paths[i] as string[];
    const program = buildProgram();
    let text = '';
    const capture = (command: Command) => {
      const write = (s: string) => {
        text += s;
      };
      // As a piped child process prints it: 80 columns, no colours.
      command.configureOutput({
        writeOut: write,
        writeErr: write,
        getOutHelpWidth: () => 80,
        getErrHelpWidth: () => 80,
        getOutHasColors: () => false,
        getErrHasColors: () => false,
      });
      for (const sub of command.commands) capture(sub);
    };
    capture(program);
    await assert.rejects(program.parseAsync(['node', 'fulfill', ...words, '--help']), (e: CommanderError) => e.exitCode === 0);
    helps.set(['fulfill', ...words].join(' '), text);
    let command: Command = program;
    for (const w of words) command = command.commands.find((c) => c.name() === w) as Command;
    for (const sub of command.commands) if (sub.name() !== 'help') paths.push([...words, sub.name()]);
  }
  return helps;
}

const csvHeader =
  'channel,external_id,currency,customer_email,customer_name,customer_phone,ship_name,ship_company,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,service_level,promise_date,note,sku,quantity,unit_price';
const shipTo = 'Ann Lee,Acme Inc,1 Main St,Suite 5,Springfield,IL,62701,US';

/** Good rows and bad rows; the comment after each says what must happen to it. Line numbers count the header as 1. */
const csvFile = [
  csvHeader,
  `csvfile,C-1,USD,ann@example.com,Ann Lee,+15555550100,${shipTo},express,2030-01-15,"gift wrap, please",IMP-A,2,1999`, // 2 created (2 lines)
  `csvfile,C-1,USD,ann@example.com,Ann Lee,+15555550100,${shipTo},express,2030-01-15,"gift wrap, please",IMP-B,1,500`, // 3
  `csvfile,C-2,USD,bob@example.com,Bob,,Bob,,2 Oak Ave,,Boston,MA,02108,US,,,,IMP-A,1,1999`, // 4 created
  `csvfile,C-3,usd,cy@example.com,,,,,3 Elm St,,Denver,CO,80202,US,,,,IMP-A,1,1999`, // 5 validation_failed: currency
  `csvfile,C-4,USD,not-an-email,,,,,3 Elm St,,Denver,CO,80202,US,,,,IMP-A,1,1999`, // 6 validation_failed: email
  `csvfile,C-5,USD,di@example.com,,,,,3 Elm St,,Denver,CO,80202,US,,,,NOPE-1,1,1999`, // 7 unknown_sku
  `csvfile,C-6,USD,ed@example.com,,,,,3 Elm St,,Denver,CO,80202,US,,,,IMP-B,99,500`, // 8 insufficient_stock
  `csvfile,C-2,USD,bob@example.com,Bob,,Bob,,2 Oak Ave,,Boston,MA,02108,US,,,,IMP-A,1,1999`, // 9 duplicate of C-2: already existed
  `csvfile,C-7,USD,fa@example.com,,,,,3 Elm St,,Denver,CO,80202,US,,,"two`, // 10 created; the note spans two lines
  `lines",IMP-A,1,1999`, // 11
  `csvfile,C-8,USD,gu@example.com,,,,,3 Elm St,,Denver,CO,80202,US,,,,IMP-A,1.5,1999`, // 12 validation_failed: quantity
  '',
].join('\n');

const ndjsonOrder = (externalId: string, lines: { sku: string; quantity: number; unit_price: number }[]) =>
  JSON.stringify({
    channel: 'ndjsonfile',
    external_id: externalId,
    currency: 'EUR',
    customer: { email: 'ines@example.com', name: 'Ines Silva' },
    shipping_address: { name: 'Ines Silva', line1: 'Kerkstraat 1', city: 'Amsterdam', postal_code: '1012 AB', country: 'NL' },
    lines,
  });

const ndjsonFile = [
  ndjsonOrder('N-1', [{ sku: 'IMP-A', quantity: 1, unit_price: 1500 }]), // 1 created
  '{"channel":"ndjsonfile","external_id":"N-2",', // 2 malformed_json
  '', // 3 blank: skipped, not an order
  ndjsonOrder('N-3', [{ sku: 'IMP-A', quantity: 0, unit_price: 1500 }]), // 4 validation_failed
  ndjsonOrder('N-4', [{ sku: 'NOPE-2', quantity: 1, unit_price: 1500 }]), // 5 unknown_sku
  ndjsonOrder('N-5', [{ sku: 'IMP-B', quantity: 50, unit_price: 1500 }]), // 6 insufficient_stock
  ndjsonOrder('N-1', [{ sku: 'IMP-A', quantity: 1, unit_price: 1500 }]), // 7 duplicate: already existed
  ndjsonOrder('N-6', [
    { sku: 'IMP-A', quantity: 2, unit_price: 1500 },
    { sku: 'IMP-B', quantity: 1, unit_price: 700 },
  ]), // 8 created
  '[1,2]', // 9 validation_failed: not an object
  '',
].join('\n');

interface Reject {
  row: number;
  channel: string | null;
  external_id: string | null;
  code: string;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

const readRejects = (file: string): Reject[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Reject)
    .sort((a, b) => a.row - b.row);

// Each CLI run starts Node with tsx (about 2 s of CPU), so the parts that do not depend on the dialect (demo
// twice, re-imports, an import with nothing to reject, keys) run on SQLite only; demo, import and verify run on both.
const dialects = await testDialects();
// The dialects run side by side: each mostly waits for its child processes.
describe('CLI against a real database', { concurrency: true }, () => {
  for (const dialect of dialects) {
    const full = dialect === 'sqlite';
    test(`${dialect}: demo, inventory verify, import of CSV and NDJSON with rejects${full ? ', re-import, keys' : ''}`, {
      timeout: testTimeoutMs,
    }, async () => {
      const db = await cliDatabase(dialect);
      try {
        // demo on an empty database, then again.
        const demo = await cli(['demo', '--orders', '120'], db.env);
        assert.equal(demo.code, 0, show(demo));
        assert.match(
          demo.stdout,
          /^demo loaded: 5 locations, 31 items\norders: \d+ created \(\d+ backordered, \d+ on hold, \d+ cancelled\), \d+ refused.*\ndigital: EBOOK-1 delivers fulfillment-handbook\.pdf \(file_\w+\), LICENSE-PRO issues license keys; lead form: \/f\/fulfillment-handbook\n/,
        );
        // What the demo set up works as soon as a server runs: the e-book is a real PDF, the form page is public,
        // and the demo's digital orders are delivered by the outbox.
        await db.inProcess(async (request, app) => {
          const ebook = (await request('GET', '/v1/digital/items/EBOOK-1')).json() as { files: { id: string }[] };
          assert.equal(ebook.files.length, 1);
          const pdf = await request('GET', `/v1/files/${ebook.files[0]?.id}/content`);
          assert.equal(pdf.statusCode, 200);
          assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
          assert.equal((await request('GET', '/f/fulfillment-handbook', undefined, '')).statusCode, 200);
          await app.dispatcher.drain();
          assert.equal(
            dataOf(await request('GET', '/v1/emails?template=digital.delivery&limit=1')).length,
            1,
            'a digital order was e-mailed',
          );
        });
        if (full) {
          const again = await cli(['demo'], db.env);
          assert.equal(again.code, 1, show(again));
          assert.match(again.stderr, /^fulfill: the demo data is already loaded/);
        }
        const verified = await cli(['inventory', 'verify'], db.env);
        assert.equal(verified.code, 0, show(verified));
        assert.match(verified.stdout, /^OK: \d+ levels, \d+ movements checked\n$/);

        // Stock the import will use: IMP-A 10, IMP-B 3 at one warehouse.
        await db.inProcess(async (request) => {
          const calls: [string, unknown][] = [
            [
              '/v1/locations',
              {
                code: 'IMP-WH',
                name: 'Import warehouse',
                kind: 'warehouse',
                priority: 0,
                address: { line1: '1 Dock Rd', city: 'Newark', postal_code: '07102', country: 'US' },
              },
            ],
            ['/v1/items', { sku: 'IMP-A', name: 'Import A', kind: 'physical', weight_g: 100, inventory_policy: 'deny' }],
            ['/v1/items', { sku: 'IMP-B', name: 'Import B', kind: 'physical', weight_g: 200, inventory_policy: 'deny' }],
            [
              '/v1/inventory/receipts',
              {
                location: 'IMP-WH',
                lines: [
                  { sku: 'IMP-A', quantity: 10 },
                  { sku: 'IMP-B', quantity: 3 },
                ],
              },
            ],
          ];
          for (const [url, payload] of calls) {
            const res = await request('POST', url, payload);
            assert.equal(res.statusCode, 201, res.body);
          }
        });

        await checkCsvImport(db, full);
        await checkNdjsonImport(db, full);
        await db.inProcess(async (request) => {
          const [level] = dataOf<{ on_hand: number; reserved: number }>(await request('GET', '/v1/inventory?sku=IMP-A&location=IMP-WH'));
          // CSV: C-1 2, C-2 1, C-7 1; NDJSON: N-1 1, N-6 2 (and N-9 1 on the full run).
          assert.deepEqual([level?.on_hand, level?.reserved], [10, 4 + 3 + (full ? 1 : 0)]);
        });
        const json = await cli(['inventory', 'verify', '--json'], db.env);
        assert.equal(json.code, 0, show(json));
        const report = JSON.parse(json.stdout);
        assert.equal(report.ok, true, json.stdout);
        assert.ok(report.levels_checked > 0 && report.movements_checked > 0, json.stdout);
        assert.deepEqual([report.ledger_mismatches, report.reservation_mismatches], [[], []]);

        if (full) await checkKeys(db);
      } finally {
        await db.drop();
      }
    });
  }
});

async function checkCsvImport(db: CliDatabase, reimport: boolean): Promise<void> {
  const file = path.join(db.dir, 'orders.csv');
  fs.writeFileSync(file, csvFile);
  const first = await cli(['import', file], db.env);
  assert.equal(first.code, 3, show(first));
  assert.match(first.stdout, /^read 9 orders: 3 created, 1 already existed, 5 rejected in \d+\.\d\d s \(\d+ orders\/s\)\n/);
  assert.match(first.stdout, new RegExp(`rejected rows and why: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.rejects\\.ndjson\\n$`));
  const rejects = readRejects(`${file}.rejects.ndjson`);
  assert.deepEqual(
    rejects.map((r) => [r.row, r.external_id, r.code]),
    [
      [5, 'C-3', 'validation_failed'],
      [6, 'C-4', 'validation_failed'],
      [7, 'C-5', 'unknown_sku'],
      [8, 'C-6', 'insufficient_stock'],
      [12, 'C-8', 'validation_failed'],
    ],
  );
  for (const r of rejects) assert.equal(r.channel, 'csvfile');
  assert.deepEqual(
    rejects[0]?.errors?.map((e) => e.pointer),
    ['/currency'],
  );
  assert.deepEqual(
    rejects[1]?.errors?.map((e) => e.pointer),
    ['/customer/email'],
  );
  assert.match(rejects[2]?.detail ?? '', /NOPE-1/);
  assert.match(rejects[3]?.detail ?? '', /IMP-B: 99 requested, 2 available/);
  assert.deepEqual(
    rejects[4]?.errors?.map((e) => e.pointer),
    ['/lines/0/quantity'],
  );

  await db.inProcess(async (request) => {
    const orders = dataOf<OrderJson>(await request('GET', '/v1/orders?channel=csvfile'));
    assert.deepEqual(orders.map((o) => o.external_id).sort(), ['C-1', 'C-2', 'C-7']);
    const c1 = orders.find((o) => o.external_id === 'C-1') as OrderJson;
    // Every column lands where docs/import.md says.
    assert.deepEqual(c1.customer, { email: 'ann@example.com', name: 'Ann Lee', phone: '+15555550100' });
    assert.deepEqual(c1.shipping_address, {
      name: 'Ann Lee',
      company: 'Acme Inc',
      line1: '1 Main St',
      line2: 'Suite 5',
      city: 'Springfield',
      region: 'IL',
      postal_code: '62701',
      country: 'US',
    });
    assert.deepEqual([c1.currency, c1.service_level, c1.promise_date, c1.note], ['USD', 'express', '2030-01-15', 'gift wrap, please']);
    assert.deepEqual(
      c1.lines.map((l) => [l.line_no, l.sku, l.quantity, l.unit_price]),
      [
        [1, 'IMP-A', 2, 1999],
        [2, 'IMP-B', 1, 500],
      ],
    );
    assert.equal(c1.subtotal, 2 * 1999 + 500);
    const c7 = orders.find((o) => o.external_id === 'C-7') as OrderJson;
    assert.equal(c7.note, 'two\nlines');
    assert.equal(c7.service_level, 'standard');
  });

  if (!reimport) return;
  // The same file again creates nothing: every good order already exists, the bad rows are rejected again.
  const second = await cli(['import', '--no-progress', file], db.env);
  assert.equal(second.code, 3, show(second));
  assert.match(second.stdout, /^read 9 orders: 0 created, 4 already existed, 5 rejected /);
  assert.equal(readRejects(`${file}.rejects.ndjson`).length, 5);
  await db.inProcess(async (request) => {
    assert.equal(dataOf(await request('GET', '/v1/orders?channel=csvfile')).length, 3);
  });
}

async function checkNdjsonImport(db: CliDatabase, full: boolean): Promise<void> {
  const file = path.join(db.dir, 'orders.ndjson');
  const rejectsFile = path.join(db.dir, 'ndjson-rejects.ndjson');
  fs.writeFileSync(file, ndjsonFile);
  const first = await cli(['import', file, '--rejects', rejectsFile, '--batch-size', '2'], db.env);
  assert.equal(first.code, 3, show(first));
  assert.match(first.stdout, /^read 8 orders: 2 created, 1 already existed, 5 rejected /);
  const rejects = readRejects(rejectsFile);
  assert.deepEqual(
    rejects.map((r) => [r.row, r.external_id, r.code]),
    [
      [2, null, 'malformed_json'],
      [4, 'N-3', 'validation_failed'],
      [5, 'N-4', 'unknown_sku'],
      [6, 'N-5', 'insufficient_stock'],
      [9, null, 'validation_failed'],
    ],
  );
  assert.match(rejects[0]?.detail ?? '', /not valid JSON/);
  assert.deepEqual(
    rejects[1]?.errors?.map((e) => e.pointer),
    ['/lines/0/quantity'],
  );
  assert.match(rejects[3]?.detail ?? '', /IMP-B: 50 requested, 2 available/);
  assert.match(rejects[4]?.detail ?? '', /must be object/);
  assert.equal(fs.existsSync(`${file}.rejects.ndjson`), false, '--rejects is honoured');

  if (full) {
    const second = await cli(['import', file, '--rejects', rejectsFile], db.env);
    assert.equal(second.code, 3, show(second));
    assert.match(second.stdout, /^read 8 orders: 0 created, 3 already existed, 5 rejected /);
    // A file with nothing to reject exits 0 and leaves no rejects file.
    const clean = path.join(db.dir, 'clean.jsonl');
    fs.writeFileSync(clean, `${ndjsonOrder('N-9', [{ sku: 'IMP-A', quantity: 1, unit_price: 100 }])}\n`);
    const ok = await cli(['import', clean], db.env);
    assert.equal(ok.code, 0, show(ok));
    assert.equal(ok.stdout.split('\n').length, 2, show(ok));
    assert.match(ok.stdout, /^read 1 orders: 1 created, 0 already existed, 0 rejected /);
    assert.equal(fs.existsSync(`${clean}.rejects.ndjson`), false);
  }
  await db.inProcess(async (request) => {
    const orders = dataOf<OrderJson>(await request('GET', '/v1/orders?channel=ndjsonfile'));
    assert.deepEqual(orders.map((o) => o.external_id).sort(), full ? ['N-1', 'N-6', 'N-9'] : ['N-1', 'N-6']);
  });
}

async function checkKeys(db: CliDatabase): Promise<void> {
  const created = await cli(['keys', 'create', '--name', 'x', '--scope', 'orders:read'], db.env);
  assert.equal(created.code, 0, show(created));
  const key = created.stdout.trim();
  assert.match(key, /^fk_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/, show(created));
  const id = /^created (\S+) \(orders:read\); store the key now/.exec(created.stderr)?.[1];
  assert.ok(id, show(created));

  await db.inProcess(async (request) => {
    assert.equal((await request('GET', '/v1/orders?channel=csvfile', undefined, key)).statusCode, 200);
    const denied = await request('POST', '/v1/orders/batch', { orders: [] }, key);
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal((await request('GET', '/v1/orders', undefined, `${key}x`)).statusCode, 401);
  });

  const listed = await cli(['keys', 'list'], db.env);
  assert.equal(listed.code, 0, show(listed));
  const row = listed.stdout.split('\n').find((l) => l.startsWith(`${id}\t`));
  assert.ok(row, show(listed));
  assert.deepEqual(row.split('\t').slice(2), ['x', 'orders:read', 'active']);
  // The secret is everything after the id; it is base64url, so it may hold '_' itself.
  const secret = key.split('_').slice(2).join('_');
  assert.ok(secret.length >= 20 && !listed.stdout.includes(secret), 'the secret is never listed');

  const revoked = await cli(['keys', 'revoke', id], db.env);
  assert.equal(revoked.code, 0, show(revoked));
  assert.equal(revoked.stdout, `revoked ${id}\n`);
  // A fresh app (no key cache) refuses the revoked key.
  await db.inProcess(async (request) => {
    assert.equal((await request('GET', '/v1/orders', undefined, key)).statusCode, 401);
  });
}
