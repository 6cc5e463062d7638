/**
 * The bank's returns (import-retours-sepa, docs/regles.md#fonds-non-versables) on a small world: a wave
 * issued, then pain.002 and camt.054 files — a file naming an unknown transfer or a different amount is
 * refused with a French message and nothing changes (all the files or none); a rejected transfer makes
 * each line it paid unpayable with the bank's reason, the line no longer counted as paid; importing the
 * same file again changes nothing; employers are told once per share; a later wave pays the line once
 * the establishment has other verified bank details, and not before.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { runImportRetours } from '../../src/modules/versements/cli-retours.js';
import { prepareWave } from '../../src/modules/versements/preparation.js';
import { importRetours, type FichierRetour } from '../../src/modules/versements/retours.js';
import { approveWave, issueWave } from '../../src/modules/versements/vagues.js';
import { makeValidFrenchIban } from '../../src/domain/iban.js';
import { paidByLine, paymentsContext, type PaymentsContext } from './context.js';
import { fixture } from './helpers.js';
import { addAdministrator, ANNEE, RETOURS_SPEC, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World } from './world.js';

let p: PaymentsContext;
let w: World;
let admin0 = '';
let admin1 = '';

const file = (name: string): FichierRetour => ({ nom: name, contenu: fixture(name) });

/** Everything an import could change, to compare before and after a refusal or a re-import. */
const snapshot = async () => ({
  virements: await selectRows(p.ctx.db, sql`select numero, statut, motif_code, motif_libelle from virements order by numero`),
  nonVersables: await selectRows(
    p.ctx.db,
    sql`select attribution_id, vague_id, motif, motif_detail, statut, employeur_prevenu from non_versables order by id`,
  ),
  notifications: await selectRows(p.ctx.db, sql`select user_id, text from notifications order by id`),
  mails: await selectRows(p.ctx.db, sql`select "to", subject from mail_outbox order by id`),
  audit: await selectRows(p.ctx.db, sql`select action from audit_events where action = 'retours_sepa.importes'`),
});

const notificationsOf = async (userId: string) =>
  (await selectRows<{ text: string }>(p.ctx.db, sql`select text from notifications where user_id = ${userId}::uuid order by id`)).map(
    (r) => r.text,
  );

async function runWave(numero: number) {
  const r = await prepareWave(p.ctx, w.gestionnaire, ANNEE, numero);
  if (!r.ok) throw new Error(r.problem.message);
  const a = await approveWave(p.ctx, w.valideur, r.vagueId);
  if (!a.ok) throw new Error(a.problem.message);
  const i = await issueWave(p.ctx, w.gestionnaire, r.vagueId);
  if (!i.ok) throw new Error(i.problem.message);
  return r.vagueId;
}

beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  w = await seedWorld(p.ctx.db, RETOURS_SPEC);
  admin0 = await addAdministrator(p.ctx.db, w.employeurSirets[0]!, 'employeur0@example.test');
  admin1 = await addAdministrator(p.ctx.db, w.employeurSirets[1]!, 'employeur1@example.test');
  await runWave(1);
}, 60_000);
afterAll(() => p?.drop());

describe('after a wave is issued', () => {
  it('tells each employer with an unpayable line once (tableau de bord and mail), and only those', async () => {
    const told = await notificationsOf(admin0);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`SIRET ${w.employeurSirets[0]} : Une part de vos attributions n’a pas pu être versée (200,00 €)`);
    expect(told[0]).toContain('jusqu’au 26 novembre 2025 inclus');
    expect(await notificationsOf(admin1)).toEqual([]);
    const mails = await selectRows<{ to: string }>(p.ctx.db, sql`select "to" from mail_outbox`);
    expect(mails.map((m) => m.to)).toEqual(['employeur0@example.test']);
    const [nv] = await selectRows<{ prevenu: boolean }>(p.ctx.db, sql`select employeur_prevenu as prevenu from non_versables`);
    expect(nv!.prevenu).toBe(true);
  });
});

