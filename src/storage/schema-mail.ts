/** Tables of the mail area (migration in migrations/0004-mail.ts). */

/** One customer e-mail: queued in a business transaction, sent by the `email` job, recorded here. */
export interface EmailTable {
  id: string;
  job_id: string;
  dedupe_key: string;
  to_address: string;
  template: string;
  /** The locale the e-mail is rendered in ('en' | 'pt-BR'). */
  locale: string;
  /** Template variables (JSON). */
  data: string;
  order_id: string | null;
  /** A shipment, lead, entitlement... the e-mail is about. */
  subject_id: string | null;
  /** The rendered subject line, set when sent. */
  subject: string | null;
  status: 'queued' | 'sent' | 'failed';
  /** SMTP message id and server response, or the .eml file name. */
  provider_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** A merchant's override of a template in one locale. */
export interface MailTemplateTable {
  name: string;
  locale: string;
  subject: string;
  html: string;
  text: string;
  updated_at: string;
}

export interface MailTables {
  emails: EmailTable;
  mail_templates: MailTemplateTable;
}
