/** SOLTéA's public routes: the home, « Recherche établissement » and the fiche établissement. */
import { routeFamily } from '../../../http/plugins.js';
import { ficheRoutes } from './fiche.js';
import { rechercheEtablissementRoutes } from './recherche.js';

export const rechercheRoutes = routeFamily(rechercheEtablissementRoutes, ficheRoutes);
