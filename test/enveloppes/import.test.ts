/**
 * `importEnveloppes` on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL): real-looking
 * files (UTF-8 CSV with BOM, Windows-1252 CSV, DSN lines with an « annule et remplace »), the crédits
 * à répartir exact to the cent, idempotency, all or nothing, corrections during and after the campaign.
 */
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeEnvelopes } from '../../src/domain/enveloppe.js';
import type { Db } from '../../src/infra/db/index.js';
import { attributions, auditEvents, enveloppes, refEtablissements } from '../../src/infra/db/schema.js';
import { prepareEnvelopeImport } from '../../src/modules/enveloppes/format.js';
import { ALL_2025, checkRowEquations, fixture, rowOf, rowsOf, runImport, testDatabase } from './helpers.js';

const FEE = 50_00n; // the operator's fee shared over these 13 SIRETs (scaled down from the national amount)
const BEFORE_OPENING = '2025-05-12T08:00:00Z';
const DURING_PERIOD_2 = '2025-07-20T08:00:00Z';
const AFTER_LAST_WAVE = '2025-12-01T08:00:00Z';

let db: Db;
let drop: () => Promise<void>;

beforeEach(async () => {
  const fresh = await testDatabase();
  db = fresh.database.db;
  drop = () => fresh.drop();
});
afterEach(async () => drop());

/** formatEuros writes narrow no-break spaces: compare with plain spaces */
const norm = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

const auditCount = async () =>
  Number((await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, 'enveloppes.imported')))[0]!.n);

