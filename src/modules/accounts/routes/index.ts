/** The account portal's routes, one file per screen family. */
import type { FastifyInstance } from 'fastify';
import { connexionRoutes } from './connexion.js';
import { demandesRoutes } from './demandes.js';
import { informationsRoutes } from './informations.js';
import { inscriptionFinRoutes } from './inscription-fin.js';
import { inscriptionRoutes } from './inscription.js';
import { menuRoutes } from './menu.js';
import { motDePasseOublieRoutes } from './mot-de-passe-oublie.js';
import { validationCourrielRoutes } from './validation-courriel.js';

export async function accountsRoutes(app: FastifyInstance) {
  await app.register(connexionRoutes);
  await app.register(inscriptionRoutes);
  await app.register(inscriptionFinRoutes);
  await app.register(validationCourrielRoutes);
  await app.register(motDePasseOublieRoutes);
  await app.register(menuRoutes);
  await app.register(informationsRoutes);
  await app.register(demandesRoutes);
}
