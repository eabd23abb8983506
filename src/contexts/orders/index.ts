export { allocateBackorders } from './backorders.js';
export { type CancelInput, cancelOrder } from './cancel.js';
export * from './domain/machines.js';
export type { FulfillmentOrderView, HoldView, OrderInput, OrderLineView, OrderView } from './domain/types.js';
export {
  activeHoldOn,
  activeOrderHold,
  fulfillShipped,
  openFulfillmentOrder,
  reallocateShortPick,
  recordOrderEvent,
  refreshOrderStatus,
  refreshOrderStatuses,
  type ShortPick,
  startFulfillmentOrders,
} from './fulfillment.js';
export { type HoldInput, placeHold, releaseHold } from './holds.js';
export { purgeIdempotencyKeys } from './idempotency.js';
export { type IdempotencyClaim, type IntakeOutcome, type IntakeRequest, type OrdersDeps, placeOrder, placeOrders } from './intake.js';
export { IntakeQueue } from './intake-queue.js';
export { moveFulfillmentOrder, moveOrder } from './order-change.js';
export {
  type FulfillmentOrderListQuery,
  getFulfillmentOrder,
  getOrder,
  listFulfillmentOrders,
  listOrderEvents,
  listOrders,
  type OrderListQuery,
} from './queries.js';