describe('first import of a campaign', () => {
  it('reads CSV (UTF-8 and Windows-1252) and DSN files, shares the operator’s fee and writes one envelope per SIRET, exact to the cent', async () => {
    const r = await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    expect(r.rejected).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.mode).toBe('repartition');
    expect(r.files.map((f) => [f.fichier, f.format, f.encoding, f.lines])).toEqual([
      ['urssaf-2025.csv', 'csv', 'utf-8', 11],
      ['msa-2025-cp1252.csv', 'csv', 'windows-1252', 5],
      ['dsn-avril-2025.dsn', 'dsn', 'utf-8', 4],
      ['dsn-corrective-juin-2025.dsn', 'dsn', 'utf-8', 2],
    ]);
    expect(r.lines).toBe(22);
    expect(r.sirets).toBe(13);
    expect(r.envelopes).toEqual({ inserted: 13, updated: 0, unchanged: 0 });
    expect(r.remplacements).toBe(2); // the « annule et remplace » of June replaced April's 076 and 077
    expect(r.warnings.map((w) => norm(`${w.fichier}:${w.line} ${w.message}`))).toEqual([
      'urssaf-2025.csv:10 Le numéro SIRET 38765432000011 ne passe pas la clé de contrôle : ligne importée avec un avertissement.',
      'urssaf-2025.csv:11 SIRET 81234560100015 : les déductions (077 + 078 = 400,00 €) dépassent le solde déclaré (076 = 150,00 €) ; les crédits à répartir sont nuls.',
    ]);

    // the rows are exactly the domain's computation (src/domain/enveloppe.ts) on the same files
    const domain = prepareEnvelopeImport({ annee: 2025, files: ALL_2025.map(fixture), operatorFeeCents: FEE });
    const rows = await rowsOf(db, 2025);
    expect(
      rows.map((x) => [
        x.siret,
        x.collecteur,
        x.soldeCents,
        x.deductionsCents,
        x.fraisCents,
        x.fraisOperateurCents,
        x.reverseCents,
        x.creditsCents,
        x.reportCents,
      ]),
    ).toEqual(
      domain.batch!.envelopes.map((e) => [
        e.siret,
        e.collecteur,
        e.soldeCents,
        e.deductionsCents,
        e.fraisCents,
        e.fraisOperateurCents,
        e.reverseCents,
        e.creditsCents,
        0n,
      ]),
    );
    // one worked envelope: 1 234,56 − 200,00 = 1 034,56; 1 % = 10,35; 0,5 % of 1 024,21 = 5,12; operator's share 0,30
    expect(await rowOf(db, 2025, '73282932000074')).toMatchObject({
      soldeCents: 123_456n,
      deductionsCents: 20_000n,
      fraisCents: 1_577n,
      fraisOperateurCents: 30n,
      creditsCents: 101_879n,
    });

    // totals reconcile to the cent: Σ solde − Σ déductions + écrêtement = Σ dû = Σ frais + Σ crédits
    const t = r.totals;
    expect(t.envelopes).toBe(13);
    expect(t.soldeCents).toBe(17_374_064n);
    expect(t.deductionsCents).toBe(240_050n);
    expect(t.ecretementCents).toBe(25_000n);
    expect(t.soldeCents - t.deductionsCents + t.ecretementCents).toBe(t.netCents);
    expect(t.netCents).toBe(t.fraisCents + t.creditsCents);
    expect(t.fraisOperateurCents).toBe(FEE);
    expect(t.creditsCents).toBe(domain.batch!.totals.creditsCents);
    expect(r.totalsAnnee).toEqual(t);
    expect(r.rapprochement).toBe(true);
    expect(r.operatorFee).toEqual({ feeCents: FEE, baseCents: domain.batch!.totals.reverseCents });
    expect(await checkRowEquations(db, 2025)).toEqual([]);
  });

  it('keeps who filed the DSN and when, the collector (CGSS is the Urssaf) and the payroll period', async () => {
    await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    expect(await rowOf(db, 2025, '73282932000090')).toMatchObject({
      periode: '2024-01-01/2024-06-30',
      declarantSiret: '44306184100047',
      declarantNom: 'Cabinet Dupré & Associés',
      deposeLe: new Date('2025-05-04T22:00:00Z'),
    });
    // « 15/05/2025 10:32 » is Paris time (UTC+2 in May)
    expect(await rowOf(db, 2025, '41234567000019')).toMatchObject({
      periode: '2024',
      declarantSiret: null,
      declarantNom: 'Boulangerie Lefèvre',
      deposeLe: new Date('2025-05-15T08:32:00Z'),
      deductionsCents: 150_000n,
    });
    expect(await rowOf(db, 2025, '63456789500012')).toMatchObject({
      collecteur: 'URSSAF',
      declarantNom: null,
      deposeLe: new Date('2025-05-11T22:00:00Z'),
    });
    // Windows-1252 names decoded; the DSN's émetteur is the déclarant; the June « annule et remplace » wins
    expect(await rowOf(db, 2025, '40123456200015')).toMatchObject({
      collecteur: 'MSA',
      declarantNom: 'Coopérative Céréalière de l’Eure',
      deductionsCents: 12_050n,
    });
    expect(await rowOf(db, 2025, '63456789500020')).toMatchObject({
      soldeCents: 401_230n,
      declarantSiret: '33445566400014',
      declarantNom: "FIDUCIAIRE DE L'OUEST",
      deposeLe: new Date('2025-06-11T22:00:00Z'),
    });
    expect(await rowOf(db, 2025, '79012345900022')).toMatchObject({ collecteur: 'MSA', soldeCents: 88_000n, deductionsCents: 8_000n });
    expect(await auditCount()).toBe(1);
  });

  it('stores names with quotes, backslashes, braces, commas and accents exactly as written', async () => {
    const name = 'SARL « Le \\ Chêne » {"Nord", Sud} ; l’Étoile';
    const content = `siret;collecteur;code;montant;declarant\n73282932000074;URSSAF;076;10,00;"${name.replace(/"/g, '""')}"\n73282932000090;URSSAF;076;20,00;NULL\n`;
    const r = await runImport(db, 2025, [{ fichier: 'noms.csv', content }], BEFORE_OPENING, 1n);
    expect(r.rejected).toEqual([]);
    expect((await rowOf(db, 2025, '73282932000074')).declarantNom).toBe(name);
    expect((await rowOf(db, 2025, '73282932000090')).declarantNom).toBe('NULL');
  });

  it('replaces rows that no import made (another demo seed), keeping the employer’s « partage de coordonnées »', async () => {
    const now = new Date(BEFORE_OPENING);
    await db.insert(enveloppes).values({
      annee: 2025,
      siret: '73282932000074',
      collecteur: 'URSSAF',
      soldeCents: 999_00n,
      creditsCents: 999_00n,
      partageCoordonnees: true,
      updatedAt: now,
    });
    const r = await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    expect(r.ok).toBe(true);
    expect(r.envelopes).toEqual({ inserted: 12, updated: 1, unchanged: 0 });
    expect(await rowOf(db, 2025, '73282932000074')).toMatchObject({
      soldeCents: 123_456n,
      creditsCents: 101_879n,
      partageCoordonnees: true,
      periode: '2024',
    });
    expect(r.rapprochement).toBe(true);
  });

  it('refuses a fee larger than what the collectors reversed, and writes nothing', async () => {
    const r = await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, 1_000_000_00n);
    expect(r.ok).toBe(false);
    expect(r.rejected.map((x) => norm(x.message))).toEqual([
      'Les frais de gestion de l’opérateur (1 000 000,00 €) dépassent les sommes reversées par les organismes collecteurs (169 541,92 €). Indiquez les frais de l’opérateur de l’année avec --frais-operateur <euros>.',
    ]);
    expect(await rowsOf(db, 2025)).toEqual([]);
    expect(await auditCount()).toBe(0);
  });
});

