/**
 * What the « Redésigner » page shows (docs/regles.md#fonds-non-versables): the share that could not be
 * paid, its reason and the deadline, and the habilitated establishments found by « Recherche
 * établissement » (recherche/search.ts, the same search as the employer's) for the words typed.
 */
import { sql } from 'drizzle-orm';
import { EMPTY_CRITERIA } from '../../domain/recherche.js';
import type { Cents } from '../../domain/money.js';
import { motifNonVersableLibelle } from '../../domain/non-versables.js';
import { selectRows, type Db } from '../../infra/db/index.js';
import { searchEtablissements } from '../recherche/search.js';
import { calendarOf } from './synthese.js';
import { redesignationOf } from './synthese-non-versables.js';

export interface RedesignationChoice {
  siret: string;
  nom: string;
  commune: string | null;
  categorie: string;
  liste: string;
}

export interface RedesignationView {
  id: number;
  montantCents: Cents;
  motif: string;
  /** the establishment the share could not be paid to */
  ancienNom: string;
  fin: string;
  ouverte: boolean;
  /** the choices' version (the form carries it: a change elsewhere meanwhile makes it stale) */
  version: number;
  q: string;
  /** null before a search; the establishments found otherwise (the one already chosen left out) */
  results: RedesignationChoice[] | null;
  total: number;
  /** why the search found nothing, when it says */
  searchMessage: string | null;
}

/** The page of share `id` of `siret` (another SIRET's share, or one no longer waiting: null, answer 404). */
export async function loadRedesignation(
  db: Db,
  now: Date,
  annee: number,
  siret: string,
  id: number,
  q: string,
): Promise<RedesignationView | null> {
  const [row] = await selectRows<{
    cents: string;
    motif: string;
    detail: string | null;
    nom: string | null;
    ancien: string | null;
    version: number | null;
  }>(
    db,
    sql`select nv.montant_cents::text as cents, nv.motif, nv.motif_detail as detail, e.nom, e.siret as ancien,
               (select version from choix_employeurs c where c.annee = nv.annee and c.siret = nv.siret_employeur) as version
          from non_versables nv
          join vagues_versement v on v.id = nv.vague_id and v.statut = 'emise'
          join attributions a on a.id = nv.attribution_id
          left join ref_etablissements e on e.id = a.etablissement_id
         where nv.id = ${id} and nv.annee = ${annee} and nv.siret_employeur = ${siret} and nv.statut = 'en_attente'`,
  );
  if (!row) return null;
  const r = redesignationOf(await calendarOf(db, annee), now);
  const view: RedesignationView = {
    id,
    montantCents: BigInt(row.cents),
    motif: motifNonVersableLibelle(row.motif, row.detail),
    ancienNom: row.nom ?? 'l’établissement choisi',
    fin: r.fin,
    ouverte: r.ouverte,
    version: row.version ?? 0,
    q: q.trim(),
    results: null,
    total: 0,
    searchMessage: null,
  };
  if (!view.q || !view.ouverte) return view;
  const found = await searchEtablissements(db, { ...EMPTY_CRITERIA, q: view.q, annee });
  view.results = found.results
    .filter((x) => x.siret !== row.ancien)
    .map((x) => ({ siret: x.siret, nom: x.nom, commune: x.commune, categorie: x.categorieLibelle, liste: x.listeLibelle }));
  view.total = found.total;
  view.searchMessage = Object.values(found.fieldMessages)[0] ?? null;
  return view;
}
