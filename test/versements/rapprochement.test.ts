/**
 * The reconciliation of a campaign (docs/regles.md#rapprochement) on the hand-computed world: collected
 * = fees + paid + reliquat paid + carried over to the cent before any wave, after wave 1 (each part
 * computed by hand) and after wave 2; the command line's text and CSV; then differences injected —
 * funds without an envelope, a DSN decrease after payment (lines paid beyond their expected amount,
 * received beyond the due) — each listed, and together the whole gap.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';
import { reconcile, type RapprochementView } from '../../src/modules/versements/rapprochement.js';
import { runRapprochement } from '../../src/modules/versements/rapprochement-cli.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { issuedWave, SUIVI_SPEC } from './suivi-world.js';
import { ANNEE, seedWorld, WAVE_1_DAY, WAVE_2_DAY, type World } from './world.js';

let p: PaymentsContext;
let w: World;

beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  w = await seedWorld(p.ctx.db, SUIVI_SPEC);
}, 60_000);
afterAll(() => p?.drop());

const view = async (): Promise<RapprochementView> => (await reconcile(p.ctx, ANNEE)).view;
const parts = (v: RapprochementView) => Object.fromEntries(v.reste.map((x) => [x.part, x.cents]));
/** the identity, term by term */
const holds = (v: RapprochementView) =>
  expect(v.collecteCents).toBe(v.fraisCents + v.verseCents + v.reliquatVerseCents + v.resteCents + v.ecartCents);

// collected: employers 0 and 1 in full (crédits + the 1 € fee), employer 3 half of its crédits
const COLLECTED = 100_100n + 33_433n + 40_000n;

describe('rapprochement', () => {
  it('before any wave: everything received stays in the fund, but the fees of the funded employers', async () => {
    const v = await view();
    expect(v).toMatchObject({ collecteCents: COLLECTED, fraisCents: 200n, verseCents: 0n, reliquatVerseCents: 0n, ecartCents: 0n });
    expect(v.equilibre).toBe(true);
    expect(v.ecarts).toEqual([]);
    // employer 0 allocated 95 % (95 000 cents), employer 1 everything (33 333): nothing paid yet
    expect(parts(v)).toEqual({
      non_attribue: 5_000n,
      non_versable_reliquat: 0n,
      reliquat_verse: 0n,
      non_versable_en_attente: 0n,
      a_verser: 95_000n + 33_333n,
      fonds_incomplets: 40_000n,
    });
    expect(v).toMatchObject({ employeurs: 4, employeursFinances: 2 });
    holds(v);
  });

  it('after wave 1: paid 822,20 €, the unpayable shares and what is left to pay, to the cent', async () => {
    await issuedWave(p.ctx, w, 1);
    const v = await view();
    expect(v.verseCents).toBe(82_220n);
    // unpayable: lines to 3 (10 000), 4 (5 000), 5 (5 000); left: employer 0's period-2 line (10 000) and
    // unvalidated line (5 000), employer 1's period-2 line (11 113)
    expect(parts(v)).toEqual({
      non_attribue: 5_000n,
      non_versable_reliquat: 0n,
      reliquat_verse: 0n,
      non_versable_en_attente: 20_000n,
      a_verser: 10_000n + 5_000n + 11_113n,
      fonds_incomplets: 40_000n,
    });
    expect(v.resteCents).toBe(91_113n);
    expect(v.fraisCents + v.verseCents + v.resteCents).toBe(COLLECTED);
    expect(v.equilibre).toBe(true);
    holds(v);
  });

  it('the command line prints it, in French and in CSV; exit 0 when it holds', async () => {
    const out: string[] = [];
    expect(await runRapprochement(p.ctx, [String(ANNEE)], (l) => out.push(l))).toBe(0);
    expect(out[0]).toBe('Rapprochement de la campagne 2025 (4 SIRET employeurs, dont 2 aux fonds reçus en entier)');
    expect(out).toContain('  + Versé aux établissements                   822,20 €');
    expect(out).toContain('  Égalité vérifiée au centime, aucun écart.');
    const csv: string[] = [];
    expect(await runRapprochement(p.ctx, ['--csv', String(ANNEE)], (l) => csv.push(l))).toBe(0);
    const lines = csv
      .join('')
      .replace(/^\ufeff/, '')
      .split('\r\n');
    expect(lines[0]).toBe('Campagne;Rubrique;Détail;SIRET;Ligne d’attribution;Montant (€)');
    expect(lines).toContain('2025;Collecté;Encaissements Urssaf et MSA;;;1735,33');
    expect(lines).toContain('2025;Versé;Virements des attributions émis, non rejetés;;;822,20');
    expect(lines).toContain('2025;Écart;Collecté − (frais + versé + reliquat versé + reste au fonds);;;0,00');
    expect(await runRapprochement(p.ctx, ['20x5'], () => undefined)).toBe(2);
  });

  it('after wave 2: still to the cent', async () => {
    p.clock.set(WAVE_2_DAY);
    await issuedWave(p.ctx, w, 2);
    const v = await view();
    // wave 2 pays employer 0's line to 6 (10 000) and employer 1's line to composante 2 (11 113)
    expect(v.verseCents).toBe(82_220n + 21_113n);
    expect(parts(v)).toMatchObject({ non_versable_en_attente: 20_000n, a_verser: 5_000n, fonds_incomplets: 40_000n });
    expect(v.equilibre).toBe(true);
    holds(v);
  });

  it('each difference injected is listed, and the differences add up to the gap', async () => {
    const stranger = makeValidSiret(makeValidSiren('77700001'), '0001');
    await p.ctx.db.execute(sql`
      insert into encaissements (annee, siret, collecteur, montant_cents, recu_le, fichier, reference, importe_le)
      values (${ANNEE}, ${stranger}, 'MSA', 12345, '2025-10-01', 'test.csv', 'sans-enveloppe', now())`);
    // a DSN decrease of employer 1 after its lines were paid (33 333 → 20 000 cents): paid money is never claimed back
    await p.ctx.db.execute(
      sql`update enveloppes set credits_cents = 20000, reverse_cents = 20100 where annee = ${ANNEE} and siret = ${w.employeurSirets[1]}`,
    );
    const v = await view();
    expect(v.equilibre).toBe(false);
    const listed = v.ecarts.map((e) => [e.code, e.siret, e.attributionId, e.cents]);
    const e1 = w.employeurSirets[1]!;
    expect(listed).toEqual([
      ['recu_au_dela_du_du', e1, null, 13_333n], // received 33 433, due 20 100
      ['ligne_versee_au_dela', e1, w.ligneIds[8], -4_444n], // paid 11 110, expected 6 666
      ['ligne_versee_au_dela', e1, w.ligneIds[9], -4_444n],
      ['ligne_versee_au_dela', e1, w.ligneIds[10], -4_445n], // paid 11 113, expected 6 668
      ['recu_sans_enveloppe', stranger, null, 12_345n],
    ]);
    expect(v.ecarts.reduce((s, e) => s + e.cents, 0n)).toBe(v.ecartCents);
    expect(v.ecartCents).toBe(12_345n);
    expect(v.ecarts[4]!.libelle).toBe('Fonds reçus sans enveloppe pour la campagne');
    holds(v);
    const out: string[] = [];
    expect(await runRapprochement(p.ctx, [String(ANNEE)], (l) => out.push(l))).toBe(1);
    expect(out).toContain('  Écart : 123,45 € ; 5 écart(s) listé(s) :');
  });
});
