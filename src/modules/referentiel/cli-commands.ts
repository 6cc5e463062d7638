/**
 * Operators' commands of the referential (registered by src/cli.ts):
 * - `import-referential <année> <fichiers…>`: imports CSV files (docs/referentiel-format.md);
 * - `generate-referential [dossier] [--etablissements N] [--formations N] [--seed N]`: writes
 *   national-scale fictitious files for benchmarks.
 */
import type { CliCommand } from '../../cli-command.js';
import { loadConfig } from '../../infra/config.js';
import { migrateDatabase, openDatabase } from '../../infra/db/index.js';
import { DEFAULT_GENERATE_DIR, GENERATE_DEFAULTS, generateReferentiel, writeReferentielFiles } from './generate.js';
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

const importCommand: CliCommand = {
  usage: 'import-referential <année> <fichiers…>',
  help:
    'Importe le référentiel des établissements habilités d’une campagne (fichiers CSV établissements et formations, ' +
    'format : docs/referentiel-format.md). Ré-exécutable sans doublon ; code de sortie 1 si des lignes sont rejetées.',
  run: async (args) => {
    const [year, ...files] = args;
    const annee = Number(year);
    if (!year || !/^\d{4}$/.test(year) || annee < MIN_ANNEE || annee > MAX_ANNEE) {
      console.error(
        `Indiquez l’année de campagne (${MIN_ANNEE} à ${MAX_ANNEE}) puis les fichiers : import-referential <année> <fichiers…>`,
      );
      return 2;
    }
    if (files.length === 0) {
      console.error('Indiquez au moins un fichier à importer.');
      return 2;
    }
    const config = loadConfig();
    const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
    try {
      await migrateDatabase(database);
      let shown = '';
      const report = await importReferentiel(database.db, annee, files, {
        now: new Date(),
        onProgress: (p) => {
          const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
          const line = `${PHASES[p.phase]} : ${p.done}/${p.total} (${pct} %)`;
          if (line !== shown && (pct % 5 === 0 || p.done === p.total)) {
            process.stderr.write(`${shown && !shown.startsWith(PHASES[p.phase]) ? '\n' : '\r'}  ${line}`);
            shown = line;
          }
        },
      });
      process.stderr.write('\n');
      for (const l of formatImportReport(report)) console.log(l);
      return report.rejected.length > 0 ? 1 : 0;
    } finally {
      await database.close();
    }
  },
};

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string> } | string {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2);
      const v = inline ?? args[++i];
      if (v === undefined) return `Valeur manquante pour --${k}.`;
      flags.set(k!, v);
    } else positional.push(a);
  }
  return { positional, flags };
}

const generateCommand: CliCommand = {
  usage: `generate-referential [dossier] [--etablissements ${GENERATE_DEFAULTS.etablissements}] [--formations ${GENERATE_DEFAULTS.formations}] [--seed N]`,
  help:
    `Écrit un référentiel fictif à l’échelle nationale (établissements, composantes, formations ; SIREN 998…) dans ` +
    `le dossier (par défaut ${DEFAULT_GENERATE_DIR}/), à charger ensuite avec import-referential. Déterministe.`,
  run: async (args) => {
    const parsed = parseFlags(args);
    if (typeof parsed === 'string') {
      console.error(parsed);
      return 2;
    }
    const known = new Set(['etablissements', 'formations', 'seed']);
    for (const k of parsed.flags.keys()) {
      if (!known.has(k)) {
        console.error(`Option inconnue : --${k} (options : --etablissements, --formations, --seed).`);
        return 2;
      }
    }
    const num = (k: string, d: number) => {
      const v = parsed.flags.get(k);
      return v === undefined ? d : /^\d+$/.test(v.replace(/[_\s]/g, '')) ? Number(v.replace(/[_\s]/g, '')) : NaN;
    };
    const etablissements = num('etablissements', GENERATE_DEFAULTS.etablissements);
    const formations = num('formations', GENERATE_DEFAULTS.formations);
    const seed = num('seed', GENERATE_DEFAULTS.seed);
    if ([etablissements, formations, seed].some((n) => !Number.isFinite(n)) || parsed.positional.length > 1) {
      console.error(`Usage : ${generateCommand.usage}`);
      return 2;
    }
    const dir = parsed.positional[0] ?? DEFAULT_GENERATE_DIR;
    const started = performance.now();
    let data;
    try {
      data = generateReferentiel({ etablissements, formations, seed });
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return 2;
    }
    const files = writeReferentielFiles(dir, data);
    console.log(
      `${data.stats.etablissements} établissements (${data.stats.nationale} sur la liste nationale), ${data.stats.composantes} composantes, ` +
        `${data.stats.formations} formations écrits en ${((performance.now() - started) / 1000).toFixed(1)} s :`,
    );
    for (const f of files) console.log(`  ${f}`);
    console.log(`Chargement : npm run cli -- import-referential <année> ${files.join(' ')}`);
    return 0;
  },
};

export const referentielCommands: Record<string, CliCommand> = {
  'import-referential': importCommand,
  'generate-referential': generateCommand,
};
