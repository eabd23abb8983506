import type { PlatformDeps } from '../deps.js';
import type { EventSubscriber, OutboxModule } from '../outbox/index.js';
import { deliverFulfillmentOrders, digitalActor } from './delivery.js';
import { withdrawAccess } from './entitlements.js';
import './templates.js';
import './delivery-email.js';

export { entitlementToken } from './crypto.js';
export { deliverFulfillmentOrders, digitalActor, merchantEmail, sizeLabel } from './delivery.js';
export {
  authorizeDownload,
  type DeliveryView,
  deliveryViews,
  entitlementAdminView,
  entitlementState,
  extendEntitlement,
  findEntitlementByToken,
  orderEntitlements,
  type Refusal,
  refundOrder,
  refusals,
  resendDelivery,
  revokeEntitlement,
  withdrawAccess,
} from './entitlements.js';
export { generateLicenseKey, keyAlphabet, normalizeLicenseKey } from './license-key.js';
export {
  activateLicense,
  deactivateLicense,
  fingerprintPattern,
  licenseStatus,
  licenseStatuses,
  listOrderLicenses,
  RateLimiter,
  setLicenseStatus,
  validateLicense,
  validationCodes,
} from './licenses.js';
export {
  addPoolCodes,
  type DigitalProductInput,
  digitalLimits,
  getDigitalProduct,
  parsePoolCsv,
  poolCounts,
  putDigitalProduct,
} from './products.js';
export { deliveryTemplate, digitalTemplates, poolEmptyTemplate } from './templates.js';

/**
 * Delivery is a subscriber, not a job: it only touches the database (entitlement, keys, the e-mail row and
 * its job), so it runs inside the router's transaction as soon as the order's events are routed, at most
 * one dispatcher poll (100 ms) after the order was accepted. Released holds deliver what they released;
 * cancellation withdraws access (refunds withdraw it in the refund's own transaction).
 */
function deliverySubscriber(deps: PlatformDeps): EventSubscriber {
  return {
    name: 'digital.delivery',
    types: ['order.created', 'order.hold_released', 'order.cancelled'],
    async handle(tx, events) {
      const foIds: string[] = [];
      for (const event of events) {
        if (event.type === 'order.created') {
          const fos = (event.data.fulfillment_orders ?? []) as { id: string; path: string }[];
          for (const fo of fos) if (fo.path === 'digital') foIds.push(fo.id);
        } else if (event.type === 'order.hold_released') {
          foIds.push(...((event.data.released_fulfillment_orders ?? []) as string[]));
        } else if (event.type === 'order.cancelled' && event.orderId) {
          await withdrawAccess(tx, deps, { orderId: event.orderId }, 'order cancelled', 'suspend', digitalActor);
        }
      }
      await deliverFulfillmentOrders(tx, deps, foIds);
    },
  };
}

/** What the digital area plugs into the outbox. */
export function digitalModule(deps: PlatformDeps): OutboxModule {
  return { subscribers: [deliverySubscriber(deps)] };
}
