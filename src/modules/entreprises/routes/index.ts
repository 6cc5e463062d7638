/** The routes of the company registry: its public look-up. */
import { routeFamily } from '../../../http/plugins.js';
import { registreRoutes } from './registre.js';

export const registryRoutes = routeFamily(registreRoutes);
