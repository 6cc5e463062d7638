/** The routes of the establishment space (« SOLTéA - Etablissements »), one file per screen family. */
import { routeFamily } from '../../../http/plugins.js';
import { accueilRoutes } from './accueil.js';
import { attributionsRoutes } from './attributions.js';
import { coordonneesBancairesRoutes } from './coordonnees-bancaires.js';
import { courrielsRoutes } from './courriels.js';
import { ficheRoutes } from './fiche.js';
import { lignesRoutes } from './lignes.js';
import { versementsRoutes } from './versements.js';

export const espaceEtablissementRoutes = routeFamily(
  accueilRoutes,
  ficheRoutes,
  lignesRoutes,
  coordonneesBancairesRoutes,
  attributionsRoutes,
  versementsRoutes,
  courrielsRoutes,
);
