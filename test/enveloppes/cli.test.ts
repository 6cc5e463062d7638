/** `import-envelopes` as an operator runs it: usage errors (exit 2), the French report, rejections (exit 1). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enveloppesCommands, parseImportArgs } from '../../src/modules/enveloppes/cli-commands.js';
import { ALL_2025, capture, cliEnvironment, FIXTURES, withEnv } from './helpers.js';

const cmd = enveloppesCommands['import-envelopes']!;
const files = ALL_2025.map((f) => join(FIXTURES, f));

describe('import-envelopes arguments', () => {
  it('reads the year, the files and the operator’s fee in euros', () => {
    expect(parseImportArgs(['2025', 'a.csv', 'b.dsn'])).toEqual({ annee: 2025, files: ['a.csv', 'b.dsn'] });
    expect(parseImportArgs(['2025', 'a.csv', '--frais-operateur', '11 225 424'])).toEqual({
      annee: 2025,
      files: ['a.csv'],
      operatorFeeCents: 1_122_542_400n,
    });
    expect(parseImportArgs(['--frais-operateur=50,25', '2025', 'a.csv'])).toEqual({
      annee: 2025,
      files: ['a.csv'],
      operatorFeeCents: 5_025n,
    });
  });

  it('answers usage errors in French', () => {
    expect(parseImportArgs([])).toMatch(/^Indiquez l’année de campagne \(2023 à 2100\)/);
    expect(parseImportArgs(['25', 'a.csv'])).toMatch(/^Indiquez l’année de campagne/);
    expect(parseImportArgs(['2025'])).toBe('Indiquez au moins un fichier de montants (CSV ou lignes DSN).');
    expect(parseImportArgs(['2025', 'a.csv', '--frais-operateur'])).toMatch(/^Indiquez le montant après --frais-operateur/);
    expect(parseImportArgs(['2025', 'a.csv', '--frais-operateur', '-3'])).toMatch(/^--frais-operateur : Le montant « -3 » est négatif/);
    expect(parseImportArgs(['2025', 'a.csv', '--force'])).toBe('Option inconnue : --force (option : --frais-operateur <euros>).');
  });
});

describe('import-envelopes on a database', () => {
  it('imports, prints the report and the reconciliation; the same files again are unchanged; a wrong line exits 1 and writes nothing', async () => {
    const { env, cleanup } = await cliEnvironment();
    try {
      await withEnv({ ...env, DEMO_NOW: '2025-05-12T10:00:00+02:00' }, async () => {
        const usage = await capture(() => cmd.run(['2025']));
        expect(usage.code).toBe(2);
        expect(usage.err).toContain('Indiquez au moins un fichier de montants');

        const first = await capture(() => cmd.run(['2025', ...files, '--frais-operateur', '50']));
        expect(first.code).toBe(0);
        expect(first.err).toContain('Écriture en base : 13/13 (100 %)');
        expect(first.out[0]).toMatch(/^Enveloppes de la campagne 2025 : 4 fichier\(s\), 22 montant\(s\) lu\(s\), 13 SIRET, en \d+,\d s\.$/);
        expect(first.out).toContain(`  ${join(FIXTURES, 'msa-2025-cp1252.csv')} : CSV (windows-1252), 5 montant(s)`);
        expect(first.out).toContain(
          'Premier import de la campagne : 50,00 € de frais de l’opérateur répartis au prorata des 169 541,92 € reversés par les organismes collecteurs.',
        );
        expect(first.out).toContain('Enveloppes 2025 : 13 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s).');
        expect(first.out.find((l) => l.includes('crédits à répartir'))).toMatch(/crédits à répartir\s+169 491,92 €$/);
        expect(first.out).toContain(
          'Rapprochement : dû + report reçu = frais + crédits + report (171 590,14 € = 171 590,14 €) : exact au centime.',
        );
        expect(first.out).toContain(
          `Avertissement ${join(FIXTURES, 'urssaf-2025.csv')} ligne 10 : Le numéro SIRET 38765432000011 ne passe pas la clé de contrôle : ligne importée avec un avertissement.`,
        );
        expect(first.out.at(-1)).toBe('0 rejet, 2 avertissement(s).');

        const again = await capture(() => cmd.run(['2025', ...files]));
        expect(again.code).toBe(0);
        expect(again.out).toContain('Enveloppes 2025 : 0 ajoutée(s), 0 mise(s) à jour, 13 inchangée(s).');

        const bad = await capture(() => cmd.run(['2025', join(FIXTURES, 'rejet-2025.csv')]));
        expect(bad.code).toBe(1);
        expect(bad.out).toContain(
          `Rejet ${join(FIXTURES, 'rejet-2025.csv')} ligne 3 : Le montant « -310,40 » est négatif : seuls des montants positifs ou nuls sont acceptés.`,
        );
        expect(bad.out.at(-1)).toBe(
          '1 rejet(s), 0 avertissement(s) : rien n’a été importé. Corrigez les fichiers puis relancez la commande.',
        );
        const after = await capture(() => cmd.run(['2025', ...files]));
        expect(after.out).toContain('Enveloppes 2025 : 0 ajoutée(s), 0 mise(s) à jour, 13 inchangée(s).');
      });
    } finally {
      await cleanup();
    }
  });
});
