/**
 * The HTTP ceiling: a bare Fastify 5 server whose POST /v1/orders parses the same JSON body (Fastify's own
 * parser, the same body limit) and answers 201 with a small JSON document. No auth, no validation, no database.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { limits } from '../../src/kernel/limits.js';

const app = Fastify({ logger: false, bodyLimit: limits.requestBodyBytesMax });
app.post('/v1/orders', async (request, reply) => {
  const body = request.body as { external_id?: unknown };
  return reply.code(201).send({ id: randomUUID(), external_id: body.external_id, status: 'open' });
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');

const stats = { transactions: 0, ordersSubmitted: 0, transactionMs: 0, batchSizes: {}, windowMs: 0, sql: {} };
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset-stats') process.send?.({ type: 'stats-reset' });
  if (message.type === 'get-stats') process.send?.({ type: 'stats', stats });
});
process.on('disconnect', () => process.exit(1));
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
process.send?.({ type: 'ready', port: address.port });
