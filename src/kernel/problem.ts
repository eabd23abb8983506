/**
 * RFC 9457 problem documents. Every error a client sees is one of these codes: the catalog below
 * is the single source of truth for status and title, and docs/problems.md lists it for users.
 */
export const problemCatalog = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'The API key lacks the required scope' },
  not_found: { status: 404, title: 'No such resource' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The resource changed concurrently; retry' },
  already_exists: { status: 409, title: 'The resource already exists' },
  order_exists: { status: 409, title: 'An order with this channel order number already exists' },
  insufficient_stock: { status: 409, title: 'Not enough stock to accept the order' },
  illegal_transition: { status: 409, title: 'The requested state change is not allowed' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  unknown_sku: { status: 422, title: 'An order line names an unknown SKU' },
  unknown_location: { status: 422, title: 'The location does not exist' },
  location_inactive: { status: 422, title: 'The location is not active' },
  invalid_quantity: { status: 422, title: 'The quantity is not possible here' },
  not_stocked: { status: 422, title: 'The item does not carry stock' },
  not_cancellable: { status: 409, title: 'That quantity can no longer be cancelled' },
  limit_reached: { status: 409, title: 'A documented limit was reached' },
  hold_not_active: { status: 409, title: 'The hold is already released' },
  nothing_to_release: { status: 409, title: 'No work matches the wave filters' },
  wrong_bin: { status: 422, title: 'Nothing to pick at the scanned bin' },
  wrong_item: { status: 422, title: 'The scanned item is not the one to pick here' },
  over_pick: { status: 409, title: 'More units scanned than the pick list asks for' },
  not_picked: { status: 409, title: 'The units have not been picked' },
  wrong_box: { status: 422, title: 'The items do not fit the chosen box' },
  unknown_box: { status: 422, title: 'No such box in the catalog' },
  promise_unreachable: { status: 422, title: 'No carrier service delivers by the promise date' },
  carrier_error: { status: 502, title: 'The carrier refused or failed the request' },
  carrier_timeout: { status: 504, title: 'The carrier did not answer in time; retry' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
  // mail
  unknown_template: { status: 404, title: 'No e-mail template by that name' },
  template_invalid: { status: 422, title: 'The e-mail template does not compile or render' },
  email_in_flight: { status: 409, title: 'The e-mail is still queued or being sent; it cannot be resent yet' },
  // webhooks
  webhook_url_not_allowed: { status: 422, title: 'The webhook URL is not allowed' },
  unknown_event_type: { status: 422, title: 'No such webhook event type' },
  webhook_endpoint_disabled: { status: 409, title: 'The webhook endpoint is disabled' },
  delivery_in_progress: { status: 409, title: 'The delivery is still pending; it cannot be replayed yet' },
  // tracking
  webhook_signature_invalid: { status: 401, title: 'The webhook signature is missing or does not match the body' },
  unknown_tracking_code: { status: 422, title: 'The tracking number is not one of this shipment' },
  // digital
  not_digital: { status: 422, title: 'The item is not a digital item set up for this' },
  unknown_file: { status: 422, title: 'A listed file does not exist' },
  entitlement_not_found: { status: 404, title: 'The download link is not valid' },
  entitlement_revoked: { status: 410, title: 'Access to this purchase has been withdrawn' },
  entitlement_expired: { status: 410, title: 'The download link has expired' },
  download_limit_reached: { status: 403, title: 'The download link has been used for all its downloads' },
  download_ip_limit_reached: { status: 403, title: 'The download link has been used from too many networks' },
  license_not_found: { status: 404, title: 'No license has this key' },
  license_expired: { status: 403, title: 'The license has expired' },
  license_suspended: { status: 403, title: 'The license is suspended' },
  license_revoked: { status: 403, title: 'The license has been revoked' },
  activation_limit_reached: { status: 409, title: 'The license has no activation left' },
  activation_not_found: { status: 404, title: 'The machine is not activated on this license' },
  // leads
  submission_invalid: { status: 422, title: 'The submission does not match the form' },
  form_closed: { status: 409, title: 'The form is closed and accepts no submissions' },
  origin_not_allowed: { status: 403, title: 'The form does not accept submissions from this origin' },
  forward_not_replayable: { status: 409, title: 'The forward is pending or cancelled; only dead or delivered forwards are replayed' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemCatalog;

export interface FieldError {
  /** JSON pointer into the request part, for example `/lines/0/quantity`. */
  readonly pointer: string;
  readonly detail: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export const problemTypeBase = 'https://fulfill.dev/problems/';

export function problem(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const entry = problemCatalog[code];
  return {
    type: `${problemTypeBase}${code}`,
    title: entry.title,
    status: entry.status,
    detail,
    code,
    ...extra,
  };
}

/** Thrown to abort a request with a problem response. Business code prefers returning a Result. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.problem = problem(code, detail, extra);
  }
}

export function validationProblem(errors: readonly FieldError[], detail?: string): ProblemError {
  const first = errors[0];
  const text = detail ?? (first ? `${first.pointer || '/'}: ${first.detail}` : 'The request is not valid');
  return new ProblemError('validation_failed', text, { errors });
}
