/** The routes of the company registry: its public look-up. */
import type { FastifyInstance } from 'fastify';
import { registreRoutes } from './registre.js';

export async function registryRoutes(app: FastifyInstance) {
  await app.register(registreRoutes);
}
