// long: one set-based SQL statement (every allocation line's figures, grouped every way at once), read whole
/**
 * What the campaign's statistics are computed from (docs/regles.md#statistiques), read by plain aggregates:
 * - the employers' side: Σ of the envelopes (crédits à répartir, the operator's fee) and of the funds the
 *   collectors transferred (`encaissements`);
 * - the establishments' side, one statement over every allocation line of the campaign: its expected
 *   amount (the largest remainder of its employer SIRET's crédits over all its lines, the Synthèse's and the
 *   waves' cents: `exactCte` of versements/lignes-dues.ts), validated or not, what issued and unreturned
 *   transfers paid on it, its shares that could not be paid (D. 6241-27-1), grouped at once by region,
 *   département, category (L. 6241-5), list and niveau of the establishment or formation it goes to, and by
 *   the Paris day it was validated and the day it was last saved;
 * - the reliquat as computed (R. 6241-28): its parts and each region's shares.
 */
import { sql } from 'drizzle-orm';
import type { Cents } from '../../domain/money.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { exactCte, verseCte } from '../versements/lignes-dues.js';

/** The ways the allocation lines are broken down, and the two day series. */
export type Groupement = 'region' | 'departement' | 'categorie' | 'liste' | 'niveau' | 'jour_validation' | 'jour_enregistrement' | 'total';

/** One group of allocation lines, amounts in cents. */
export interface Agregat {
  groupement: Groupement;
  /** the group's key: a region or département code, '1°'…'13°', 'regionale', '3'…'8' or 'etablissement', a day; '' unknown */
  cle: string;
  lignes: number;
  alloueCents: Cents;
  valideCents: Cents;
  verseCents: Cents;
  nonVersableCents: Cents;
}

interface AgregatRow {
  groupement: Groupement;
  cle: string | null;
  lignes: number;
  alloue: string;
  valide: string;
  verse: string;
  nv: string;
}

const parisDay = (column: string) => sql.raw(`to_char(${column} at time zone 'Europe/Paris', 'YYYY-MM-DD')`);

/** Every allocation line of campaign `annee` with an envelope, grouped by each breakdown (grouping sets). */
function agregatsStatement(annee: number) {
  return sql`
    with lignes as (
      select a.id, a.siret_employeur, a.points_base::bigint as bp, e.credits_cents::bigint as credits,
             a.statut, a.etablissement_id, a.formation_id, a.validee_le, a.updated_at
        from attributions a
        join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
       where a.annee = ${annee}
    ),
    ${exactCte},
    ${verseCte(annee)},
    nv as (
      select n.attribution_id, sum(n.montant_cents) as cents
        from non_versables n join vagues_versement v on v.id = n.vague_id
       where n.annee = ${annee} and v.statut = 'emise' and n.statut in ('en_attente', 'reliquat')
       group by n.attribution_id
    ),
    par_ligne as (
      select x.plancher + case when x.rang <= x.cible - x.somme_planchers then 1 else 0 end as attendu,
             x.statut, coalesce(v.cents, 0) as verse, coalesce(n.cents, 0) as nv,
             coalesce(r.region, p.region, '') as region, coalesce(r.departement, p.departement, '') as departement,
             r.categorie, r.liste,
             case when x.formation_id is null then 'etablissement' else coalesce(d.niveau::text, '') end as niveau,
             case when x.statut = 'validee' then ${parisDay('x.validee_le')} end as jour_validation,
             ${parisDay('x.updated_at')} as jour_enregistrement
        from exact x
        join ref_etablissements r on r.id = x.etablissement_id
        left join ref_etablissements p on p.id = r.parent_id
        left join ref_formations f on f.id = x.formation_id
        left join ref_diplomes d on d.id = f.diplome_id
        left join verse v on v.attribution_id = x.id
        left join nv n on n.attribution_id = x.id
    )
    select case when grouping(region) = 0 then 'region' when grouping(departement) = 0 then 'departement'
                when grouping(categorie) = 0 then 'categorie' when grouping(liste) = 0 then 'liste'
                when grouping(niveau) = 0 then 'niveau' when grouping(jour_validation) = 0 then 'jour_validation'
                when grouping(jour_enregistrement) = 0 then 'jour_enregistrement' else 'total' end as groupement,
           coalesce(region, departement, categorie, liste, niveau, jour_validation, jour_enregistrement) as cle,
           count(*)::int as lignes, sum(attendu)::text as alloue,
           coalesce(sum(attendu) filter (where statut = 'validee'), 0)::text as valide,
           sum(verse)::text as verse, sum(nv)::text as nv
      from par_ligne
     group by grouping sets ((region), (departement), (categorie), (liste), (niveau), (jour_validation), (jour_enregistrement), ())`;
}