describe('import-retours-sepa', () => {
  it('refuses a file naming an unknown transfer, and then nothing changes, not even from the other files', async () => {
    const before = await snapshot();
    const r = await importRetours(p.ctx, [file('retours-pain002-rejet.xml'), file('retours-pain002-inconnu.xml')]);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problem.message).toBe(
        'retours-pain002-inconnu.xml : le virement SOLTEA-2025-V1-1-0000099 est inconnu (aucun virement émis ne porte cette référence).\n1 erreur(s) : rien n’a été enregistré.',
      );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an amount that differs from the transfer issued', async () => {
    const before = await snapshot();
    const r = await importRetours(p.ctx, [file('retours-pain002-montant.xml')]);
    expect(r.ok || r.problem.message).toBe(
      'retours-pain002-montant.xml : le montant du virement SOLTEA-2025-V1-1-0000001 (499,99 €) diffère du montant émis (500,00 €).\n1 erreur(s) : rien n’a été enregistré.',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file that is not a bank return, in French', async () => {
    const r = await importRetours(p.ctx, [{ nom: 'releve.xml', contenu: fixture('camt053-releve.xml') }]);
    expect(r.ok || r.problem.message).toMatch(/^releve\.xml : Ce fichier n’est ni un rapport de statut \(pain\.002\)/);
  });

  it('rejects a transfer: its reason, an unpayable share per line it paid, no longer counted as paid; confirms the accepted one', async () => {
    const r = await importRetours(p.ctx, [file('retours-pain002-rejet.xml')]);
    expect(r).toEqual({
      ok: true,
      report: { fichiers: 1, rejetes: 1, confirmes: 1, inchanges: 0, nonVersables: 2, employeursPrevenus: 2 },
    });
    const v = await selectRows(p.ctx.db, sql`select numero, statut, motif_code, motif_libelle from virements order by numero`);
    expect(v).toEqual([
      { numero: 1, statut: 'confirme', motif_code: null, motif_libelle: null },
      { numero: 2, statut: 'rejete', motif_code: 'AC04', motif_libelle: 'Compte clos' },
      { numero: 3, statut: 'emis', motif_code: null, motif_libelle: null },
    ]);
    const nv = await selectRows<{ ligne: string; cents: string; motif: string; detail: string | null; statut: string }>(
      p.ctx.db,
      sql`select attribution_id::text as ligne, montant_cents::text as cents, motif, motif_detail as detail, statut from non_versables order by attribution_id`,
    );
    expect(nv.map((x) => [Number(x.ligne), x.cents, x.motif, x.detail, x.statut])).toEqual([
      [w.ligneIds[1], '30000', 'rejet_bancaire', 'AC04 — Compte clos', 'en_attente'],
      [w.ligneIds[2], '20000', 'sans_coordonnees', null, 'en_attente'],
      [w.ligneIds[3], '25000', 'rejet_bancaire', 'AC04 — Compte clos', 'en_attente'],
    ]);
    const paid = await paidByLine(p.ctx);
    expect([...paid.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [w.ligneIds[0], 50_000n],
      [w.ligneIds[4], 25_000n],
    ]);
    // each employer told of its new share, once
    expect(await notificationsOf(admin0)).toHaveLength(2);
    expect((await notificationsOf(admin1))[0]).toContain('Une part de vos attributions n’a pas pu être versée (250,00 €)');
    const [a] = await selectRows<{ details: Record<string, unknown> }>(
      p.ctx.db,
      sql`select details from audit_events where action = 'retours_sepa.importes'`,
    );
    expect(a!.details).toMatchObject({ fichiers: ['retours-pain002-rejet.xml'], rejetes: 1, confirmes: 1, nonVersables: 2 });
  });

  it('importing the same file again changes nothing', async () => {
    const before = await snapshot();
    const r = await importRetours(p.ctx, [file('retours-pain002-rejet.xml')]);
    expect(r).toEqual({
      ok: true,
      report: { fichiers: 1, rejetes: 0, confirmes: 0, inchanges: 2, nonVersables: 0, employeursPrevenus: 0 },
    });
    expect(await snapshot()).toEqual(before);
  });

  it('reads a camt.054 return (debited then returned MD07) through the command, with its French report', async () => {
    const out: string[] = [];
    const path = new URL('./fixtures/retours-camt054-rejet.xml', import.meta.url).pathname;
    expect(await runImportRetours(p.ctx, [path], (l) => out.push(l))).toBe(0);
    expect(out).toEqual([
      'Retours de la banque : 1 fichier(s) ; 1 virement(s) rejeté(s), 0 confirmé(s), 0 déjà connu(s).',
      '  1 part(s) d’attribution deviennent non versables ; 1 employeur(s) prévenu(s).',
    ]);
    const [v] = await selectRows(p.ctx.db, sql`select statut, motif_code, motif_libelle from virements where numero = 3`);
    expect(v).toEqual({ statut: 'rejete', motif_code: 'MD07', motif_libelle: 'Titulaire décédé' });
    const refused: string[] = [];
    expect(await runImportRetours(p.ctx, ['absent.xml'], (l) => refused.push(l))).toBe(1);
    expect(refused).toEqual(['Le fichier absent.xml est introuvable ou illisible : rien n’a été enregistré.']);
  });
});

