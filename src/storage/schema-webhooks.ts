/** Tables of the webhooks area (migration in migrations/0005-webhooks.ts, docs/webhooks.md). */

export interface WebhookEndpointTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of event types, or `["*"]` for every published type. */
  event_types: string;
  /** The `whsec_...` secret, sealed with AES-256-GCM (`v1.<iv>.<tag>.<ciphertext>`, base64url). */
  secret: string;
  /**
   * The secret before the last rotation, sealed like `secret`, while deliveries are still signed with it too
   * (migration 0010); null outside an overlap.
   */
  previous_secret: string | null;
  /** When `previous_secret` stops being used (ISO); null when there is none. */
  previous_secret_expires_at: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  disabled_at: string | null;
  /** When the current run of failed attempts began; null while the endpoint answers 2xx. */
  failing_since: string | null;
  /** Sequence of the endpoint's own events (`webhook_endpoint.disabled`). */
  event_seq: number;
  created_at: string;
  updated_at: string;
}

export interface WebhookAttemptTable {
  id: string;
  /** The job; its id is the `webhook-id` header. */
  job_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  /** The `webhook-timestamp` sent, ISO. */
  requested_at: string;
  /** HTTP status, or null when no response came (refused, timeout, connection error). */
  response_status: number | null;
  duration_ms: number;
  /** The first bytes of the response body (at most 1 KB). */
  response_body: string | null;
  error: string | null;
  /** succeeded | retry | failed (as the attempt ended; the job may still be retried). */
  outcome: string;
  created_at: string;
}

export interface WebhookTables {
  webhook_endpoints: WebhookEndpointTable;
  webhook_attempts: WebhookAttemptTable;
}
