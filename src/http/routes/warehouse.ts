import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import { assignSlots, getPickList, getWave, listSlots, releaseWave, scanPick, shortPick } from '../../contexts/warehouse/index.js';
import { actorOf } from '../auth.js';
import { unwrap } from '../errors.js';
import { Code, Id, problemResponses } from '../schemas/common.js';
import { PickList, ScanBody, ScanResult, ShortBody, ShortResult, Slot, SlottingBody, Wave, WaveBody } from '../schemas/warehouse.js';

const tags = ['warehouse'];

export function warehouseRoutes(app: FastifyInstance, deps: App): void {
  app.put('/v1/locations/:code/slotting', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: 'Assign items to their pick bins',
      params: Type.Object({ code: Code }),
      body: SlottingBody,
      response: { 200: Type.Object({ data: Type.Array(Slot) }), ...problemResponses },
    },
    handler: async (request) => ({
      data: unwrap(
        await assignSlots(
          deps,
          (request.params as { code: string }).code,
          (request.body as Static<typeof SlottingBody>).slots,
          actorOf(request),
        ),
      ),
    }),
  });
  app.get('/v1/locations/:code/slotting', {
    config: { scope: 'catalog:read' },
    schema: {
      tags,
      summary: 'Item bin assignments in pick sequence',
      params: Type.Object({ code: Code }),
      response: { 200: Type.Object({ data: Type.Array(Slot) }), ...problemResponses },
    },
    handler: async (request) => ({ data: unwrap(await listSlots(deps, (request.params as { code: string }).code)) }),
  });
  app.post('/v1/waves', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Release a wave: start matching open work and cut it into pick lists',
      description:
        "Held or cancelled work is never released. Pick lists follow the bins' pick sequence; `walk_length` and `naive_walk_length` (in mm) compare the walk with the unordered one.",
      body: WaveBody,
      response: { 201: Wave, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await releaseWave(deps, request.body as Static<typeof WaveBody>, actorOf(request)))),
  });
  app.get('/v1/waves/:id', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Get a wave with its pick lists',
      params: Type.Object({ id: Id }),
      response: { 200: Wave, ...problemResponses },
    },
    handler: async (request) => unwrap(await getWave(deps, (request.params as { id: string }).id)),
  });
  app.get('/v1/pick-lists/:id', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Get a pick list (tasks in walk order)',
      params: Type.Object({ id: Id }),
      response: { 200: PickList, ...problemResponses },
    },
    handler: async (request) => unwrap(await getPickList(deps, (request.params as { id: string }).id)),
  });
  app.post('/v1/pick-lists/:id/scans', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Confirm a pick by scanning the bin and the item (GTIN or SKU)',
      description:
        'A scan at a bin with nothing to pick is 422 wrong_bin; another item is 422 wrong_item; more units than asked is 409 over_pick.',
      params: Type.Object({ id: Id }),
      body: ScanBody,
      response: { 200: ScanResult, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(await scanPick(deps, (request.params as { id: string }).id, request.body as Static<typeof ScanBody>, actorOf(request))),
  });
  app.post('/v1/pick-lists/:id/short', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Record a short pick: the missing units leave the ledger and go back to sourcing',
      params: Type.Object({ id: Id }),
      body: ShortBody,
      response: { 200: ShortResult, ...problemResponses },
    },
    handler: async (request) =>
      unwrap(await shortPick(deps, (request.params as { id: string }).id, request.body as Static<typeof ShortBody>, actorOf(request))),
  });
}
