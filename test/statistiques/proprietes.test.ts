/**
 * Property test of the campaign's statistics (fast-check, docs/regles.md#statistiques): for any campaign —
 * establishments of any region, département, category, list, composantes, formations of any niveau,
 * envelopes, allocation lines saved and validated on any day, a wave issued — every figure of
 * `campaignStatistics` equals the sums recomputed here from the raw rows (the expected amounts by
 * domain/money.ts `expectedAmounts`, the days by domain/jours.ts `parisDayOf`), and every breakdown adds up
 * to the totals to the cent. Then the campaign changes (percentages, a line deleted, an envelope corrected,
 * a line validated, wave 2 issued, a transfer returned, funds received) and the incrementally refreshed summaries still
 * equal the recomputation.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parisDayOf } from '../../src/domain/jours.js';
import { expectedAmounts } from '../../src/domain/money.js';
import { selectRows } from '../../src/infra/db/index.js';
import { catchUpSummaries } from '../../src/modules/statistiques/donnees.js';
import { campaignStatistics, VENTILATIONS, type StatistiquesView } from '../../src/modules/statistiques/statistiques.js';
import { paymentsContext, type PaymentsContext } from '../versements/context.js';
import { issuedWave } from '../versements/suivi-world.js';
import { ANNEE, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from '../versements/world.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 10);
const REGIONS = ['84', '11', '53', '01'];
const DEPARTEMENTS = ['69', '75', '29', '971'];
const CATEGORIES = ['1°', '2°', '5°', '13°'];
const LISTES = ['regionale', 'nationale'];

const dims = fc.record({
  region: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  departement: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  categorie: fc.integer({ min: 0, max: 3 }),
  liste: fc.integer({ min: 0, max: 1 }),
});

const worldArb = fc
  .record({
    etabs: fc.array(
      fc.record({
        bank: fc.constantFrom('verifiee', 'verifiee', null),
        composante: fc.boolean(),
        formations: fc.subarray(['RNCP35830', 'RNCP34000', 'RNCP12345']),
        dims,
      }),
      { minLength: 1, maxLength: 5 },
    ),
    employeurs: fc.array(
      fc.record({ creditsCents: fc.bigInt({ min: 0n, max: 90_000_000n }), funds: fc.constantFrom('recus', 'recus', 'aucun') }),
      { minLength: 1, maxLength: 4 },
    ),
    lignes: fc.array(
      fc.record({
        employeur: fc.nat(),
        etablissement: fc.nat(),
        bp: fc.integer({ min: 1, max: 4000 }),
        periode: fc.constantFrom(1, 2, null),
        formation: fc.nat({ max: 3 }),
        /** minutes after the employers' opening (26 May 2025, 00:00 Paris) */
        saved: fc.integer({ min: 0, max: 150 * 24 * 60 }),
      }),
      { maxLength: 14 },
    ),
    niveaux: fc.array(fc.option(fc.integer({ min: 3, max: 8 }), { nil: null }), { minLength: 3, maxLength: 3 }),
    mutations: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('bp' as const), ligne: fc.nat(), bp: fc.integer({ min: 1, max: 2000 }) }),
        fc.record({ kind: fc.constant('supprimer' as const), ligne: fc.nat() }),
        fc.record({ kind: fc.constant('credits' as const), employeur: fc.nat(), percent: fc.constantFrom(0, 50, 150) }),
        fc.record({ kind: fc.constant('valider' as const), ligne: fc.nat() }),
        fc.record({ kind: fc.constant('rejet' as const) }),
        fc.record({ kind: fc.constant('recu' as const), employeur: fc.nat(), cents: fc.bigInt({ min: 1n, max: 1_000_000n }) }),
      ),
      { maxLength: 5 },
    ),
  })
  .map((r) => {
    const etablissements = r.etabs.map((e, i) => ({
      bank: e.bank as WorldSpec['etablissements'][number]['bank'],
      region: '84',
      formations: e.formations,
      ...(e.composante && i > 0 ? { parent: 0 } : {}),
    }));
    const seen = new Set<string>();
    const total = new Map<number, number>();
    const lignes = r.lignes.flatMap((l) => {
      const employeur = l.employeur % r.employeurs.length;
      const etablissement = l.etablissement % etablissements.length;
      const sum = (total.get(employeur) ?? 0) + l.bp;
      if (seen.has(`${employeur}:${etablissement}`) || sum > 10_000) return [];
      seen.add(`${employeur}:${etablissement}`);
      total.set(employeur, sum);
      return [{ employeur, etablissement, bp: l.bp, periode: l.periode as 1 | 2 | null, formation: l.formation, saved: l.saved }];
    });
    return { ...r, spec: { etablissements, employeurs: r.employeurs as WorldSpec['employeurs'], lignes } satisfies WorldSpec, lignes };
  });