/** The allocation lines' groups of campaign `annee` (no line: only an empty total). */
export async function agregatsLignes(db: Db | Tx, annee: number): Promise<Agregat[]> {
  const rows = await selectRows<AgregatRow>(db, agregatsStatement(annee));
  return rows.map((r) => ({
    groupement: r.groupement,
    cle: r.cle ?? '',
    lignes: Number(r.lignes),
    alloueCents: BigInt(r.alloue ?? '0'),
    valideCents: BigInt(r.valide),
    verseCents: BigInt(r.verse ?? '0'),
    nonVersableCents: BigInt(r.nv ?? '0'),
  }));
}

/** The employers' side of campaign `annee`. */
export interface TotauxEmployeurs {
  employeurs: number;
  collecteCents: Cents;
  fraisCents: Cents;
  creditsCents: Cents;
}

export async function totauxEmployeurs(db: Db | Tx, annee: number): Promise<TotauxEmployeurs> {
  const [r] = await selectRows<{ employeurs: number; collecte: string; frais: string; credits: string }>(
    db,
    sql`select count(*)::int as employeurs,
               (select coalesce(sum(montant_cents), 0) from encaissements where annee = ${annee})::text as collecte,
               coalesce(sum(frais_operateur_cents), 0)::text as frais, coalesce(sum(credits_cents), 0)::text as credits
          from enveloppes where annee = ${annee}`,
  );
  return {
    employeurs: Number(r?.employeurs ?? 0),
    collecteCents: BigInt(r?.collecte ?? '0'),
    fraisCents: BigInt(r?.frais ?? '0'),
    creditsCents: BigInt(r?.credits ?? '0'),
  };
}

/** The reliquat as computed (`reliquats`, `reliquat_parts`), or null before it is. */
export interface ReliquatCalcule {
  poolCents: Cents;
  regionaleCents: Cents;
  nationaleCents: Cents;
  verseCents: Cents;
  reporteCents: Cents;
  /** each region's establishments' shares (regional + national parts), '' for no region */
  parRegion: { region: string; etablissements: number; cents: Cents }[];
}

export async function reliquatCalcule(db: Db | Tx, annee: number): Promise<ReliquatCalcule | null> {
  const [r] = await selectRows<{ pool: string; regionale: string; nationale: string; verse: string; reporte: string }>(
    db,
    sql`select pool_cents::text as pool, regionale_cents::text as regionale, nationale_cents::text as nationale,
               verse_cents::text as verse, reporte_cents::text as reporte
          from reliquats where annee = ${annee}`,
  );
  if (!r) return null;
  const regions = await selectRows<{ region: string; n: number; cents: string }>(
    db,
    sql`select coalesce(region, '') as region, count(*)::int as n, sum(regionale_cents + nationale_cents)::text as cents
          from reliquat_parts where annee = ${annee} group by coalesce(region, '') order by 1`,
  );
  return {
    poolCents: BigInt(r.pool),
    regionaleCents: BigInt(r.regionale),
    nationaleCents: BigInt(r.nationale),
    verseCents: BigInt(r.verse),
    reporteCents: BigInt(r.reporte),
    parRegion: regions.map((g) => ({ region: g.region, etablissements: Number(g.n), cents: BigInt(g.cents) })),
  };
}
