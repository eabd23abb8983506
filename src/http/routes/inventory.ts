import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import {
  adjustStock,
  cancelTransfer,
  createTransfer,
  getTransfer,
  listLevels,
  listMovements,
  listTransfers,
  receiveStock,
  receiveTransfer,
  type TransferStatus,
  transferStatuses,
  verifyInventory,
} from '../../contexts/inventory/index.js';
import { actorOf } from '../auth.js';
import { unwrap } from '../errors.js';
import { Code, Id, PageQuery, page, problemResponses, Sku } from '../schemas/common.js';
import { Adjustment, Level, Movement, Receipt, StockChange, Transfer, TransferCreate, VerifyReport } from '../schemas/inventory.js';

const tags = ['inventory'];

export function inventoryRoutes(app: FastifyInstance, deps: App): void {
  app.get('/v1/inventory', {
    config: { scope: 'inventory:read' },
    schema: {
      tags,
      summary: 'Inventory levels by SKU and location',
      querystring: Type.Object({ sku: Type.Optional(Sku), location: Type.Optional(Code), ...PageQuery }, { additionalProperties: false }),
      response: { 200: page(Level), ...problemResponses },
    },
    handler: async (request) => listLevels(deps, request.query as { sku?: string; location?: string; cursor?: string; limit?: number }),
  });
  app.get('/v1/inventory/movements', {
    config: { scope: 'inventory:read' },
    schema: {
      tags,
      summary: 'The inventory ledger, newest first',
      querystring: Type.Object(
        { sku: Type.Optional(Sku), location: Type.Optional(Code), ref_id: Type.Optional(Id), ...PageQuery },
        { additionalProperties: false },
      ),
      response: { 200: page(Movement), ...problemResponses },
    },
    handler: async (request) =>
      listMovements(deps, request.query as { sku?: string; location?: string; ref_id?: string; cursor?: string; limit?: number }),
  });
  app.get('/v1/inventory/verify', {
    config: { scope: 'inventory:read' },
    schema: {
      tags,
      summary: 'Prove that every level equals the fold of the ledger and reserved equals open demand',
      response: { 200: VerifyReport, ...problemResponses },
    },
    handler: async () => verifyInventory(deps),
  });
  app.post('/v1/inventory/receipts', {
    config: { scope: 'inventory:write' },
    schema: {
      tags,
      summary: 'Receive stock at a location (backorders are served first-in-first-out)',
      body: Receipt,
      response: { 201: StockChange, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await receiveStock(deps, request.body as Static<typeof Receipt>, actorOf(request)))),
  });
  app.post('/v1/inventory/adjustments', {
    config: { scope: 'inventory:write' },
    schema: {
      tags,
      summary: 'Adjust on-hand stock by a delta or to a counted quantity, with a reason',
      body: Adjustment,
      response: { 201: StockChange, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await adjustStock(deps, request.body as Static<typeof Adjustment>, actorOf(request)))),
  });
  app.post('/v1/inventory/transfers', {
    config: { scope: 'inventory:write' },
    schema: { tags, summary: 'Transfer stock between locations', body: TransferCreate, response: { 201: Transfer, ...problemResponses } },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await createTransfer(deps, request.body as Static<typeof TransferCreate>, actorOf(request)))),
  });
  app.get('/v1/inventory/transfers', {
    config: { scope: 'inventory:read' },
    schema: {
      tags,
      summary: 'List transfers, newest first',
      querystring: Type.Object(
        { status: Type.Optional(Type.Union(transferStatuses.map((s) => Type.Literal(s)))), ...PageQuery },
        { additionalProperties: false },
      ),
      response: { 200: page(Transfer), ...problemResponses },
    },
    handler: async (request) => listTransfers(deps, request.query as { status?: TransferStatus; cursor?: string; limit?: number }),
  });
  app.get('/v1/inventory/transfers/:id', {
    config: { scope: 'inventory:read' },
    schema: { tags, summary: 'Get a transfer', params: Type.Object({ id: Id }), response: { 200: Transfer, ...problemResponses } },
    handler: async (request) => unwrap(await getTransfer(deps, (request.params as { id: string }).id)),
  });
  app.post('/v1/inventory/transfers/:id/receive', {
    config: { scope: 'inventory:write' },
    schema: {
      tags,
      summary: 'Receive a transfer at its destination',
      params: Type.Object({ id: Id }),
      response: { 200: Transfer, ...problemResponses },
    },
    handler: async (request) => unwrap(await receiveTransfer(deps, (request.params as { id: string }).id, actorOf(request))),
  });
  app.post('/v1/inventory/transfers/:id/cancel', {
    config: { scope: 'inventory:write' },
    schema: {
      tags,
      summary: 'Cancel a transfer in transit (stock returns to the source)',
      params: Type.Object({ id: Id }),
      response: { 200: Transfer, ...problemResponses },
    },
    handler: async (request) => unwrap(await cancelTransfer(deps, (request.params as { id: string }).id, actorOf(request))),
  });
}
