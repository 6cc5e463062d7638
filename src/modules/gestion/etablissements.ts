/**
 * « Gérer les établissements »: the établissements of the user's own company, read
 * live from the registry (a re-import shows at once), active and closed, siège first, with the number
 * of declarations chosen for each in the user's espace. A tiers-déclarant sees its own company here;
 * its clients are in its portefeuilles.
 */
import type { AppContext } from '../../app-context.js';
import { writeCsv } from '../../shared/csv.js';
import { companyEtablissements, type CompanyEtablissements } from './declarations.js';
import type { User } from './scope.js';

export type EtablissementsOfCompany = CompanyEtablissements;

export async function etablissementsOfCompany(ctx: AppContext, admin: User): Promise<EtablissementsOfCompany> {
  return companyEtablissements(ctx, admin);
}

/** « Gérer les établissements » as a spreadsheet file (`;`, BOM, formulas neutralised), in the page's order. */
export function etablissementsCsv(company: EtablissementsOfCompany): string {
  return writeCsv(
    ['siret', 'nom', 'adresse', 'code postal', 'commune', 'siege', 'etat', 'declarations'],
    company.etablissements.map((e) => [
      e.siret,
      e.denomination,
      e.adresse,
      e.codePostal ?? '',
      e.libelleCommune ?? '',
      e.estSiege ? 'oui' : 'non',
      e.etatAdministratif === 'A' ? 'Actif' : 'Fermé',
      e.declarations,
    ]),
  );
}
