import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { App } from '../compose.js';
import { limits } from '../kernel/limits.js';
import { installAuth } from './auth.js';
import { frameworkErrors, installErrorHandling } from './errors.js';
import { accessRoutes } from './routes/access.js';
import { catalogRoutes } from './routes/catalog.js';
import { digitalRoutes } from './routes/digital.js';
import { inventoryRoutes } from './routes/inventory.js';
import { leadsRoutes } from './routes/leads.js';
import { mailRoutes } from './routes/mail.js';
import { orderRoutes } from './routes/orders.js';
import { outboxRoutes } from './routes/outbox.js';
import { shippingRoutes } from './routes/shipping.js';
import { trackingRoutes } from './routes/tracking.js';
import { warehouseRoutes } from './routes/warehouse.js';
import { webhooksRoutes } from './routes/webhooks.js';
import { validatorCompiler } from './validation.js';

export interface HttpOptions {
  /** pino level, or false for no request logs (tests, benchmarks). */
  readonly logLevel?: string | false;
  readonly version?: string;
}

export const apiVersion = '0.1.0';

const Health = Type.Object({ status: Type.String(), database: Type.String() });

/** Builds the HTTP application around a composed App. Nothing listens until the caller says so. */
export async function buildHttpApp(deps: App, options: HttpOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info', redact: ['req.headers.authorization'] },
    bodyLimit: limits.requestBodyBytesMax,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
  });
  // Bodies are JSON: text/plain would otherwise be parsed as a string and fail validation with a puzzling message.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  // A POST whose body has no required field may be sent without one (`curl -X POST .../cancel`): no body at
  // all counts as {}. A body that is sent, even null or empty JSON, is validated as it is. Decided once per
  // route, so routes with a required body (order intake) carry no extra hook.
  app.addHook('onRoute', (route) => {
    const body = route.schema?.body as { type?: unknown; required?: unknown[] } | undefined;
    if (body?.type !== 'object' || (body.required ?? []).length > 0) return;
    const existing =
      route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [
      async (request: FastifyRequest) => {
        if (request.body === undefined) request.body = {};
      },
      ...existing,
    ];
  });
  // The interactive docs are public pages.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fulfill API',
        version: options.version ?? apiVersion,
        description:
          'Orders, inventory ledger and sourcing for physical, digital and lead fulfillment. Errors are RFC 9457 problem documents (application/problem+json) with a stable `code` and, for validation, `errors[]` of JSON pointers. Lists are cursor-paginated: `{data, next_cursor}`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: fk_<prefix>_<secret>' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'orders', description: 'Order intake, holds, cancellation, timeline, fulfillment orders' },
        { name: 'inventory', description: 'The ledger: receipts, adjustments, transfers, levels, verification' },
        { name: 'catalog', description: 'Items, locations and bins' },
        { name: 'warehouse', description: 'Slotting, waves, pick lists, packing and shipping' },
        { name: 'access', description: 'API keys and scopes' },
        { name: 'mail', description: 'Customer e-mails: the record of every message, previews, template overrides' },
        { name: 'webhooks', description: 'Outbound webhook endpoints (Standard Webhooks), delivery log, replay' },
        { name: 'tracking', description: 'Carrier tracking events, shipment status, late and stuck parcels' },
        { name: 'digital', description: 'Digital deliverables, license keys, entitlements and downloads' },
        { name: 'leads', description: 'Lead-generation forms, submissions, consent and CRM forwarding' },
        { name: 'system', description: 'Health and documentation' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  installAuth(app, deps.authenticator);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', {
    config: { public: true },
    schema: { tags: ['system'], summary: 'Liveness and database reachability', security: [], response: { 200: Health, 503: Health } },
    handler: async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.db.read);
        return { status: 'ok', database: deps.db.dialect };
      } catch {
        return reply.code(503).send({ status: 'unavailable', database: deps.db.dialect });
      }
    },
  });
  accessRoutes(app, deps);
  catalogRoutes(app, deps);
  inventoryRoutes(app, deps);
  orderRoutes(app, deps);
  warehouseRoutes(app, deps);
  shippingRoutes(app, deps);
  outboxRoutes(app, deps);
  mailRoutes(app, deps);
  webhooksRoutes(app, deps);
  trackingRoutes(app, deps);
  digitalRoutes(app, deps);
  leadsRoutes(app, deps);
  return app;
}
