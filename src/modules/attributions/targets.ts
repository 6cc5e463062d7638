/**
 * What an employer can allocate to (« Attribuer »): an établissement of the campaign's referential,
 * one of its composantes / établissements secondaires (rows of the referential attached to it), or
 * one of their formations. Targets are referential rows of ONE campaign year: ids differ from year to
 * year, so « Répliquer les fléchages » maps last year's targets by their natural keys.
 */
import { sql } from 'drizzle-orm';
import { selectRows, sqlOfText, type Db, type Tx } from '../../infra/db/index.js';
import type { AllocationTarget } from '../../domain/attribution-rules.js';
import { formationsTaught } from '../referentiel/read.js';

type Q = Db | Tx;

export interface TargetPlace {
  id: number;
  kind: 'etablissement' | 'composante';
  siret: string;
  nom: string;
  commune: string | null;
  national: boolean;
}

export interface TargetFormation {
  id: number;
  /** the établissement or composante that teaches it */
  etablissementId: number;
  intitule: string;
  niveau: number | null;
  type: string | null;
  commune: string | null;
  /** name of the composante that teaches it, null when the établissement itself */
  composante: string | null;
}

export interface EstablishmentTargets {
  annee: number;
  etablissement: TargetPlace;
  /** the établissement first, then its composantes */
  places: TargetPlace[];
  formations: TargetFormation[];
}

/** The targets offered on an establishment's « Attribuer » page, or null when not habilitated that year. */
export async function establishmentTargets(db: Q, annee: number, siret: string): Promise<EstablishmentTargets | null> {
  if (!/^\d{14}$/.test(siret)) return null;
  const [e] = await selectRows<{ id: string | number; siret: string; nom: string; commune: string | null; liste: string }>(
    db,
    sql`select id, siret, nom, commune, liste from ref_etablissements where annee = ${annee} and siret = ${siret}
        order by (parent_id is null) desc, id limit 1`,
  );
  if (!e) return null;
  const id = Number(e.id);
  const national = e.liste === 'nationale';
  const [comps, forms] = await Promise.all([
    selectRows<{ id: string | number; siret: string; nom: string; commune: string | null; liste: string }>(
      db,
      sql`select id, siret, nom, commune, liste from ref_etablissements where parent_id = ${id} and annee = ${annee} order by nom_recherche, id`,
    ),
    formationsTaught(db, annee, { id, commune: e.commune }),
  ]);
  const etablissement: TargetPlace = { id, kind: 'etablissement', siret: e.siret, nom: e.nom, commune: e.commune, national };
  return {
    annee,
    etablissement,
    places: [
      etablissement,
      ...comps.map((c) => ({
        id: Number(c.id),
        kind: 'composante' as const,
        siret: c.siret,
        nom: c.nom,
        commune: c.commune,
        national: national || c.liste === 'nationale',
      })),
    ],
    formations: forms.map((f) => ({
      id: f.id,
      etablissementId: f.etablissementId,
      intitule: f.intitule,
      niveau: f.niveau,
      type: f.type,
      commune: f.commune,
      composante: f.composante,
    })),
  };
}

export interface DescribedTarget {
  etablissementId: number;
  formationId: number | null;
  kind: 'etablissement' | 'composante' | 'formation';
  /** the SIRET of the row receiving the funds (établissement or composante) */
  siret: string;
  /** « Lycée X », « Lycée X — BTS SIO » */
  libelle: string;
  /** the establishment (or its parent) is on the liste nationale (L. 6241-5 13°) */
  national: boolean;
  /** the head establishment (for links to its fiche) */
  etablissementSiret: string;
  etablissementNom: string;
  commune: string | null;
}

const keyOf = (etablissementId: number, formationId: number | null | undefined) => `${etablissementId}:${formationId ?? 0}`;

/**
 * A target with its referential rows, as the queries read it (the Synthèse's statement, describeTargets):
 * the place (établissement or composante), its parent, and the formation with its diploma. The row
 * columns are null when the target is not in that year's referential.
 */
export interface TargetRow {
  etablissement_id: number | string;
  formation_id: number | string | null;
  siret: string | null;
  nom: string | null;
  commune: string | null;
  liste: string | null;
  parent_id: number | string | null;
  p_siret: string | null;
  p_nom: string | null;
  p_liste: string | null;
  f_etab: number | string | null;
  intitule: string | null;
}

/** The columns of a TargetRow, read through TARGET_JOINS. */
export const TARGET_COLUMNS = `t.etablissement_id, t.formation_id, e.siret, e.nom, e.commune, e.liste, e.parent_id,
  p.siret as p_siret, p.nom as p_nom, p.liste as p_liste, f.etablissement_id as f_etab, d.intitule`;

/** The joins that read a TargetRow for `t(etablissement_id, formation_id)` in campaign `$1` (SQL text, for prepared statements too). */
export const TARGET_JOINS = `
  left join ref_etablissements e on e.id = t.etablissement_id and e.annee = $1
  left join ref_etablissements p on p.id = e.parent_id
  left join ref_formations f on f.id = t.formation_id and f.annee = $1
  left join ref_diplomes d on d.id = f.diplome_id`;

