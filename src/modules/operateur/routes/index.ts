/** The operator's space (Caisse des Dépôts), one file per screen family. */
import { routeFamily } from '../../../http/plugins.js';
import { operateurCampagnesRoutes } from './campagnes.js';
import { operateurConnexionRoutes } from './connexion.js';
import { operateurFilesRoutes } from './files.js';
import { operateurEspaceRoutes } from './espace.js';
import { operateurMessagesRoutes } from './messages.js';
import { operateurImportsRoutes } from './imports.js';
import { operateurReliquatRoutes } from './reliquat.js';
import { operateurVaguesRoutes } from './vagues.js';

export const operateurRoutes = routeFamily(
  operateurConnexionRoutes,
  operateurEspaceRoutes,
  operateurCampagnesRoutes,
  operateurFilesRoutes,
  operateurVaguesRoutes,
  operateurReliquatRoutes,
  operateurMessagesRoutes,
  operateurImportsRoutes,
);
