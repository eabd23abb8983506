import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';

export function digitalRoutes(_app: FastifyInstance, _deps: App): void {}
