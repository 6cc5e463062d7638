/**
 * What the reliquat's rule (domain/reliquat.ts) is given, read by two set-based statements at national
 * scale (docs/regles.md#reliquat):
 * - per region of the employers: the crédits à répartir their validated allocations leave — an envelope's
 *   crédits minus the expected amounts of its validated lines, each the largest remainder of the crédits
 *   over all the SIRET's lines in id order as the Synthèse shows it (lignes-dues.ts) — and their shares
 *   that could not be paid and were not re-designated (`non_versables` of issued waves still open,
 *   D. 6241-27-1). An employer's region is that of its SIRET in the registry (commune, else postal code);
 *   unknown otherwise.
 * - the habilitated establishments of the campaign (top level: a composante's formations count for its
 *   establishment), their region, their formations leading to one of the métiers en tension of the
 *   formation's region (its commune, else its establishment's region; through the diploma's RNCP code),
 *   and why they cannot be paid (the same reasons as a wave's).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { MotifNonVersable, ReliquatEtablissement, ReliquatSource } from '../../domain/reliquat.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { DEPARTEMENTS } from '../referentiel/territoires.js';
import { exactCte } from './lignes-dues.js';

/** `(dep, region)` of every département: constants of the code officiel géographique. */
const DEP_REGION = sql.raw(
  `(values ${DEPARTEMENTS.filter((d) => /^[0-9AB]{2,3}$/.test(d.code) && /^\d{2}$/.test(d.region))
    .map((d) => `('${d.code}', '${d.region}')`)
    .join(', ')}) as dr(dep, region)`,
);

/** The département of an INSEE commune code (3 characters overseas). */
const depOfCommune = (c: SQL) => sql`case when ${c} ~ '^97' then left(${c}, 3) when ${c} <> '' then left(${c}, 2) end`;
/** The département of a postal code (Corsica: 2A below 20200). */
const depOfCodePostal = (cp: SQL) =>
  sql`case when ${cp} ~ '^97' then left(${cp}, 3) when ${cp} ~ '^20' then case when ${cp} < '20200' then '2A' else '2B' end
           when ${cp} ~ '^[0-9]{5}$' then left(${cp}, 2) end`;

/**
 * The validated allocations of each employer SIRET, in cents. All lines validated: the largest remainder's
 * target, ⌊crédits × Σ bp / 10,000⌋; some validated and some not: the sum of the validated lines' expected
 * amounts, ranked as lignes-dues.ts ranks them (only those SIRETs go through the window).
 */
function alloueStatement(annee: number): SQL {
  return sql`
    par_siret as (
      select a.siret_employeur as siret, sum(a.points_base)::bigint as bp,
             count(*) filter (where a.statut = 'validee') as validees, count(*) filter (where a.statut <> 'validee') as autres
        from attributions a where a.annee = ${annee} group by a.siret_employeur
    ),
    lignes as (
      select a.id, a.siret_employeur, a.points_base::bigint as bp, a.statut, e.credits_cents::bigint as credits
        from attributions a
        join par_siret s on s.siret = a.siret_employeur and s.validees > 0 and s.autres > 0
        join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
       where a.annee = ${annee}
    ),
    ${exactCte},
    mixtes as (
      select siret_employeur as siret,
             sum(plancher + case when rang <= cible - somme_planchers then 1 else 0 end) filter (where statut = 'validee') as cents
        from exact group by siret_employeur
    ),
    alloue as (
      select s.siret, case when s.autres = 0 then (e.credits_cents::bigint * s.bp) / 10000 else coalesce(m.cents, 0) end as cents
        from par_siret s
        join enveloppes e on e.annee = ${annee} and e.siret = s.siret
        left join mixtes m on m.siret = s.siret
       where s.validees > 0
    )`;
}

/** What the employers of each region left: unallocated crédits and unpaid shares not re-designated. */
export async function reliquatSources(db: Db | Tx, annee: number): Promise<ReliquatSource[]> {
  const rows = await selectRows<{ region: string | null; non_attribue: string; non_versable: string }>(
    db,
    sql`
    with ${alloueStatement(annee)},
    nv as (
      select nv.siret_employeur as siret, sum(nv.montant_cents) as cents
        from non_versables nv join vagues_versement v on v.id = nv.vague_id
       where nv.annee = ${annee} and v.statut = 'emise' and nv.statut in ('en_attente', 'reliquat')
       group by nv.siret_employeur
    ),
    par_employeur as (
      select coalesce(e.siret, n.siret) as siret,
             greatest(coalesce(e.credits_cents, 0) - coalesce(a.cents, 0), 0) as non_attribue, coalesce(n.cents, 0) as non_versable
        from (select siret, credits_cents from enveloppes where annee = ${annee}) e
        left join alloue a on a.siret = e.siret
        full join nv n on n.siret = e.siret
    )
    select dr.region, sum(p.non_attribue)::text as non_attribue, sum(p.non_versable)::text as non_versable
      from par_employeur p
      left join etablissements et on et.siret = p.siret
      left join ${DEP_REGION} on dr.dep = coalesce(${depOfCommune(sql`et.code_commune`)}, ${depOfCodePostal(sql`et.code_postal`)})
     group by dr.region`,
  );
  return rows.map((r) => ({ region: r.region, nonAttribueCents: BigInt(r.non_attribue), nonVersableCents: BigInt(r.non_versable) }));
}

export interface EtablissementReliquat extends ReliquatEtablissement {
  nom: string;
}

/** The habilitated establishments of the campaign, their formations en tension and whether they can be paid. */
export async function reliquatEtablissements(db: Db | Tx, annee: number): Promise<EtablissementReliquat[]> {
  const rows = await selectRows<{ siret: string; nom: string; region: string | null; formations: number; motif: MotifNonVersable | null }>(
    db,
    sql`
    with metiers as (select distinct region, rncp from metiers_en_tension where annee = ${annee}),
    formations as (
      select coalesce(r.parent_id, r.id) as etab_id, coalesce(dr.region, r.region) as region, d.rncp
        from ref_formations f
        join ref_etablissements r on r.id = f.etablissement_id
        join ref_diplomes d on d.id = f.diplome_id
        left join ${DEP_REGION} on dr.dep = ${depOfCommune(sql`f.code_commune`)}
       where f.annee = ${annee} and d.rncp is not null
    ),
    en_tension as (
      select f.etab_id, count(*)::int as n from formations f join metiers m on m.region = f.region and m.rncp = f.rncp group by f.etab_id
    )
    select r.siret, r.nom, r.region, coalesce(t.n, 0) as formations,
           case when coalesce(et.etat_administratif, 'A') = 'F' then 'etablissement_ferme'
                when cb.id is null then 'sans_coordonnees'
                when cb.statut <> 'verifiee' then 'coordonnees_non_verifiees' end as motif
      from ref_etablissements r
      left join en_tension t on t.etab_id = r.id
      left join lateral (select c.id, c.statut from coordonnees_bancaires c where c.siret = r.siret and c.remplacee_le is null
                          order by (c.statut = 'verifiee') desc, c.id desc limit 1) cb on true
      left join etablissements et on et.siret = r.siret
     where r.annee = ${annee} and r.parent_id is null
     order by r.siret`,
  );
  return rows.map((r) => ({ siret: r.siret, nom: r.nom, region: r.region, formations: Number(r.formations), motif: r.motif }));
}

/** How many (region, RNCP code) pairs the year's list of métiers en tension holds. */
export async function metiersCount(db: Db | Tx, annee: number): Promise<number> {
  const [r] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from metiers_en_tension where annee = ${annee}`);
  return r?.n ?? 0;
}
