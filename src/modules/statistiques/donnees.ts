/**
 * What the campaign's statistics are computed from (docs/regles.md#statistiques). Plain aggregates over every
 * allocation line take minutes at national scale, so the lines' figures are kept in summaries
 * (schema-statistiques.ts) refreshed incrementally, employer by employer, from a queue the writes fill:
 * - the employers' side: Σ of the envelopes (crédits à répartir, the operator's fee) and of the funds the
 *   collectors transferred (`encaissements`), kept per employer and in total;
 * - the establishments' side, per allocation line of a queued employer: its expected
 *   amount (the largest remainder of its employer SIRET's crédits over all its lines, the Synthèse's and the
 *   waves' cents: `exactCte` of versements/lignes-dues.ts), validated or not, what issued and unreturned
 *   transfers paid on it, its shares that could not be paid (D. 6241-27-1), summed per establishment
 *   and per niveau (the establishments grouped at read time by region, département, category L. 6241-5 and list) and per
 *   Paris day it was validated and last saved;
 * - the reliquat as computed (R. 6241-28): its parts and each region's shares.
 */
import { sql } from 'drizzle-orm';
import type { Cents } from '../../domain/money.js';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { exactCte } from '../versements/lignes-dues.js';

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

/**
 * The batch's employers as one array parameter (each element quoted): `siret = any(…)` makes each summary
 * and each table of lines read through its (annee, siret) index, whatever the planner knows of a summary
 * that grew since it was last analysed.
 */
