/**
 * Property test of the waves' money (fast-check), « never twice, never lost » (ADR 0007): for any
 * envelopes, allocation lines and bank details, two waves — each perhaps prepared again, or cancelled and
 * prepared again, before its approval — with DSN increases and bank details verified between them, and
 * bank returns rejecting any of the transfers of each wave, every allocation line of a funded employer
 * validated in a period the wave pays holds, after each issue and each return:
 *
 *   its expected amount (the largest remainder of the crédits, as the Synthèse shows it)
 *     = what issued, unreturned transfers paid on it + its share still waiting (« non versable »)
 *
 * and every other line holds nothing; so no line is ever paid above its expected amount nor twice, and
 * none loses a cent. Every transfer is the sum of its lines, every wave the sum of its transfers, the
 * message and transfer ids are never reused, and every SEPA file issued is valid against both XSDs with
 * the wave's count and control sum.
 *
 * The bank's returns are written as the returns import records them: the transfer `rejete` with its
 * reason, and a share `rejet_bancaire` per line it paid, on the wave of the transfer.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedAmounts } from '../../src/domain/money.js';
import { selectRows } from '../../src/infra/db/index.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { validatePain001Files } from '../../src/modules/versements/sepa-validation.js';
import { approveWave, cancelWave, issueWave } from '../../src/modules/versements/vagues.js';
import { paidByLine, paymentsContext, waveFile, type PaymentsContext } from './context.js';
import { values } from './helpers.js';
import { ANNEE, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from './world.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);

const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({
    etabs: fc.array(
      fc.record({
        bank: fc.constantFrom('verifiee', 'verifiee', 'verifiee', 'en_attente', null),
        ferme: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        composante: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    employeurs: fc.array(
      fc.record({
        creditsCents: fc.bigInt({ min: 0n, max: 3_000_000n }),
        funds: fc.constantFrom('recus', 'recus', 'recus', 'partiels', 'aucun'),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    lignes: fc.array(
      fc.record({
        employeur: fc.nat(),
        etablissement: fc.nat(),
        bp: fc.integer({ min: 1, max: 5000 }),
        periode: fc.constantFrom(1, 2, null),
      }),
      { maxLength: 14 },
    ),
  })
  .map(({ etabs, employeurs, lignes }) => {
    const seen = new Set<string>();
    const total = new Map<number, number>();
    const kept = lignes.flatMap((l) => {
      const employeur = l.employeur % employeurs.length;
      const etablissement = l.etablissement % etabs.length;
      const sum = (total.get(employeur) ?? 0) + l.bp;
      if (seen.has(`${employeur}:${etablissement}`) || sum > 10_000) return [];
      seen.add(`${employeur}:${etablissement}`);
      total.set(employeur, sum);
      return [{ employeur, etablissement, bp: l.bp, periode: l.periode as 1 | 2 | null }];
    });
    return {
      etablissements: etabs.map((e, i) => ({
        bank: e.bank as WorldSpec['etablissements'][number]['bank'],
        ferme: e.ferme,
        region: '84',
        ...(e.composante && i > 0 ? { parent: 0 } : {}),
      })),
      employeurs: employeurs as WorldSpec['employeurs'],
      lignes: kept,
    };
  });

/** What happens around one wave: preparing it again or cancelling it first, and which of its transfers the bank rejects. */
const waveArb = fc.record({
  before: fc.constantFrom('rien', 'rien', 'preparer_encore', 'annuler'),
  rejects: fc.array(fc.nat(), { maxLength: 3 }),
  code: fc.constantFrom('AC01', 'AC04', 'MD07'),
});

/** Between the waves: DSN increases (percent added to the crédits) and bank details verified. */
const changesArb = fc.record({
  increases: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 4 }),
  verify: fc.array(fc.nat(), { maxLength: 3 }),
});

let p: PaymentsContext;
const files: { name: string; xml: string }[] = [];
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
}, 60_000);
afterAll(() => p?.drop());

async function reset() {
  await p.ctx.db.execute(sql`truncate lignes_versees, non_versables, virements, vagues_versement, attributions, encaissements,
    enveloppes, coordonnees_bancaires, ref_etablissements, etablissements, entreprises, audit_events, agents restart identity cascade`);
}

/** The bank rejects the transfers picked by `picks` (indexes into the wave's transfers), as the returns import records it. */
async function rejectTransfers(vagueId: number, picks: number[], code: string) {
  const ids = await selectRows<{ id: string }>(p.ctx.db, sql`select id::text from virements where vague_id = ${vagueId} order by numero`);
  const chosen = [...new Set(picks.filter(() => ids.length > 0).map((k) => ids[k % ids.length]!.id))];
  const now = p.clock.now().toISOString();
  for (const id of chosen)
    await p.ctx.db.transaction(async (tx) => {
      await tx.execute(sql`update virements set statut = 'rejete', motif_code = ${code}, motif_libelle = ${code}, rejete_le = ${now}::timestamptz
                            where id = ${id}::bigint and statut = 'emis'`);
      await tx.execute(sql`
        insert into non_versables (annee, vague_id, attribution_id, siret_employeur, beneficiaire_siret, montant_cents, motif, motif_detail, statut, cree_le)
        select lv.annee, lv.vague_id, lv.attribution_id, lv.siret_employeur, v.beneficiaire_siret, lv.montant_cents, 'rejet_bancaire', ${code}, 'en_attente', ${now}::timestamptz
          from lignes_versees lv join virements v on v.id = lv.virement_id where lv.virement_id = ${id}::bigint`);
    });
}

