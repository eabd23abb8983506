import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../compose.js';
import {
  buyLabels,
  createBoxes,
  createManifest,
  type DocumentFile,
  getManifest,
  getParcel,
  listBoxes,
  listParcels,
  manifestFile,
  packingSlipFile,
  packParcels,
  parcelLabelFile,
  pickListFile,
  proposePacking,
  shipFulfillmentOrder,
  unpackParcel,
  voidParcelLabel,
} from '../../contexts/warehouse/index.js';
import { actorOf } from '../auth.js';
import { unwrap } from '../errors.js';
import { Code, Id, problemResponses } from '../schemas/common.js';
import { BoxesBody, BoxView, LabelBody, Manifest, ManifestBody, PackBody, Parcel, Proposal, Shipment } from '../schemas/warehouse.js';

const tags = ['warehouse'];
const fileResponse = { 200: Type.String({ description: 'the file', format: 'binary' }), ...problemResponses };

function sendFile(reply: FastifyReply, file: DocumentFile): FastifyReply {
  return reply
    .type(file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(Buffer.from(file.bytes));
}

const idParams = Type.Object({ id: Id });
const idOf = (params: unknown) => (params as { id: string }).id;

export function shippingRoutes(app: FastifyInstance, deps: App): void {
  app.post('/v1/locations/:code/boxes', {
    config: { scope: 'catalog:write' },
    schema: {
      tags,
      summary: "Define boxes in a location's catalog (replaces the standard catalog there)",
      params: Type.Object({ code: Code }),
      body: BoxesBody,
      response: { 201: Type.Object({ data: Type.Array(BoxView) }), ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send({
        data: unwrap(
          await createBoxes(
            deps,
            (request.params as { code: string }).code,
            (request.body as Static<typeof BoxesBody>).boxes,
            actorOf(request),
          ),
        ),
      }),
  });
  app.get('/v1/locations/:code/boxes', {
    config: { scope: 'catalog:read' },
    schema: {
      tags,
      summary: 'The box catalog a location packs into',
      params: Type.Object({ code: Code }),
      response: { 200: Type.Object({ data: Type.Array(BoxView) }), ...problemResponses },
    },
    handler: async (request) => ({ data: unwrap(await listBoxes(deps, (request.params as { code: string }).code)) }),
  });
  app.post('/v1/fulfillment-orders/:id/packing-proposal', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Propose boxes for the picked units (3D fit, cheapest box plus rate); packs nothing',
      params: idParams,
      body: Type.Optional(PackBody),
      response: { 200: Proposal, ...problemResponses },
    },
    handler: async (request) => unwrap(await proposePacking(deps, idOf(request.params), (request.body as Static<typeof PackBody>) ?? {})),
  });
  app.post('/v1/fulfillment-orders/:id/parcels', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: "Pack picked units into parcels (scan by scan, or quantities), in the proposed boxes or the packer's box",
      params: idParams,
      body: Type.Optional(PackBody),
      response: { 201: Type.Object({ data: Type.Array(Parcel) }), ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send({
        data: unwrap(await packParcels(deps, idOf(request.params), (request.body as Static<typeof PackBody>) ?? {}, actorOf(request))),
      }),
  });
  app.get('/v1/fulfillment-orders/:id/parcels', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: "A fulfillment order's parcels",
      params: idParams,
      response: { 200: Type.Object({ data: Type.Array(Parcel) }), ...problemResponses },
    },
    handler: async (request) => ({ data: unwrap(await listParcels(deps, idOf(request.params))) }),
  });
  app.post('/v1/fulfillment-orders/:id/labels', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Rate every carrier and buy a label for each packed parcel (idempotent per parcel)',
      description:
        'The choice and every other quote are recorded on the parcel (`rate_choice`). A carrier failure or timeout leaves the parcel retryable: call again.',
      params: idParams,
      body: Type.Optional(LabelBody),
      response: {
        200: Type.Object({ data: Type.Array(Parcel) }),
        502: problemResponses[409],
        504: problemResponses[409],
        ...problemResponses,
      },
    },
    handler: async (request) => ({
      data: unwrap(await buyLabels(deps, idOf(request.params), (request.body as Static<typeof LabelBody>) ?? {}, actorOf(request))),
    }),
  });
  app.post('/v1/fulfillment-orders/:id/ship', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Ship the labelled parcels: stock leaves through the ledger, a shipment is recorded',
      params: idParams,
      response: { 201: Shipment, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await shipFulfillmentOrder(deps, idOf(request.params), actorOf(request)))),
  });
  app.get('/v1/fulfillment-orders/:id/packing-slip.pdf', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Packing slip (PDF)', params: idParams, response: fileResponse },
    handler: async (request, reply) => sendFile(reply, unwrap(await packingSlipFile(deps, idOf(request.params)))),
  });
  app.get('/v1/parcels/:id', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Get a parcel', params: idParams, response: { 200: Parcel, ...problemResponses } },
    handler: async (request) => unwrap(await getParcel(deps, idOf(request.params))),
  });
  app.post('/v1/parcels/:id/void', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: "Void a parcel's label at the carrier; the parcel can be labelled again",
      params: idParams,
      response: { 200: Parcel, ...problemResponses },
    },
    handler: async (request) => unwrap(await voidParcelLabel(deps, idOf(request.params), actorOf(request))),
  });
  app.post('/v1/parcels/:id/unpack', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Take an unlabelled parcel apart', params: idParams, response: { 200: Parcel, ...problemResponses } },
    handler: async (request) => unwrap(await unpackParcel(deps, idOf(request.params), actorOf(request))),
  });
  for (const format of ['pdf', 'zpl'] as const) {
    app.get(`/v1/parcels/:id/label.${format}`, {
      config: { scope: 'warehouse' },
      schema: {
        tags,
        summary: `The parcel's 4x6 label as ${format === 'pdf' ? 'PDF' : 'ZPL II'}`,
        params: idParams,
        response: fileResponse,
      },
      handler: async (request, reply) => sendFile(reply, unwrap(await parcelLabelFile(deps, idOf(request.params), format))),
    });
  }
  app.get('/v1/pick-lists/:id/pick-list.pdf', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Pick list (PDF)', params: idParams, response: fileResponse },
    handler: async (request, reply) => sendFile(reply, unwrap(await pickListFile(deps, idOf(request.params)))),
  });
  app.post('/v1/manifests', {
    config: { scope: 'warehouse' },
    schema: {
      tags,
      summary: 'Close the day: a manifest of every parcel of one carrier shipped from a location',
      body: ManifestBody,
      response: { 201: Manifest, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(unwrap(await createManifest(deps, request.body as Static<typeof ManifestBody>, actorOf(request)))),
  });
  app.get('/v1/manifests/:id', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Get a manifest', params: idParams, response: { 200: Manifest, ...problemResponses } },
    handler: async (request) => unwrap(await getManifest(deps, idOf(request.params))),
  });
  app.get('/v1/manifests/:id/manifest.pdf', {
    config: { scope: 'warehouse' },
    schema: { tags, summary: 'Manifest (PDF) for the driver to sign', params: idParams, response: fileResponse },
    handler: async (request, reply) => sendFile(reply, unwrap(await manifestFile(deps, idOf(request.params)))),
  });
}
