import { type App, compose, composeOptions } from './compose.js';
import type { Config } from './kernel/config.js';

/**
 * Runs only the outbox dispatcher (no HTTP): e-mails, webhooks, CRM forwards, tracking polls. Start API
 * servers with FULFILL_DISPATCHER=0 and one or more of these beside them (on SQLite exactly one dispatcher
 * may run: this one or the server's). Stops cleanly on SIGINT/SIGTERM after the jobs in hand are recorded.
 */
export async function work(config: Config): Promise<App> {
  const app = await compose(composeOptions(config));
  app.dispatcher.start();
  console.log(JSON.stringify({ level: 'info', msg: 'outbox worker started', database: app.db.dialect }));
  const stop = async (signal: string) => {
    console.log(JSON.stringify({ level: 'info', msg: 'outbox worker stopping', signal }));
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return app;
}
