/** The operator's space (Caisse des Dépôts), one file per screen family. */
import type { FastifyInstance } from 'fastify';
import { operateurCampagnesRoutes } from './campagnes.js';
import { operateurConnexionRoutes } from './connexion.js';
import { operateurFilesRoutes } from './files.js';
import { operateurEspaceRoutes } from './espace.js';
import { operateurMessagesRoutes } from './messages.js';
import { operateurImportsRoutes } from './imports.js';
import { operateurReliquatRoutes } from './reliquat.js';
import { operateurVaguesRoutes } from './vagues.js';

export async function operateurRoutes(app: FastifyInstance) {
  await app.register(operateurConnexionRoutes);
  await app.register(operateurEspaceRoutes);
  await app.register(operateurCampagnesRoutes);
  await app.register(operateurFilesRoutes);
  await app.register(operateurVaguesRoutes);
  await app.register(operateurReliquatRoutes);
  await app.register(operateurMessagesRoutes);
  await app.register(operateurImportsRoutes);
}
