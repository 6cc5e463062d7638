/** The routes of « Gestion », one file per screen family, registered by family. */
import type { FastifyInstance } from 'fastify';
import { declarantActionsRoutes } from './declarant-actions.js';
import { declarantFormsRoutes } from './declarants.js';
import { habilitationsGridRoutes } from './habilitations.js';
import { habilitationsHistoryRoutes } from './habilitations-historique.js';
import { habilitationsImportRoutes } from './habilitations-import.js';
import { invitationRoutes } from './invitation.js';

export { declarationsRoutes } from './declarations.js';
export { portefeuillesRoutes } from '../portefeuilles-routes.js';

/** « Gérer les déclarants » and the invitation link. */
export async function declarantsRoutes(app: FastifyInstance) {
  await app.register(declarantFormsRoutes);
  await app.register(declarantActionsRoutes);
  await app.register(invitationRoutes);
}

/** « Gérer les habilitations »: the grid, its history, the CSV export and import. */
export async function habilitationsRoutes(app: FastifyInstance) {
  await app.register(habilitationsGridRoutes);
  await app.register(habilitationsHistoryRoutes);
  await app.register(habilitationsImportRoutes);
}
