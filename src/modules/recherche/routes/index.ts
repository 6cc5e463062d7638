/** SOLTéA's public routes: the home, « Recherche établissement », the fiche établissement and the campaign's calendar. */
import { routeFamily } from '../../../http/plugins.js';
import { calendrierRoutes } from './calendrier.js';
import { ficheRoutes } from './fiche.js';
import { rechercheEtablissementRoutes } from './recherche.js';

export const rechercheRoutes = routeFamily(rechercheEtablissementRoutes, ficheRoutes, calendrierRoutes);
