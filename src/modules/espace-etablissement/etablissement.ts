/**
 * « Mon établissement »: what the referential of the current campaign says about the establishment
 * (read-only: it comes from the préfet's and the national lists), its UAI, its composantes /
 * établissements secondaires and its formations.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import type { BankStatus } from '../../domain/coordonnees-bancaires.js';
import { libelleCategorie, LISTES } from '../../domain/referentiel.js';
import { refDiplomes, refEtablissements, refEtablissementUais, refFormations } from '../../infra/db/schema.js';
import { departementNom, regionNom } from '../recherche/criteria.js';
import type { Establishment } from './access.js';
import { loadBankView } from './coordonnees-bancaires.js';
import { loadProfil } from './profil.js';

export interface PlaceView {
  id: number;
  nom: string;
  adresse: string;
  codePostal: string | null;
  commune: string | null;
  uais: string[];
}

export interface FormationView {
  id: number;
  etablissementId: number;
  intitule: string;
  niveau: number | null;
  type: string | null;
  rncp: string | null;
  cfd: string | null;
  commune: string | null;
}

export interface EstablishmentView {
  siret: string;
  annee: number;
  nom: string;
  adresse: string;
  codePostal: string | null;
  commune: string | null;
  departement: string | null;
  region: string | null;
  /** « Paris (75) », « Île-de-France » when the codes are known */
  departementLibelle: string | null;
  regionLibelle: string | null;
  categorie: string;
  categorieLibelle: string;
  listeLibelle: string;
  uais: string[];
  composantes: PlaceView[];
  formations: FormationView[];
  /** formations per place (main establishment or composante id) */
  formationsParLieu: Record<number, number>;
}

/** The ids of the establishment and of its composantes for its campaign year. */
export async function placeIds(ctx: AppContext, etab: Establishment): Promise<number[]> {
  const children = await ctx.db
    .select({ id: refEtablissements.id })
    .from(refEtablissements)
    .where(and(eq(refEtablissements.parentId, etab.ref.id), eq(refEtablissements.annee, etab.annee)));
  return [etab.ref.id, ...children.map((c) => c.id)];
}

export async function establishmentView(ctx: AppContext, etab: Establishment): Promise<EstablishmentView> {
  const r = etab.ref;
  const children = await ctx.db
    .select()
    .from(refEtablissements)
    .where(and(eq(refEtablissements.parentId, r.id), eq(refEtablissements.annee, etab.annee)))
    .orderBy(asc(refEtablissements.nom), asc(refEtablissements.id));
  const ids = [r.id, ...children.map((c) => c.id)];
  const uaiRows = await ctx.db
    .select({ etablissementId: refEtablissementUais.etablissementId, uai: refEtablissementUais.uai })
    .from(refEtablissementUais)
    .where(inArray(refEtablissementUais.etablissementId, ids))
    .orderBy(asc(refEtablissementUais.uai));
  const uaisOf = (id: number) => uaiRows.filter((u) => u.etablissementId === id).map((u) => u.uai);
  const formations = await ctx.db
    .select({
      id: refFormations.id,
      etablissementId: refFormations.etablissementId,
      intitule: refDiplomes.intitule,
      niveau: refDiplomes.niveau,
      type: refDiplomes.type,
      rncp: refDiplomes.rncp,
      cfd: refDiplomes.cfd,
      commune: refFormations.commune,
    })
    .from(refFormations)
    .innerJoin(refDiplomes, eq(refDiplomes.id, refFormations.diplomeId))
    .where(and(inArray(refFormations.etablissementId, ids), eq(refFormations.annee, etab.annee)))
    .orderBy(asc(refDiplomes.niveau), asc(refDiplomes.intitule), asc(refFormations.id));
  const formationsParLieu: Record<number, number> = {};
  for (const f of formations) formationsParLieu[f.etablissementId] = (formationsParLieu[f.etablissementId] ?? 0) + 1;
  return {
    siret: r.siret,
    annee: etab.annee,
    nom: r.nom,
    adresse: r.adresse,
    codePostal: r.codePostal,
    commune: r.commune,
    departement: r.departement,
    region: r.region,
    departementLibelle: r.departement ? `${departementNom(r.departement) ?? 'Département'} (${r.departement})` : null,
    regionLibelle: regionNom(r.region) ?? r.region,
    categorie: r.categorie,
    categorieLibelle: libelleCategorie(r.categorie),
    listeLibelle: LISTES.find((l) => l.code === r.liste)?.libelle ?? r.liste,
    uais: uaisOf(r.id),
    composantes: children.map((c) => ({
      id: c.id,
      nom: c.nom,
      adresse: c.adresse,
      codePostal: c.codePostal,
      commune: c.commune,
      uais: uaisOf(c.id),
    })),
    formations,
    formationsParLieu,
  };
}

/** Where the fiche stands, shown on « Mon établissement ». */
export interface FicheSummary {
  contacts: number;
  sites: number;
  presentation: boolean;
  bank: BankStatus | null;
}

/** « Mon établissement »: the referential's data and where the establishment's fiche stands. */
export async function establishmentHome(ctx: AppContext, etab: Establishment): Promise<{ view: EstablishmentView; summary: FicheSummary }> {
  const [view, profil, bank] = await Promise.all([
    establishmentView(ctx, etab),
    loadProfil(ctx, etab.siret),
    loadBankView(ctx, etab.siret),
  ]);
  return {
    view,
    summary: {
      contacts: profil.contacts.length,
      sites: profil.sites.length,
      presentation: profil.presentation !== '',
      bank: bank.current?.statut ?? null,
    },
  };
}
