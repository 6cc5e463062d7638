/** The routes of « Gestion », one file per screen family, registered by family. */
import { routeFamily } from '../../../http/plugins.js';
import { consultationRoutes } from './consultation.js';
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
export const declarationsRoutes = routeFamily(declarationsListsRoutes, etablissementsRoutes);

/** « Gérer les déclarants » and the invitation link. */
export const declarantsRoutes = routeFamily(declarantFormsRoutes, declarantActionsRoutes, invitationRoutes);

/** « Gérer les habilitations »: the grid, its history, the CSV export and import. */
export const habilitationsRoutes = routeFamily(habilitationsGridRoutes, habilitationsHistoryRoutes, habilitationsImportRoutes);

/** « Gérer vos portefeuilles » (administrators of a tiers-déclarant) and the portefeuilles its déclarants work on. */
export const portefeuillesRoutes = routeFamily(
  portefeuillesListRoutes,
  recapitulatifRoutes,
  portefeuilleListsRoutes,
  portefeuilleCompositionRoutes,
  portefeuilleClientRoutes,
  viewerRoutes,
);

/** Every route of the module, in the order the screens come in the guide's « Gestion » menu. */
export const gestionRoutes = routeFamily(
  declarationsRoutes,
  declarantsRoutes,
  habilitationsRoutes,
  portefeuillesRoutes,
  consultationRoutes,
);
