/** Tables of the leads area (migration in migrations/0008-leads.ts). */

/** A lead-generation form: its fields, the asset it gives, the consent text people see, spam settings. */
export interface FormTable {
  id: string;
  slug: string;
  name: string;
  /** Field definitions (JSON array, see contexts/leads/domain/fields.ts). */
  fields: string;
  /** `{ "file_id" }` or `{ "url" }`, with `link_ttl_hours` and `max_downloads` (JSON). */
  asset: string;
  consent_text: string;
  consent_version: string;
  double_opt_in: number;
  thank_you_message: string | null;
  redirect_url: string | null;
  /** Origins allowed to call the JSON endpoint from a browser (JSON array). */
  allowed_origins: string;
  /** Language of the hosted page and e-mails: 'en' | 'pt-BR'. */
  locale: string;
  /** Spam settings (JSON): min_submit_seconds, json_requires_token, ip_per_minute, form_per_minute. */
  spam: string;
  status: 'active' | 'closed';
  created_at: string;
  updated_at: string;
}

/** A CRM the form's leads are forwarded to. Secrets in `config` are encrypted (AES-256-GCM). */
export interface FormDestinationTable {
  id: string;
  form_id: string;
  kind: 'webhook' | 'hubspot';
  name: string;
  config: string;
  max_attempts: number;
  created_at: string;
}

/** One person per form (deduplicated on the lower-cased e-mail). */
export interface LeadTable {
  id: string;
  form_id: string;
  /** The lower-cased e-mail; `erased:<id>` once erased. */
  email_lower: string;
  /** The latest submitted values (JSON object); `{}` once erased. */
  data: string;
  locale: string;
  submission_count: number;
  status: 'pending_confirmation' | 'confirmed';
  confirmed_at: string | null;
  asset_delivered_at: string | null;
  erased_at: string | null;
  /** Events of this lead so far: the last `lead.*` event's `aggregate_seq` (migration 0009). */
  event_seq: number;
  created_at: string;
  updated_at: string;
}

/** One accepted submission. */
export interface LeadSubmissionTable {
  id: string;
  form_id: string;
  lead_id: string;
  data: string;
  channel: 'hosted' | 'json';
  ip: string | null;
  user_agent: string | null;
  page_uri: string | null;
  hutk: string | null;
  created_at: string;
}

/** Suspected spam, kept apart: never a lead, never forwarded, never e-mailed. */
export interface SpamSubmissionTable {
  id: string;
  form_id: string;
  reason: string;
  email_lower: string | null;
  data: string;
  channel: 'hosted' | 'json';
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

/** What a person agreed to, when and where. Kept after erasure as an anonymised proof (e-mail hash only). */
export interface LeadConsentTable {
  id: string;
  form_id: string;
  lead_id: string;
  submission_id: string;
  /** HMAC-SHA256 of the lower-cased e-mail under the server key (hex). */
  email_hash: string;
  consent_text: string;
  consent_version: string;
  ip: string | null;
  user_agent: string | null;
  page_uri: string | null;
  created_at: string;
  anonymised_at: string | null;
}

/** A signed, expiring, counted link to a form's asset. Only the token's hash is stored. */
export interface AssetLinkTable {
  token_hash: string;
  lead_id: string;
  form_id: string;
  submission_id: string;
  expires_at: string;
  downloads: number;
  max_downloads: number;
  created_at: string;
  last_download_at: string | null;
}

/** A lead forwarded (or to be forwarded) to one destination: mirrors its outbox job for health and dead letters. */
export interface LeadForwardTable {
  /** The outbox job's dedupe key (`crm:<destination>:<lead>:<submission>`); the job is found through it. */
  dedupe_key: string;
  form_id: string;
  destination_id: string;
  lead_id: string;
  submission_id: string;
  status: 'pending' | 'succeeded' | 'dead' | 'cancelled';
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface LeadTables {
  forms: FormTable;
  form_destinations: FormDestinationTable;
  leads: LeadTable;
  lead_submissions: LeadSubmissionTable;
  spam_submissions: SpamSubmissionTable;
  lead_consents: LeadConsentTable;
  asset_links: AssetLinkTable;
  lead_forwards: LeadForwardTable;
}
