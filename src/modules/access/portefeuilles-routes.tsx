import type { FastifyInstance } from 'fastify';

/** Routes of « Gérer les portefeuilles » (issue 3). */
export async function portefeuillesRoutes(app: FastifyInstance) {
  void app;
}
