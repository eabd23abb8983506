import type { Clock } from '../kernel/clock.js';
import type { IdGenerator } from '../kernel/ids.js';
import type { Db } from '../storage/index.js';

/** What every use case needs from the outside world: storage, time and ids, all replaceable in tests. */
export interface Deps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Who did it: an API key id, `admin` (bootstrap key), `cli` or `system`. Recorded on every change. */
export type Actor = string;

/**
 * What the capabilities after the core need besides storage, time and ids: where public links point, the
 * server's signing key, and where files live.
 */
export interface PlatformDeps extends Deps {
  /** Base of public links (tracking pages, downloads, forms), without a trailing slash. */
  readonly publicUrl: string;
  /** HMAC key for signed links and tokens. Never logged, never sent. */
  readonly secret: Buffer;
  /** Directory for files (e-mail .eml files, digital deliverables). */
  readonly dataDir: string;
}
