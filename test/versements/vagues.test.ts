/**
 * Payment waves on a small world computed by hand (docs/regles.md#versements): what wave 1 and wave 2
 * pay and to whom, what cannot be paid and why, the SEPA file issued (valid against both XSDs, its SHA-256
 * recorded, written again identical), and every refusal of the wave's way: before its date, without the
 * role, approved by its preparer or twice, bank details changed since the preparation.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { lignesDuesStatement } from '../../src/modules/versements/lignes-dues.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { approveWave, cancelWave, issueWave, type WaveRow } from '../../src/modules/versements/vagues.js';
import { paidByLine, paymentsContext, waveFile, type PaymentsContext } from './context.js';
import { expectValidPain001, values } from './helpers.js';
import { SUIVI_SPEC } from './suivi-world.js';
import { ANNEE, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World, type WorldSpec } from './world.js';

/** The hand-computed world of these tests, shared with the follow-up's (suivi-world.ts says its figures). */
const SPEC: WorldSpec = SUIVI_SPEC;

let p: PaymentsContext;
let w: World;

beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  w = await seedWorld(p.ctx.db, SPEC);
}, 60_000);
afterAll(() => p?.drop());

const transfers = (vagueId: number) =>
  selectRows<{ siret: string; cents: string; numero: number; libelle: string; iban: string; statut: string; e2e: string }>(
    p.ctx.db,
    sql`select beneficiaire_siret as siret, montant_cents::text as cents, numero, libelle, iban, statut, end_to_end_id as e2e
          from virements where vague_id = ${vagueId} order by numero`,
  );
const msgIds = () =>
  selectRows<{ msg_id: string; statut: string }>(p.ctx.db, sql`select msg_id, statut from vagues_versement where numero = 1 order by id`);
const unpayable = (vagueId: number) =>
  selectRows<{ ligne: string; cents: string; motif: string; statut: string }>(
    p.ctx.db,
    sql`select attribution_id::text as ligne, montant_cents::text as cents, motif, statut
          from non_versables where vague_id = ${vagueId} order by attribution_id`,
  );
const wave = async (id: number): Promise<WaveRow> => {
  const [row] = await selectRows<{ statut: string }>(p.ctx.db, sql`select statut from vagues_versement where id = ${id}`);
  return { statut: row!.statut } as WaveRow;
};

