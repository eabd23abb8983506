import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import {
  createBins,
  createItem,
  createLocation,
  getItem,
  getLocation,
  type ItemKind,
  itemKinds,
  type LocationKind,
  listBins,
  listItems,
  listLocations,
  locationKinds,
  updateItem,
  updateLocation,
} from '../../contexts/catalog/index.js';
import { actorOf } from '../auth.js';
import { unwrap } from '../errors.js';
import { Bin, BinCreate, Item, ItemCreate, ItemPatch, Location, LocationCreate, LocationPatch } from '../schemas/catalog.js';
import { Code, PageQuery, page, problemResponses, Sku } from '../schemas/common.js';

const tags = ['catalog'];

export function catalogRoutes(app: FastifyInstance, deps: App): void {
  app.post('/v1/items', {
    config: { scope: 'catalog:write' },
    schema: { tags, summary: 'Create an item', body: ItemCreate, response: { 201: Item, ...problemResponses } },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await createItem(deps, request.body as Static<typeof ItemCreate>, actorOf(request)))),
  });
  app.get('/v1/items', {
    config: { scope: 'catalog:read' },
    schema: {
      tags,
      summary: 'List items by SKU',
      querystring: Type.Object(
        { kind: Type.Optional(Type.Union(itemKinds.map((k) => Type.Literal(k)))), ...PageQuery },
        { additionalProperties: false },
      ),
      response: { 200: page(Item), ...problemResponses },
    },
    handler: async (request) => listItems(deps, request.query as { kind?: ItemKind; cursor?: string; limit?: number }),
  });
  app.get('/v1/items/:sku', {
    config: { scope: 'catalog:read' },
    schema: { tags, summary: 'Get an item', params: Type.Object({ sku: Sku }), response: { 200: Item, ...problemResponses } },
    handler: async (request) => unwrap(await getItem(deps, (request.params as { sku: string }).sku)),
  });
  app.patch('/v1/items/:sku', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: 'Change an item (SKU and kind are fixed)',
      params: Type.Object({ sku: Sku }),
      body: ItemPatch,
      response: { 200: Item, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(await updateItem(deps, (request.params as { sku: string }).sku, request.body as Static<typeof ItemPatch>, actorOf(request))),
  });

  app.post('/v1/locations', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: 'Create a location (warehouse, store, 3pl or supplier)',
      body: LocationCreate,
      response: { 201: Location, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await createLocation(deps, request.body as Static<typeof LocationCreate>, actorOf(request)))),
  });
  app.get('/v1/locations', {
    config: { scope: 'catalog:read' },
    schema: {
      tags,
      summary: 'List locations by code',
      querystring: Type.Object(
        { kind: Type.Optional(Type.Union(locationKinds.map((k) => Type.Literal(k)))), active: Type.Optional(Type.Boolean()), ...PageQuery },
        { additionalProperties: false },
      ),
      response: { 200: page(Location), ...problemResponses },
    },
    handler: async (request) =>
      listLocations(deps, request.query as { kind?: LocationKind; active?: boolean; cursor?: string; limit?: number }),
  });
  app.get('/v1/locations/:code', {
    config: { scope: 'catalog:read' },
    schema: { tags, summary: 'Get a location', params: Type.Object({ code: Code }), response: { 200: Location, ...problemResponses } },
    handler: async (request) => unwrap(await getLocation(deps, (request.params as { code: string }).code)),
  });
  app.patch('/v1/locations/:code', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: 'Change a location (priority, active, address, name)',
      params: Type.Object({ code: Code }),
      body: LocationPatch,
      response: { 200: Location, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(
        await updateLocation(
          deps,
          (request.params as { code: string }).code,
          request.body as Static<typeof LocationPatch>,
          actorOf(request),
        ),
      ),
  });
  app.post('/v1/locations/:code/bins', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: 'Create bins in a warehouse or store',
      params: Type.Object({ code: Code }),
      body: BinCreate,
      response: { 201: Type.Object({ data: Type.Array(Bin) }), ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send({
        data: unwrap(
          await createBins(
            deps,
            (request.params as { code: string }).code,
            (request.body as Static<typeof BinCreate>).bins,
            actorOf(request),
          ),
        ),
      }),
  });
  app.get('/v1/locations/:code/bins', {
    config: { scope: 'catalog:read' },
    schema: {
      tags,
      summary: 'List bins in pick sequence',
      params: Type.Object({ code: Code }),
      response: { 200: Type.Object({ data: Type.Array(Bin) }), ...problemResponses },
    },
    handler: async (request) => ({ data: unwrap(await listBins(deps, (request.params as { code: string }).code)) }),
  });
}
