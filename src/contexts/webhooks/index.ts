import type { PlatformDeps } from '../deps.js';
import type { OutboxModule } from '../outbox/index.js';
import { registerWebhookConfig, type WebhookOptions, webhookConfig } from './config.js';
import { webhookHandler } from './handler.js';
import { webhookSubscriber } from './subscriber.js';

export {
  type WebhookConfig,
  WebhookConfigError,
  type WebhookOptions,
  webhookAttemptsMax,
  webhookConfig,
  webhookLimits,
  webhookRetryScheduleMs,
} from './config.js';
export {
  type AttemptView,
  type DeliveryView,
  getDelivery,
  listAttempts,
  replayDelivery,
  replayEndpoint,
  sendTestEvent,
} from './deliveries.js';
export { type AddressClass, classifyAddress } from './domain/address.js';
export { type EventTypeInfo, testEventType, webhookEventTypes } from './domain/event-types.js';
export { newWebhookSecret, signWebhook } from './domain/signature.js';
export {
  createEndpoint,
  deleteEndpoint,
  type EndpointInput,
  type EndpointPatch,
  type EndpointView,
  getEndpoint,
  listEndpoints,
  type RotateOptions,
  rotateSecret,
  updateEndpoint,
} from './endpoints.js';
export { type AttemptResult, retryAfterMs } from './handler.js';
export { checkTarget, DeliveryRefused, DeliveryTimeout, postJson } from './http-client.js';
export { deliveryKey, type WebhookJobPayload, type WebhookMessage, webhookJobKind } from './subscriber.js';

/**
 * What the webhooks area plugs into the outbox: the subscriber that turns published events into one
 * delivery job per subscribed endpoint, and the handler that signs and sends them (docs/webhooks.md).
 */
export function webhooksModule(deps: PlatformDeps, options: WebhookOptions = {}): OutboxModule {
  const config = webhookConfig(options);
  registerWebhookConfig(deps.db, config);
  return { subscribers: [webhookSubscriber], handlers: [webhookHandler(deps, config)] };
}