type Drawn = fc.Arbitrary<typeof worldArb extends fc.Arbitrary<infer T> ? T : never>;

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
}, 60_000);
afterAll(() => p?.drop());

async function reset() {
  await p.ctx.db.execute(sql`truncate lignes_versees, non_versables, virements, vagues_versement, attributions, encaissements, enveloppes,
    coordonnees_bancaires, ref_formations, ref_diplomes, ref_etablissements, etablissements, entreprises, audit_events, mail_outbox, agents,
    statistiques_a_recalculer, statistiques_lignes, statistiques_etablissements, statistiques_niveaux, statistiques_jours, statistiques_employeurs, statistiques_totaux restart identity cascade`);
}

const OPENING = Date.parse('2025-05-25T22:00:00Z');

/** The random dimensions, formations, niveaux and days written over the seeded world. */
async function dress(d: ReturnType<Drawn['generate']>['value'] extends infer T ? T : never, w: World) {
  const db = p.ctx.db;
  for (const [i, e] of d.etabs.entries()) {
    await db.execute(sql`update ref_etablissements
      set region = ${e.dims.region === null ? null : REGIONS[e.dims.region]}, departement = ${e.dims.departement === null ? null : DEPARTEMENTS[e.dims.departement]},
          categorie = ${CATEGORIES[e.dims.categorie]}, liste = ${LISTES[e.dims.liste]}
      where id = ${w.etablissementIds[i]}`);
  }
  for (const [k, rncp] of ['RNCP35830', 'RNCP34000', 'RNCP12345'].entries())
    await db.execute(sql`update ref_diplomes set niveau = ${d.niveaux[k] ?? null} where rncp = ${rncp}`);
  for (const [k, l] of d.lignes.entries()) {
    const saved = new Date(OPENING + l.saved * 60_000);
    await db.execute(sql`update attributions
      set updated_at = ${saved}, validee_le = case when statut = 'validee' then ${new Date(saved.getTime() + 3_600_000)}::timestamptz end,
          formation_id = (select f.id from ref_formations f where f.etablissement_id = attributions.etablissement_id order by f.id
                           offset ${l.formation} limit 1)
      where id = ${w.ligneIds[k]}`);
  }
}

type Figures = [number, bigint, bigint, bigint, bigint];

