import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';
import { filesMaxBytes, fileView, findFile, saveFile, sendStoredFile } from '../../contexts/files/index.js';
import { ProblemError } from '../../kernel/problem.js';
import { actorOf } from '../auth.js';
import { Id, Problem, problemResponses } from '../schemas/common.js';
import { digitalApiRoutes } from './digital-api.js';

const FileView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  content_type: Type.String(),
  size: Type.Integer(),
  sha256: Type.String({ description: 'Hex SHA-256 of the bytes; also the ETag of downloads' }),
  created_at: Type.String(),
});

/** Files (the store shared with leads), digital items, entitlements, downloads and the license API. */
export function digitalRoutes(app: FastifyInstance, deps: App): void {
  const maxBytes = filesMaxBytes();
  // The upload route takes any media type as a raw stream: it gets its own scope so the JSON-only parsers
  // of the rest of the API stay as they are.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post('/v1/files', {
      config: { scope: 'digital:write' },
      bodyLimit: maxBytes,
      schema: {
        tags: ['digital'],
        summary: 'Upload a file (raw body)',
        description: `The request body is the file itself, streamed to storage and hashed (SHA-256) on the way; \`Content-Type\` is the file's media type and \`?name=\` its download name. At most FILES_MAX_BYTES bytes (default 512 MiB; this server: ${maxBytes}).`,
        querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
        response: { 201: FileView, ...problemResponses, 413: Problem, 415: Problem },
      },
      handler: async (request, reply) => {
        const length = Number(request.headers['content-length'] ?? Number.NaN);
        const body = request.body as Readable | undefined;
        if (Number.isFinite(length) && length > maxBytes) {
          body?.resume();
          throw new ProblemError('payload_too_large', `the file is larger than the limit of ${maxBytes} bytes`, { max_bytes: maxBytes });
        }
        const contentType = request.headers['content-type'];
        if (!body || !contentType) {
          throw new ProblemError('unsupported_media_type', 'send the file as the request body with its Content-Type');
        }
        const { name } = request.query as { name: string };
        const file = await saveFile(deps, body, { name, contentType, maxBytes, createdBy: actorOf(request) });
        return reply.code(201).header('location', `/v1/files/${file.id}`).send(fileView(file));
      },
    });
  });

  app.get('/v1/files/:id', {
    config: { scope: 'digital:read' },
    schema: {
      tags: ['digital'],
      summary: 'A stored file: name, type, size, SHA-256',
      params: Type.Object({ id: Id }),
      response: { 200: FileView, ...problemResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const file = await findFile(deps, id);
      if (!file) throw new ProblemError('not_found', `no file ${id}`);
      return fileView(file);
    },
  });

  app.get('/v1/files/:id/content', {
    config: { scope: 'digital:read' },
    schema: {
      tags: ['digital'],
      summary: "A stored file's bytes (merchant download; Range supported)",
      params: Type.Object({ id: Id }),
      response: {
        200: Type.String({ description: 'the file', format: 'binary' }),
        206: Type.String({ format: 'binary' }),
        ...problemResponses,
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const file = await findFile(deps, id);
      if (!file) throw new ProblemError('not_found', `no file ${id}`);
      return sendStoredFile(request, reply, file);
    },
  });

  digitalApiRoutes(app, deps);
}
