import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';

/** What the webhooks area plugs into the outbox (subscribers, job handlers, tickers). */
export function webhooksModule(_deps: PlatformDeps): OutboxModule {
  return {};
}
