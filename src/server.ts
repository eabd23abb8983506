import type { FastifyInstance } from 'fastify';
import { type App, compose, composeOptions } from './compose.js';
import { purgeIdempotencyKeys } from './contexts/orders/index.js';
import { buildHttpApp } from './http/app.js';
import type { Config } from './kernel/config.js';

/** How often the server forgets idempotency keys past their retention. */
const idempotencyPurgeIntervalMs = 3_600_000;

/** Starts the API server and stops it cleanly on SIGINT/SIGTERM: in-flight orders commit before exit. */
export async function serve(config: Config): Promise<{ app: App; http: FastifyInstance }> {
  const app = await compose(composeOptions(config));
  const http = await buildHttpApp(app, { logLevel: config.logLevel });
  await http.listen({ port: config.port, host: config.host });
  // The outbox dispatcher sends what committed transactions queued: after a crash it picks up where it was.
  if (config.dispatcher) app.dispatcher.start();
  const purge = () => purgeIdempotencyKeys(app).catch((error) => http.log.error({ err: error }, 'idempotency purge failed'));
  void purge();
  const purgeTimer = setInterval(purge, idempotencyPurgeIntervalMs);
  purgeTimer.unref();
  const stop = async (signal: string) => {
    http.log.info({ signal }, 'shutting down');
    clearInterval(purgeTimer);
    await http.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return { app, http };
}
