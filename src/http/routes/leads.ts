import type { FastifyInstance } from 'fastify';
import type { App } from '../../compose.js';

export function leadsRoutes(_app: FastifyInstance, _deps: App): void {}
