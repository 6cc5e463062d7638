/**
 * Property test of the reconciliation (fast-check, docs/regles.md#rapprochement): for any world of
 * establishments, envelopes, funds and allocation lines, two waves issued, and DSN corrections between
 * them (crédits and the collector's due changed together, the funds already received left as they are),
 * collected = fees + paid + reliquat paid + carried over + the differences, to the cent, the differences
 * adding up to the gap; with no correction, the campaign is balanced and nothing is listed; each
 * difference is one a correction explains (received beyond the due, a line paid beyond its amount, paid
 * more than received).
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/modules/versements/rapprochement.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { issuedWave } from './suivi-world.js';
import { seedWorld, WAVE_1_DAY, WAVE_2_DAY, ANNEE, type WorldSpec } from './world.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);

const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({
    etabs: fc.array(
      fc.record({
        bank: fc.constantFrom('verifiee', 'verifiee', 'en_attente', null),
        ferme: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        composante: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    employeurs: fc.array(
      fc.record({ creditsCents: fc.bigInt({ min: 0n, max: 5_000_000n }), funds: fc.constantFrom('recus', 'recus', 'partiels', 'aucun') }),
      { minLength: 1, maxLength: 4 },
    ),
    lignes: fc.array(
      fc.record({
        employeur: fc.nat(),
        etablissement: fc.nat(),
        bp: fc.integer({ min: 1, max: 4000 }),
        periode: fc.constantFrom(1, 2, null),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ etabs, employeurs, lignes }) => {
    const etablissements = etabs.map((e, i) => ({
      bank: e.bank as WorldSpec['etablissements'][number]['bank'],
      ferme: e.ferme,
      region: '84',
      ...(e.composante && i > 0 ? { parent: 0 } : {}),
    }));
    const seen = new Set<string>();
    const total = new Map<number, number>();
    const kept = lignes.flatMap((l) => {
      const employeur = l.employeur % employeurs.length;
      const etablissement = l.etablissement % etablissements.length;
      const sum = (total.get(employeur) ?? 0) + l.bp;
      if (seen.has(`${employeur}:${etablissement}`) || sum > 10_000) return [];
      seen.add(`${employeur}:${etablissement}`);
      total.set(employeur, sum);
      return [{ employeur, etablissement, bp: l.bp, periode: l.periode as 1 | 2 | null }];
    });
    return { etablissements, employeurs: employeurs as WorldSpec['employeurs'], lignes: kept };
  });

/** Percent of each employer's former crédits after a DSN correction (100: none). */
const correctionsArb = fc.array(fc.constantFrom(100, 100, 50, 0, 150), { maxLength: 4 });

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
}, 60_000);
afterAll(() => p?.drop());

async function reset() {
  await p.ctx.db.execute(sql`truncate lignes_versees, non_versables, virements, vagues_versement, attributions, encaissements,
    enveloppes, coordonnees_bancaires, ref_etablissements, etablissements, entreprises, audit_events, mail_outbox, agents restart identity cascade`);
}

const ALLOWED_WITH_CORRECTIONS = new Set(['recu_au_dela_du_du', 'ligne_versee_au_dela', 'verse_plus_que_recu']);

describe('the reconciliation identity', () => {
  it('holds to the cent for any world and waves; balanced without corrections; each difference explained', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, correctionsArb, async (spec, corrections) => {
        await reset();
        p.clock.set(WAVE_1_DAY);
        const world = await seedWorld(p.ctx.db, spec);
        await issuedWave(p.ctx, world, 1);
        let corrected = false;
        for (const [i, percent] of corrections.entries()) {
          if (i >= spec.employeurs.length || percent === 100) continue;
          const cents = (spec.employeurs[i]!.creditsCents * BigInt(percent)) / 100n;
          corrected ||= cents !== spec.employeurs[i]!.creditsCents;
          await p.ctx.db.execute(
            sql`update enveloppes set credits_cents = ${cents}, reverse_cents = ${cents + 100n} where siret = ${world.employeurSirets[i]}`,
          );
        }
        p.clock.set(WAVE_2_DAY);
        await issuedWave(p.ctx, world, 2);
        const { view: v } = await reconcile(p.ctx, ANNEE);
        expect(v.collecteCents).toBe(v.fraisCents + v.verseCents + v.reliquatVerseCents + v.resteCents + v.ecartCents);
        expect(v.ecarts.reduce((s, e) => s + e.cents, 0n)).toBe(v.ecartCents);
        expect(v.reste.every((part) => part.part === 'reliquat_verse' || part.cents >= 0n)).toBe(true);
        if (!corrected) {
          expect(v.ecarts).toEqual([]);
          expect(v.equilibre).toBe(true);
        } else for (const e of v.ecarts) expect(ALLOWED_WITH_CORRECTIONS.has(e.code)).toBe(true);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
