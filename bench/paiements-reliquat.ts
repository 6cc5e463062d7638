/**
 * The reliquat's measurement for the payments benchmark (issue 12: « the reliquat under 60 s » on the
 * national data set of bench/allocations: 750,000 envelopes, 6,000,000 allocations, 12,000
 * establishments). `measureReliquat(db, annee)` times `simulateReliquat` — the two set-based statements of
 * src/modules/versements/reliquat-donnees.ts and the split of src/domain/reliquat.ts — beside a baseline
 * from the same run: the same sums by one `GROUP BY` in SQL (what each region's employers left, counted
 * with ⌊crédits × validated bp / 10,000⌋ instead of the largest remainder line by line, and the formations
 * en tension per establishment). Not a timed test: it returns the figures and whether the target is met.
 *
 * The database is left as it was found: everything runs in one transaction rolled back at the end. Inside
 * it, what the national data set lacks for a meaningful reliquat is added first (not timed): a list of
 * métiers en tension when the year has none (per region, the ten RNCP codes its formations carry most),
 * and a registry row (a commune of the referential) for every employer SIRET the registry does not know,
 * so that the regional part is shared region by region rather than carried over whole.
 */
import { sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../src/infra/db/index.js';
import { simulateReliquat } from '../src/modules/versements/reliquat.js';
import { median, round } from './stats.js';

export const RELIQUAT_TARGET_MS = 60_000;

export interface ReliquatMeasure {
  annee: number;
  runs: number;
  /** median over the runs, milliseconds */
  simulationMs: number;
  baselineMs: number;
  /** simulation ÷ baseline */
  ratio: number;
  targetMs: number;
  met: boolean;
  poolCents: bigint;
  /** the baseline's pool: differs from the simulation's by the cents the largest remainder gives line by line */
  baselinePoolCents: bigint;
  regions: number;
  etablissements: number;
  formations: number;
  reporteCents: bigint;
  /** what was added inside the rolled-back transaction (not timed) */
  prepared: string[];
}

class Rollback extends Error {}

/** Adds, inside `tx`, the métiers en tension and the employers' registry rows the data set lacks. */
async function prepareData(tx: Tx, annee: number): Promise<string[]> {
  const done: string[] = [];
  const [m] = await selectRows<{ n: number }>(tx, sql`select count(*)::int as n from metiers_en_tension where annee = ${annee}`);
  if (!m?.n) {
    await tx.execute(sql`
      insert into metiers_en_tension (annee, region, metier, rncp)
      select ${annee}, region, 'Métier ' || rncp, rncp from (
        select r.region, d.rncp, row_number() over (partition by r.region order by count(*) desc, d.rncp) as rang
          from ref_formations f join ref_etablissements r on r.id = f.etablissement_id join ref_diplomes d on d.id = f.diplome_id
         where f.annee = ${annee} and r.region is not null and d.rncp is not null
         group by r.region, d.rncp) t
       where rang <= 10`);
    done.push('métiers en tension: the ten most frequent RNCP codes of each region');
  }
  const [missing] = await selectRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from enveloppes e where e.annee = ${annee} and not exists (select 1 from etablissements et where et.siret = e.siret)`,
  );
  if (missing?.n) {
    await tx.execute(sql`
      create temporary table bench_communes on commit drop as
      select row_number() over (order by code_commune) - 1 as k, code_commune
        from (select distinct code_commune from ref_etablissements where annee = ${annee} and code_commune is not null) c`);
    await tx.execute(sql`
      insert into entreprises (siren, raison_sociale, etat_administratif)
      select distinct left(e.siret, 9), 'EMPLOYEUR', 'A' from enveloppes e
       where e.annee = ${annee} and not exists (select 1 from etablissements et where et.siret = e.siret)
      on conflict (siren) do nothing`);
    await tx.execute(sql`
      insert into etablissements (siret, siren, denomination, code_commune, etat_administratif)
      select e.siret, left(e.siret, 9), 'EMPLOYEUR', c.code_commune, 'A'
        from enveloppes e
        join bench_communes c on c.k = abs(hashtext(e.siret)) % (select count(*) from bench_communes)
       where e.annee = ${annee} and not exists (select 1 from etablissements et where et.siret = e.siret)`);
    await tx.execute(sql`analyze etablissements`);
    done.push(`${missing.n} employer SIRETs given a registry row (a commune of the referential)`);
  }
  return done;
}

/** The same sums by one GROUP BY each: what each département's employers left, and the formations en tension per establishment. */
async function baseline(tx: Tx, annee: number): Promise<bigint> {
  const rows = await selectRows<{ cents: string }>(
    tx,
    sql`
    with a as (select siret_employeur as siret, sum(points_base) filter (where statut = 'validee') as bp
                 from attributions where annee = ${annee} group by siret_employeur)
    select left(et.code_commune, 2) as dep, sum(greatest(e.credits_cents - (e.credits_cents * coalesce(a.bp, 0)) / 10000, 0))::text as cents
      from enveloppes e left join a on a.siret = e.siret left join etablissements et on et.siret = e.siret
     where e.annee = ${annee} group by 1`,
  );
  await selectRows(
    tx,
    sql`select coalesce(r.parent_id, r.id) as etab, count(*) from ref_formations f
          join ref_etablissements r on r.id = f.etablissement_id join ref_diplomes d on d.id = f.diplome_id
          join metiers_en_tension m on m.annee = f.annee and m.region = r.region and m.rncp = d.rncp
         where f.annee = ${annee} group by 1`,
  );
  return rows.reduce((s, r) => s + BigInt(r.cents), 0n);
}

/** Times `simulateReliquat` and the baseline `runs` times each (alternating), inside a transaction rolled back. */
export async function measureReliquat(
  db: Db,
  annee: number,
  opts: { runs?: number; log?: (line: string) => void } = {},
): Promise<ReliquatMeasure> {
  const runs = opts.runs ?? 3;
  const log = opts.log ?? (() => undefined);
  let result: ReliquatMeasure | null = null;
  try {
    await db.transaction(async (tx) => {
      const prepared = await prepareData(tx, annee);
      for (const p of prepared) log(`  reliquat: ${p}`);
      const sims: number[] = [];
      const bases: number[] = [];
      let view = null;
      let basePool = 0n;
      for (let i = 0; i < runs; i++) {
        let t = performance.now();
        const r = await simulateReliquat({ db: tx }, annee);
        sims.push(performance.now() - t);
        if (!r.ok) throw new Error(r.problem.message);
        view = r.reliquat;
        t = performance.now();
        basePool = await baseline(tx, annee);
        bases.push(performance.now() - t);
        log(`  reliquat run ${i + 1}: simulation ${Math.round(sims[i]!)} ms, baseline ${Math.round(bases[i]!)} ms`);
      }
      const simulationMs = median(sims);
      const baselineMs = median(bases);
      result = {
        annee,
        runs,
        simulationMs: round(simulationMs, 0),
        baselineMs: round(baselineMs, 0),
        ratio: round(simulationMs / baselineMs, 2),
        targetMs: RELIQUAT_TARGET_MS,
        met: simulationMs < RELIQUAT_TARGET_MS,
        poolCents: view!.poolCents,
        baselinePoolCents: basePool,
        regions: view!.regions.length,
        etablissements: view!.shares.length,
        formations: view!.formations,
        reporteCents: view!.reporteCents,
        prepared,
      };
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return result!;
}
