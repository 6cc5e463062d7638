/**
 * The fiche établissement (« Recherche établissement », « Voir la fiche »): what the referential says about one habilitated
 * establishment for one campaign year (identity, address, UAI, category, list, composantes,
 * formations) and what the establishment wrote itself (`etablissement_profils`: presentation,
 * contacts, websites). Its address `/soltea/etablissements/<SIRET>` is the stable direct link an
 * establishment sends to companies.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { NIVEAUX } from '../../domain/referentiel.js';
import { formationsTaught, type FormationTaught, type RefEtablissementRow } from '../referentiel/read.js';
import { classementOf, lieuOf, uaisOf, type EtablissementAdresse, type EtablissementClasse } from './etablissement-view.js';

/** The stable address of a fiche (relative; the page shows it absolute with PUBLIC_URL). */
export const fichePath = (siret: string) => `/soltea/etablissements/${siret}`;

export interface FicheComposante extends EtablissementAdresse {
  formations: number;
}

/** A formation on the fiche (the composante that teaches it named, when not the establishment itself). */
export type FicheFormation = Omit<FormationTaught, 'id' | 'etablissementId'>;

export interface Fiche extends EtablissementClasse {
  annee: number;
  /** the campaign years in which this SIRET is habilitated, newest first */
  annees: number[];
  lat: number | null;
  lng: number | null;
  /** set when this SIRET is a composante / établissement secondaire of another establishment */
  parent: { siret: string; nom: string } | null;
  composantes: FicheComposante[];
  formations: FicheFormation[];
  /** formations grouped by niveau (3 … 8, then « niveau non renseigné ») */
  niveaux: { niveau: number | null; libelle: string; formations: FicheFormation[] }[];
  profil: {
    presentation: string;
    contacts: { fonction: string; nom: string; courriel: string; telephone: string }[];
    sites: { libelle: string; url: string }[];
  };
}

interface EtabRow extends RefEtablissementRow {
  annee: number | string;
  uais: string | null;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * The fiche of `siret` for `annee` (default: the latest campaign in which the SIRET is habilitated).
 * null when the SIRET is not in the referential (or not in that year).
 */
export async function loadFiche(db: Tx, siret: string, annee: number | null): Promise<Fiche | null> {
  if (!/^\d{14}$/.test(siret)) return null;
  const years = (
    await selectRows<{ annee: number | string }>(
      db,
      sql`select distinct annee from ref_etablissements where siret = ${siret} order by annee desc`,
    )
  ).map((r) => Number(r.annee));
  const year = annee ?? years[0];
  if (year === undefined || !years.includes(year)) return null;

  // the establishment itself first, a composante carrying the same SIRET after
  const [e] = await selectRows<EtabRow>(
    db,
    sql`select e.id, e.annee, e.parent_id, e.siret, e.nom, e.adresse, e.code_postal, e.commune, e.departement, e.region, e.lat, e.lng, e.categorie, e.liste,
               (select string_agg(u.uai, ' ' order by u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uais
        from ref_etablissements e where e.annee = ${year} and e.siret = ${siret}
        order by (e.parent_id is null) desc, e.id limit 1`,
  );
  if (!e) return null;
  const [parent, composantes, formations, profil] = await Promise.all([
    parentOf(db, e),
    composantesOf(db, Number(e.id), year),
    formationsOf(db, e, year),
    profilOf(db, siret),
  ]);
  return {
    annee: year,
    annees: years,
    ...lieuOf(e),
    lat: num(e.lat),
    lng: num(e.lng),
    ...classementOf(e),
    parent,
    composantes,
    formations,
    niveaux: byNiveau(formations),
    profil,
  };
}

/** The establishment a composante belongs to. */
async function parentOf(db: Tx, e: EtabRow): Promise<Fiche['parent']> {
  if (e.parent_id === null) return null;
  const [p] = await selectRows<{ siret: string; nom: string }>(
    db,
    sql`select siret, nom from ref_etablissements where id = ${Number(e.parent_id)}`,
  );
  return p ? { siret: p.siret, nom: p.nom } : null;
}

async function composantesOf(db: Tx, id: number, year: number): Promise<FicheComposante[]> {
  const found = await selectRows<EtabRow & { formations: number | string }>(
    db,
    sql`select e.id, e.siret, e.nom, e.adresse, e.code_postal, e.commune,
               (select string_agg(u.uai, ' ' order by u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uais,
               (select count(*) from ref_formations f where f.etablissement_id = e.id and f.annee = ${year}) as formations
        from ref_etablissements e where e.parent_id = ${id} and e.annee = ${year} order by e.nom_recherche, e.id`,
  );
  return found.map((c) => ({
    siret: c.siret,
    nom: c.nom,
    uais: uaisOf(c.uais),
    adresse: c.adresse,
    codePostal: c.code_postal,
    commune: c.commune,
    formations: Number(c.formations),
  }));
}

/** The formations of the establishment and of its composantes, by niveau then title. */
async function formationsOf(db: Tx, e: EtabRow, year: number): Promise<FicheFormation[]> {
  const found = await formationsTaught(db, year, { id: Number(e.id), commune: e.commune });
  return found.map((f) => ({
    intitule: f.intitule,
    niveau: f.niveau,
    type: f.type,
    cfd: f.cfd,
    rncp: f.rncp,
    commune: f.commune,
    composante: f.composante,
  }));
}

/** Formations (already ordered by niveau) grouped by niveau. */
function byNiveau(formations: readonly FicheFormation[]): Fiche['niveaux'] {
  const niveaux: Fiche['niveaux'] = [];
  for (const f of formations) {
    let g = niveaux[niveaux.length - 1];
    if (!g || g.niveau !== f.niveau) {
      g = {
        niveau: f.niveau,
        libelle: f.niveau === null ? 'Niveau non renseigné' : (NIVEAUX.find((n) => n.niveau === f.niveau)?.libelle ?? `Niveau ${f.niveau}`),
        formations: [],
      };
      niveaux.push(g);
    }
    g.formations.push(f);
  }
  return niveaux;
}

/** What the establishment wrote itself: presentation, contacts, websites (only http(s) links). */
async function profilOf(db: Tx, siret: string): Promise<Fiche['profil']> {
  const [p] = await selectRows<{ presentation: string; contacts: unknown; sites: unknown }>(
    db,
    sql`select presentation, contacts, sites from etablissement_profils where siret = ${siret}`,
  );
  return {
    presentation: p?.presentation ?? '',
    contacts: asArray(p?.contacts).map((c) => ({
      fonction: str(c.fonction),
      nom: str(c.nom),
      courriel: str(c.courriel),
      telephone: str(c.telephone),
    })),
    sites: asArray(p?.sites)
      .map((s) => ({ libelle: str(s.libelle), url: str(s.url) }))
      .filter((s) => /^https?:\/\//i.test(s.url)),
  };
}

/** jsonb comes back parsed (node-postgres, PGlite) — or as text from some drivers. */
function asArray(v: unknown): Record<string, unknown>[] {
  const x = typeof v === 'string' ? safeJson(v) : v;
  return Array.isArray(x) ? x.filter((i): i is Record<string, unknown> => Boolean(i) && typeof i === 'object') : [];
}
function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
const str = (v: unknown) => (typeof v === 'string' ? v : '');