/** expected = paid + waiting for every line due by period `periode`; nothing for the others. */
async function moneyHolds(spec: WorldSpec, world: World, periode: number) {
  const credits = await selectRows<{ siret: string; cents: string }>(
    p.ctx.db,
    sql`select siret, credits_cents::text as cents from enveloppes`,
  );
  const paid = await paidByLine(p.ctx);
  const waiting = new Map(
    (
      await selectRows<{ id: string; cents: string }>(
        p.ctx.db,
        sql`select attribution_id::text as id, sum(montant_cents)::text as cents from non_versables where statut = 'en_attente' group by attribution_id`,
      )
    ).map((r) => [Number(r.id), BigInt(r.cents)]),
  );
  const found: [number, bigint][] = [];
  const wanted: [number, bigint][] = [];
  spec.employeurs.forEach((e, i) => {
    const mine = spec.lignes.flatMap((l, j) => (l.employeur === i ? [{ id: world.ligneIds[j]!, l }] : []));
    const creditsCents = BigInt(credits.find((c) => c.siret === world.employeurSirets[i])!.cents);
    const expected = expectedAmounts(
      creditsCents,
      mine.map((m) => m.l.bp),
    );
    mine.forEach((m, k) => {
      const due = e.funds === 'recus' && m.l.periode !== null && m.l.periode <= periode;
      found.push([m.id, (paid.get(m.id) ?? 0n) + (waiting.get(m.id) ?? 0n)]);
      wanted.push([m.id, due ? expected[k]! : 0n]);
    });
  });
  expect(found).toEqual(wanted);
}

/** Transfers are the sums of their lines, waves of their transfers; no id is ever used twice. */
async function sumsHold() {
  const [bad] = await selectRows<{ transfers: number; waves: number; msg: number; e2e: number }>(
    p.ctx.db,
    sql`select
          (select count(*)::int from virements v
            where v.montant_cents <> (select sum(montant_cents) from lignes_versees lv where lv.virement_id = v.id)) as transfers,
          (select count(*)::int from vagues_versement w
            where w.statut <> 'annulee' and (w.total_cents, w.nb_virements) <>
                  (select coalesce(sum(montant_cents), 0), count(*)::int from virements where vague_id = w.id)) as waves,
          (select count(*) - count(distinct msg_id) from vagues_versement)::int as msg,
          (select count(*) - count(distinct end_to_end_id) from virements)::int as e2e`,
  );
  expect(bad).toEqual({ transfers: 0, waves: 0, msg: 0, e2e: 0 });
}

async function runWave(world: World, numero: 1 | 2, around: { before: string; rejects: number[]; code: string }) {
  let r = await prepareWave(p.ctx, world.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  if (around.before === 'annuler') expect((await cancelWave(p.ctx, world.gestionnaire2, r.vagueId)).ok).toBe(true);
  if (around.before !== 'rien') r = await prepareWave(p.ctx, world.gestionnaire2, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  await sumsHold();
  expect((await approveWave(p.ctx, world.valideur, r.vagueId)).ok).toBe(true);
  const issued = await issueWave(p.ctx, world.valideur2, r.vagueId);
  if (!issued.ok) throw new Error(issued.problem.message);
  if (issued.wave.nbVirements > 0) {
    const file = await waveFile(p.ctx, issued.wave);
    expect(file.sha256).toBe(issued.wave.fichierSha256);
    expect(values(file.xml, 'NbOfTxs')).toEqual([String(issued.wave.nbVirements), String(issued.wave.nbVirements)]);
    expect(values(file.xml, 'CtrlSum').map((s) => BigInt(s.replace('.', '')))).toEqual([issued.wave.totalCents, issued.wave.totalCents]);
    files.push({ name: `vague-${files.length}.xml`, xml: file.xml });
  }
  return r.vagueId;
}

describe('the money of the waves, with bank returns', () => {
  it('never pays a line above its expected amount nor twice, never loses a cent, every sum exact', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, waveArb, changesArb, waveArb, async (spec, wave1, changes, wave2) => {
        await reset();
        p.clock.set(WAVE_1_DAY);
        const world = await seedWorld(p.ctx.db, spec);
        const v1 = await runWave(world, 1, wave1);
        await moneyHolds(spec, world, 1);
        await rejectTransfers(v1, wave1.rejects, wave1.code);
        await moneyHolds(spec, world, 1);
        for (const [i, percent] of changes.increases.entries()) {
          if (i >= spec.employeurs.length) break;
          await p.ctx.db.execute(
            sql`update enveloppes set credits_cents = credits_cents * ${100 + percent} / 100 where siret = ${world.employeurSirets[i]}`,
          );
        }
        for (const k of changes.verify) {
          const siret = world.etablissementSirets[k % world.etablissementSirets.length]!;
          await p.ctx.db.execute(sql`update coordonnees_bancaires set statut = 'verifiee' where siret = ${siret} and remplacee_le is null`);
        }
        p.clock.set(WAVE_2_DAY);
        const v2 = await runWave(world, 2, wave2);
        await moneyHolds(spec, world, 2);
        await rejectTransfers(v2, wave2.rejects, wave2.code);
        await moneyHolds(spec, world, 2);
        await sumsHold();
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // every file issued, validated against both XSDs in one pass of each schema
    const checks = await validatePain001Files(files);
    expect(checks.filter((c) => !c.valid)).toEqual([]);
    expect(checks.length).toBe(files.length);
  }, 600_000);
});
