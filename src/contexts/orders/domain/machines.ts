import type { StateMachine } from '../../../kernel/state-machine.js';

export const orderStatuses = ['open', 'backordered', 'partially_fulfilled', 'fulfilled', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export type OrderAction = 'backorder' | 'clear_backorder' | 'fulfill_part' | 'fulfill' | 'cancel';

/**
 * The order lifecycle. `backordered` means some quantity waits for stock; holds are not a status but a
 * list on the order (several may stand at once) that puts its fulfillment orders on hold.
 */
export const orderMachine: StateMachine<OrderStatus, OrderAction> = {
  name: 'order',
  states: orderStatuses,
  terminal: ['fulfilled', 'cancelled'],
  transitions: {
    backorder: { from: ['open', 'partially_fulfilled'], to: 'backordered' },
    clear_backorder: { from: ['backordered'], to: 'open' },
    fulfill_part: { from: ['open', 'backordered', 'partially_fulfilled'], to: 'partially_fulfilled' },
    fulfill: { from: ['open', 'backordered', 'partially_fulfilled'], to: 'fulfilled' },
    cancel: { from: ['open', 'backordered'], to: 'cancelled' },
  },
};

export const fulfillmentOrderStatuses = ['open', 'on_hold', 'in_progress', 'fulfilled', 'cancelled'] as const;
export type FulfillmentOrderStatus = (typeof fulfillmentOrderStatuses)[number];
export type FulfillmentOrderAction = 'hold' | 'release_hold' | 'start' | 'return_to_open' | 'fulfill' | 'cancel' | 'close_empty';

/**
 * The fulfillment order lifecycle: the unit of work for one location (or the digital path).
 * `in_progress` is work released to the floor (a wave); held or cancelled work is never released.
 */
export const fulfillmentOrderMachine: StateMachine<FulfillmentOrderStatus, FulfillmentOrderAction> = {
  name: 'fulfillment order',
  states: fulfillmentOrderStatuses,
  terminal: ['fulfilled', 'cancelled'],
  transitions: {
    hold: { from: ['open'], to: 'on_hold' },
    release_hold: { from: ['on_hold'], to: 'open' },
    start: { from: ['open'], to: 'in_progress' },
    return_to_open: { from: ['in_progress'], to: 'open' },
    fulfill: { from: ['open', 'in_progress'], to: 'fulfilled' },
    cancel: { from: ['open', 'on_hold'], to: 'cancelled' },
    /** Released work whose every unit was short-picked and sent elsewhere: nothing is left to do here. */
    close_empty: { from: ['in_progress'], to: 'cancelled' },
  },
};

export const holdReasons = ['payment', 'fraud', 'address', 'inventory', 'manual'] as const;
export type HoldReason = (typeof holdReasons)[number];
