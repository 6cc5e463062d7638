/**
 * Who receives each campaign message (docs/messages.md), one row per person with what concerns them,
 * read a page at a time (keyset on the user id) so a national campaign never sits whole in memory:
 *
 * - employers: the people « SOLTéA - Employeurs » is open to as the portal opens it (habilitated,
 *   déclarer or payer, on a SIRET declared for it in their espace, the access delay over, active with a
 *   validated address; tiers-déclarants for the clients whose DSN they filed in the last six months) on
 *   the SIRETs with an envelope of the campaign; for a period's end, only the SIRETs
 *   with crédits à répartir and less than 100 % validated;
 * - establishments: for each habilitated establishment of the campaign (its SIRET on the lists, not a
 *   composante's), the administrators of its company's espace and the people habilitated to « SOLTéA -
 *   Etablissements » on it; for a period's end, the establishments without verified bank details that
 *   rappels-coordonnees.ts claims (`peopleOfEtablissements`); for the digest, those that received allocations that day, without the
 *   people who turned the digest off.
 */
import { sql, type SQL } from 'drizzle-orm';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { siretRefusal } from '../attributions/scope.js';

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

/**
 * Only the people not told yet of event `cle` (its tableau de bord line `<cle>:<user>`, unique: an index
 * lookup per person): the opening's catch-up of people habilitated, or given an envelope, after it went out.
 */
const notTold = (cle: string | undefined) =>
  cle === undefined ? sql`` : sql`and not exists (select 1 from notifications n where n.cle = ${`${cle}:`} || u.id::text)`;
const FULL_BP = 10_000;

/** An employer's row before the tiers-déclarant rule: its espace and, per SIRET, who filed the envelope's DSN and when. */
interface EmployeurBrut extends Destinataire {
  espace_siren: string;
  espace_kind: string;
  envs: string | { siret: string; declarant: string | null; depose: string | null }[];
}

/**
 * The employers of campaign `annee` after user `after` (a page of people), every SIRET with an envelope or
 * only those below 100 % validated. The people « SOLTéA - Employeurs » is open to as the portal opens it:
 * habilitated (déclarer or payer) on a SIRET declared for it in their espace, the 24-hour access delay
 * over (accounts/menu.ts `openSiretsFor`), active with a validated address; and a tiers-déclarant's
 * client SIRET only when the tiers filed its DSN in the last six months — the portal's own rule,
 * `siretRefusal` of attributions/scope.ts (docs/regles.md#tiers-declarants). A person left with no SIRET
 * keeps their place in the page (`sirets` empty) so the keyset goes on; the caller skips them.
 */
export async function employeurs(
  tx: Tx,
  annee: number,
  after: string,
  opts: { nonValides: boolean; now: Date; sauf?: string },
): Promise<Employeur[]> {
  const filter = opts.nonValides
    ? sql`and e.credits_cents > 0 and coalesce((select sum(a.points_base) from attributions a
           where a.annee = ${annee} and a.siret_employeur = e.siret and a.statut = 'validee'), 0) < ${FULL_BP}`
    : sql``;
  const rows = await selectRows<EmployeurBrut>(
    tx,
    sql`
    select u.id::text as user_id, u.email, u.prenom, u.nom, s.siren as espace_siren, s.kind::text as espace_kind,
           json_agg(json_build_object('siret', h.siret, 'declarant', e.declarant_siret, 'depose', e.depose_le) order by h.siret) as envs
      from habilitations h
      join users u on u.id = h.user_id
      join espaces s on s.id = u.espace_id
      join etablissement_declarations d on d.espace_id = u.espace_id and d.siret = h.siret and d.declaration_code = h.declaration_code
      join enveloppes e on e.annee = ${annee} and e.siret = h.siret
     where h.declaration_code = 'SOLTEA_EMPLOYEURS' and (h.declarer or h.payer)
       and d.accessible_at <= ${opts.now.toISOString()}::timestamptz
       and u.status = 'active' and u.email_validated_at is not null and u.id::text > ${after}
       ${filter} ${notTold(opts.sauf)}
     group by u.id, u.email, u.prenom, u.nom, s.siren, s.kind
     order by u.id::text
     limit ${PAGE}`,
  );
  return rows.map(({ espace_siren, espace_kind, envs, ...person }) => {
    const list = (typeof envs === 'string' ? JSON.parse(envs) : envs) as {
      siret: string;
      declarant: string | null;
      depose: string | null;
    }[];
    const espace = { siren: espace_siren, kind: espace_kind };
    const sirets = list
      .filter(
        (x) =>
          siretRefusal(espace, x.siret, { declarantSiret: x.declarant, deposeLe: x.depose ? new Date(x.depose) : null }, opts.now) === null,
      )
      .map((x) => x.siret);
    return { ...person, sirets: [...new Set(sirets)] };
  });
}

/** The people told for the establishments of `etabs` (a CTE body giving `siret`, `nom`, `employeurs`, `cents` and `rejet`). */
function etablissementsDe(tx: Tx, etabs: SQL, after: string, sansResume: boolean, sauf?: string): Promise<Etablissement[]> {
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
       ${optOut} ${notTold(sauf)}
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

/** Every habilitated establishment's people (the opening); with `sauf`, only those without the message `<sauf>:<user>` yet. */
export function etablissementsHabilites(tx: Tx, annee: number, after: string, sauf?: string): Promise<Etablissement[]> {
  return etablissementsDe(tx, habilites(annee), after, false, sauf);
}

/** The people of the establishments of `etabs` (`siret`, `nom`, `rejet`: the bank-details reminder, rappels-coordonnees.ts). */
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
