/**
 * Development tools of the command line (registered by src/cli.ts), not operators' commands: they write
 * the fictitious data sets of the demo and of the benchmarks, and make the demo's database ready.
 * - `generate-referential [dossier] [--etablissements N] [--formations N] [--seed N]`: a national-scale
 *   referential for benchmarks;
 * - `generate-demo-envelopes [dossier]`: the demo's envelope files;
 * - `prepare-demo`: the demo's database made ready as `npm start` needs it (src/demo/prepare.ts), run by
 *   scripts/start.mjs in a process of its own on the first start of a new PGlite folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandGroup, defineCommand } from '../cli-command.js';
import { DEMO_ENVELOPE_YEARS, generateDemoEnvelopes } from '../demo/enveloppes-generator.js';
import { SEED_ENVELOPES_DIR } from '../demo/enveloppes.js';
import { prepareDemoDatabase, withDemoClock } from '../demo/prepare.js';
import { loadConfig } from '../infra/config.js';
import { DEFAULT_GENERATE_DIR, GENERATE_DEFAULTS, generateReferentiel, writeReferentielFiles } from '../demo/referentiel-generator.js';
import { type Cents } from '../domain/money.js';
import { formatEuros } from '../shared/format.js';

const n = (x: number) => x.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');
const euros = (c: Cents) => formatEuros(c).replace(/\u202f|\u00a0/g, ' ');

/** A whole number option (« 12 000 » and « 12_000 » read as 12000), its default, or NaN. */
function count(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const digits = raw.replace(/[_\s]/g, '');
  return /^\d+$/.test(digits) ? Number(digits) : NaN;
}

const NUMBER = { type: 'string', value: 'N', what: 'un nombre' } as const;

const generateReferentielCommand = defineCommand(
  {
    name: 'generate-referential',
    arguments: [{ name: 'dossier', optional: true }],
    options: {
      etablissements: { ...NUMBER, help: `nombre d’établissements (par défaut ${GENERATE_DEFAULTS.etablissements})` },
      formations: { ...NUMBER, help: `nombre de formations (par défaut ${GENERATE_DEFAULTS.formations})` },
      seed: { ...NUMBER, help: `graine du générateur (par défaut ${GENERATE_DEFAULTS.seed})` },
    },
    help:
      `Écrit un référentiel fictif à l’échelle nationale (établissements, composantes, formations ; SIREN 998…) dans ` +
      `le dossier (par défaut ${DEFAULT_GENERATE_DIR}/), à charger ensuite avec import-referential. Déterministe.`,
  },
  async ({ positionals, values }) => {
    const etablissements = count(values.etablissements, GENERATE_DEFAULTS.etablissements);
    const formations = count(values.formations, GENERATE_DEFAULTS.formations);
    const seed = count(values.seed, GENERATE_DEFAULTS.seed);
    if ([etablissements, formations, seed].some((n) => !Number.isFinite(n))) {
      console.error('--etablissements, --formations et --seed prennent un nombre entier positif.');
      return 2;
    }
    const dir = positionals[0] ?? DEFAULT_GENERATE_DIR;
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
);

const generateEnvelopesCommand = defineCommand(
  {
    name: 'generate-demo-envelopes',
    arguments: [{ name: 'dossier', optional: true }],
    help: `Écrit les fichiers d’enveloppes de démonstration (${DEMO_ENVELOPE_YEARS.join(', ')}) pour les entreprises du répertoire de démonstration, dans le dossier (par défaut seed/enveloppes/). Déterministe.`,
  },
  async ({ positionals }) => {
    const dir = positionals[0] ?? SEED_ENVELOPES_DIR;
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
);

const prepareDemoCommand = defineCommand(
  {
    name: 'prepare-demo',
    help: 'Prépare la base comme « npm start » : migrations, communes, et le jeu de démonstration dans une base vide (DEMO_SEED). « npm start » le fait dans un processus à part au premier démarrage sur un dossier PGlite neuf.',
  },
  async () => {
    await prepareDemoDatabase(withDemoClock(loadConfig()), (l) => console.log(l));
    return 0;
  },
);

export const devCommands = commandGroup(generateReferentielCommand, generateEnvelopesCommand, prepareDemoCommand);
