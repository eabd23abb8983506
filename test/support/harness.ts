import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type App, type ComposeOptions, compose } from '../../src/compose.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { Clock } from '../../src/kernel/clock.js';
import type { IdGenerator } from '../../src/kernel/ids.js';
import type { DialectName } from '../../src/storage/index.js';
import { createTestDatabase, type TestDatabase } from './dialects.js';

export const adminKey = 'test-admin-key-0123456789abcdef';
export const adminHeaders = { authorization: `Bearer ${adminKey}` };

export interface TestApp {
  readonly dialect: DialectName;
  readonly app: App;
  readonly http: FastifyInstance;
  readonly database: TestDatabase;
  /** A fresh directory for files (e-mails written as .eml, digital deliverables); removed on close. */
  readonly dataDir: string;
  /** Runs the outbox (events -> jobs -> sends) until nothing is due at the app's clock time. */
  drain(): Promise<void>;
  /** In-process HTTP with the admin key unless headers say otherwise. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly poolSize?: number;
  /** Carrier wiring passed through to `compose` (extra adapters, EasyPost against a local fake, a rate sheet). */
  readonly compose?: Pick<
    ComposeOptions,
    | 'carriers'
    | 'easypostApiKey'
    | 'easypostBaseUrl'
    | 'rateSheetPath'
    | 'gs1CompanyPrefix'
    | 'publicUrl'
    | 'secret'
    | 'smtpUrl'
    | 'mailFrom'
    | 'dispatcherOptions'
    | 'webhooks'
    | 'easypostWebhookSecret'
    | 'trackingStuckHours'
  >;
}

/** A real app on a real, empty database of the given dialect. Always `close()` it (it drops the database). */
export async function createTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulfill-test-'));
  const app = await compose({
    dataDir,
    ...(database.sqliteFile ? { sqliteFile: database.sqliteFile } : {}),
    ...(database.databaseUrl ? { databaseUrl: database.databaseUrl, searchPath: database.searchPath } : {}),
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    adminKey,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.compose ?? {}),
  });
  const http = await buildHttpApp(app, { logLevel: process.env.TEST_LOG_LEVEL ?? false });
  const request = (o: InjectOptions) => http.inject({ ...o, headers: { ...adminHeaders, ...(o.headers ?? {}) } });
  return {
    dialect,
    app,
    http,
    database,
    dataDir,
    drain: () => app.dispatcher.drain(),
    request,
    get: (url, headers = {}) => request({ method: 'GET', url, headers }),
    post: (url, payload, headers = {}) => request({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers }),
    async close() {
      await http.close();
      await app.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
