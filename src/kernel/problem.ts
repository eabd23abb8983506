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