/** Every figure recomputed from the raw rows, with nothing but selections in SQL. */
async function recompute() {
  const db = p.ctx.db;
  const lines = await selectRows<{
    id: number;
    siret: string;
    bp: number;
    statut: string;
    validee_le: string | null;
    updated_at: string;
    region: string | null;
    preg: string | null;
    dep: string | null;
    pdep: string | null;
    categorie: string;
    liste: string;
    formation_id: number | null;
    niveau: number | null;
  }>(
    db,
    sql`select a.id::int, a.siret_employeur as siret, a.points_base as bp, a.statut, a.validee_le, a.updated_at,
                    r.region, pr.region as preg, r.departement as dep, pr.departement as pdep, r.categorie, r.liste, a.formation_id, d.niveau
               from attributions a join ref_etablissements r on r.id = a.etablissement_id left join ref_etablissements pr on pr.id = r.parent_id
               left join ref_formations f on f.id = a.formation_id left join ref_diplomes d on d.id = f.diplome_id
              where a.annee = ${ANNEE} order by a.id`,
  );
  const env = await selectRows<{ siret: string; credits: string; frais: string }>(
    db,
    sql`select siret, credits_cents::text as credits, frais_operateur_cents::text as frais from enveloppes where annee = ${ANNEE}`,
  );
  const recu = await selectRows<{ m: string }>(db, sql`select montant_cents::text as m from encaissements where annee = ${ANNEE}`);
  const paid = await selectRows<{ id: number; m: string; w: string; t: string }>(
    db,
    sql`select lv.attribution_id::int as id, lv.montant_cents::text as m,
      v.statut as w, vi.statut as t from lignes_versees lv join vagues_versement v on v.id = lv.vague_id join virements vi on vi.id = lv.virement_id`,
  );
  const unpaid = await selectRows<{ id: number; m: string; w: string; s: string }>(
    db,
    sql`select n.attribution_id::int as id, n.montant_cents::text as m,
      v.statut as w, n.statut as s from non_versables n join vagues_versement v on v.id = n.vague_id`,
  );
  const credits = new Map(env.map((e) => [e.siret, BigInt(e.credits)]));
  const expected = new Map<number, bigint>();
  for (const siret of new Set(lines.map((l) => l.siret))) {
    const mine = lines.filter((l) => l.siret === siret);
    const c = credits.get(siret);
    if (c === undefined) continue;
    expectedAmounts(
      c,
      mine.map((l) => l.bp),
    ).forEach((cents, i) => expected.set(mine[i]!.id, cents));
  }
  const groups: Record<string, Map<string, Figures>> = Object.fromEntries([...VENTILATIONS, 'total'].map((v) => [v, new Map()]));
  const valides = new Map<string, bigint>();
  const enregistres = new Map<string, bigint>();
  for (const l of lines) {
    const alloue = expected.get(l.id);
    if (alloue === undefined) continue;
    const valide = l.statut === 'validee' ? alloue : 0n;
    const verse = paid.filter((x) => x.id === l.id && x.w === 'emise' && x.t !== 'rejete').reduce((s, x) => s + BigInt(x.m), 0n);
    const nv = unpaid
      .filter((x) => x.id === l.id && x.w === 'emise' && ['en_attente', 'reliquat'].includes(x.s))
      .reduce((s, x) => s + BigInt(x.m), 0n);
    const keys: Record<string, string> = {
      region: l.region ?? l.preg ?? '',
      departement: l.dep ?? l.pdep ?? '',
      categorie: l.categorie,
      liste: l.liste,
      niveau: l.formation_id === null ? 'etablissement' : l.niveau === null ? '' : String(l.niveau),
      total: '',
    };
    for (const [g, k] of Object.entries(keys)) {
      const f = groups[g]!.get(k) ?? [0, 0n, 0n, 0n, 0n];
      groups[g]!.set(k, [f[0] + 1, f[1] + alloue, f[2] + valide, f[3] + verse, f[4] + nv]);
    }
    const saved = parisDayOf(new Date(l.updated_at));
    enregistres.set(saved, (enregistres.get(saved) ?? 0n) + alloue);
    if (l.statut === 'validee' && l.validee_le) {
      const day = parisDayOf(new Date(l.validee_le));
      valides.set(day, (valides.get(day) ?? 0n) + alloue);
    }
  }
  const sum = (xs: { [k: string]: string }[], k: string) => xs.reduce((s, x) => s + BigInt(x[k]!), 0n);
  return {
    groups,
    valides,
    enregistres,
    credits: sum(env, 'credits'),
    frais: sum(env, 'frais'),
    collecte: sum(recu, 'm'),
    employeurs: env.length,
  };
}

function check(v: StatistiquesView, e: Awaited<ReturnType<typeof recompute>>) {
  const total = e.groups.total!.get('') ?? [0, 0n, 0n, 0n, 0n];
  expect([v.lignes, v.alloueCents, v.valideCents, v.verseCents, v.nonVersableCents]).toEqual(total);
  expect([v.employeurs, v.creditsCents, v.fraisCents, v.collecteCents]).toEqual([e.employeurs, e.credits, e.frais, e.collecte]);
  for (const g of VENTILATIONS) {
    const got = new Map(
      v.ventilations[g].map((r): [string, Figures] => [r.cle, [r.lignes, r.alloueCents, r.valideCents, r.verseCents, r.nonVersableCents]]),
    );
    expect(got).toEqual(e.groups[g]);
    // every breakdown adds up to the totals, to the cent
    const sums = [...got.values()].reduce<Figures>(
      (s, f) => [s[0] + f[0], s[1] + f[1], s[2] + f[2], s[3] + f[3], s[4] + f[4]],
      [0, 0n, 0n, 0n, 0n],
    );
    expect(sums).toEqual(total);
  }
  const days = (pick: 'valideCents' | 'enregistreCents') => new Map(v.jours.filter((j) => j[pick] !== 0n).map((j) => [j.jour, j[pick]]));
  expect(days('valideCents')).toEqual(new Map([...e.valides].filter(([, c]) => c !== 0n)));
  expect(days('enregistreCents')).toEqual(new Map([...e.enregistres].filter(([, c]) => c !== 0n)));
  const last = v.jours[v.jours.length - 1];
  if (last) expect([last.valideCumulCents, last.enregistreCumulCents]).toEqual([total[2], total[1]]);
}

