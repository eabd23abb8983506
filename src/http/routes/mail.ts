import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../compose.js';
import {
  deleteTemplate,
  getEmail,
  getTemplate,
  listEmails,
  listTemplates,
  previewEmail,
  previewTemplate,
  putTemplate,
  rawEmail,
  resendEmail,
} from '../../contexts/mail/admin.js';
import { templateLimits } from '../../contexts/mail/render.js';
import { escapeHtml } from '../../kernel/html.js';
import { type Locale, supportedLocales } from '../../kernel/locale.js';
import { ProblemError } from '../../kernel/problem.js';
import { safeEqual, sign } from '../../kernel/secret.js';
import { unwrap } from '../errors.js';
import { Id, Nullable, PageQuery, page, problemResponses, Timestamp } from '../schemas/common.js';

const tags = ['mail'];

// Enums as one `enum` keyword (not a union of literals): a wrong value gives one error, not one per choice.
const EmailStatus = Type.Unsafe<'queued' | 'sent' | 'failed'>({ type: 'string', enum: ['queued', 'sent', 'failed'] });
const TemplateName = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', minLength: 1, maxLength: 64, examples: ['order_confirmation'] });
const LocaleParam = Type.Unsafe<Locale>({ type: 'string', enum: [...supportedLocales], description: 'en or pt-BR' });
const AnyObject = Type.Object({}, { additionalProperties: true });

const Email = Type.Object({
  id: Type.String(),
  to: Type.String(),
  template: Type.String(),
  locale: Type.String(),
  status: EmailStatus,
  subject: Nullable(Type.String()),
  order_id: Nullable(Type.String()),
  subject_id: Nullable(Type.String()),
  dedupe_key: Type.String(),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  provider_id: Nullable(Type.String()),
  next_attempt_at: Nullable(Type.String()),
  data: AnyObject,
  created_at: Timestamp,
  sent_at: Nullable(Timestamp),
});

const Source = {
  subject: Type.String({ minLength: 1, maxLength: templateLimits.subject }),
  html: Type.String({ minLength: 1, maxLength: templateLimits.html }),
  text: Type.String({ minLength: 1, maxLength: templateLimits.text }),
};
const TemplateBody = Type.Object(Source, { additionalProperties: false });
const PreviewBody = Type.Object(
  {
    subject: Type.Optional(Source.subject),
    html: Type.Optional(Source.html),
    text: Type.Optional(Source.text),
    data: Type.Optional(AnyObject),
  },
  { additionalProperties: false },
);
const TemplateView = Type.Object({
  name: Type.String(),
  locale: Type.String(),
  overridden: Type.Boolean(),
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  updated_at: Nullable(Timestamp),
  default: Type.Object({ subject: Type.String(), html: Type.String(), text: Type.String() }),
  sample_data: AnyObject,
});
const Rendered = Type.Object({ subject: Type.String(), html: Type.String(), text: Type.String() });

const idParams = Type.Object({ id: Id });
const templateParams = Type.Object({ name: TemplateName, locale: LocaleParam });
type TemplateParams = { name: string; locale: Locale };

/** Rendered e-mails may hold anything a merchant's template wrote: no script runs, nothing is fetched but images. */
const htmlPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'";

/** Our own pages (the outbox list): no script, no framing. */
const pagePolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendHtml(reply: FastifyReply, html: string, policy = htmlPolicy): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', policy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html);
}

/** How long the signed preview links of the outbox page work. */
const previewLinkTtlSeconds = 30 * 60;

const linkMessage = (kind: 'preview' | 'raw', id: string, expires: number) => `mail-${kind}:${id}:${expires}`;

function signedLink(deps: App, kind: 'preview' | 'raw', id: string): string {
  const expires = Math.floor(deps.clock.now().getTime() / 1000) + previewLinkTtlSeconds;
  return `/mail/${kind}/${encodeURIComponent(id)}?expires=${expires}&sig=${sign(deps.secret, linkMessage(kind, id, expires))}`;
}

function checkLink(deps: App, kind: 'preview' | 'raw', id: string, query: { expires: number; sig: string }): void {
  const expected = sign(deps.secret, linkMessage(kind, id, query.expires));
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  // A bad signature and an expired link look alike: a stranger learns nothing from the answer.
  if (!safeEqual(expected, query.sig) || query.expires < now)
    throw new ProblemError('not_found', 'this preview link is not valid or has expired');
}

