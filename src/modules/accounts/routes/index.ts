/** The account portal's routes, one file per screen family. */
import { routeFamily } from '../../../http/plugins.js';
import { connexionRoutes } from './connexion.js';
import { demandesRoutes } from './demandes.js';
import { informationsRoutes } from './informations.js';
import { inscriptionFinRoutes } from './inscription-fin.js';
import { inscriptionRoutes } from './inscription.js';
import { inscriptionValidationRoutes } from './inscription-validation.js';
import { menuRoutes } from './menu.js';
import { motDePasseOublieRoutes } from './mot-de-passe-oublie.js';
import { validationCourrielRoutes } from './validation-courriel.js';

export const accountsRoutes = routeFamily(
  connexionRoutes,
  inscriptionRoutes,
  inscriptionFinRoutes,
  inscriptionValidationRoutes,
  validationCourrielRoutes,
  motDePasseOublieRoutes,
  menuRoutes,
  informationsRoutes,
  demandesRoutes,
);
