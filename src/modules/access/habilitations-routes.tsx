import type { FastifyInstance } from 'fastify';

/** Routes of « Gérer les habilitations » (issue 3). */
export async function habilitationsRoutes(app: FastifyInstance) {
  void app;
}
