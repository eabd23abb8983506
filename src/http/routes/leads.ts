import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import {
  addDestination,
  createForm,
  type DestinationInput,
  destinationSecret,
  destinationView,
  eraseLeads,
  exportLeadsCsv,
  type Form,
  type FormInput,
  type FormPatch,
  formDestinations,
  formStats,
  forwardingHealth,
  forwardRows,
  getForm,
  getLead,
  type LeadQuery,
  listForms,
  listLeads,
  removeDestination,
  replayForward,
  updateForm,
} from '../../contexts/leads/index.js';
import { actorOf } from '../auth.js';
import { Id, page, problemResponses } from '../schemas/common.js';
import {
  DestinationInput as DestinationSchema,
  EraseBody,
  FormCreate,
  FormListQuery,
  FormPatch as FormPatchSchema,
  FormView,
  ForwardListQuery,
  LeadListQuery,
  Loose,
} from '../schemas/leads.js';
import { leadsPublicRoutes } from './leads-public.js';

const tags = ['leads'];

/** A form as the API shows it (secrets never; see destinations). */
export function formView(form: Form) {
  return {
    id: form.id,
    slug: form.slug,
    name: form.name,
    status: form.status,
    fields: form.fields,
    asset: form.asset,
    consent: { text: form.consentText, version: form.consentVersion },
    double_opt_in: form.doubleOptIn,
    thank_you: { message: form.thankYouMessage, redirect_url: form.redirectUrl },
    allowed_origins: form.allowedOrigins,
    locale: form.locale,
    spam: form.spam,
    created_at: form.createdAt,
    updated_at: form.updatedAt,
  };
}

