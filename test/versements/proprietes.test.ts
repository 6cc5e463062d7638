/**
 * Property tests of the payments (fast-check): for any world of establishments, envelopes, funds and
 * allocation lines, and DSN corrections and bank details verified between the waves, what the database
 * pays at each wave (one set-based statement, lignes-dues.ts) is exactly what the rule in TypeScript
 * (domain/versements.ts `linesDueAtWave`, `beneficiaryOf`) says, line by line; no line is ever paid more
 * than its expected amount nor twice in a wave; every transfer is the sum of its lines and every wave the
 * sum of its transfers, to the cent.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedAmounts } from '../../src/domain/money.js';
import { beneficiaryOf, linesDueAtWave, type LineState } from '../../src/domain/versements.js';
import { selectRows } from '../../src/infra/db/index.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { paidByLine, paymentsContext, type PaymentsContext } from './context.js';
import { ANNEE, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from './world.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);

const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({
    etabs: fc.array(
      fc.record({
        bank: fc.constantFrom('verifiee', 'verifiee', 'en_attente', null),
        ferme: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        region: fc.constantFrom('84', '11'),
        composante: fc.boolean(),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    employeurs: fc.array(
      fc.record({
        creditsCents: fc.bigInt({ min: 0n, max: 5_000_000n }),
        funds: fc.constantFrom('recus', 'recus', 'recus', 'partiels', 'aucun'),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    lignes: fc.array(
      fc.record({
        employeur: fc.nat(),
        etablissement: fc.nat(),
        bp: fc.integer({ min: 1, max: 4000 }),
        periode: fc.constantFrom(1, 2, null),
      }),
      { maxLength: 16 },
    ),
  })
  .map(({ etabs, employeurs, lignes }) => {
    const etablissements = etabs.map((e, i) => ({
      bank: e.bank as WorldSpec['etablissements'][number]['bank'],
      ferme: e.ferme,
      region: e.region,
      ...(e.composante && i > 0 ? { parent: 0 } : {}),
    }));
    // one line per employer and establishment, at most 100 % per employer
    const seen = new Set<string>();
    const total = new Map<number, number>();
    const kept = lignes.flatMap((l) => {
      const employeur = l.employeur % employeurs.length;
      const etablissement = l.etablissement % etablissements.length;
      const key = `${employeur}:${etablissement}`;
      const sum = (total.get(employeur) ?? 0) + l.bp;
      if (seen.has(key) || sum > 10_000) return [];
      seen.add(key);
      total.set(employeur, sum);
      return [{ employeur, etablissement, bp: l.bp, periode: l.periode as 1 | 2 | null }];
    });
    return { etablissements, employeurs: employeurs as WorldSpec['employeurs'], lignes: kept };
  });

/** Between the waves: DSN corrections of the crédits (percent of the former amount) and bank details verified. */
const changesArb = fc.record({
  credits: fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 5 }),
  verify: fc.array(fc.nat(), { maxLength: 3 }),
});

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
}, 60_000);
afterAll(() => p?.drop());

async function reset() {
  await p.ctx.db.execute(sql`truncate lignes_versees, non_versables, virements, vagues_versement, attributions, encaissements,
    enveloppes, coordonnees_bancaires, ref_etablissements, etablissements, entreprises, audit_events, agents restart identity cascade`);
}

/** What the rule in TypeScript says a wave pays and cannot pay, line id → cents. */
async function expectedByRule(spec: WorldSpec, world: World, periode: number) {
  const state = await selectRows<{ siret: string; statut: string | null; credits: string; ferme: boolean }>(
    p.ctx.db,
    sql`select r.siret, cb.statut, '0' as credits, coalesce(et.etat_administratif = 'F', false) as ferme
          from ref_etablissements r
          left join coordonnees_bancaires cb on cb.siret = r.siret and cb.remplacee_le is null
          left join etablissements et on et.siret = r.siret`,
  );
  const bySiret = new Map(state.map((s) => [s.siret, s]));
  const credits = await selectRows<{ siret: string; cents: string }>(
    p.ctx.db,
    sql`select siret, credits_cents::text as cents from enveloppes`,
  );
  const paid = await paidByLine(p.ctx);
  const due = new Map<number, bigint>();
  const unpayable = new Map<number, bigint>();
  spec.employeurs.forEach((e, i) => {
    const lines: LineState[] = spec.lignes.flatMap((l, j) => {
      if (l.employeur !== i) return [];
      const etab = spec.etablissements[l.etablissement]!;
      const siret = world.etablissementSirets[l.etablissement]!;
      const parentSiret = etab.parent === undefined ? null : world.etablissementSirets[etab.parent]!;
      const to = beneficiaryOf({ siret, parentSiret, ownDetailsVerified: bySiret.get(siret)!.statut === 'verifiee' });
      const b = bySiret.get(to)!;
      return [
        {
          id: world.ligneIds[j]!,
          bp: l.bp,
          validee: l.periode !== null,
          validePeriode: l.periode,
          paidCents: paid.get(world.ligneIds[j]!) ?? 0n,
          payable: b.statut === 'verifiee' && !b.ferme,
        },
      ];
    });
    const creditsCents = BigInt(credits.find((c) => c.siret === world.employeurSirets[i])!.cents);
    const r = linesDueAtWave({ creditsCents, funded: e.funds === 'recus', periodeNumero: periode, lines });
    for (const d of r.due) due.set(d.id, d.cents);
    for (const d of r.unpayable) unpayable.set(d.id, d.cents);
  });
  return { due, unpayable };
}

