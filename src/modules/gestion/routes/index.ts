/** The routes of « Gestion », one file per screen family, registered by family. */
import type { FastifyInstance } from 'fastify';
import { declarantActionsRoutes } from './declarant-actions.js';
import { declarantFormsRoutes } from './declarants.js';
import { invitationRoutes } from './invitation.js';

export { declarationsRoutes } from './declarations.js';
export { habilitationsRoutes } from '../habilitations-routes.js';
export { portefeuillesRoutes } from '../portefeuilles-routes.js';

/** « Gérer les déclarants » and the invitation link. */
export async function declarantsRoutes(app: FastifyInstance) {
  await app.register(declarantFormsRoutes);
  await app.register(declarantActionsRoutes);
  await app.register(invitationRoutes);
}
