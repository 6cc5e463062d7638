/**
 * Who receives each campaign message (docs/messages.md), one row per person with what concerns them,
 * read a page at a time (keyset on the user id) so a national campaign never sits whole in memory:
 *
 * - employers: the people « SOLTéA - Employeurs » is open to (habilitated, déclarer or payer, on a SIRET
 *   declared for it in their espace, active with a validated address — tiers-déclarants for their
 *   clients included) on the SIRETs with an envelope of the campaign; for a period's end, only the SIRETs
 *   with crédits à répartir and less than 100 % validated;
 * - establishments: for each habilitated establishment of the campaign (its SIRET on the lists, not a
 *   composante's), the administrators of its company's espace and the people habilitated to « SOLTéA -
 *   Etablissements » on it; for a period's end, the establishments without verified bank details that
 *   versements/rappels.ts claims (`peopleOfEtablissements`); for the digest, those that received allocations that day, without the
 *   people who turned the digest off.
 */
import { sql, type SQL } from 'drizzle-orm';
import { selectRows, type Tx } from '../../infra/db/index.js';

export interface Destinataire {
  user_id: string;
  email: string;
  prenom: string;
  nom: string;
}

export interface Employeur extends Destinataire {
  sirets: string[];
}

export interface EtablissementRecu {
  siret: string;
  nom: string;
  /** the digest: employers that recorded or changed an allocation that day, and what those allocations are expected to bring */
  employeurs?: number;
  cents?: string;
  /** the bank-details reminder: the bank rejected a transfer on its verified details */
  rejet?: boolean;
}

export interface Etablissement extends Destinataire {
  etablissements: EtablissementRecu[];
}

export const PAGE = 2000;
const FULL_BP = 10_000;

/** The employers of campaign `annee` after user `after` (a page), every SIRET with an envelope or only those below 100 % validated. */
export function employeurs(tx: Tx, annee: number, after: string, opts: { nonValides: boolean }): Promise<Employeur[]> {
  const filter = opts.nonValides
    ? sql`and e.credits_cents > 0 and coalesce((select sum(a.points_base) from attributions a
           where a.annee = ${annee} and a.siret_employeur = e.siret and a.statut = 'validee'), 0) < ${FULL_BP}`
    : sql``;
  return selectRows<Employeur>(
    tx,
    sql`
    select u.id::text as user_id, u.email, u.prenom, u.nom, array_agg(distinct h.siret order by h.siret) as sirets
      from habilitations h
      join users u on u.id = h.user_id
      join etablissement_declarations d on d.espace_id = u.espace_id and d.siret = h.siret and d.declaration_code = h.declaration_code
      join enveloppes e on e.annee = ${annee} and e.siret = h.siret
     where h.declaration_code = 'SOLTEA_EMPLOYEURS' and (h.declarer or h.payer)
       and u.status = 'active' and u.email_validated_at is not null and u.id::text > ${after}
       ${filter}
     group by u.id, u.email, u.prenom, u.nom
     order by u.id::text
     limit ${PAGE}`,
  );
}

/** The people told for the establishments of `etabs` (a CTE body giving `siret`, `nom`, `employeurs`, `cents` and `rejet`). */
function etablissementsDe(tx: Tx, etabs: SQL, after: string, sansResume: boolean): Promise<Etablissement[]> {
  const optOut = sansResume
    ? sql`and not exists (select 1 from preferences_messages pm where pm.user_id = u.id and not pm.resume_quotidien)`
    : sql``;
  return selectRows<Etablissement>(
    tx,
    sql`
    with etabs as (${etabs}),
    dest as (
      select e.siret, u.id as user_id
        from etabs e join espaces s on s.siren = substr(e.siret, 1, 9)
        join users u on u.espace_id = s.id and u.role = 'administrateur'
      union
      select e.siret, u.id
        from etabs e join habilitations h on h.siret = e.siret and h.declaration_code = 'SOLTEA_ETABLISSEMENTS' and (h.declarer or h.payer)
        join users u on u.id = h.user_id
        join etablissement_declarations d on d.espace_id = u.espace_id and d.siret = h.siret and d.declaration_code = h.declaration_code
    )
    select u.id::text as user_id, u.email, u.prenom, u.nom,
           json_agg(json_build_object('siret', e.siret, 'nom', e.nom, 'employeurs', e.employeurs, 'cents', e.cents::text, 'rejet', e.rejet) order by e.siret) as etablissements
      from dest join users u on u.id = dest.user_id
      join etabs e on e.siret = dest.siret
     where u.status = 'active' and u.email_validated_at is not null and u.id::text > ${after}
       ${optOut}
     group by u.id, u.email, u.prenom, u.nom
     order by u.id::text
     limit ${PAGE}`,
  ).then((rows) =>
    rows.map((r) => ({
      ...r,
      etablissements: typeof r.etablissements === 'string' ? (JSON.parse(r.etablissements) as EtablissementRecu[]) : r.etablissements,
    })),
  );
}

const habilites = (annee: number) => sql`
  select siret, min(nom) as nom, null::int as employeurs, null::bigint as cents, null::boolean as rejet
    from ref_etablissements where annee = ${annee} and parent_id is null group by siret`;

/** Every habilitated establishment's people (the opening). */
export function etablissementsHabilites(tx: Tx, annee: number, after: string): Promise<Etablissement[]> {
  return etablissementsDe(tx, habilites(annee), after, false);
}

/** The people of the establishments of `etabs` (`siret`, `nom`, `rejet`: the bank-details reminder, versements/rappels.ts). */
export function peopleOfEtablissements(tx: Tx, etabs: SQL, after: string): Promise<Etablissement[]> {
  return etablissementsDe(
    tx,
    sql`select siret, nom, null::int as employeurs, null::bigint as cents, rejet from (${etabs}) x`,
    after,
    false,
  );
}

/**
 * The people of the establishments that received allocations in [from, to) — recorded or changed, each
 * counted in the establishment's space (a composante's in its parent's) —, without those who turned the
 * digest off.
 */
export function etablissementsAvecAttributions(tx: Tx, annee: number, from: Date, to: Date, after: string): Promise<Etablissement[]> {
  return etablissementsDe(
    tx,
    sql`
    select coalesce(p.siret, r.siret) as siret, min(coalesce(p.nom, r.nom)) as nom,
           count(distinct a.siret_employeur)::int as employeurs, sum(env.credits_cents * a.points_base / ${FULL_BP})::bigint as cents,
           null::boolean as rejet
      from attributions a
      join ref_etablissements r on r.id = a.etablissement_id
      left join ref_etablissements p on p.id = r.parent_id
      join enveloppes env on env.annee = a.annee and env.siret = a.siret_employeur
     where a.annee = ${annee} and a.updated_at >= ${from.toISOString()}::timestamptz and a.updated_at < ${to.toISOString()}::timestamptz
     group by coalesce(p.siret, r.siret)`,
    after,
    true,
  );
}
