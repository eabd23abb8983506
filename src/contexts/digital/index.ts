import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';

/** What the digital area plugs into the outbox (subscribers, job handlers, tickers). */
export function digitalModule(_deps: PlatformDeps): OutboxModule {
  return {};
}