describe('the next wave', () => {
  it('does not pay again on details the bank rejected; pays once the establishment has new verified details', async () => {
    p.clock.set(WAVE_2_DAY);
    // establishment 1 gives new bank details, verified; establishment 2 keeps those the bank returned
    const siret1 = w.etablissementSirets[1]!;
    await p.ctx.db.execute(sql`update coordonnees_bancaires set remplacee_le = now() where siret = ${siret1}`);
    await p.ctx.db.execute(sql`insert into coordonnees_bancaires (siret, iban, bic, titulaire, statut, created_at, verifiee_le)
      values (${siret1}, ${makeValidFrenchIban('30004', '00002', '00000000099')}, 'BNPAFRPPXXX', 'ETABLISSEMENT 1', 'verifiee', now(), now())`);
    const vague2 = await runWave(2);
    const t = await selectRows<{ siret: string; cents: string }>(
      p.ctx.db,
      sql`select beneficiaire_siret as siret, montant_cents::text as cents from virements where vague_id = ${vague2} order by numero`,
    );
    expect(t).toEqual([{ siret: siret1, cents: '55000' }]);
    const nv = await selectRows<{ ligne: string; motif: string; statut: string }>(
      p.ctx.db,
      sql`select attribution_id::text as ligne, motif, statut from non_versables where vague_id = ${vague2} order by attribution_id`,
    );
    expect(nv.map((x) => [Number(x.ligne), x.motif, x.statut])).toEqual([
      [w.ligneIds[2], 'sans_coordonnees', 'en_attente'],
      [w.ligneIds[4], 'rejet_bancaire', 'en_attente'],
    ]);
    // the earlier shares are settled: paid by wave 2, or replaced by wave 2's
    const earlier = await selectRows<{ ligne: string; statut: string }>(
      p.ctx.db,
      sql`select attribution_id::text as ligne, statut from non_versables where vague_id <> ${vague2} order by attribution_id`,
    );
    expect(earlier.map((x) => [Number(x.ligne), x.statut])).toEqual([
      [w.ligneIds[1], 'versee'],
      [w.ligneIds[2], 'remplacee'],
      [w.ligneIds[3], 'versee'],
      [w.ligneIds[4], 'remplacee'],
    ]);
  });
});

describe('a file rejected whole', () => {
  it('rejects every transfer of the wave it names, with the file’s reason', async () => {
    const r = await importRetours(p.ctx, [file('retours-pain002-fichier-rejete.xml')]);
    expect(r).toEqual({
      ok: true,
      report: { fichiers: 1, rejetes: 1, confirmes: 0, inchanges: 0, nonVersables: 2, employeursPrevenus: 2 },
    });
    const [v] = await selectRows(p.ctx.db, sql`select statut, motif_code, motif_libelle from virements where numero = 4`);
    expect(v).toEqual({ statut: 'rejete', motif_code: 'FF01', motif_libelle: 'Format de fichier ou d’opération invalide' });
    const paid = await paidByLine(p.ctx);
    expect(paid.has(w.ligneIds[1]!)).toBe(false);
    expect(paid.has(w.ligneIds[3]!)).toBe(false);
  });
});