async function prepared(numero: number) {
  const r = await prepareWave(p.ctx, w.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  return r;
}

describe('a wave, step by step', () => {
  let vague1 = 0;

  it('refuses to prepare a wave before its date, or without the gestionnaire role, with a French message', async () => {
    p.clock.set(new Date('2025-07-10T20:00:00Z')); // 10 July, 22:00 Paris: the day before
    const early = await prepareWave(p.ctx, w.gestionnaire, ANNEE, 1);
    expect(early.ok).toBe(false);
    if (!early.ok)
      expect(early.problem.message).toBe(
        'La vague n° 1 ne peut être préparée qu’à partir du 11 juillet 2025, la date fixée par le calendrier.',
      );
    p.clock.set(WAVE_1_DAY);
    const role = await prepareWave(p.ctx, w.valideur, ANNEE, 1);
    expect(role.ok || role.problem.code).toBe('role_gestionnaire');
    const unknown = await prepareWave(p.ctx, w.gestionnaire, ANNEE, 4);
    expect(unknown.ok || unknown.problem.message).toBe('La campagne 2025 n’a pas de vague n° 4 (vagues : 1, 2).');
    expect(await selectRows(p.ctx.db, sql`select 1 from vagues_versement`)).toEqual([]);
  });

  it('wave 1 pays the lines validated in period 1 of funded employers, per beneficiary, to the cent', async () => {
    const r = await prepared(1);
    vague1 = r.vagueId;
    expect(r).toMatchObject({ nbVirements: 3, totalCents: 82_220n, nonVersables: 3 });
    const t = await transfers(vague1);
    // the lycée receives its lines and its composante's without details (30 000 + 20 000 + 11 110); the
    // composante with verified details receives for itself; employer 1's 33 333 cents split by largest remainder
    expect(t.map((x) => [x.siret, x.cents, x.numero])).toEqual([
      [w.etablissementSirets[0], '61110', 1],
      [w.etablissementSirets[2], '10000', 2],
      [w.etablissementSirets[6], '11110', 3],
    ]);
    expect(t[0]!.libelle).toBe(`TAXE- APPRENTISSAGE - ${w.etablissementSirets[0]} - 2025 - 1`);
    expect((await unpayable(vague1)).map((u) => [Number(u.ligne), u.cents, u.motif])).toEqual([
      [w.ligneIds[3], '10000', 'coordonnees_non_verifiees'],
      [w.ligneIds[4], '5000', 'sans_coordonnees'],
      [w.ligneIds[5], '5000', 'etablissement_ferme'],
    ]);
  });

  it('preparing again replaces the prepared wave; a gestionnaire cannot approve; the preparer never approves', async () => {
    const first = await transfers(vague1);
    const again = await prepared(1);
    expect(again.vagueId).not.toBe(vague1);
    vague1 = again.vagueId;
    // the same message id, transfer numbers and EndToEndIds: none of them comes from a sequence
    expect(await transfers(vague1)).toEqual(first);
    expect(first.map((t) => [t.numero, t.e2e])).toEqual([
      [1, 'SOLTEA-2025-V1-1-0000001'],
      [2, 'SOLTEA-2025-V1-1-0000002'],
      [3, 'SOLTEA-2025-V1-1-0000003'],
    ]);
    expect((await msgIds()).map((m) => [m.msg_id, m.statut])).toEqual([['SOLTEA-2025-V1-1', 'preparee']]);
    const byGestionnaire = await approveWave(p.ctx, w.gestionnaire2, vague1);
    expect(byGestionnaire.ok || byGestionnaire.problem.message).toBe('L’approbation d’une vague est réservée aux valideurs.');
    // an agent's identity, not only its role: the preparer's id presented as a valideur is refused
    const byPreparer = await approveWave(p.ctx, { id: w.gestionnaire.id, role: 'valideur' }, vague1);
    expect(byPreparer.ok || byPreparer.problem.code).toBe('quatre_yeux');
    expect((await wave(vague1)).statut).toBe('preparee');
  });

  it('bank details changed since the preparation block the approval until the wave is prepared again', async () => {
    const siret = w.etablissementSirets[6]!;
    await p.ctx.db.execute(sql`update coordonnees_bancaires set remplacee_le = now() where siret = ${siret}`);
    await p.ctx.db.execute(sql`
      insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at, verifiee_le)
      values (${siret}, 'FR7630004000031234567890143', 'BNPAFRPPXXX', 'ETABLISSEMENT 6', 'verifiee', now(), now())`);
    const blocked = await approveWave(p.ctx, w.valideur, vague1);
    expect(blocked.ok || blocked.problem.message).toBe(
      `Les coordonnées bancaires de 1 établissement(s) ont changé depuis la préparation (${siret}) : préparez la vague à nouveau.`,
    );
    // cancelled, then prepared again: a new attempt, so a new message id and new EndToEndIds (the numbers stay)
    expect((await cancelWave(p.ctx, w.gestionnaire, vague1)).ok).toBe(true);
    vague1 = (await prepared(1)).vagueId;
    expect((await transfers(vague1)).find((t) => t.siret === siret)!.iban).toBe('FR7630004000031234567890143');
    expect((await transfers(vague1)).map((t) => [t.numero, t.e2e])).toEqual([
      [1, 'SOLTEA-2025-V1-2-0000001'],
      [2, 'SOLTEA-2025-V1-2-0000002'],
      [3, 'SOLTEA-2025-V1-2-0000003'],
    ]);
    expect((await msgIds()).map((m) => [m.msg_id, m.statut])).toEqual([
      ['SOLTEA-2025-V1-1', 'annulee'],
      ['SOLTEA-2025-V1-2', 'preparee'],
    ]);
  });

  it('a valideur approves once; the file is issued once, valid against both XSDs, its SHA-256 recorded and the same file written again', async () => {
    const ok = await approveWave(p.ctx, w.valideur, vague1);
    expect(ok.ok).toBe(true);
    const twice = await approveWave(p.ctx, w.valideur2, vague1);
    expect(twice.ok || twice.problem.message).toBe('La vague n° 1 est déjà approuvée.');
    // details changed after the approval: the wave keeps those it was approved with
    const siret = w.etablissementSirets[6]!;
    await p.ctx.db.execute(sql`update coordonnees_bancaires set remplacee_le = now() where siret = ${siret} and remplacee_le is null`);
    const issued = await issueWave(p.ctx, w.valideur, vague1);
    if (!issued.ok) throw new Error(issued.problem.message);
    expect(issued.wave).toMatchObject({ statut: 'emise', fichierNom: 'soltea-2025-vague-1-SOLTEA-2025-V1-2.xml' });
    const file = await waveFile(p.ctx, issued.wave);
    await expectValidPain001(file.xml);
    // the message's id and creation instant are the wave's (its attempt, the start of its day in Paris), not the clock's
    expect(values(file.xml, 'MsgId')).toEqual(['SOLTEA-2025-V1-2']);
    expect(values(file.xml, 'CreDtTm')).toEqual(['2025-07-10T22:00:00Z']);
    expect(file.sha256).toBe(issued.wave.fichierSha256);
    expect(values(file.xml, 'CtrlSum')).toEqual(['822.20', '822.20']);
    expect(file.xml).toContain('FR7630004000031234567890143');
    const again = await issueWave(p.ctx, w.valideur2, vague1);
    expect(again.ok && again.wave.fichierSha256).toBe(issued.wave.fichierSha256);
    expect((await waveFile(p.ctx, issued.wave)).sha256).toBe(issued.wave.fichierSha256);
    expect((await transfers(vague1)).map((t) => t.statut)).toEqual(['emis', 'emis', 'emis']);
    const cancel = await cancelWave(p.ctx, w.gestionnaire, vague1);
    expect(cancel.ok || cancel.problem.code).toBe('vague_emise');
    const prepareAgain = await prepareWave(p.ctx, w.gestionnaire, ANNEE, 1);
    expect(prepareAgain.ok || prepareAgain.problem.code).toBe('vague_deja_emise');
  });

  it('wave 2 pays period 2, the funds received since, a DSN increase, and never a line twice', async () => {
    p.clock.set(WAVE_2_DAY);
    // the collector's funds of employer 2 arrive; employer 0's crédits rise by a DSN correction (100 000 → 120 000)
    await p.ctx.db.execute(sql`
      insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
      values (${ANNEE}, ${w.employeurSirets[2]}, 'URSSAF', 50100, '2025-10-01', 'test.csv', 'x', now())`);
    await p.ctx.db.execute(sql`update enveloppes set credits_cents = 120000 where siret = ${w.employeurSirets[0]}`);
    const siret6 = w.etablissementSirets[6]!;
    await p.ctx.db.execute(sql`
      insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at, verifiee_le)
      values (${siret6}, 'FR7630004000031234567890143', 'BNPAFRPPXXX', 'ETABLISSEMENT 6', 'verifiee', now(), now())`);
    const r = await prepared(2);
    const t = await transfers(r.vagueId);
    // lycée: +6 000 and +4 000 (its composante) of the increase, 50 000 of employer 2; composante 2: +2 000 and
    // employer 1's period-2 line 11 113; etablissement 6: employer 0's period-2 line at 12 000
    expect(t.map((x) => [x.siret, x.cents, x.numero])).toEqual([
      [w.etablissementSirets[0], '60000', 4],
      [w.etablissementSirets[2], '13113', 5],
      [w.etablissementSirets[6], '12000', 6],
    ]);
    expect((await unpayable(r.vagueId)).map((u) => u.cents)).toEqual(['12000', '6000', '6000']);
    expect((await approveWave(p.ctx, w.valideur2, r.vagueId)).ok).toBe(true);
    const issued = await issueWave(p.ctx, w.valideur2, r.vagueId);
    if (!issued.ok) throw new Error(issued.problem.message);
    const file = await waveFile(p.ctx, issued.wave);
    await expectValidPain001(file.xml);
    expect(file.sha256).toBe(issued.wave.fichierSha256);
    expect(values(file.xml, 'EndToEndId')).toEqual(['SOLTEA-2025-V2-1-0000004', 'SOLTEA-2025-V2-1-0000005', 'SOLTEA-2025-V2-1-0000006']);
    // the wave-1 shares are replaced by wave 2's (the employer sees one share per line)
    expect((await unpayable(vague1)).map((u) => u.statut)).toEqual(['remplacee', 'remplacee', 'remplacee']);
    const paid = await paidByLine(p.ctx);
    expect(paid.get(w.ligneIds[0]!)).toBe(36_000n);
    expect(paid.get(w.ligneIds[8]!)).toBe(11_110n);
    expect(paid.get(w.ligneIds[12]!)).toBeUndefined(); // employer 3's funds are partial: nothing paid
    expect(paid.get(w.ligneIds[7]!)).toBeUndefined(); // only saved, never validated
  });

  it('with everything paid, nothing is due; a DSN decrease after a payment claims nothing back', async () => {
    await p.ctx.db.execute(sql`update enveloppes set credits_cents = 90000 where siret = ${w.employeurSirets[0]}`);
    const due = await p.ctx.db.transaction(async (tx) => {
      await tx.execute(lignesDuesStatement(ANNEE, 2));
      return selectRows<{ ligne: string; cents: string; motif: string | null }>(
        tx,
        sql`select attribution_id::text as ligne, cents::text, motif from lignes_dues order by attribution_id`,
      );
    });
    // only the three shares that still cannot be paid, smaller now (90 000 × 10 %, 5 %, 5 %)
    expect(due.map((d) => [Number(d.ligne), d.cents, d.motif])).toEqual([
      [w.ligneIds[3], '9000', 'coordonnees_non_verifiees'],
      [w.ligneIds[4], '4500', 'sans_coordonnees'],
      [w.ligneIds[5], '4500', 'etablissement_ferme'],
    ]);
  });
});
