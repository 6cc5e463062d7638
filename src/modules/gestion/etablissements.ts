/**
 * « Gérer les établissements »: the établissements of the user's own company, read
 * live from the registry (a re-import shows at once), active and closed, siège first, with the number
 * of declarations chosen for each in the user's espace. A tiers-déclarant sees its own company here;
 * its clients are in its portefeuilles.
 */
import type { AppContext } from '../../app-context.js';
import { companyEtablissements, type CompanyEtablissements } from './declarations.js';
import type { User } from './scope.js';

export type EtablissementsOfCompany = CompanyEtablissements;

export async function etablissementsOfCompany(ctx: AppContext, admin: User): Promise<EtablissementsOfCompany> {
  return companyEtablissements(ctx, admin);
}
