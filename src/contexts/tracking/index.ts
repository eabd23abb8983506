import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';

/** What the tracking area plugs into the outbox (subscribers, job handlers, tickers). */
export function trackingModule(_deps: PlatformDeps): OutboxModule {
  return {};
}
