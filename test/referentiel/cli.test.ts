/**
 * The command-line contract: `npm run cli -- generate-referential …` and `import-referential <année>
 * <fichiers…>` (names, exit codes 0 / 1 / 2, progress on stderr, French report on stdout). Runs the
 * real CLI in a child process on a temporary PGlite database.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeValidSiren, makeValidSiret } from '../../src/domain/identifiers.js';

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'refcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', PGLITE_DIR: join(tmp, 'pglite') };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('referential commands', () => {
  it('refuse bad usage with exit code 2', () => {
    const noYear = cli('import-referential');
    expect(noYear.code).toBe(2);
    expect(noYear.stderr).toMatch(/Indiquez l’année de campagne/);
    expect(cli('import-referential', '25', 'x.csv').code).toBe(2);
    const noFile = cli('import-referential', '2025');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/Indiquez au moins un fichier/);
    const badFlag = cli('generate-referential', join(tmp, 'gen'), '--formations', 'beaucoup');
    expect(badFlag.code).toBe(2);
    expect(cli('generate-referential', '--couleur', 'bleu').code).toBe(2);
  }, 240_000);

  it('generate, then import with progress and a report; exit code 1 when a row is rejected', () => {
    const gen = cli('generate-referential', join(tmp, 'gen'), '--etablissements', '30', '--formations', '600', '--seed', '5');
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/30 établissements \(\d+ sur la liste nationale\), \d+ composantes, \d+ formations écrits/);

    const siret = makeValidSiret(makeValidSiren('99877777'), '0001');
    const extra = join(tmp, 'extra.csv');
    writeFileSync(
      extra,
      `siret;nom;code_commune;categorie\n${siret};LYCEE EN PLUS;75056;1°\n${siret.slice(0, 10)};LYCEE MAL SAISI;75056;1°\n`,
    );
    const files = [join(tmp, 'gen', 'etablissements.csv'), join(tmp, 'gen', 'formations.csv'), extra];
    const first = cli('import-referential', '2025', ...files);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/Formations : \d+\/\d+ \(100 %\)/);
    expect(first.stdout).toMatch(/^Référentiel 2025 : 3 fichier\(s\), \d+ ligne\(s\) lue\(s\)/m);
    expect(first.stdout).toMatch(/^Établissements : 31 ajoutés, 0 mis à jour, 0 inchangés$/m);
    expect(first.stdout).toContain(`Rejet extra.csv ligne 3 : SIRET invalide « ${siret.slice(0, 10)} » : 14 chiffres attendus.`);
    expect(first.stdout).toMatch(/^1 ligne\(s\) rejetée\(s\), 0 avertissement\(s\)\.$/m);

    const second = cli('import-referential', '2025', files[0]!, files[1]!);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Établissements : 0 ajoutés, 0 mis à jour, 30 inchangés$/m);
    expect(second.stdout).toMatch(/^Formations : 0 ajoutées, 0 mises à jour, \d+ inchangées$/m);
  }, 240_000);
});
