/** « SOLTéA - Employeurs »: the entry, one SIRET's space (Synthèse, « Attribuer », groups, history), and the CSV import. */
import { routeFamily } from '../../../http/plugins.js';
import { attribuerRoutes } from './attribuer.js';
import { changementsRoutes } from './changements.js';
import { entreeRoutes } from './entree.js';
import { groupesRoutes } from './groupes.js';
import { importRoutes } from './import.js';
import { recapitulatifRoutes } from './recapitulatif.js';
import { redesignationRoutes } from './redesignation.js';
import { syntheseRoutes } from './synthese.js';

// The CSV import has its own body parsers and size limit: registered first, in a plugin of its own.
export const attributionsRoutes = routeFamily(
  importRoutes,
  entreeRoutes,
  syntheseRoutes,
  changementsRoutes,
  attribuerRoutes,
  groupesRoutes,
  redesignationRoutes,
  recapitulatifRoutes,
);
