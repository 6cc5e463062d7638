/** The routes of « Gestion », one file per screen family, registered by family. */
import type { FastifyInstance } from 'fastify';
import { declarantActionsRoutes } from './declarant-actions.js';
import { declarantFormsRoutes } from './declarants.js';
import { declarationsListsRoutes } from './declarations.js';
import { etablissementsRoutes } from './etablissements.js';
import { habilitationsGridRoutes } from './habilitations.js';
import { habilitationsHistoryRoutes } from './habilitations-historique.js';
import { habilitationsImportRoutes } from './habilitations-import.js';
import { invitationRoutes } from './invitation.js';
import { portefeuilleCompositionRoutes } from './portefeuille-composition.js';
import { portefeuilleClientRoutes } from './portefeuille-entreprise.js';
import { portefeuilleListsRoutes } from './portefeuille-listes.js';
import { portefeuillesListRoutes } from './portefeuilles.js';
import { recapitulatifRoutes } from './portefeuilles-recapitulatif.js';
import { viewerRoutes } from './vos-portefeuilles.js';

/** « Gérer les déclarations » and « Gérer les établissements ». */
export async function declarationsRoutes(app: FastifyInstance) {
  await app.register(declarationsListsRoutes);
  await app.register(etablissementsRoutes);
}

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

/** « Gérer vos portefeuilles » (administrators of a tiers-déclarant) and the portefeuilles its déclarants work on. */
export async function portefeuillesRoutes(app: FastifyInstance) {
  await app.register(portefeuillesListRoutes);
  await app.register(recapitulatifRoutes);
  await app.register(portefeuilleListsRoutes);
  await app.register(portefeuilleCompositionRoutes);
  await app.register(portefeuilleClientRoutes);
  await app.register(viewerRoutes);
}

/** Every route of the module, in the order the screens come in the guide's « Gestion » menu. */
export async function gestionRoutes(app: FastifyInstance) {
  await app.register(declarationsRoutes);
  await app.register(declarantsRoutes);
  await app.register(habilitationsRoutes);
  await app.register(portefeuillesRoutes);
}