/** The described target of a row, or null when it is not in the year's referential (or the formation is not the place's). */
export function describedOf(r: TargetRow): DescribedTarget | null {
  if (r.siret === null || r.nom === null) return null;
  const etablissementId = Number(r.etablissement_id);
  const base = {
    etablissementId,
    siret: r.siret,
    national: r.liste === 'nationale' || r.p_liste === 'nationale',
    etablissementSiret: r.p_siret ?? r.siret,
    etablissementNom: r.p_nom ?? r.nom,
    commune: r.commune,
  };
  if (r.formation_id !== null) {
    const formationId = Number(r.formation_id);
    return r.intitule !== null && Number(r.f_etab) === etablissementId
      ? { ...base, formationId, kind: 'formation', libelle: `${r.nom} — ${r.intitule}` }
      : null;
  }
  return { ...base, formationId: null, kind: r.parent_id === null ? 'etablissement' : 'composante', libelle: r.nom };
}

/**
 * The targets among `list` that exist in `annee`'s referential (a formation must belong to the given
 * établissement or composante), described for messages and screens; the others are absent from the map.
 */
export async function describeTargets(
  db: Q,
  annee: number,
  list: readonly Pick<AllocationTarget, 'etablissementId' | 'formationId'>[],
): Promise<Map<string, DescribedTarget>> {
  const out = new Map<string, DescribedTarget>();
  const valid = list.filter(
    (t) =>
      Number.isSafeInteger(t.etablissementId) &&
      t.etablissementId > 0 &&
      (t.formationId == null || (Number.isSafeInteger(t.formationId) && t.formationId > 0)),
  );
  if (valid.length === 0) return out;
  const ids = `{${valid.map((t) => t.etablissementId).join(',')}}`;
  const fids = `{${valid.map((t) => t.formationId ?? 'NULL').join(',')}}`;
  const found = await selectRows<TargetRow>(
    db,
    sqlOfText(`select ${TARGET_COLUMNS} from unnest($2::int8[], $3::int8[]) as t(etablissement_id, formation_id) ${TARGET_JOINS}`, [
      annee,
      ids,
      fids,
    ]),
  );
  for (const r of found) {
    const d = describedOf(r);
    if (d) out.set(keyOf(d.etablissementId, d.formationId), d);
  }
  return out;
}

export { keyOf as targetMapKey };

/**
 * « Répliquer les fléchages »: last year's targets mapped onto `annee`'s referential by natural keys
 * (the row's `cle`; a formation by its diploma and place). Targets no longer habilitated are absent.
 */
export async function mapTargetsToYear(
  db: Q,
  fromAnnee: number,
  annee: number,
  list: readonly { etablissementId: number; formationId: number | null }[],
): Promise<Map<string, { etablissementId: number; formationId: number | null }>> {
  const out = new Map<string, { etablissementId: number; formationId: number | null }>();
  const ids = [...new Set(list.map((t) => t.etablissementId))];
  if (ids.length === 0) return out;
  const places = await selectRows<{ old_id: string | number; new_id: string | number }>(
    db,
    sql`select o.id as old_id, n.id as new_id from ref_etablissements o join ref_etablissements n on n.annee = ${annee} and n.cle = o.cle
        where o.annee = ${fromAnnee} and o.id = any(${`{${ids.join(',')}}`}::int8[])`,
  );
  const placeMap = new Map(places.map((p) => [Number(p.old_id), Number(p.new_id)]));
  const fids = list.map((t) => t.formationId).filter((x): x is number => x !== null);
  const forms = fids.length
    ? await selectRows<{ old_id: string | number; new_id: string | number; new_etab: string | number }>(
        db,
        sql`select o.id as old_id, nf.id as new_id, nf.etablissement_id as new_etab
            from ref_formations o
            join ref_etablissements oe on oe.id = o.etablissement_id
            join ref_etablissements ne on ne.annee = ${annee} and ne.cle = oe.cle
            join ref_formations nf on nf.etablissement_id = ne.id and nf.diplome_id = o.diplome_id and nf.code_commune = o.code_commune
            where o.annee = ${fromAnnee} and o.id = any(${`{${fids.join(',')}}`}::int8[])`,
      )
    : [];
  const formMap = new Map(forms.map((f) => [Number(f.old_id), { etablissementId: Number(f.new_etab), formationId: Number(f.new_id) }]));
  for (const t of list) {
    const k = keyOf(t.etablissementId, t.formationId);
    if (t.formationId !== null) {
      const m = formMap.get(t.formationId);
      if (m) out.set(k, m);
    } else {
      const m = placeMap.get(t.etablissementId);
      if (m !== undefined) out.set(k, { etablissementId: m, formationId: null });
    }
  }
  return out;
}
