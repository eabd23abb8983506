/**
 * The tracking context's public surface (docs/tracking.md): carrier scans in (EasyPost webhooks, the API,
 * polling), one canonical status per shipment that never moves backwards, promise dates with late and stuck
 * flags, the customer's shipment e-mails and the public tracking page.
 */
import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';
import type { CarrierAdapter } from '../shipping/index.js';
import { flagTicker } from './flags.js';
import { trackingLimits } from './limits.js';
import { pollTicker } from './poll.js';
import { shippedSubscriber } from './start.js';
import './templates.js';

export { mapEasyPostStatus } from './domain/easypost-status.js';
export {
  type CanonicalStatus,
  canonicalStatuses,
  isCanonicalStatus,
  isTerminal,
  type Scan,
  terminalStatuses,
} from './domain/status.js';
export { easyPostSignature, easyPostSignatureHeader, parseEasyPostEvent, verifyEasyPostSignature } from './easypost-webhook.js';
export { type Flag, flagDelays } from './flags.js';
export { type IncomingScan, ingestUpdates, type TrackerUpdate, type UpdateOutcome } from './ingest.js';
export { TrackingIngestQueue } from './ingest-queue.js';
export { trackingLimits } from './limits.js';
export { renderNotFoundPage, renderTrackingPage } from './page.js';
export { pollOnce } from './poll.js';
export {
  getTracking,
  listFlagged,
  type PublicTracking,
  publicTracking,
  type TimelineEntry,
  type TrackingView,
} from './queries.js';
export { type CanonicalScanInput, canonicalScan } from './scans.js';
export { trackingToken, trackingUrl } from './token.js';

export interface TrackingOptions {
  /** Hours without a scan after which an open shipment is stuck (TRACKING_STUCK_HOURS). */
  readonly stuckHours?: number | undefined;
}

/** What the tracking area plugs into the outbox: the shipped subscriber, carrier polling and the late/stuck flags. */
export function trackingModule(
  deps: PlatformDeps & { readonly carriers?: ReadonlyMap<string, CarrierAdapter> },
  options: TrackingOptions = {},
): OutboxModule {
  return {
    subscribers: [shippedSubscriber(deps)],
    tickers: [pollTicker(deps, deps.carriers ?? new Map()), flagTicker(deps, options.stuckHours ?? trackingLimits.stuckHoursDefault)],
  };
}
