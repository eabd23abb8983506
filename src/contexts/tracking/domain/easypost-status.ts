import type { CanonicalStatus } from './status.js';

/**
 * EasyPost tracker statuses (pre_transit, in_transit, out_for_delivery, delivered, available_for_pickup,
 * return_to_sender, failure, cancelled, error, unknown) plus their `status_detail` mapped to the canonical
 * status and a reason. The reason is the status detail when it is one of EasyPost's snake_case codes.
 */
export interface MappedStatus {
  readonly status: CanonicalStatus;
  readonly reason: string;
}

/** Details that make an in-transit scan an exception: the parcel is not moving as planned. */
const exceptionDetails: ReadonlySet<string> = new Set([
  'address_correction',
  'awaiting_information',
  'damaged',
  'delayed',
  'delivery_exception',
  'lost',
  'missorted',
  'weather_delay',
  'held',
  'customs_held',
  'exception',
]);

/** Details that mean a delivery attempt failed. */
const failedAttemptDetails: ReadonlySet<string> = new Set(['failed_attempt', 'refused', 'recipient_unavailable', 'address_not_found']);

const detailPattern = /^[a-z][a-z0-9_]{0,47}$/;

const direct: Readonly<Record<string, CanonicalStatus>> = {
  pre_transit: 'pre_transit',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  delivered: 'delivered',
  available_for_pickup: 'available_for_pickup',
  return_to_sender: 'return_to_sender',
  cancelled: 'cancelled',
};

export function mapEasyPostStatus(rawStatus: string, rawDetail: string | null | undefined): MappedStatus {
  const status = rawStatus.trim().toLowerCase();
  const detail = rawDetail?.trim().toLowerCase() ?? '';
  const known = detailPattern.test(detail) && detail !== 'status_update' && detail !== 'unknown' ? detail : '';
  const reason = (fallback: string) => known || fallback;
  if (status === 'failure') {
    return detail === 'lost' || detail === 'damaged'
      ? { status: 'exception', reason: detail }
      : { status: 'delivery_failed', reason: reason('delivery_failed') };
  }
  if (status === 'error') return { status: 'exception', reason: reason('carrier_error') };
  if (status === 'in_transit' || status === 'out_for_delivery') {
    if (failedAttemptDetails.has(detail)) return { status: 'delivery_failed', reason: detail };
    if (exceptionDetails.has(detail)) return { status: 'exception', reason: detail };
  }
  const canonical = direct[status];
  if (canonical !== undefined) return { status: canonical, reason: reason(canonical) };
  return { status: 'unknown', reason: detailPattern.test(status) ? `unmapped_${status}`.slice(0, 48) : 'unmapped' };
}
