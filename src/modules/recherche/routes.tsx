/** SOLTéA public pages: home, « Recherche établissement », fiche établissement. */
import type { FastifyInstance } from 'fastify';

export async function rechercheRoutes(_app: FastifyInstance): Promise<void> {}