const queuedArray = (sirets: readonly string[]) => sql`${`{${sirets.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

const parisDay = (column: string) => sql.raw(`to_char(${column} at time zone 'Europe/Paris', 'YYYY-MM-DD')`);

/**
 * The queued employers' allocation lines, each with its figures, inserted into `statistiques_lignes`; what
 * they add is appended to `stat_delta`. The expected amounts are computed over each employer's whole set of
 * lines (the largest remainder needs them all), so only whole employers are recomputed.
 */
function newLinesStatement(annee: number, sirets: readonly string[]) {
  const QUEUED = queuedArray(sirets);
  return sql`
    with lignes as (
      select a.id, a.siret_employeur, a.points_base::bigint as bp, e.credits_cents::bigint as credits,
             a.statut, a.etablissement_id, a.formation_id, a.validee_le, a.updated_at
        from attributions a
        join enveloppes e on e.annee = a.annee and e.siret = a.siret_employeur
       where a.annee = ${annee} and a.siret_employeur = any(${QUEUED})
    ),
    ${exactCte},
    verse as (
      select lv.attribution_id, sum(lv.montant_cents) as cents
        from lignes_versees lv
        join vagues_versement v on v.id = lv.vague_id
        join virements vi on vi.id = lv.virement_id
       where lv.attribution_id in (select id from lignes) and v.statut = 'emise' and vi.statut <> 'rejete'
       group by lv.attribution_id
    ),
    nv as (
      select n.attribution_id, sum(n.montant_cents) as cents
        from non_versables n join vagues_versement v on v.id = n.vague_id
       where n.annee = ${annee} and n.siret_employeur = any(${QUEUED})
         and v.statut = 'emise' and n.statut in ('en_attente', 'reliquat')
       group by n.attribution_id
    ),
    nouvelles as (
      insert into statistiques_lignes (attribution_id, annee, siret, etablissement_id, niveau, jour_validation, jour_enregistrement,
                                       alloue_cents, valide_cents, verse_cents, non_versable_cents)
      select x.id, ${annee}, x.siret_employeur, x.etablissement_id,
             case when x.formation_id is null then 'etablissement' else coalesce(d.niveau::text, '') end,
             case when x.statut = 'validee' then ${parisDay('x.validee_le')} end,
             ${parisDay('x.updated_at')},
             x.plancher + case when x.rang <= x.cible - x.somme_planchers then 1 else 0 end,
             case when x.statut = 'validee' then x.plancher + case when x.rang <= x.cible - x.somme_planchers then 1 else 0 end else 0 end,
             coalesce(v.cents, 0), coalesce(n.cents, 0)
        from exact x
        left join ref_formations f on f.id = x.formation_id
        left join ref_diplomes d on d.id = f.diplome_id
        left join verse v on v.attribution_id = x.id
        left join nv n on n.attribution_id = x.id
      returning *
    )
    insert into stat_delta
    select etablissement_id, niveau, jour_validation, jour_enregistrement, 1, alloue_cents, valide_cents, verse_cents, non_versable_cents
      from nouvelles`;
}

/** Employers recomputed per transaction: a writer queuing one of them waits at most for one batch. */
export const REFRESH_BATCH = 2_000;

/** `stat_delta` summed by `key` and added to the summary `table` (annee, key, lignes and the four amounts); emptied groups removed. */
async function addDelta(
  tx: Tx,
  annee: number,
  table: 'statistiques_etablissements' | 'statistiques_niveaux',
  key: 'etablissement_id' | 'niveau',
) {
  const t = sql.raw(table);
  const k = sql.raw(key);
  await tx.execute(sql`
    insert into ${t} (annee, ${k}, lignes, alloue_cents, valide_cents, verse_cents, non_versable_cents)
    select ${annee}, ${k}, sum(lignes), sum(alloue), sum(valide), sum(verse), sum(nv) from stat_delta group by ${k}
    on conflict (annee, ${k}) do update
       set lignes = ${t}.lignes + excluded.lignes, alloue_cents = ${t}.alloue_cents + excluded.alloue_cents,
           valide_cents = ${t}.valide_cents + excluded.valide_cents, verse_cents = ${t}.verse_cents + excluded.verse_cents,
           non_versable_cents = ${t}.non_versable_cents + excluded.non_versable_cents`);
  await tx.execute(sql`delete from ${t} where annee = ${annee} and lignes = 0`);
}

/** One batch: up to REFRESH_BATCH queued employers taken off the queue, their lines replaced, the totals moved by the difference. */
async function refreshBatch(tx: Tx, annee: number, size = REFRESH_BATCH): Promise<number> {
  const taken = await selectRows<{ siret: string }>(
    tx,
    sql`delete from statistiques_a_recalculer q
         where q.annee = ${annee}
           and q.siret in (select siret from statistiques_a_recalculer where annee = ${annee} order by siret limit ${size})
        returning q.siret`,
  );
  const sirets = taken.map((r) => r.siret);
  if (!taken.length) return 0;
  const QUEUED = queuedArray(sirets);
  await tx.execute(sql`
    create temporary table stat_delta (etablissement_id bigint, niveau text, jour_validation text, jour_enregistrement text,
                                       lignes int, alloue bigint, valide bigint, verse bigint, nv bigint) on commit drop`);
  await tx.execute(sql`
    with anciennes as (delete from statistiques_lignes l where l.annee = ${annee} and l.siret = any(${QUEUED}) returning l.*)
    insert into stat_delta
    select etablissement_id, niveau, jour_validation, jour_enregistrement, -1, -alloue_cents, -valide_cents, -verse_cents, -non_versable_cents
      from anciennes`);
  await tx.execute(newLinesStatement(annee, sirets));
  await refreshEmployers(tx, annee, sirets);
  await addDelta(tx, annee, 'statistiques_etablissements', 'etablissement_id');
  await addDelta(tx, annee, 'statistiques_niveaux', 'niveau');
  await tx.execute(sql`
    insert into statistiques_jours (annee, jour, enregistre_cents, valide_cents)
    select ${annee}, jour, sum(e), sum(v)
      from (select jour_enregistrement as jour, alloue as e, 0::bigint as v from stat_delta
            union all select jour_validation, 0::bigint, valide from stat_delta where jour_validation is not null) x
     group by jour
    on conflict (annee, jour) do update
       set enregistre_cents = statistiques_jours.enregistre_cents + excluded.enregistre_cents,
           valide_cents = statistiques_jours.valide_cents + excluded.valide_cents`);
  await tx.execute(sql`delete from statistiques_jours where annee = ${annee} and enregistre_cents = 0 and valide_cents = 0`);
  return taken.length;
}

/** The batch's employers' envelopes and funds received replaced, the campaign's totals moved by the difference. */
async function refreshEmployers(tx: Tx, annee: number, sirets: readonly string[]): Promise<void> {
  const QUEUED = queuedArray(sirets);
  await tx.execute(sql`
    with anciens as (
      delete from statistiques_employeurs where annee = ${annee} and siret = any(${QUEUED})
      returning -enveloppes as n, -credits_cents as credits, -frais_cents as frais, -recu_cents as recu
    ),
    recus as (select siret, sum(montant_cents) as cents from encaissements where annee = ${annee} and siret = any(${QUEUED}) group by siret),
    nouveaux as (
      insert into statistiques_employeurs (annee, siret, enveloppes, credits_cents, frais_cents, recu_cents)
      select ${annee}, coalesce(e.siret, r.siret), case when e.siret is null then 0 else 1 end,
             coalesce(e.credits_cents, 0), coalesce(e.frais_operateur_cents, 0), coalesce(r.cents, 0)
        from (select siret, credits_cents, frais_operateur_cents from enveloppes where annee = ${annee} and siret = any(${QUEUED})) e
        full join recus r on r.siret = e.siret
      returning enveloppes as n, credits_cents as credits, frais_cents as frais, recu_cents as recu
    )
    insert into statistiques_totaux (annee, employeurs, credits_cents, frais_cents, recu_cents)
    select ${annee}, coalesce(sum(n), 0), coalesce(sum(credits), 0), coalesce(sum(frais), 0), coalesce(sum(recu), 0)
      from (select * from anciens union all select * from nouveaux) d
    on conflict (annee) do update
       set employeurs = statistiques_totaux.employeurs + excluded.employeurs,
           credits_cents = statistiques_totaux.credits_cents + excluded.credits_cents,
           frais_cents = statistiques_totaux.frais_cents + excluded.frais_cents,
           recu_cents = statistiques_totaux.recu_cents + excluded.recu_cents`);
}

/**
 * Brings the summaries of campaign `annee` up to date, batch by batch until the queue is empty: each queued
 * employer's old lines are taken out of the totals, its lines recomputed and added. One refresh of a
 * campaign at a time (an advisory lock); a write committed meanwhile queues its employer again. Returns
 * how many employers were recomputed.
 */
export async function refreshSummaries(db: Db, annee: number): Promise<number> {
  const [queued] = await selectRows<{ any: boolean }>(
    db,
    sql`select exists (select 1 from statistiques_a_recalculer where annee = ${annee}) as any`,
  );
  if (!queued?.any) return 0;
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('statistiques'), ${annee})`);
      return refreshBatch(tx, annee);
    });
    total += n;
    if (n < REFRESH_BATCH) return total;
  }
}

/**
 * The background catch-up (run by the scheduler's tick, messages/scheduler.ts): at most `batches` batches
 * of `size` queued employers, each in its own transaction under the same advisory lock as
 * `refreshSummaries` — but only tried (`pg_try_advisory_xact_lock`): when another instance (or a page
 * read) is refreshing the campaign, this one leaves the work to it and stops. So after a national payment
 * wave queues ~300,000 employers, the summaries are brought up to date a few batches per tick and the
 * statistics page finds the queue (nearly) empty. Returns how many employers were recomputed.
 */
export async function catchUpSummaries(db: Db, annee: number, opts: { batches: number; size?: number }): Promise<number> {
  const size = opts.size ?? REFRESH_BATCH;
  let total = 0;
  for (let i = 0; i < opts.batches; i++) {
    const n = await db.transaction(async (tx) => {
      const [lock] = await selectRows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtext('statistiques'), ${annee}) as ok`);
      return lock?.ok ? refreshBatch(tx, annee, size) : null;
    });
    if (n === null) return total;
    total += n;
    if (n < size) return total;
  }
  return total;
}

