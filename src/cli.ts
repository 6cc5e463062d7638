/**
 * Operators' command line: `npm run cli -- <command> [arguments]`. Each module exports its commands as
 * {@link CliCommand} objects; this file only registers them and dispatches.
 */
import type { CliCommand } from './cli-command.js';
import { loadConfig } from './infra/config.js';
import { migrateDatabase, openDatabase } from './infra/db/index.js';
import { devCommands } from './dev/cli-commands.js';
import { campagnesCommands } from './modules/campagnes/cli-commands.js';
import { importRegistry } from './modules/entreprises/import-registry.js';
import { enveloppesCommands } from './modules/enveloppes/cli-commands.js';
import { espaceEtablissementCommands } from './modules/espace-etablissement/cli-commands.js';
import { operateurCommands } from './modules/operateur/cli-commands.js';
import { referentielCommands } from './modules/referentiel/cli-commands.js';
import { versementsCommands } from './modules/versements/cli-commands.js';

const registryCommands: Record<string, CliCommand> = {
  'import-registry': {
    usage: 'import-registry <fichiers…>',
    help: 'Importe des entreprises et établissements au format de l’API recherche-entreprises (JSON). Ré-exécutable sans doublon.',
    run: async (files) => {
      if (files.length === 0) {
        console.error('Indiquez au moins un fichier à importer.');
        return 2;
      }
      const config = loadConfig();
      const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
      try {
        await migrateDatabase(database);
        let shown = -1;
        const report = await importRegistry(database.db, files, {
          now: new Date(),
          onProgress: (done, total) => {
            const pct = total ? Math.floor((done / total) * 100) : 100;
            if (pct !== shown && (pct % 10 === 0 || done === total)) {
              shown = pct;
              process.stderr.write(`\r  ${done}/${total} lignes (${pct} %)`);
            }
          },
        });
        process.stderr.write('\n');
        console.log(`Fichiers lus : ${report.files}`);
        console.log(`Entreprises : ${report.entreprises.inserted} ajoutées, ${report.entreprises.updated} mises à jour`);
        console.log(`Établissements : ${report.etablissements.inserted} ajoutés, ${report.etablissements.updated} mis à jour`);
        for (const w of report.warnings) console.log(`Avertissement ${w.ref} : ${w.reason}`);
        for (const r of report.rejected) console.log(`Rejet ${r.ref} : ${r.reason}`);
        console.log(`${report.rejected.length} rejet(s), ${report.warnings.length} avertissement(s).`);
        return report.rejected.length > 0 ? 1 : 0;
      } finally {
        await database.close();
      }
    },
  },
};

/** Every command, by name; a module's command may not take another's name. */
export function registerCommands(...groups: Record<string, CliCommand>[]): Map<string, CliCommand> {
  const commands = new Map<string, CliCommand>();
  for (const group of groups) {
    for (const [name, command] of Object.entries(group)) {
      if (commands.has(name)) throw new Error(`Commande « ${name} » déclarée deux fois.`);
      commands.set(name, command);
    }
  }
  return commands;
}

const COMMANDS = registerCommands(
  registryCommands,
  referentielCommands,
  espaceEtablissementCommands,
  campagnesCommands,
  enveloppesCommands,
  versementsCommands,
  operateurCommands,
  devCommands,
);

function help() {
  console.log('Usage : npm run cli -- <commande> [arguments]\n\nCommandes :');
  for (const c of COMMANDS.values()) console.log(`  ${c.usage}\n      ${c.help}`);
}

async function main(argv: string[]) {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help();
    return 0;
  }
  const cmd = COMMANDS.get(name);
  if (!cmd) {
    console.error(`Commande inconnue : ${name}\n`);
    help();
    return 2;
  }
  return cmd.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
