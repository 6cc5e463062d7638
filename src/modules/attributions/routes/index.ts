/** « SOLTéA - Employeurs »: the entry, one SIRET's space (Synthèse, « Attribuer », groups, history), and the CSV import. */
import type { FastifyInstance } from 'fastify';
import { attribuerRoutes } from './attribuer.js';
import { changementsRoutes } from './changements.js';
import { entreeRoutes } from './entree.js';
import { groupesRoutes } from './groupes.js';
import { importRoutes } from './import.js';
import { redesignationRoutes } from './redesignation.js';
import { syntheseRoutes } from './synthese.js';

export async function attributionsRoutes(app: FastifyInstance) {
  // The CSV import has its own body parsers and size limit: registered first, in a plugin of its own.
  await app.register(importRoutes);
  await app.register(entreeRoutes);
  await app.register(syntheseRoutes);
  await app.register(changementsRoutes);
  await app.register(attribuerRoutes);
  await app.register(groupesRoutes);
  await app.register(redesignationRoutes);
}
