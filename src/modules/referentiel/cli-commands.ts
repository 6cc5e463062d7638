/**
 * Operators' commands of the referential (registered by src/cli.ts):
 * - `import-referential <année> <fichiers…>`: imports CSV files (docs/referentiel-format.md).
 */
import { commandGroup, defineCommand } from '../../cli-command.js';
import { progressPrinter, withDatabase } from '../../infra/command-line.js';
import { importReferentiel, MAX_ANNEE, MIN_ANNEE, type ImportProgress, type ReferentielImportReport } from './import.js';

const PHASES: Record<ImportProgress['phase'], string> = {
  lecture: 'Lecture des fichiers',
  etablissements: 'Établissements et composantes',
  formations: 'Formations',
};

/** French report printed by `import-referential` (one line per rejection and warning). */
export function formatImportReport(r: ReferentielImportReport): string[] {
  const c = (x: { inserted: number; updated: number; unchanged: number }, f = false) =>
    `${x.inserted} ajouté${f ? 'e' : ''}s, ${x.updated} mis${f ? 'es' : ''} à jour, ${x.unchanged} inchangé${f ? 'e' : ''}s`;
  const lines = [
    `Référentiel ${r.annee} : ${r.files} fichier(s), ${r.rows} ligne(s) lue(s) en ${(r.durationMs / 1000).toFixed(1)} s.`,
    `Établissements : ${c(r.etablissements)}`,
    `Composantes : ${c(r.composantes, true)}`,
    `Formations : ${c(r.formations, true)}`,
    `Diplômes : ${c(r.diplomes)}`,
  ];
  for (const w of r.warnings) lines.push(`Avertissement ${w.file}${w.line ? ` ligne ${w.line}` : ''} : ${w.reason}`);
  for (const x of r.rejected) lines.push(`Rejet ${x.file}${x.line ? ` ligne ${x.line}` : ''} : ${x.reason}`);
  lines.push(`${r.rejected.length} ligne(s) rejetée(s), ${r.warnings.length} avertissement(s).`);
  return lines;
}

const YEAR_MESSAGE = `Indiquez l’année de campagne (${MIN_ANNEE} à ${MAX_ANNEE}) puis les fichiers : import-referential <année> <fichiers…>`;

const importCommand = defineCommand(
  {
    name: 'import-referential',
    arguments: [
      { name: 'année', missing: YEAR_MESSAGE },
      { name: 'fichiers', many: true, missing: 'Indiquez au moins un fichier à importer.' },
    ],
    help:
      'Importe le référentiel des établissements habilités d’une campagne (fichiers CSV établissements et formations, ' +
      'format : docs/referentiel-format.md). Ré-exécutable sans doublon ; code de sortie 1 si des lignes sont rejetées.',
  },
  async ({ positionals: [year, ...files] }) => {
    const annee = Number(year);
    if (!/^\d{4}$/.test(year!) || annee < MIN_ANNEE || annee > MAX_ANNEE) {
      console.error(YEAR_MESSAGE);
      return 2;
    }
    return withDatabase(async (db) => {
      const progress = progressPrinter();
      const report = await importReferentiel(db, annee, files, {
        now: new Date(),
        onProgress: (p) => progress.show(PHASES[p.phase], p.done, p.total),
      });
      progress.end();
      for (const l of formatImportReport(report)) console.log(l);
      return report.rejected.length > 0 ? 1 : 0;
    });
  },
);

export const referentielCommands = commandGroup(importCommand);
