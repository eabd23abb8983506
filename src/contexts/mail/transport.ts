import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';

/**
 * Where e-mails go: a real SMTP server (nodemailer's pooled SMTP transport) when `SMTP_URL` is set,
 * otherwise `.eml` files under `<dataDir>/mail/` (the complete MIME message as nodemailer builds it, so the
 * embedded default works with no mail server and the preview page can show what would have been sent).
 */
export interface MailTransport {
  readonly mode: 'smtp' | 'file';
  /** Sends (or writes) the message; returns what identifies it at the provider. */
  send(emailId: string, message: SendMailOptions): Promise<{ providerId: string }>;
  close(): void;
}

/** Where file mode writes, and where `GET /v1/emails/:id/raw` reads. */
export const mailDir = (dataDir: string): string => path.join(dataDir, 'mail');

/** An e-mail's .eml file: its id (`msg_...`, made of [a-z0-9_]) is the file name. */
export const emlPath = (dataDir: string, emailId: string): string => path.join(mailDir(dataDir), `${emailId}.eml`);

/** Builds the MIME message of an e-mail without sending it (file mode, and `raw` in SMTP mode). */
let mimeBuilder: Transporter | null = null;

export async function buildMime(message: SendMailOptions): Promise<Buffer> {
  mimeBuilder ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await mimeBuilder.sendMail(message);
  return info.message as Buffer;
}

export function smtpTransport(smtpUrl: string): MailTransport {
  const url = new URL(smtpUrl);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('SMTP_URL must start with smtp:// or smtps://');
  // Pooled: a few connections are reused for many messages. Query parameters of the URL override these.
  const defaults: Record<string, string> = {
    pool: 'true',
    maxConnections: '5',
    connectionTimeout: '15000',
    greetingTimeout: '15000',
    socketTimeout: '60000',
  };
  for (const [key, value] of Object.entries(defaults)) if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  const transporter: Transporter = nodemailer.createTransport(url.toString());
  return {
    mode: 'smtp',
    async send(_emailId, message) {
      const info = (await transporter.sendMail(message)) as { messageId?: string; response?: string };
      return { providerId: String(info.response ?? info.messageId ?? '').slice(0, 500) };
    },
    close: () => transporter.close(),
  };
}

export function fileTransport(dataDir: string): MailTransport {
  const dir = mailDir(dataDir);
  let made: Promise<unknown> | null = null;
  return {
    mode: 'file',
    async send(emailId, message) {
      made ??= fs.mkdir(dir, { recursive: true });
      await made;
      const bytes = await buildMime(message);
      const file = emlPath(dataDir, emailId);
      // Written whole or not at all: a reader never sees half a message.
      const partial = `${file}.${process.pid}.tmp`;
      await fs.writeFile(partial, bytes);
      await fs.rename(partial, file);
      return { providerId: `file:${path.basename(file)}` };
    },
    close() {},
  };
}

/** SMTP reply codes 5xx are final; 4xx, timeouts and connection errors are worth another try. */
export function isPermanentSmtpError(error: unknown): boolean {
  const e = error as { responseCode?: unknown; code?: unknown };
  if (e.code === 'EAUTH') return false; // the server's credentials are wrong: fixable, so keep the e-mail
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}