async function wavePaid(vagueId: number) {
  const lines = await selectRows<{ id: string; cents: string }>(
    p.ctx.db,
    sql`select attribution_id::text as id, montant_cents::text as cents from lignes_versees where vague_id = ${vagueId}`,
  );
  const unpaid = await selectRows<{ id: string; cents: string }>(
    p.ctx.db,
    sql`select attribution_id::text as id, montant_cents::text as cents from non_versables where vague_id = ${vagueId}`,
  );
  const toMap = (rows: { id: string; cents: string }[]) => new Map(rows.map((r) => [Number(r.id), BigInt(r.cents)]));
  return { due: toMap(lines), unpayable: toMap(unpaid) };
}

async function sumsHold(vagueId: number) {
  const [bad] = await selectRows<{ transfers: number; wave: number }>(
    p.ctx.db,
    sql`select
          (select count(*)::int from virements v
            where v.vague_id = ${vagueId}
              and v.montant_cents <> (select sum(montant_cents) from lignes_versees lv where lv.virement_id = v.id)) as transfers,
          (select count(*)::int from vagues_versement w
            where w.id = ${vagueId}
              and w.total_cents <> coalesce((select sum(montant_cents) from virements where vague_id = w.id), 0)) as wave`,
  );
  expect(bad).toEqual({ transfers: 0, wave: 0 });
}

async function runWave(spec: WorldSpec, world: World, numero: 1 | 2) {
  const expected = await expectedByRule(spec, world, numero);
  const r = await prepareWave(p.ctx, world.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  expect(await wavePaid(r.vagueId)).toEqual(expected);
  await sumsHold(r.vagueId);
  expect((await approveWave(p.ctx, world.valideur, r.vagueId)).ok).toBe(true);
  expect((await issueWave(p.ctx, world.valideur, r.vagueId)).ok).toBe(true);
}

describe('what the waves pay', () => {
  it('equals the rule in TypeScript, line by line, wave after wave, never above the expected amount', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, changesArb, async (spec, changes) => {
        await reset();
        p.clock.set(WAVE_1_DAY);
        const world = await seedWorld(p.ctx.db, spec);
        await runWave(spec, world, 1);
        for (const [i, percent] of changes.credits.entries()) {
          if (i >= spec.employeurs.length) break;
          const cents = (spec.employeurs[i]!.creditsCents * BigInt(percent)) / 100n;
          await p.ctx.db.execute(sql`update enveloppes set credits_cents = ${cents} where siret = ${world.employeurSirets[i]}`);
        }
        for (const k of changes.verify) {
          const siret = world.etablissementSirets[k % world.etablissementSirets.length]!;
          await p.ctx.db.execute(sql`update coordonnees_bancaires set statut = 'verifiee' where siret = ${siret} and remplacee_le is null`);
        }
        p.clock.set(WAVE_2_DAY);
        await runWave(spec, world, 2);
        // no line ever received more than its expected amount with the crédits of one of the waves
        const paid = await paidByLine(p.ctx);
        spec.employeurs.forEach((e, i) => {
          const mine = spec.lignes.flatMap((l, j) => (l.employeur === i ? [{ id: world.ligneIds[j]!, bp: l.bp }] : []));
          const percent = changes.credits[i] ?? 100;
          const before = expectedAmounts(
            e.creditsCents,
            mine.map((l) => l.bp),
          );
          const after = expectedAmounts(
            (e.creditsCents * BigInt(percent)) / 100n,
            mine.map((l) => l.bp),
          );
          mine.forEach((l, k) => expect(paid.get(l.id) ?? 0n).toBeLessThanOrEqual(before[k]! > after[k]! ? before[k]! : after[k]!));
        });
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
