import type { FastifyInstance } from 'fastify';

/** Routes of « Gérer les declarations » (issue 3). */
export async function declarationsRoutes(app: FastifyInstance) {
  void app;
}
