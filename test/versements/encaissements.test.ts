/**
 * `import-encaissements` (docs/encaissements-format.md): the funds the collectors transferred, all or
 * nothing, re-runnable, every refused line with a French message, and the SIRETs without an envelope said.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRows } from '../../src/infra/db/index.js';
import { formatEncaissementsReport } from '../../src/modules/versements/cli-commands.js';
import { importEncaissements } from '../../src/modules/versements/encaissements.js';
import { paymentsContext, type PaymentsContext } from './context.js';
import { ANNEE, employeurSiret, seedWorld, WAVE_1_DAY } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'encaissements-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

let p: PaymentsContext;
beforeAll(async () => {
  p = await paymentsContext(WAVE_1_DAY);
  await seedWorld(p.ctx.db, {
    etablissements: [],
    employeurs: [
      { creditsCents: 100_000n, funds: 'aucun' },
      { creditsCents: 200_000n, funds: 'aucun' },
    ],
    lignes: [],
  });
}, 60_000);
afterAll(() => p?.drop());

const rows = () =>
  selectRows<{ siret: string; collecteur: string; cents: string; jour: string }>(
    p.ctx.db,
    sql`select siret, collecteur, montant_cents::text as cents, recu_le as jour from encaissements order by siret, recu_le`,
  );

describe('import-encaissements', () => {
  const e0 = employeurSiret(0);
  const e1 = employeurSiret(1);
  const stranger = employeurSiret(7);

  it('records each transfer, says the SIRETs without an envelope, and changes nothing the second time', async () => {
    // BOM, `;`, French amounts with a comma and spaces, the date in two accepted forms
    const f = file(
      'urssaf.csv',
      `\uFEFFsiret;collecteur;montant;date_versement\n${e0};URSSAF;1 001,00;30/06/2025\n${e1};urssaf;2000.50;2025-07-01\n${stranger};MSA;12,34;2025-07-02\n`,
    );
    const r = await importEncaissements(p.ctx.db, ANNEE, [f], WAVE_1_DAY);
    expect(r).toMatchObject({
      lines: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      totalCents: 301_384n,
      rejected: [],
      withoutEnvelope: [stranger],
    });
    expect(await rows()).toEqual([
      { siret: e0, collecteur: 'URSSAF', cents: '100100', jour: '2025-06-30' },
      { siret: e1, collecteur: 'URSSAF', cents: '200050', jour: '2025-07-01' },
      { siret: stranger, collecteur: 'MSA', cents: '1234', jour: '2025-07-02' },
    ]);
    expect(formatEncaissementsReport(r).join('\n')).toContain('1 SIRET ont des fonds reçus sans enveloppe 2025');
    const again = await importEncaissements(p.ctx.db, ANNEE, [f], WAVE_1_DAY);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
  });

  it('a corrected amount replaces the earlier one, audited', async () => {
    const f = file('correction.csv', `siret;collecteur;montant;date_versement\n${e1};URSSAF;2000,00;01/07/2025\n`);
    expect(await importEncaissements(p.ctx.db, ANNEE, [f], WAVE_1_DAY)).toMatchObject({ inserted: 0, updated: 1 });
    expect((await rows()).find((x) => x.siret === e1)!.cents).toBe('200000');
    const audits = await selectRows<{ n: number }>(
      p.ctx.db,
      sql`select count(*)::int as n from audit_events where action = 'encaissements.imported'`,
    );
    expect(audits[0]!.n).toBe(3);
  });

  it('one wrong line and nothing is written, each refusal in French with its file and line', async () => {
    const before = await rows();
    const f = file(
      'faux.csv',
      [
        'siret;collecteur;montant;date_versement',
        `${e0};URSSAF;10,00;15/07/2025`,
        `12345678901234;URSSAF;10,00;15/07/2025`,
        `${e0};CAF;10,00;16/07/2025`,
        `${e0};URSSAF;dix euros;17/07/2025`,
        `${e0};URSSAF;0;18/07/2025`,
        `${e0};URSSAF;10,00;31/02/2025`,
        `${e0};URSSAF;11,00;15/07/2025`,
      ].join('\r\n'),
    );
    const r = await importEncaissements(p.ctx.db, ANNEE, [f, join(dir, 'absent.csv')], WAVE_1_DAY);
    const report = formatEncaissementsReport(r);
    expect(report[0]).toBe('Rejet faux.csv ligne 3 : Le SIRET « 12345678901234 » n’est pas valide (14 chiffres, clé de contrôle).');
    expect(report.join('\n')).toContain('Rejet faux.csv ligne 4 : Le collecteur « CAF » n’est ni URSSAF ni MSA.');
    expect(report.join('\n')).toContain('Rejet faux.csv ligne 6 : Le montant versé est nul : une ligne par versement reçu.');
    expect(report.join('\n')).toContain(
      'Rejet faux.csv ligne 8 : Versement déjà présent (faux.csv ligne 2) : même SIRET, même collecteur, même jour.',
    );
    expect(report.join('\n')).toContain('Rejet absent.csv : Fichier illisible ou introuvable.');
    expect(r.rejected.map((x) => x.line)).toEqual(expect.arrayContaining([5, 7]));
    expect(report.at(-1)).toBe('7 ligne(s) refusée(s) : rien n’a été enregistré. Corrigez les fichiers et relancez.');
    expect(await rows()).toEqual(before);
  });

  it('refuses a file without its header', async () => {
    const f = file('sans-entete.csv', `${e0};URSSAF;10,00;15/07/2025\n`);
    const r = await importEncaissements(p.ctx.db, ANNEE, [f], WAVE_1_DAY);
    expect(r.rejected[0]!.message).toMatch(/^Colonne\(s\) manquante\(s\) : /);
  });
});
