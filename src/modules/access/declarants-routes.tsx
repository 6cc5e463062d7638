import type { FastifyInstance } from 'fastify';

/** Routes of « Gérer les declarants » (issue 3). */
export async function declarantsRoutes(app: FastifyInstance) {
  void app;
}
