/** SOLTéA's public routes: the home, « Recherche établissement » and the fiche établissement. */
import type { FastifyInstance } from 'fastify';
import { ficheRoutes } from './fiche.js';
import { rechercheEtablissementRoutes } from './recherche.js';

export async function rechercheRoutes(app: FastifyInstance) {
  await app.register(rechercheEtablissementRoutes);
  await app.register(ficheRoutes);
}
