import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../compose.js';
import { parseRange, sendStoredFile } from '../../contexts/files/index.js';
import {
  confirmLead,
  embedScript,
  type Form,
  findPublicForm,
  formPage,
  messagePage,
  type RawSubmission,
  renderToken,
  type SubmitOutcome,
  submissionService,
  thanksPage,
  useAssetLink,
  words,
} from '../../contexts/leads/index.js';
import { pickLocale } from '../../kernel/locale.js';
import { ProblemError } from '../../kernel/problem.js';
import { problemResponses } from '../schemas/common.js';
import { SubmissionAccepted, SubmissionBody } from '../schemas/leads.js';

const tags = ['leads'];
/** Bodies of public submissions (both the HTML form and JSON). */
export const publicBodyBytesMax = 65_536;
const FormRef = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });
const pageHeaders = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors *",
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

const sendPage = (reply: FastifyReply, status: number, body: string): FastifyReply =>
  reply.code(status).headers(pageHeaders).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const userAgentOf = (request: FastifyRequest): string | null => text(request.headers['user-agent']);

/** Sets the CORS headers for an allowed origin; a browser request from any other origin is refused. */
function allowOrigin(form: Form, request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  reply.header('vary', 'Origin');
  if (!form.allowedOrigins.includes(origin.toLowerCase())) {
    throw new ProblemError('origin_not_allowed', `the form does not accept submissions from ${origin.slice(0, 200)}`);
  }
  reply.header('access-control-allow-origin', origin);
}

async function publicForm(deps: App, ref: string): Promise<Form> {
  const form = await findPublicForm(deps, ref);
  if (!form) throw new ProblemError('not_found', `no form ${ref}`);
  return form;
}

function jsonOutcome(form: Form, outcome: SubmitOutcome, reply: FastifyReply) {
  switch (outcome.kind) {
    case 'accepted':
    case 'spam':
      // Spam gets the same answer: a bot learns nothing.
      return reply.code(202).send({
        status: 'received',
        confirmation_required: form.doubleOptIn,
        message: form.thankYouMessage,
        redirect_url: form.redirectUrl,
      });
    case 'invalid':
      throw new ProblemError('submission_invalid', `${outcome.errors[0]?.pointer ?? ''} ${outcome.errors[0]?.detail ?? ''}`.trim(), {
        errors: outcome.errors,
      });
    case 'rate_limited':
      reply.header('retry-after', String(Math.ceil(outcome.retryAfterMs / 1000)));
      throw new ProblemError('rate_limited', 'too many submissions; retry later');
    case 'closed':
      throw new ProblemError('form_closed', `the form ${form.slug} is closed`);
  }
}