describe('idempotency and all or nothing', () => {
  it('the same files again change nothing', async () => {
    await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    const before = await rowsOf(db, 2025);
    const again = await runImport(db, 2025, ALL_2025.map(fixture), DURING_PERIOD_2, FEE);
    expect(again.ok).toBe(true);
    expect(again.mode).toBe('complement');
    expect(again.envelopes).toEqual({ inserted: 0, updated: 0, unchanged: 13 });
    expect(again.corrections).toEqual([]);
    expect(again.warnings.map((w) => w.message)).not.toContain(expect.stringContaining('ne sont pas répartis à nouveau'));
    expect(await rowsOf(db, 2025)).toEqual(before);
    expect(again.totals).toEqual((await runImport(db, 2025, ALL_2025.map(fixture), DURING_PERIOD_2, FEE)).totals);
  });

  it('one wrong line and nothing is written: the report gives the file, the line and a French reason', async () => {
    const r = await runImport(db, 2025, [...ALL_2025.map(fixture), fixture('rejet-2025.csv')], BEFORE_OPENING, FEE);
    expect(r.ok).toBe(false);
    expect(r.rejected).toEqual([
      {
        fichier: 'rejet-2025.csv',
        line: 3,
        message: 'Le montant « -310,40 » est négatif : seuls des montants positifs ou nuls sont acceptés.',
      },
    ]);
    expect(r.envelopes).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
    expect(await rowsOf(db, 2025)).toEqual([]);
    expect(await auditCount()).toBe(0);

    // after a good import, a bad correction file leaves every row as it was
    await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    const before = await rowsOf(db, 2025);
    const bad = await runImport(db, 2025, [fixture('rejet-2025.csv')], DURING_PERIOD_2);
    expect(bad.ok).toBe(false);
    expect(await rowsOf(db, 2025)).toEqual(before);
  });

  it('refuses a SIRET declared to both collectors, unreadable files, hostile content and a wrong year', async () => {
    const conflict = `siret;collecteur;code;montant\n73282932000074;URSSAF;076;100,00\n73282932000074;MSA;078;10,00\n`;
    const r = await runImport(db, 2025, [{ fichier: 'conflit.csv', content: conflict }], BEFORE_OPENING, 1_00n);
    expect(r.ok).toBe(false);
    expect(r.rejected.map((x) => `${x.fichier}:${x.line} ${x.message}`)).toEqual([
      'conflit.csv:2 SIRET 73282932000074 : déclaré à la fois auprès de l’URSSAF et de la MSA pour la masse salariale 2024 (lignes conflit.csv:2, conflit.csv:3) ; une enveloppe n’a qu’un organisme collecteur.',
    ]);
    const missing = await runImport(db, 2025, ['/nonexistent/urssaf.csv'], BEFORE_OPENING, 1_00n);
    expect(missing.rejected).toEqual([{ fichier: '/nonexistent/urssaf.csv', line: 0, message: 'Fichier introuvable.' }]);
    const binary = await runImport(
      db,
      2025,
      [{ fichier: 'image.png', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]) }],
      BEFORE_OPENING,
      1_00n,
    );
    expect(binary.rejected.map((x) => x.message)).toEqual(['Le fichier n’est pas un fichier texte (CSV ou DSN).']);
    const formula = await runImport(
      db,
      2025,
      [{ fichier: 'f.csv', content: 'siret;collecteur;code;montant;declarant\n73282932000074;URSSAF;076;1;=HYPERLINK("http://x")\n' }],
      BEFORE_OPENING,
      1n,
    );
    expect(formula.rejected[0]!.message).toMatch(/formules sont refusées/);
    const year = await runImport(db, 1999, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    expect(year.rejected.map((x) => x.message)).toEqual(['L’année de campagne doit être un nombre entier entre 2023 et 2100.']);
    const none = await runImport(db, 2025, [], BEFORE_OPENING, FEE);
    expect(none.rejected.map((x) => x.message)).toEqual(['Indiquez au moins un fichier de montants.']);
    expect(await rowsOf(db, 2025)).toEqual([]);
  });
});

