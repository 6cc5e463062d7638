/** Read access to the company registry (entreprises + établissements). */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';
import { entreprises, etablissements } from '../../infra/db/schema.js';
import type { EtablissementRow } from './registry-format.js';

export interface EtablissementView extends EtablissementRow {
  updatedAt: Date;
}

export interface EtablissementWithEntreprise extends EtablissementView {
  entreprise: {
    siren: string;
    raisonSociale: string;
    sigle: string | null;
    categorieJuridique: string | null;
    /** 'A' active, 'C' ceased */
    etatAdministratif: 'A' | 'C';
  };
}

const etablissementColumns = {
  siret: etablissements.siret,
  siren: etablissements.siren,
  denomination: etablissements.denomination,
  estSiege: etablissements.estSiege,
  adresse: etablissements.adresse,
  codePostal: etablissements.codePostal,
  codeCommune: etablissements.codeCommune,
  libelleCommune: etablissements.libelleCommune,
  etatAdministratif: etablissements.etatAdministratif,
  checksumWarning: etablissements.checksumWarning,
  updatedAt: etablissements.updatedAt,
};

/** The establishment with its company, or null when the SIRET is not in the registry. */
export async function findEtablissement(db: Tx, siret: string): Promise<EtablissementWithEntreprise | null> {
  const [row] = await db
    .select({
      ...etablissementColumns,
      entreprise: {
        siren: entreprises.siren,
        raisonSociale: entreprises.raisonSociale,
        sigle: entreprises.sigle,
        categorieJuridique: entreprises.categorieJuridique,
        etatAdministratif: entreprises.etatAdministratif,
      },
    })
    .from(etablissements)
    .innerJoin(entreprises, eq(entreprises.siren, etablissements.siren))
    .where(eq(etablissements.siret, siret))
    .limit(1);
  if (!row) return null;
  return {
    ...row,
    etatAdministratif: row.etatAdministratif as 'A' | 'F',
    entreprise: { ...row.entreprise, etatAdministratif: row.entreprise.etatAdministratif as 'A' | 'C' },
  };
}

/** Establishments of a company, siège first then by SIRET; closed ones only with `includeClosed`. */
export async function listEtablissementsOfSiren(
  db: Tx,
  siren: string,
  opts: { includeClosed: boolean } = { includeClosed: false },
): Promise<EtablissementView[]> {
  const rows = await db
    .select(etablissementColumns)
    .from(etablissements)
    .where(
      opts.includeClosed
        ? eq(etablissements.siren, siren)
        : and(eq(etablissements.siren, siren), eq(etablissements.etatAdministratif, 'A')),
    )
    .orderBy(desc(etablissements.estSiege), asc(etablissements.siret));
  return rows.map((r) => ({ ...r, etatAdministratif: r.etatAdministratif as 'A' | 'F' }));
}

/** The public look-up of a SIRET: its names, whether it is active (establishment and company), whether it is the siège. */
export interface RegistryEntry {
  siret: string;
  siren: string;
  raisonSociale: string;
  denomination: string;
  actif: boolean;
  siege: boolean;
}

export async function lookupEtablissement(db: Tx, siret: string): Promise<RegistryEntry | null> {
  const e = await findEtablissement(db, siret);
  if (!e) return null;
  return {
    siret: e.siret,
    siren: e.siren,
    raisonSociale: e.entreprise.raisonSociale,
    denomination: e.denomination,
    actif: e.etatAdministratif === 'A' && e.entreprise.etatAdministratif === 'A',
    siege: e.estSiege,
  };
}