export function leadsPublicRoutes(app: FastifyInstance, deps: App): void {
  const service = submissionService(deps);
  const FormParams = Type.Object({ form: FormRef });

  app.get('/v1/public/forms/:form', {
    config: { public: true },
    schema: {
      tags,
      summary: 'A form as a client page needs it (fields, consent text, a render token)',
      security: [],
      params: FormParams,
    },
    handler: async (request, reply) => {
      const form = await publicForm(deps, (request.params as { form: string }).form);
      allowOrigin(form, request, reply);
      return {
        slug: form.slug,
        name: form.name,
        locale: form.locale,
        status: form.status,
        fields: form.fields,
        consent: { text: form.consentText, version: form.consentVersion },
        double_opt_in: form.doubleOptIn,
        min_submit_seconds: form.spam.min_submit_seconds,
        render_token: renderToken(deps.secret, form.id, deps.clock.now().getTime()),
      };
    },
  });

  app.options('/v1/public/forms/:form/submissions', {
    config: { public: true },
    schema: { hide: true, params: FormParams },
    handler: async (request, reply) => {
      const form = await publicForm(deps, (request.params as { form: string }).form);
      allowOrigin(form, request, reply);
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .send();
    },
  });

  app.post('/v1/public/forms/:form/submissions', {
    config: { public: true },
    bodyLimit: publicBodyBytesMax,
    schema: {
      tags,
      summary: 'Submit a form (JSON, for your own site)',
      description:
        "Only the form's fields are accepted (`fields`), with `consent: true`. 202 means received: suspected spam gets the same answer. Browsers may call it only from the form's allowed origins (CORS). Per-IP and per-form rate limits answer 429 with Retry-After.",
      security: [],
      params: FormParams,
      body: SubmissionBody,
      response: { 202: SubmissionAccepted, ...problemResponses },
    },
    handler: async (request, reply) => {
      const form = await publicForm(deps, (request.params as { form: string }).form);
      allowOrigin(form, request, reply);
      const body = request.body as {
        fields: Record<string, unknown>;
        consent: boolean;
        page_uri?: string;
        render_token?: string;
        hutk?: string;
        hp_website?: string;
      };
      const raw: RawSubmission = {
        channel: 'json',
        values: body.fields,
        consent: body.consent,
        honeypot: body.hp_website,
        renderToken: body.render_token,
        pageUri: body.page_uri ?? text(request.headers.referer),
        hutk: body.hutk ?? null,
        ip: request.ip,
        userAgent: userAgentOf(request),
      };
      return jsonOutcome(form, await service.submit(form, raw), reply);
    },
  });

  app.get('/f/:form', {
    config: { public: true },
    schema: { hide: true, params: FormParams, querystring: Type.Object({ embed: Type.Optional(Type.String({ maxLength: 5 })) }) },
    handler: async (request, reply) => {
      const embed = (request.query as { embed?: string }).embed === '1';
      const form = await findPublicForm(deps, (request.params as { form: string }).form);
      if (!form) return notFound(reply, request);
      if (form.status !== 'active')
        return sendPage(reply, 410, messagePage(form.locale, words[form.locale].closedTitle, words[form.locale].closedBody, { embed }));
      return sendPage(reply, 200, formPage(deps, form, { embed }));
    },
  });

  app.get('/f/:form/embed.js', {
    config: { public: true },
    schema: { hide: true, params: FormParams },
    handler: async (request, reply) => {
      const form = await findPublicForm(deps, (request.params as { form: string }).form);
      if (!form) return reply.code(404).type('application/javascript; charset=utf-8').send('/* no such form */\n');
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(embedScript(deps, form));
    },
  });

  app.get('/f/:form/confirm/:token', {
    config: { public: true },
    schema: { hide: true, params: Type.Object({ form: FormRef, token: Type.String({ minLength: 1, maxLength: 200 }) }) },
    handler: async (request, reply) => {
      const { form: ref, token } = request.params as { form: string; token: string };
      const form = await findPublicForm(deps, ref);
      if (!form) return notFound(reply, request);
      const w = words[form.locale];
      const outcome = await confirmLead(deps, form, token);
      if (outcome.kind === 'invalid') return sendPage(reply, 404, messagePage(form.locale, w.linkInvalidTitle, w.linkInvalidBody));
      if (outcome.kind === 'expired') return sendPage(reply, 410, messagePage(form.locale, w.linkExpiredTitle, w.linkExpiredBody));
      if (outcome.kind === 'confirmed') deps.dispatcher.notify();
      if (form.redirectUrl) return reply.code(303).header('location', form.redirectUrl).send();
      return sendPage(reply, 200, messagePage(form.locale, w.confirmedTitle, form.thankYouMessage ?? w.confirmedBody));
    },
  });

  app.get('/l/:token', {
    config: { public: true },
    schema: { hide: true, params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }) },
    handler: async (request, reply) => {
      const { token } = request.params as { token: string };
      const locale = pickLocale(text(request.headers['accept-language'])?.split(',')[0] ?? null);
      const w = words[locale];
      const range = request.headers.range;
      // Only a GET from the first byte counts as a download: HEAD and resumed ranges do not.
      const count = request.method === 'GET' && (range === undefined || /^bytes=0-/.test(range.trim()));
      const outcome = await useAssetLink(deps, token, count);
      switch (outcome.kind) {
        case 'invalid':
          return sendPage(reply, 404, messagePage(locale, w.linkInvalidTitle, w.linkInvalidBody));
        case 'expired':
          return sendPage(reply, 410, messagePage(locale, w.linkExpiredTitle, w.linkExpiredBody));
        case 'exhausted':
          return sendPage(reply, 410, messagePage(locale, w.linkExhaustedTitle, w.linkExhaustedBody));
        case 'url':
          return reply
            .code(302)
            .header('cache-control', 'no-store')
            .header('referrer-policy', 'no-referrer')
            .header('location', outcome.url)
            .send();
        case 'file': {
          const etag = `"${outcome.file.sha256}"`;
          return sendStoredFile(request, reply, outcome.file, {
            range: parseRange(range, outcome.file.size, text(request.headers['if-range']) ?? undefined, etag),
          });
        }
      }
    },
  });

  // The hosted form posts application/x-www-form-urlencoded: parsed here with URLSearchParams (no plugin),
  // only for this route, into an object without a prototype; a repeated name becomes a list (and is refused).
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: publicBodyBytesMax },
      (_request, body, done) => {
        const fields: Record<string, string | string[]> = Object.create(null);
        for (const [key, value] of new URLSearchParams(body as string)) {
          const seen = fields[key];
          fields[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
        }
        done(null, fields);
      },
    );
    scope.post('/f/:form', {
      config: { public: true },
      bodyLimit: publicBodyBytesMax,
      schema: { hide: true, params: FormParams, querystring: Type.Object({ embed: Type.Optional(Type.String({ maxLength: 5 })) }) },
      handler: async (request, reply) => {
        const embed = (request.query as { embed?: string }).embed === '1';
        const form = await findPublicForm(deps, (request.params as { form: string }).form);
        if (!form) return notFound(reply, request);
        const w = words[form.locale];
        const posted = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
        const { consent, hp_website, render_token, ...values } = posted;
        const outcome = await service.submit(form, {
          channel: 'hosted',
          values,
          consent,
          honeypot: hp_website ?? null,
          renderToken: render_token,
          pageUri: text(request.headers.referer) ?? `${deps.publicUrl}/f/${form.slug}`,
          hutk: null,
          ip: request.ip,
          userAgent: userAgentOf(request),
        });
        switch (outcome.kind) {
          case 'accepted':
          case 'spam':
            if (form.redirectUrl && !embed) return reply.code(303).header('location', form.redirectUrl).send();
            return sendPage(reply, 200, thanksPage(form, embed));
          case 'invalid': {
            const stale = outcome.errors.some((e) => e.pointer === '/render_token');
            const errors = outcome.errors.filter((e) => e.pointer !== '/render_token');
            return sendPage(reply, 422, formPage(deps, form, { values: posted, errors, embed, ...(stale ? { notice: w.staleForm } : {}) }));
          }
          case 'rate_limited':
            reply.header('retry-after', String(Math.ceil(outcome.retryAfterMs / 1000)));
            return sendPage(reply, 429, messagePage(form.locale, w.rateLimitedTitle, w.rateLimitedBody, { embed }));
          case 'closed':
            return sendPage(reply, 410, messagePage(form.locale, w.closedTitle, w.closedBody, { embed }));
        }
      },
    });
  });
}

function notFound(reply: FastifyReply, request: FastifyRequest): FastifyReply {
  const locale = pickLocale(text(request.headers['accept-language'])?.split(',')[0] ?? null);
  return sendPage(reply, 404, messagePage(locale, words[locale].notFoundTitle, words[locale].notFoundBody));
}
