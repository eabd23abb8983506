import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

/** A CRM webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures and can fail on purpose. */
export interface WebhookReceiver {
  readonly url: string;
  /** Every request, verified or not. */
  readonly requests: { id: string; verified: boolean; status: number }[];
  /** Accepted deliveries, deduplicated on webhook-id as a receiver should. */
  readonly accepted: Map<string, Received>;
  /** Answer the next `n` requests with `status`. */
  failNext(n: number, status?: number): void;
  /** Answer every request with `status` until told otherwise (undefined: accept). */
  failAll(status: number | undefined): void;
  close(): Promise<void>;
}

/**
 * `now` is the app's clock: the library checks that webhook-timestamp is within five minutes of its `Date.now()`,
 * so verification runs with `Date.now` at the app's (manual) time.
 */
export async function startWebhookReceiver(secret: string, now: () => Date): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const requests: { id: string; verified: boolean; status: number }[] = [];
  const accepted = new Map<string, Received>();
  let failures = 0;
  let failStatus = 500;
  let always: number | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      let verified = false;
      const realNow = Date.now;
      Date.now = () => now().getTime();
      try {
        verifier.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      } finally {
        Date.now = realNow;
      }
      let status = 204;
      if (!verified) status = 401;
      else if (always !== undefined) status = always;
      else if (failures > 0) {
        failures -= 1;
        status = failStatus;
      } else if (!accepted.has(id)) accepted.set(id, { id, body: JSON.parse(body) });
      requests.push({ id, verified, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? `refused ${status}` : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/crm/leads`,
    requests,
    accepted,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    failAll(status) {
      always = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A local stand-in for HubSpot's Forms API (POST /submissions/v3/integration/submit/:portalId/:formGuid), answering
 * as it documents: 200 `{ inlineMessage }`, 400 `{ status: "error", message, correlationId, errors: [{ message, errorType }] }`
 * for a body it refuses, 404 for an unknown form. E-mails at blocked.example are refused like a blocked address.
 */
export interface HubSpotFake {
  readonly baseUrl: string;
  readonly submissions: { path: string; body: Record<string, unknown>; authorization: string | undefined }[];
  close(): Promise<void>;
}

export async function startHubSpotFake(portalId: string, formGuid: string): Promise<HubSpotFake> {
  const submissions: HubSpotFake['submissions'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const match = /^\/submissions\/v3\/integration\/(?:secure\/)?submit\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match || match[1] !== portalId || match[2] !== formGuid) {
        return send(404, { status: 'error', message: 'Form not found', correlationId: 'c-404' });
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, {
          status: 'error',
          message: 'Invalid JSON',
          correlationId: 'c-json',
          errors: [{ message: 'Invalid input JSON', errorType: 'INVALID_JSON' }],
        });
      }
      const errors: { message: string; errorType: string }[] = [];
      const fields = body.fields as { objectTypeId?: unknown; name?: unknown; value?: unknown }[] | undefined;
      if (!Array.isArray(fields) || fields.length === 0)
        errors.push({ message: "Error in 'fields'. At least one field is required", errorType: 'REQUIRED_FIELD' });
      for (const f of fields ?? []) {
        if (f.objectTypeId !== '0-1' || typeof f.name !== 'string' || typeof f.value !== 'string') {
          errors.push({ message: `Error in 'fields.${String(f.name)}'. Invalid field`, errorType: 'FIELD_NOT_IN_FORM_DEFINITION' });
        }
      }
      const email = fields?.find((f) => f.name === 'email')?.value;
      if (typeof email !== 'string')
        errors.push({ message: "Error in 'fields.email'. Required field 'email' is missing", errorType: 'REQUIRED_FIELD' });
      else if (email.endsWith('@blocked.example'))
        errors.push({ message: "Error in 'fields.email'. Email address is blocked", errorType: 'BLOCKED_EMAIL' });
      const consent = (body.legalConsentOptions as { consent?: { consentToProcess?: unknown; text?: unknown } } | undefined)?.consent;
      if (consent?.consentToProcess !== true || typeof consent.text !== 'string')
        errors.push({ message: "Error in 'legalConsentOptions'. Consent to process is required", errorType: 'INVALID_METADATA' });
      const context = body.context as { pageName?: unknown } | undefined;
      if (context === undefined || typeof context.pageName !== 'string')
        errors.push({ message: "Error in 'context'. Invalid context", errorType: 'INVALID_METADATA' });
      if (errors.length > 0) return send(400, { status: 'error', message: 'The request is not valid', correlationId: 'c-400', errors });
      submissions.push({ path: req.url ?? '', body, authorization: req.headers.authorization });
      return send(200, { inlineMessage: 'Thanks for submitting the form.' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, submissions, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
