/**
 * Development tools of the command line (registered by src/cli.ts): they write the fictitious data
 * sets of the demo and of the benchmarks, never touch the database, and are not operators' commands.
 * - `generate-referential [dossier] [--etablissements N] [--formations N] [--seed N]`: a national-scale
 *   referential for benchmarks;
 * - `generate-demo-envelopes [dossier]`: the demo's envelope files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand } from '../cli-command.js';
import { DEMO_ENVELOPE_YEARS, generateDemoEnvelopes } from '../demo/enveloppes-generator.js';
import { SEED_ENVELOPES_DIR } from '../demo/enveloppes.js';
import { DEFAULT_GENERATE_DIR, GENERATE_DEFAULTS, generateReferentiel, writeReferentielFiles } from '../demo/referentiel-generator.js';
import { type Cents } from '../domain/money.js';
import { formatEuros } from '../shared/format.js';

const n = (x: number) => x.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');
const euros = (c: Cents) => formatEuros(c).replace(/\u202f|\u00a0/g, ' ');

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

const generateReferentielCommand: CliCommand = {
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
      console.error(`Usage : ${generateReferentielCommand.usage}`);
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

const generateEnvelopesCommand: CliCommand = {
  usage: 'generate-demo-envelopes [dossier]',
  help: `Écrit les fichiers d’enveloppes de démonstration (${DEMO_ENVELOPE_YEARS.join(', ')}) pour les entreprises du répertoire de démonstration, dans le dossier (par défaut seed/enveloppes/). Déterministe.`,
  run: async (args) => {
    if (args.length > 1 || args.some((a) => a.startsWith('--'))) {
      console.error(`Usage : ${generateEnvelopesCommand.usage}`);
      return 2;
    }
    const dir = args[0] ?? SEED_ENVELOPES_DIR;
    mkdirSync(dir, { recursive: true });
    for (const annee of DEMO_ENVELOPE_YEARS) {
      const f = generateDemoEnvelopes(annee);
      const path = join(dir, f.name);
      writeFileSync(path, f.content);
      console.log(
        `${path} : ${n(f.stats.lignes)} lignes, ${n(f.stats.sirets)} SIRET (${n(f.stats.msa)} MSA), solde ${euros(f.stats.soldeCents)} ` +
          `(de ${euros(f.stats.minSoldeCents)} à ${euros(f.stats.maxSoldeCents)} par SIRET)`,
      );
    }
    return 0;
  },
};

export const devCommands: Record<string, CliCommand> = {
  'generate-referential': generateReferentielCommand,
  'generate-demo-envelopes': generateEnvelopesCommand,
};
