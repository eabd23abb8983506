import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';

/** What the leads area plugs into the outbox (subscribers, job handlers, tickers). */
export function leadsModule(_deps: PlatformDeps): OutboxModule {
  return {};
}
