/** The operator's space (Caisse des Dépôts), one file per screen family. */
import type { FastifyInstance } from 'fastify';
import { operateurConnexionRoutes } from './connexion.js';
import { operateurEspaceRoutes } from './espace.js';
import { operateurImportsRoutes } from './imports.js';
import { operateurReliquatRoutes } from './reliquat.js';
import { operateurVaguesRoutes } from './vagues.js';

export async function operateurRoutes(app: FastifyInstance) {
  await app.register(operateurConnexionRoutes);
  await app.register(operateurEspaceRoutes);
  await app.register(operateurVaguesRoutes);
  await app.register(operateurReliquatRoutes);
  await app.register(operateurImportsRoutes);
}
