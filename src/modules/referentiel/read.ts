/**
 * Reading the referential for the other modules: the columns of an establishment row as SQL returns
 * them, and the formations an establishment teaches itself or through its composantes (the fiche
 * établissement and the « Attribuer » page list the same ones, in the same order).
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Tx } from '../../infra/db/index.js';

/** The columns of `ref_etablissements` that readers share. */
export interface RefEtablissementColumns {
  siret: string;
  nom: string;
  adresse: string;
  code_postal: string | null;
  commune: string | null;
  departement: string | null;
  region: string | null;
  categorie: string;
  liste: string;
}

/** A whole row of `ref_etablissements` as SQL returns it (numbers may come back as strings). */
export interface RefEtablissementRow extends RefEtablissementColumns {
  id: number | string;
  parent_id: number | string | null;
  lat: number | string | null;
  lng: number | string | null;
}

/** A formation of the referential, where and by whom it is taught. */
export interface FormationTaught {
  id: number;
  /** the établissement or composante that teaches it */
  etablissementId: number;
  intitule: string;
  niveau: number | null;
  type: string | null;
  cfd: string | null;
  rncp: string | null;
  /** where it is taught, when not at the establishment's own commune */
  commune: string | null;
  /** name of the composante that teaches it, null when the establishment itself */
  composante: string | null;
}

/**
 * The formations of establishment `e` (a row id of year `annee`) and of its composantes, by niveau,
 * then title, then composante.
 */
export async function formationsTaught(db: Tx, annee: number, e: { id: number; commune: string | null }): Promise<FormationTaught[]> {
  const rows = await selectRows<{
    id: string | number;
    etablissement_id: string | number;
    intitule: string;
    niveau: string | number | null;
    type: string | null;
    cfd: string | null;
    rncp: string | null;
    commune: string | null;
    composante: string | null;
  }>(
    db,
    sql`select f.id, f.etablissement_id, d.intitule, d.niveau, d.type, d.cfd, d.rncp, f.commune,
               case when e.id = ${e.id} then null else e.nom end as composante
        from ref_formations f join ref_diplomes d on d.id = f.diplome_id join ref_etablissements e on e.id = f.etablissement_id
        where f.annee = ${annee} and (e.id = ${e.id} or e.parent_id = ${e.id})
        order by d.niveau nulls last, d.intitule_recherche, e.nom_recherche, f.id`,
  );
  return rows.map((f) => ({
    id: Number(f.id),
    etablissementId: Number(f.etablissement_id),
    intitule: f.intitule,
    niveau: f.niveau === null ? null : Number(f.niveau),
    type: f.type,
    cfd: f.cfd,
    rncp: f.rncp,
    commune: f.commune && f.commune !== e.commune ? f.commune : null,
    composante: f.composante,
  }));
}
