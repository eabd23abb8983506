import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';

/** What the mail area plugs into the outbox (subscribers, job handlers, tickers). */
export function mailModule(_deps: PlatformDeps): OutboxModule {
  return {};
}