/** The allocation lines' groups of campaign `annee`, read from the summaries (no line: only an empty total). */
export async function agregatsLignes(db: Db | Tx, annee: number): Promise<Agregat[]> {
  const rows = await selectRows<AgregatRow>(
    db,
    sql`
    with etablissements as (
      select c.lignes, c.alloue_cents as alloue, c.valide_cents as valide, c.verse_cents as verse, c.non_versable_cents as nv,
             coalesce(r.region, p.region, '') as region, coalesce(r.departement, p.departement, '') as departement, r.categorie, r.liste
        from statistiques_etablissements c
        join ref_etablissements r on r.id = c.etablissement_id
        left join ref_etablissements p on p.id = r.parent_id
       where c.annee = ${annee}
    )
    select case when grouping(region) = 0 then 'region' when grouping(departement) = 0 then 'departement'
                when grouping(categorie) = 0 then 'categorie' else 'liste' end as groupement,
           coalesce(region, departement, categorie, liste) as cle,
           sum(lignes)::int as lignes, sum(alloue)::text as alloue, sum(valide)::text as valide, sum(verse)::text as verse, sum(nv)::text as nv
      from etablissements
     group by grouping sets ((region), (departement), (categorie), (liste))
    union all
    select case when grouping(niveau) = 0 then 'niveau' else 'total' end, niveau,
           coalesce(sum(lignes), 0)::int, coalesce(sum(alloue_cents), 0)::text, coalesce(sum(valide_cents), 0)::text,
           coalesce(sum(verse_cents), 0)::text, coalesce(sum(non_versable_cents), 0)::text
      from statistiques_niveaux where annee = ${annee}
     group by grouping sets ((niveau), ())
    union all
    select 'jour_validation', jour, 0, '0', valide_cents::text, '0', '0' from statistiques_jours where annee = ${annee} and valide_cents <> 0
    union all
    select 'jour_enregistrement', jour, 0, enregistre_cents::text, '0', '0', '0' from statistiques_jours where annee = ${annee} and enregistre_cents <> 0`,
  );
  return rows.map((r) => ({
    groupement: r.groupement,
    cle: r.cle ?? '',
    lignes: Number(r.lignes),
    alloueCents: BigInt(r.alloue),
    valideCents: BigInt(r.valide),
    verseCents: BigInt(r.verse),
    nonVersableCents: BigInt(r.nv),
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
    sql`select employeurs, recu_cents::text as collecte, frais_cents::text as frais, credits_cents::text as credits
          from statistiques_totaux where annee = ${annee}`,
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