export function mailRoutes(app: FastifyInstance, deps: App): void {
  app.get('/v1/emails', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'List customer e-mails, newest first',
      querystring: Type.Object(
        {
          order_id: Type.Optional(Id),
          status: Type.Optional(EmailStatus),
          template: Type.Optional(TemplateName),
          to: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
          ...PageQuery,
        },
        { additionalProperties: false },
      ),
      response: { 200: page(Email), ...problemResponses },
    },
    handler: async (request) => listEmails(deps, request.query as Parameters<typeof listEmails>[1]),
  });
  app.get('/v1/emails/:id', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'Get an e-mail: recipient, template, status, attempts, provider id',
      params: idParams,
      response: { 200: Email, ...problemResponses },
    },
    handler: async (request) => unwrap(await getEmail(deps, (request.params as { id: string }).id)),
  });
  app.get('/v1/emails/:id/preview', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'The e-mail as HTML, rendered from its stored variables with the templates in use now',
      params: idParams,
      response: { 200: Type.String({ description: 'text/html' }), ...problemResponses },
    },
    handler: async (request, reply) => sendHtml(reply, unwrap(await previewEmail(deps, (request.params as { id: string }).id)).html),
  });
  app.get('/v1/emails/:id/raw', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'The MIME message (message/rfc822): the .eml file as written, or rebuilt from the stored variables',
      params: idParams,
      response: { 200: Type.String({ description: 'message/rfc822', format: 'binary' }), ...problemResponses },
    },
    handler: async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const bytes = unwrap(await rawEmail(deps, id));
      return reply
        .type('message/rfc822')
        .header('content-disposition', `attachment; filename="${id}.eml"`)
        .header('cache-control', 'no-store')
        .send(bytes);
    },
  });
  app.post('/v1/emails/:id/resend', {
    config: { scope: 'mail:write' },
    schema: {
      tags,
      summary: 'Send a sent or failed e-mail again (409 while it is still queued)',
      params: idParams,
      response: { 202: Email, ...problemResponses },
    },
    handler: async (request, reply) => {
      const view = unwrap(await resendEmail(deps, (request.params as { id: string }).id));
      deps.dispatcher.notify();
      return reply.code(202).send(view);
    },
  });

  app.get('/v1/mail/templates', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'Every e-mail template in every locale: the source in use, the built-in default, sample variables',
      response: { 200: Type.Object({ data: Type.Array(TemplateView) }), ...problemResponses },
    },
    handler: async () => ({ data: await listTemplates(deps) }),
  });
  app.get('/v1/mail/templates/:name/:locale', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'One e-mail template in one locale',
      params: templateParams,
      response: { 200: TemplateView, ...problemResponses },
    },
    handler: async (request) => {
      const { name, locale } = request.params as TemplateParams;
      return unwrap(await getTemplate(deps, name, locale));
    },
  });
  app.put('/v1/mail/templates/:name/:locale', {
    config: { scope: 'mail:write' },
    schema: {
      tags,
      summary: "Override a template in one locale (Handlebars; must compile and render with the template's sample data)",
      params: templateParams,
      body: TemplateBody,
      response: { 200: TemplateView, ...problemResponses },
    },
    handler: async (request) => {
      const { name, locale } = request.params as TemplateParams;
      return unwrap(await putTemplate(deps, name, locale, request.body as Static<typeof TemplateBody>));
    },
  });
  app.delete('/v1/mail/templates/:name/:locale', {
    config: { scope: 'mail:write' },
    schema: {
      tags,
      summary: 'Remove an override: the built-in template applies again',
      params: templateParams,
      response: { 200: TemplateView, ...problemResponses },
    },
    handler: async (request) => {
      const { name, locale } = request.params as TemplateParams;
      return unwrap(await deleteTemplate(deps, name, locale));
    },
  });
  app.post('/v1/mail/templates/:name/:locale/preview', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'Render a template with sample data (or the data given), optionally with unsaved sources',
      params: templateParams,
      body: Type.Optional(PreviewBody),
      response: { 200: Rendered, ...problemResponses },
    },
    handler: async (request) => {
      const { name, locale } = request.params as TemplateParams;
      return unwrap(await previewTemplate(deps, name, locale, (request.body as Static<typeof PreviewBody> | undefined) ?? {}));
    },
  });

  app.get('/v1/mail/outbox', {
    config: { scope: 'mail:read' },
    schema: {
      tags,
      summary: 'The mail preview page: recent e-mails as HTML, with signed preview links that work in a browser for 30 minutes',
      querystring: Type.Object(
        { status: Type.Optional(EmailStatus), order_id: Type.Optional(Id), ...PageQuery },
        { additionalProperties: false },
      ),
      response: { 200: Type.String({ description: 'text/html' }), ...problemResponses },
    },
    handler: async (request, reply) => {
      const query = request.query as Parameters<typeof listEmails>[1];
      const result = await listEmails(deps, { ...query, limit: query.limit ?? 100 });
      return sendHtml(reply, outboxPage(deps, result.data, result.next_cursor), pagePolicy);
    },
  });
  const linkQuery = Type.Object(
    { expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999 }), sig: Type.String({ minLength: 1, maxLength: 100 }) },
    { additionalProperties: false },
  );
  app.get('/mail/preview/:id', {
    config: { public: true },
    schema: { hide: true, params: idParams, querystring: linkQuery },
    handler: async (request, reply) => {
      const id = (request.params as { id: string }).id;
      checkLink(deps, 'preview', id, request.query as Static<typeof linkQuery>);
      return sendHtml(reply, unwrap(await previewEmail(deps, id)).html);
    },
  });
  app.get('/mail/raw/:id', {
    config: { public: true },
    schema: { hide: true, params: idParams, querystring: linkQuery },
    handler: async (request, reply) => {
      const id = (request.params as { id: string }).id;
      checkLink(deps, 'raw', id, request.query as Static<typeof linkQuery>);
      return reply
        .type('text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store')
        .send(unwrap(await rawEmail(deps, id)));
    },
  });
}

