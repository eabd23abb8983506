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
