import type { Address } from '../../catalog/index.js';
import type { FulfillmentOrderStatus, HoldReason, OrderStatus } from './machines.js';

export interface OrderLineInput {
  readonly sku: string;
  readonly quantity: number;
  readonly unit_price: number;
}

export interface OrderInput {
  readonly channel: string;
  readonly external_id: string;
  readonly currency: string;
  readonly customer: { readonly email: string; readonly name?: string | undefined; readonly phone?: string | undefined };
  readonly shipping_address?: Address | undefined;
  readonly lines: readonly OrderLineInput[];
  readonly service_level?: string | undefined;
  readonly promise_date?: string | undefined;
  readonly note?: string | undefined;
  /** The customer's language (BCP 47) for e-mails and pages; from the shipping country when absent. */
  readonly locale?: string | undefined;
  readonly holds?: readonly { readonly reason: HoldReason; readonly note?: string | undefined }[] | undefined;
}

export const serviceLevelDefault = 'standard';

/** An item as intake needs it. */
export interface IntakeItem {
  readonly id: string;
  readonly sku: string;
  readonly kind: 'physical' | 'digital' | 'service';
  readonly policy: 'deny' | 'continue';
}

export interface OrderLineView {
  readonly id: string;
  readonly line_no: number;
  readonly sku: string;
  readonly kind: string;
  readonly quantity: number;
  readonly cancelled_quantity: number;
  readonly backordered_quantity: number;
  readonly unit_price: number;
  readonly total: number;
}

export interface FulfillmentOrderView {
  readonly id: string;
  readonly order_id: string;
  readonly location: string | null;
  readonly path: string;
  readonly status: FulfillmentOrderStatus;
  readonly lines: readonly {
    readonly id: string;
    readonly line_id: string;
    readonly sku: string;
    readonly quantity: number;
    readonly cancelled_quantity: number;
  }[];
  readonly created_at: string;
  readonly updated_at: string;
}

export interface HoldView {
  readonly id: string;
  readonly reason: HoldReason;
  readonly note: string | null;
  readonly status: 'active' | 'released';
  readonly fulfillment_order_id: string | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly released_by: string | null;
  readonly released_at: string | null;
}

export interface OrderView {
  readonly id: string;
  readonly channel: string;
  readonly external_id: string;
  readonly status: OrderStatus;
  readonly on_hold: boolean;
  readonly currency: string;
  readonly customer: OrderInput['customer'];
  readonly shipping_address: Address | null;
  readonly service_level: string;
  readonly promise_date: string | null;
  readonly note: string | null;
  readonly locale: string | null;
  readonly subtotal: number;
  readonly unit_count: number;
  readonly cancel_reason: string | null;
  readonly lines: readonly OrderLineView[];
  readonly fulfillment_orders: readonly FulfillmentOrderView[];
  readonly holds: readonly HoldView[];
  readonly created_at: string;
  readonly updated_at: string;
}
