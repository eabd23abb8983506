import { pickLocale } from '../../kernel/locale.js';
import type { Tx } from '../../storage/index.js';
import type { PlatformDeps } from '../deps.js';
import type { EmailRequest } from '../mail/index.js';
import type { CanonicalStatus, Milestone } from './domain/status.js';
import { statusLabels } from './i18n.js';
import { trackingUrl } from './token.js';

/** What the chosen rate recorded on the parcel says about the service (`rate_choice`, written when the label was bought). */
export interface ServiceFacts {
  readonly carrierName: string;
  readonly serviceName: string;
  readonly transitDays: number | null;
  readonly estimatedDelivery: string | null;
}

export function serviceFacts(rateChoice: string, fallback: { carrier: string; service: string }): ServiceFacts {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(rateChoice) as unknown;
    if (value !== null && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // An unreadable record only costs the expected date.
  }
  const quote = (parsed.chosen_quote ?? {}) as Record<string, unknown>;
  const text = (v: unknown, d: string) => (typeof v === 'string' && v !== '' ? v : d);
  const transit = quote.transitDays;
  const estimated = parsed.estimated_delivery;
  return {
    carrierName: text(quote.carrierName, fallback.carrier),
    serviceName: text(quote.serviceName, fallback.service),
    transitDays: typeof transit === 'number' && Number.isInteger(transit) && transit >= 0 && transit <= 60 ? transit : null,
    estimatedDelivery: typeof estimated === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(estimated) ? estimated : null,
  };
}

/** The customer side of a shipment, for e-mails: loaded in one query per batch. */
export interface CustomerFacts {
  readonly shipmentId: string;
  readonly orderId: string;
  readonly orderNumber: string;
  readonly email: string;
  readonly name: string | null;
  readonly locale: 'en' | 'pt-BR';
  readonly city: string | null;
  readonly carrierName: string;
  readonly serviceName: string;
  readonly trackingNumbers: readonly string[];
}

export async function loadCustomerFacts(tx: Tx, shipmentIds: readonly string[]): Promise<Map<string, CustomerFacts>> {
  const out = new Map<string, CustomerFacts>();
  for (let i = 0; i < shipmentIds.length; i += 500) {
    const rows = await tx
      .selectFrom('shipments as s')
      .innerJoin('orders as o', 'o.id', 's.order_id')
      .select([
        's.id',
        's.order_id',
        's.carrier',
        's.service',
        's.tracking_numbers',
        's.rate_choice',
        'o.external_id',
        'o.customer_email',
        'o.customer',
        'o.shipping_address',
        'o.locale',
      ])
      .where('s.id', 'in', shipmentIds.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      const customer = JSON.parse(r.customer) as { name?: string };
      const address = JSON.parse(r.shipping_address) as { city?: string; country?: string } | null;
      const service = serviceFacts(r.rate_choice, { carrier: r.carrier, service: r.service });
      out.set(r.id, {
        shipmentId: r.id,
        orderId: r.order_id,
        orderNumber: r.external_id,
        email: r.customer_email,
        name: customer.name ?? null,
        locale: pickLocale(r.locale ?? null, address?.country ?? null),
        city: address?.city ?? null,
        carrierName: service.carrierName,
        serviceName: service.serviceName,
        trackingNumbers: (JSON.parse(r.tracking_numbers) as string[]).filter((n) => n !== ''),
      });
    }
  }
  return out;
}

/** Template names of the shipment e-mails, one per milestone (src/contexts/tracking/templates.ts). */
export const milestoneTemplates: Readonly<Record<Milestone, string>> = {
  shipped: 'shipment_shipped',
  out_for_delivery: 'shipment_out_for_delivery',
  delivered: 'shipment_delivered',
  problem: 'shipment_problem',
  delay: 'shipment_delay',
};

/** One e-mail per milestone and shipment, ever: the dedupe key says so. */
export function milestoneEmail(
  deps: PlatformDeps,
  facts: CustomerFacts,
  milestone: Milestone,
  extra: Record<string, unknown>,
): EmailRequest {
  return {
    to: facts.email,
    template: milestoneTemplates[milestone],
    locale: facts.locale,
    dedupeKey: `shipment:${facts.shipmentId}:${milestone}`,
    orderId: facts.orderId,
    subjectId: facts.shipmentId,
    data: {
      customer_name: facts.name,
      order_number: facts.orderNumber,
      carrier: facts.carrierName,
      service: facts.serviceName,
      tracking_numbers: facts.trackingNumbers,
      tracking_number: facts.trackingNumbers[0] ?? null,
      tracking_url: trackingUrl(deps.publicUrl, deps.secret, facts.shipmentId),
      ...(typeof extra.status === 'string'
        ? { status_label: statusLabels[facts.locale][extra.status as CanonicalStatus] ?? extra.status }
        : {}),
      ...extra,
    },
  };
}