describe('corrections (CGU art. 6.1.3)', () => {
  const corrective = (lines: string[]) => ({
    fichier: 'corrective.csv',
    content: ['siret;collecteur;code;montant;periode;siret_declarant;declarant;date_depot', ...lines].join('\n'),
  });

  it('during the campaign: the credits of the corrected SIRET move, the operator’s share follows the year’s rate, nobody else moves', async () => {
    await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    const before = await rowsOf(db, 2025);
    const old = await rowOf(db, 2025, '73282932000074');
    const r = await runImport(
      db,
      2025,
      [
        corrective([
          '73282932000074;URSSAF;076;2 469,12;2024;44306184100047;Cabinet Dupré & Associés;01/07/2025',
          '73282932000074;URSSAF;078;200,00;2024;44306184100047;Cabinet Dupré & Associés;01/07/2025',
        ]),
      ],
      DURING_PERIOD_2,
    );
    expect(r.ok).toBe(true);
    expect(r.envelopes).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const now = await rowOf(db, 2025, '73282932000074');
    // domain: recomputeEnvelope with the year's basis
    const basis = { feeCents: FEE, baseCents: before.reduce((s, x) => s + x.reverseCents, 0n) };
    const { recomputeEnvelope, collectorPart } = await import('../../src/domain/enveloppe.js');
    const prev = {
      ...collectorPart({
        siret: old.siret,
        collecteur: 'URSSAF',
        soldeCents: old.soldeCents,
        subventionsCfaCents: old.deductionsCents,
        creanceAlternantsCents: 0n,
      }),
      reverseCents: old.reverseCents,
      fraisOperateurCents: old.fraisOperateurCents,
      fraisCents: old.fraisCents,
      creditsCents: old.creditsCents,
      warnings: [],
    };
    const expected = recomputeEnvelope(
      prev,
      { siret: old.siret, collecteur: 'URSSAF', soldeCents: 246_912n, subventionsCfaCents: 0n, creanceAlternantsCents: 20_000n },
      basis,
    );
    expect(now).toMatchObject({
      soldeCents: 246_912n,
      deductionsCents: 20_000n,
      fraisCents: expected.fraisCents,
      fraisOperateurCents: expected.fraisOperateurCents,
      creditsCents: expected.creditsCents,
      reportCents: 0n,
      deposeLe: new Date('2025-06-30T22:00:00Z'),
    });
    expect(now.creditsCents).toBeGreaterThan(old.creditsCents);
    expect(r.corrections).toEqual([
      expect.objectContaining({
        annee: 2025,
        siret: '73282932000074',
        moment: 'pendant_campagne',
        cas: 'hausse_pendant',
        ancienCreditsCents: old.creditsCents,
        nouveauCreditsCents: expected.creditsCents,
        reportCents: 0n,
        fichier: 'corrective.csv',
        line: 2,
      }),
    ]);
    expect(r.corrections[0]!.message).toMatch(
      /^La déclaration corrective augmente vos crédits à répartir de .* : les établissements déjà choisis recevront leur part supplémentaire au prochain versement\.$/,
    );
    // everybody else untouched
    const after = await rowsOf(db, 2025);
    expect(after.filter((x) => x.siret !== '73282932000074')).toEqual(before.filter((x) => x.siret !== '73282932000074'));
    expect(r.rapprochement).toBe(true);
    expect(await checkRowEquations(db, 2025)).toEqual([]);

    // a decrease during the campaign: the allocations are recomputed (the outcome reads them)
    const [etab] = await db
      .insert(refEtablissements)
      .values({
        annee: 2025,
        cle: '19750691800048',
        siret: '19750691800048',
        nom: 'LYCEE DES METIERS RASPAIL',
        nomRecherche: 'lycee des metiers raspail',
        categorie: '1',
        liste: 'regionale',
        updatedAt: new Date(),
      })
      .returning({ id: refEtablissements.id });
    await db.insert(attributions).values({
      annee: 2025,
      siretEmployeur: '73282932000074',
      etablissementId: etab!.id,
      pointsBase: 6000,
      statut: 'validee',
      updatedAt: new Date(),
    });
    const down = await runImport(
      db,
      2025,
      [corrective(['73282932000074;URSSAF;076;1 000,00;2024;44306184100047;Cabinet Dupré & Associés;15/07/2025'])],
      DURING_PERIOD_2,
    );
    expect(down.ok).toBe(true);
    expect(down.corrections[0]).toMatchObject({ cas: 'baisse_pendant', reportCents: 0n });
    expect(down.corrections[0]!.message).toMatch(
      /diminue vos crédits à répartir de .* : vos attributions sont recalculées avant le prochain versement\.$/,
    );
    expect(await rowOf(db, 2025, '73282932000074')).toMatchObject({ soldeCents: 100_000n, deductionsCents: 0n, reportCents: 0n });
    // an « annule et remplace » replaces the whole declaration: without 078 the deduction is zero
    expect(down.warnings).toEqual([]);
    expect(await checkRowEquations(db, 2025)).toEqual([]);
  });

  it('after the last payment wave: the credits stay, the difference is carried to the next campaign’s envelope', async () => {
    await runImport(db, 2025, ALL_2025.map(fixture), BEFORE_OPENING, FEE);
    const old = await rowOf(db, 2025, '41234567000019');
    // a decrease filed in November (after the 7 November wave)
    const r = await runImport(
      db,
      2025,
      [
        corrective([
          '41234567000019;URSSAF;076;16 000,00;2024;;Boulangerie Lefèvre;20/11/2025',
          '41234567000019;URSSAF;077;1 500,00;2024;;Boulangerie Lefèvre;20/11/2025',
        ]),
      ],
      AFTER_LAST_WAVE,
    );
    expect(r.ok).toBe(true);
    const now = await rowOf(db, 2025, '41234567000019');
    expect(now.creditsCents).toBe(old.creditsCents); // never clawed back
    expect(now.soldeCents).toBe(1_600_000n);
    const own = now.soldeCents - now.deductionsCents - now.fraisCents;
    expect(now.reportCents).toBe(own - old.creditsCents);
    expect(now.reportCents).toBeLessThan(0n);
    expect(r.corrections).toEqual([
      expect.objectContaining({ moment: 'apres_campagne', cas: 'baisse_apres', reportCents: now.reportCents }),
    ]);
    expect(r.corrections[0]!.message).toMatch(
      /rien n’est repris aux établissements déjà payés ; vos crédits de l’année prochaine seront réduits d’autant\.$/,
    );
    expect(r.rapprochement).toBe(true);
    expect(await checkRowEquations(db, 2025)).toEqual([]);

    // the 2026 envelope carries the reduction in (campaign 2026 has no calendar yet: its credits may move)
    const y2026 = await runImport(
      db,
      2026,
      [
        {
          fichier: 'urssaf-2026.csv',
          content:
            'siret;collecteur;code;montant;periode;date_depot\n41234567000019;URSSAF;076;20 000,00;2025;05/05/2026\n73282932000074;URSSAF;076;1 000,00;2025;05/05/2026\n',
        },
      ],
      '2026-05-20T08:00:00Z',
      10_00n,
    );
    expect(y2026.ok).toBe(true);
    const n2026 = await rowOf(db, 2026, '41234567000019');
    const own2026 = n2026.soldeCents - n2026.deductionsCents - n2026.fraisCents;
    expect(n2026.creditsCents).toBe(own2026 + now.reportCents);
    expect(n2026.reportCents).toBe(0n);
    expect(y2026.totals.reportRecuCents).toBe(now.reportCents);
    expect(y2026.totalsAnnee!.reportRecuCents).toBe(now.reportCents);
    expect(y2026.rapprochement).toBe(true);
    expect(await checkRowEquations(db, 2026)).toEqual([]);

    // a 2024-payroll correction arriving with the 2026 files corrects campaign 2025 (over) and reaches 2026
    const late = await runImport(
      db,
      2026,
      [
        {
          fichier: 'regularisation-2026.csv',
          content: 'siret;collecteur;code;montant;periode;date_depot\n73282932000090;URSSAF;076;710,40;2024;02/06/2026\n',
        },
      ],
      '2026-06-03T08:00:00Z',
    );
    expect(late.ok).toBe(true);
    expect(late.autresAnnees).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const r2025 = await rowOf(db, 2025, '73282932000090');
    expect(r2025.soldeCents).toBe(71_040n);
    expect(r2025.reportCents).toBeGreaterThan(0n);
    expect(late.corrections).toEqual([
      expect.objectContaining({ annee: 2025, siret: '73282932000090', cas: 'hausse_apres', reportCents: r2025.reportCents }),
    ]);
    // no 2026 envelope for that SIRET yet: the carry waits in report_cents of 2025 for its 2026 import
    expect((await rowsOf(db, 2026)).map((x) => x.siret)).toEqual(['41234567000019', '73282932000074']);
    const y2026b = await runImport(
      db,
      2026,
      [
        {
          fichier: 'complement-2026.csv',
          content: 'siret;collecteur;code;montant;periode;date_depot\n73282932000090;URSSAF;076;300,00;2025;10/06/2026\n',
        },
      ],
      '2026-06-11T08:00:00Z',
    );
    expect(y2026b.ok).toBe(true);
    expect(y2026b.envelopes).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const n90 = await rowOf(db, 2026, '73282932000090');
    expect(n90.creditsCents).toBe(n90.soldeCents - n90.fraisCents + r2025.reportCents);
    expect(await checkRowEquations(db, 2025)).toEqual([]);
    expect(await checkRowEquations(db, 2026)).toEqual([]);
    expect(y2026b.rapprochement).toBe(true);

    // and a correction of 2025 that arrives once 2026 exists moves the 2026 envelope (still open)
    const again = await runImport(db, 2025, [corrective(['73282932000090;URSSAF;076;810,40;2024;;;15/06/2026'])], '2026-06-16T08:00:00Z');
    expect(again.ok).toBe(true);
    expect(again.autresAnnees.updated).toBe(1);
    const r2025b = await rowOf(db, 2025, '73282932000090');
    const n90b = await rowOf(db, 2026, '73282932000090');
    expect(r2025b.creditsCents).toBe(r2025.creditsCents);
    expect(n90b.creditsCents).toBe(n90b.soldeCents - n90b.fraisCents + r2025b.reportCents);
    expect(again.corrections.map((c) => [c.annee, c.siret, c.cas])).toEqual([
      [2025, '73282932000090', 'hausse_apres'],
      [2026, '73282932000090', 'hausse_pendant'],
    ]);
    expect(await checkRowEquations(db, 2026)).toEqual([]);
  });

  it('refuses a correction of a campaign whose envelopes were never imported', async () => {
    const r = await runImport(
      db,
      2026,
      [
        {
          fichier: 'f.csv',
          content: 'siret;collecteur;code;montant;periode\n73282932000074;URSSAF;076;10,00;2024\n73282932000090;URSSAF;076;10,00;2025\n',
        },
      ],
      '2026-06-01T08:00:00Z',
      1n,
    );
    expect(r.ok).toBe(false);
    expect(r.rejected.map((x) => `${x.fichier}:${x.line} ${x.message}`)).toEqual([
      'f.csv:2 Les montants de la masse salariale 2024 corrigent la campagne 2025, dont aucune enveloppe n’a été importée : importez d’abord ses fichiers (import-envelopes 2025 …).',
    ]);
    expect(Number((await db.select({ n: count() }).from(enveloppes))[0]!.n)).toBe(0);
  });

  it('a complementary file (the MSA after the Urssaf) bears the year’s rate; a fee given again is not shared again', async () => {
    await runImport(db, 2025, [fixture('urssaf-2025.csv')], BEFORE_OPENING, 30_00n);
    const urssaf = await rowsOf(db, 2025);
    const r = await runImport(db, 2025, [fixture('msa-2025-cp1252.csv')], '2025-05-20T08:00:00Z', 99_00n);
    expect(r.ok).toBe(true);
    expect(r.mode).toBe('complement');
    expect(r.envelopes).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(r.warnings.map((w) => norm(w.message))).toEqual([
      expect.stringMatching(
        /^Les frais de l’opérateur de la campagne 2025 ont été répartis lors de son premier import \(30,00 € au total\) : les frais indiqués \(99,00 €\) ne sont pas répartis à nouveau/,
      ),
    ]);
    const after = await rowsOf(db, 2025);
    expect(after.filter((x) => x.collecteur === 'URSSAF')).toEqual(urssaf);
    const rate = (x: { fraisOperateurCents: bigint; reverseCents: bigint }) => Number(x.fraisOperateurCents) / Number(x.reverseCents);
    const basis = 30_00 / Number(urssaf.reduce((s, x) => s + x.reverseCents, 0n));
    for (const x of after.filter((y) => y.collecteur === 'MSA')) expect(Math.abs(rate(x) - basis)).toBeLessThan(0.01);
    expect(r.rapprochement).toBe(true);
    // the computation on the first file alone is the domain's
    const domain = computeEnvelopes(
      prepareEnvelopeImport({ annee: 2025, files: [fixture('urssaf-2025.csv')], operatorFeeCents: 30_00n }).aggregation.envelopes,
      30_00n,
    );
    expect(domain.ok && domain.batch.envelopes.map((e) => e.creditsCents)).toEqual(urssaf.map((x) => x.creditsCents));
  });
});