async function mutate(d: ReturnType<Drawn['generate']>['value'] extends infer T ? T : never, w: World) {
  const db = p.ctx.db;
  const ids = w.ligneIds;
  for (const m of d.mutations) {
    if (m.kind === 'bp' && ids.length)
      await db.execute(sql`update attributions set points_base = ${m.bp}, updated_at = ${WAVE_2_DAY} where id = ${ids[m.ligne % ids.length]}
                           and statut = 'enregistree'`);
    else if (m.kind === 'supprimer' && ids.length)
      await db.execute(sql`delete from attributions a where id = ${ids[m.ligne % ids.length]} and statut = 'enregistree'`);
    else if (m.kind === 'credits') {
      const siret = w.employeurSirets[m.employeur % w.employeurSirets.length]!;
      await db.execute(sql`update enveloppes set credits_cents = credits_cents * ${m.percent} / 100 where siret = ${siret}`);
    } else if (m.kind === 'valider' && ids.length)
      await db.execute(sql`update attributions set statut = 'validee', valide_periode = 2, validee_le = ${WAVE_2_DAY}
                           where id = ${ids[m.ligne % ids.length]} and statut = 'enregistree'`);
    else if (m.kind === 'recu') {
      const siret = w.employeurSirets[m.employeur % w.employeurSirets.length]!;
      await db.execute(sql`insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
                           values (${ANNEE}, ${siret}, 'MSA', ${m.cents}, '2025-09-30', 'test.csv', ${`complement:${siret}:${m.cents}`}, ${WAVE_2_DAY})
                           on conflict do nothing`);
    } else if (m.kind === 'rejet') await db.execute(sql`update virements set statut = 'rejete' where id = (select min(id) from virements)`);
  }
}

describe('the campaign’s statistics', () => {
  it('equal the sums recomputed from the raw rows, before and after changes refreshed incrementally', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (d) => {
        await reset();
        p.clock.set(WAVE_1_DAY);
        const w = await seedWorld(p.ctx.db, d.spec);
        await dress(d, w);
        if (d.spec.lignes.some((l) => l.periode === 1)) await issuedWave(p.ctx, w, 1);
        check(await campaignStatistics(p.ctx, ANNEE), await recompute());
        await mutate(d, w);
        p.clock.set(WAVE_2_DAY);
        if (d.spec.lignes.some((l) => l.periode !== null)) await issuedWave(p.ctx, w, 2).catch(() => undefined);
        // the scheduler's background catch-up, one employer per batch, two batches per tick, as many ticks as it takes
        const [before] = await selectRows<{ n: number }>(
          p.ctx.db,
          sql`select count(*)::int as n from statistiques_a_recalculer where annee = ${ANNEE}`,
        );
        let caughtUp = 0;
        for (let tick = 0; tick <= before!.n; tick++) caughtUp += await catchUpSummaries(p.ctx.db, ANNEE, { batches: 2, size: 1 });
        expect(caughtUp).toBe(before!.n);
        const [left] = await selectRows<{ n: number }>(p.ctx.db, sql`select count(*)::int as n from statistiques_a_recalculer`);
        expect(left!.n).toBe(0);
        check(await campaignStatistics(p.ctx, ANNEE), await recompute());
        // nothing left to refresh: a second read gives the same figures
        const [q] = await selectRows<{ n: number }>(p.ctx.db, sql`select count(*)::int as n from statistiques_a_recalculer`);
        expect(q!.n).toBe(0);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});

describe('the background catch-up', () => {
  it.runIf(Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL))(
    'leaves the campaign to the instance that holds its lock (PostgreSQL: two instances do not refresh the same batch)',
    async () => {
      await reset();
      p.clock.set(WAVE_1_DAY);
      await seedWorld(p.ctx.db, {
        etablissements: [{ bank: 'verifiee', region: '84' }],
        employeurs: [{ creditsCents: 100_000n, funds: 'recus' }],
        lignes: [{ employeur: 0, etablissement: 0, bp: 2000, periode: 1 }],
      });
      const queued = async () =>
        (
          await selectRows<{ n: number }>(p.ctx.db, sql`select count(*)::int as n from statistiques_a_recalculer where annee = ${ANNEE}`)
        )[0]!.n;
      expect(await queued()).toBeGreaterThan(0);
      // another instance is refreshing: this one does nothing and does not wait
      await p.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('statistiques'), ${ANNEE})`);
        expect(await catchUpSummaries(p.ctx.db, ANNEE, { batches: 5 })).toBe(0);
      });
      expect(await queued()).toBeGreaterThan(0);
      expect(await catchUpSummaries(p.ctx.db, ANNEE, { batches: 5 })).toBeGreaterThan(0);
      expect(await queued()).toBe(0);
      check(await campaignStatistics(p.ctx, ANNEE), await recompute());
    },
  );
});
