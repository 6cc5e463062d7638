/** The routes of the establishment space (« SOLTéA - Etablissements »), one file per screen family. */
import type { FastifyInstance } from 'fastify';
import { accueilRoutes } from './accueil.js';
import { attributionsRoutes } from './attributions.js';
import { coordonneesBancairesRoutes } from './coordonnees-bancaires.js';
import { courrielsRoutes } from './courriels.js';
import { ficheRoutes } from './fiche.js';
import { lignesRoutes } from './lignes.js';
import { versementsRoutes } from './versements.js';

export async function espaceEtablissementRoutes(app: FastifyInstance) {
  await app.register(accueilRoutes);
  await app.register(ficheRoutes);
  await app.register(lignesRoutes);
  await app.register(coordonneesBancairesRoutes);
  await app.register(attributionsRoutes);
  await app.register(versementsRoutes);
  await app.register(courrielsRoutes);
}
