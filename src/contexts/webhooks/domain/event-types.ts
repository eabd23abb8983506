/**
 * The event types a webhook endpoint can subscribe to: the public catalog (docs/webhooks.md and
 * `GET /v1/webhooks/event-types`). Internal events (inventory movements, parcel bookkeeping) are not in it
 * and are never sent. Adding a type is backwards compatible; renaming or removing one is not.
 */
export interface EventTypeInfo {
  readonly type: string;
  readonly description: string;
}

export const webhookEventTypes: readonly EventTypeInfo[] = [
  { type: 'order.created', description: 'An order was accepted: lines sourced to locations and stock reserved.' },
  { type: 'order.cancelled', description: 'An order was cancelled as a whole; its reservations were released.' },
  { type: 'order.lines_cancelled', description: 'Some line quantities of an order were cancelled; the rest goes on.' },
  { type: 'order.hold_placed', description: 'A hold stopped work on an order or one of its fulfillment orders.' },
  { type: 'order.hold_released', description: 'A hold was released; the held work can go on.' },
  { type: 'order.backordered', description: 'Some units could not be reserved and wait for stock.' },
  { type: 'order.backorder_allocated', description: 'Stock arrived and backordered units were reserved.' },
  { type: 'order.refunded', description: 'A refund was recorded for an order (digital access to the refunded lines is withdrawn).' },
  { type: 'fulfillment_order.released', description: 'A fulfillment order was released to the floor in a wave.' },
  { type: 'fulfillment_order.packed', description: 'A fulfillment order was packed into parcels.' },
  { type: 'fulfillment_order.shipped', description: 'A fulfillment order left the building: parcels labelled and handed over.' },
  { type: 'shipment.status_changed', description: 'A shipment moved to a new canonical tracking status.' },
  { type: 'shipment.delivered', description: 'A shipment was delivered.' },
  { type: 'shipment.delayed', description: 'An open shipment was flagged late or stuck.' },
  { type: 'digital.delivered', description: 'A digital entitlement (download link or license key) was issued to the customer.' },
  { type: 'digital.downloaded', description: 'A customer downloaded a digital deliverable.' },
  { type: 'digital.revoked', description: 'A digital entitlement was revoked.' },
  { type: 'license.activated', description: 'A license key was activated on a device.' },
  { type: 'license.deactivated', description: 'A machine was deactivated from a license key.' },
  { type: 'lead.created', description: 'A lead-generation form was submitted (with consent) by a new person: a new lead.' },
  { type: 'lead.resubmitted', description: 'A lead submitted the same form again; its data was updated and the submission counted.' },
  { type: 'lead.confirmed', description: 'A lead clicked its double opt-in link: the asset is sent and the lead forwarded.' },
  { type: 'lead.forwarded', description: 'A lead submission was delivered to one of its CRM destinations.' },
  { type: 'lead.erased', description: "A lead's personal data was erased (GDPR); the event carries ids only." },
  { type: 'webhook_endpoint.disabled', description: 'A webhook endpoint was disabled (410 Gone, or failing for too long).' },
];

/** Sent by `POST /v1/webhooks/endpoints/:id/test` only; endpoints need not subscribe to it. */
export const testEventType = 'webhook.test';

export const allEventTypes = '*';

const published = new Set(webhookEventTypes.map((t) => t.type));

export const isPublishedEventType = (type: string): boolean => published.has(type);

/** Whether an endpoint with these subscriptions wants an event of `type`. */
export function subscribes(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes(type) || (eventTypes.includes(allEventTypes) && published.has(type));
}
