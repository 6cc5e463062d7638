/**
 * Property test of the reliquat on the database (fast-check): for any world of establishments (with
 * composantes, formations, bank details), envelopes, allocation lines saved or validated, employers of
 * known or unknown region, and métiers en tension, what the statements of reliquat-donnees.ts give the
 * rule is what TypeScript computes from the same world — each region's unallocated crédits (the
 * Synthèse's expected amounts, largest remainder per SIRET) and each establishment's formations en
 * tension — and the shares and what stays in the fund add up to the pool, to the cent.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedAmounts } from '../../src/domain/money.js';
import { simulateReliquat } from '../../src/modules/versements/reliquat.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { ANNEE, seedWorld, WAVE_1_DAY, type WorldSpec } from './world.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 15);
const COMMUNES: Record<string, string> = { '69123': '84', '75056': '11', '13055': '93' };
const CODES = ['RNCP1', 'RNCP2', 'RNCP3'];
const METIERS: Record<string, string[]> = { '84': ['RNCP1', 'RNCP2'], '11': ['RNCP3'] };

const worldArb = fc
  .record({
    etabs: fc.array(
      fc.record({
        bank: fc.constantFrom('verifiee', 'verifiee', 'en_attente', null),
        region: fc.constantFrom('84', '11', '24'),
        composante: fc.boolean(),
        formations: fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    employeurs: fc.array(
      fc.record({ creditsCents: fc.bigInt({ min: 0n, max: 5_000_000n }), commune: fc.constantFrom('69123', '75056', '13055', undefined) }),
      { minLength: 1, maxLength: 5 },
    ),
    lignes: fc.array(
      fc.record({
        employeur: fc.nat(),
        etablissement: fc.nat(),
        bp: fc.integer({ min: 1, max: 4000 }),
        periode: fc.constantFrom(1, 2, null),
      }),
      { maxLength: 14 },
    ),
  })
  .map(({ etabs, employeurs, lignes }): WorldSpec => {
    const seen = new Set<string>();
    const total = new Map<number, number>();
    return {
      etablissements: etabs.map((e, i) => ({
        bank: e.bank as WorldSpec['etablissements'][number]['bank'],
        region: e.region,
        formations: e.formations,
        ...(e.composante && i > 0 ? { parent: 0 } : {}),
      })),
      employeurs: employeurs.map((e) => ({
        creditsCents: e.creditsCents,
        funds: 'recus' as const,
        ...(e.commune ? { commune: e.commune } : {}),
      })),
      lignes: lignes.flatMap((l) => {
        const employeur = l.employeur % employeurs.length;
        const etablissement = l.etablissement % etabs.length;
        const sum = (total.get(employeur) ?? 0) + l.bp;
        if (seen.has(`${employeur}:${etablissement}`) || sum > 10_000) return [];
        seen.add(`${employeur}:${etablissement}`);
        total.set(employeur, sum);
        return [{ employeur, etablissement, bp: l.bp, periode: l.periode as 1 | 2 | null }];
      }),
    };
  });

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
}, 60_000);
afterAll(() => p?.drop());

async function reset() {
  await p.ctx.db.execute(sql`truncate metiers_en_tension, attributions, encaissements, enveloppes, coordonnees_bancaires, ref_formations,
    ref_diplomes, ref_etablissements, etablissements, entreprises, audit_events, agents restart identity cascade`);
  for (const [region, codes] of Object.entries(METIERS))
    for (const rncp of codes)
      await p.ctx.db.execute(
        sql`insert into metiers_en_tension (annee, region, metier, rncp) values (${ANNEE}, ${region}, ${'Métier ' + rncp}, ${rncp})`,
      );
}

/** Each region's unallocated crédits by the TypeScript rule: crédits minus the validated lines' expected amounts. */
function unallocatedByRule(spec: WorldSpec): Map<string | null, bigint> {
  const out = new Map<string | null, bigint>();
  spec.employeurs.forEach((e, i) => {
    const lines = spec.lignes.filter((l) => l.employeur === i);
    const expected = expectedAmounts(
      e.creditsCents,
      lines.map((l) => l.bp),
    );
    const validated = lines.reduce((s, l, j) => s + (l.periode !== null ? expected[j]! : 0n), 0n);
    const left = e.creditsCents - validated;
    const region = e.commune ? COMMUNES[e.commune]! : null;
    out.set(region, (out.get(region) ?? 0n) + (left > 0n ? left : 0n));
  });
  return out;
}

describe('the reliquat on the database (property)', () => {
  it('equals the TypeScript rule on the same world and adds up to the cent', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (spec) => {
        await reset();
        const world = await seedWorld(p.ctx.db, spec);
        const r = await simulateReliquat(p.ctx, ANNEE);
        if (!r.ok) throw new Error(r.problem.message);
        const v = r.reliquat;
        const byRule = unallocatedByRule(spec);
        expect(new Map(v.regions.map((g) => [g.region, g.nonAttribueCents]))).toEqual(byRule);
        expect(v.nonVersableCents).toBe(0n);
        // formations en tension of each top-level establishment (its composantes' included)
        const formations = spec.etablissements.map((e, i) =>
          e.parent !== undefined
            ? 0
            : spec.etablissements
                .filter((c, j) => j === i || c.parent === i)
                .reduce((n, c) => n + (c.formations ?? []).filter((code) => METIERS[c.region]?.includes(code)).length, 0),
        );
        for (const s of v.shares) expect(s.formations, s.siret).toBe(formations[world.etablissementSirets.indexOf(s.siret)]);
        expect(v.formations).toBe(formations.reduce((a, b) => a + b, 0));
        expect(v.verseCents + v.reporteCents).toBe(v.poolCents);
        expect(v.regionaleCents + v.nationaleCents).toBe(v.poolCents);
        expect(v.shares.filter((s) => s.motif === null).reduce((t, s) => t + s.regionaleCents + s.nationaleCents, 0n)).toBe(v.verseCents);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