export function leadsRoutes(app: FastifyInstance, deps: App): void {
  leadsPublicRoutes(app, deps);
  const FormParams = Type.Object({ id: Id });

  app.post('/v1/forms', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Define a lead-generation form',
      description:
        'Fields (email required), the asset (an uploaded file or a URL, delivered by a counted, expiring link), the consent text and version, double opt-in, the thank-you message or redirect, allowed origins for the JSON endpoint, spam settings, and CRM destinations. A webhook destination without a secret gets one, shown once in `destinations[].secret`.',
      body: FormCreate,
      response: { 201: FormView, ...problemResponses },
    },
    handler: async (request, reply) => {
      const body = request.body as FormInput;
      const form = await createForm(deps, body);
      const destinations = await formDestinations(deps, form.id);
      const revealed = (body.destinations ?? []).map((d) => (d.kind === 'webhook' ? d.secret : undefined));
      const generated = await revealGenerated(deps, form.id, revealed);
      return reply
        .code(201)
        .header('location', `/v1/forms/${form.id}`)
        .send({
          ...formView(form),
          destinations: destinations.map((d, i) => ({ ...destinationView(d), ...(generated[i] ? { secret: generated[i] } : {}) })),
        });
    },
  });

  app.get('/v1/forms', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'List forms, newest first',
      querystring: FormListQuery,
      response: { 200: page(FormView), ...problemResponses },
    },
    handler: async (request) => {
      const result = await listForms(deps, request.query as { cursor?: string; limit?: number; status?: 'active' | 'closed' });
      return { data: result.data.map(formView), next_cursor: result.next_cursor };
    },
  });

  app.get('/v1/forms/:id', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'Get a form with its counts and forwarding health',
      description:
        '`stats`: submissions, leads, confirmed, delivered (asset e-mail sent), downloads, forwarded (leads delivered to at least one CRM), spam. `destinations[].health`: forwards by status, attempts, the latest error.',
      params: FormParams,
      response: { 200: FormView, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const form = await getForm(deps, id);
      const [destinations, stats, health] = await Promise.all([
        formDestinations(deps, id),
        formStats(deps, id),
        forwardingHealth(deps, id),
      ]);
      const empty = { pending: 0, succeeded: 0, dead: 0, cancelled: 0, attempts: 0, last_error: null, last_error_at: null };
      return {
        ...formView(form),
        stats,
        destinations: destinations.map((d) => ({ ...destinationView(d), health: health.get(d.id) ?? empty })),
        links: { hosted_page: `${deps.publicUrl}/f/${form.slug}`, embed_script: `${deps.publicUrl}/f/${form.slug}/embed.js` },
      };
    },
  });

  app.patch('/v1/forms/:id', {
    config: { scope: 'leads:write' },
    schema: { tags, summary: 'Change a form', params: FormParams, body: FormPatchSchema, response: { 200: FormView, ...problemResponses } },
    handler: async (request) => formView(await updateForm(deps, (request.params as { id: string }).id, request.body as FormPatch)),
  });

  app.delete('/v1/forms/:id', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Close a form (it keeps its leads; the hosted page says it is closed)',
      params: FormParams,
      response: { 200: FormView, ...problemResponses },
    },
    handler: async (request) => formView(await updateForm(deps, (request.params as { id: string }).id, { status: 'closed' })),
  });

  app.post('/v1/forms/:id/destinations', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Add a CRM destination',
      params: FormParams,
      body: DestinationSchema,
      response: { 201: Loose, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { destination, secret } = await addDestination(deps, (request.params as { id: string }).id, request.body as DestinationInput);
      return reply.code(201).send({ ...destinationView(destination), ...(secret ? { secret } : {}) });
    },
  });

  app.delete('/v1/forms/:id/destinations/:destination_id', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Remove a CRM destination (its pending forwards are cancelled)',
      params: Type.Object({ id: Id, destination_id: Id }),
      response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id, destination_id } = request.params as { id: string; destination_id: string };
      await removeDestination(deps, id, destination_id);
      return reply.code(204).send();
    },
  });

  app.get('/v1/forms/:id/dead-letters', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: "The form's dead forwards (replay with POST /v1/leads/forwards/{job_id}/replay)",
      params: FormParams,
      querystring: Type.Object({
        cursor: Type.Optional(Type.String({ maxLength: 400 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      }),
      response: { 200: page(Loose), ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      await getForm(deps, id);
      return forwardRows(deps, { ...(request.query as object), form_id: id, status: 'dead' });
    },
  });

  app.get('/v1/forms/:id/spam', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'Suspected spam kept apart for this form, newest first',
      params: FormParams,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
      response: { 200: Loose, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const limit = (request.query as { limit?: number }).limit ?? 50;
      const rows = await deps.db.read
        .selectFrom('spam_submissions')
        .selectAll()
        .where('form_id', '=', id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return {
        data: rows.map((r) => ({
          id: r.id,
          reason: r.reason,
          channel: r.channel,
          ip: r.ip,
          user_agent: r.user_agent,
          fields: JSON.parse(r.data),
          created_at: r.created_at,
        })),
      };
    },
  });

  app.get('/v1/leads', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'List and search leads, newest first',
      querystring: LeadListQuery,
      response: { 200: page(Loose), ...problemResponses },
    },
    handler: async (request) => listLeads(deps, request.query as LeadQuery),
  });

  app.get('/v1/leads/export.csv', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'Export leads as CSV (streamed)',
      description:
        "Same filters as the list. With form_id, the form's fields are columns. Cells that a spreadsheet would run as a formula (= + - @) start with an apostrophe.",
      querystring: LeadListQuery,
      response: { 200: Type.String({ description: 'text/csv', format: 'binary' }), ...problemResponses },
    },
    handler: async (request, reply) => {
      const query = request.query as LeadQuery;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="leads${query.form_id ? `-${query.form_id}` : ''}.csv"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exportLeadsCsv(deps, query)));
    },
  });

  app.get('/v1/leads/forwards', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'CRM forwards (status=dead is the dead-letter list)',
      querystring: ForwardListQuery,
      response: { 200: page(Loose), ...problemResponses },
    },
    handler: async (request) => forwardRows(deps, request.query as object),
  });

  app.post('/v1/leads/forwards/:job_id/replay', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Send a dead (or delivered) forward again, with the same webhook id',
      params: Type.Object({ job_id: Id }),
      response: { 202: Loose, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { job_id } = request.params as { job_id: string };
      await replayForward(deps, job_id);
      deps.dispatcher.notify();
      return reply.code(202).send({ job_id, status: 'pending' });
    },
  });

  app.get('/v1/leads/:id', {
    config: { scope: 'leads:read' },
    schema: {
      tags,
      summary: 'Get a lead with its submissions, consents and forwards',
      params: FormParams,
      response: { 200: Loose, ...problemResponses },
    },
    handler: async (request) => getLead(deps, (request.params as { id: string }).id),
  });

  app.delete('/v1/leads/:id', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: "Erase a lead's personal data (GDPR); consent stays as an anonymised proof",
      params: FormParams,
      response: { 200: Loose, ...problemResponses },
    },
    handler: async (request) => eraseLeads(deps, { leadId: (request.params as { id: string }).id }, actorOf(request)),
  });

  app.post('/v1/leads/erase', {
    config: { scope: 'leads:write' },
    schema: {
      tags,
      summary: 'Erase every lead of an e-mail address, on every form (GDPR)',
      body: EraseBody,
      response: { 200: Loose, ...problemResponses },
    },
    handler: async (request) => eraseLeads(deps, { email: (request.body as { email: string }).email }, actorOf(request)),
  });
}

/** Webhook secrets generated at creation are shown once, in the creation response. */
async function revealGenerated(deps: App, formId: string, given: readonly (string | undefined)[]): Promise<(string | undefined)[]> {
  const destinations = await formDestinations(deps, formId);
  return destinations.map((d, i) =>
    d.kind === 'webhook' && given[i] === undefined ? (destinationSecret(deps, d) ?? undefined) : undefined,
  );
}