function outboxPage(deps: App, emails: readonly Static<typeof Email>[], nextCursor: string | null): string {
  const mode = deps.smtpUrl ? 'SMTP (SMTP_URL is set)' : `.eml files in ${escapeHtml(deps.dataDir)}/mail`;
  const rows = emails
    .map((e) => {
      const colour = e.status === 'sent' ? '#15803d' : e.status === 'failed' ? '#b91c1c' : '#a16207';
      return `<tr>
<td>${escapeHtml(e.created_at.replace('T', ' ').slice(0, 19))}</td>
<td>${escapeHtml(e.to)}</td>
<td>${escapeHtml(e.subject ?? `(${e.template})`)}<br><small>${escapeHtml(e.template)} · ${escapeHtml(e.locale)}${e.order_id ? ` · ${escapeHtml(e.order_id)}` : ''}</small></td>
<td style="color:${colour}">${e.status}${e.attempts > 1 ? ` (${e.attempts} attempts)` : ''}${e.last_error ? `<br><small>${escapeHtml(e.last_error.slice(0, 200))}</small>` : ''}</td>
<td><a href="${escapeHtml(signedLink(deps, 'preview', e.id))}">preview</a> · <a href="${escapeHtml(signedLink(deps, 'raw', e.id))}">source</a></td>
</tr>`;
    })
    .join('\n');
  const more = nextCursor ? `<p><a href="?cursor=${encodeURIComponent(nextCursor)}">Older e-mails</a></p>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Mail outbox</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;margin:24px;color:#18181b;">
<h1 style="font-size:20px;">Mail outbox</h1>
<p style="color:#52525b;">Delivery: ${mode}. Preview links work for ${previewLinkTtlSeconds / 60} minutes.</p>
<table style="border-collapse:collapse;width:100%;font-size:14px;" cellpadding="6">
<tr style="text-align:left;border-bottom:2px solid #d4d4d8;"><th>Created (UTC)</th><th>To</th><th>Subject</th><th>Status</th><th></th></tr>
${rows || '<tr><td colspan="5">No e-mails yet.</td></tr>'}
</table>
${more}
</body></html>
`;
}
