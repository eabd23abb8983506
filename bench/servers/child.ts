import type { FastifyInstance } from 'fastify';
import type { App } from '../../src/compose.js';

/** What a bench server answers besides `ready`: its own stats, when the bench asks for them. */
export interface ChildStats {
  reset?(): void;
  read?(): unknown;
}

/**
 * The protocol every bench server speaks with the bench (bench/lib/processes.ts): listen on a free port, say
 * `ready` with it, reset and report stats on request, exit when the bench goes away, and on SIGTERM stop
 * like `fulfill serve` (stop accepting, let in-flight work commit, close the database).
 */
export async function serveBenchChild(
  http: FastifyInstance,
  app: App,
  stats: ChildStats = {},
  ready: Record<string, unknown> = {},
): Promise<void> {
  await http.listen({ port: 0, host: '127.0.0.1' });
  const address = http.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset-stats') {
      stats.reset?.();
      process.send?.({ type: 'stats-reset' });
    }
    if (message.type === 'get-stats' && stats.read) {
      void Promise.resolve(stats.read()).then((read) => process.send?.({ type: 'stats', stats: read }));
    }
  });
  process.on('disconnect', () => process.exit(1));
  process.once('SIGTERM', () => {
    void http
      .close()
      .then(() => app.close())
      .finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', port: address.port, ...ready });
}
