/**
 * Operators' command line: `npm run cli -- <command> [arguments]`. Each module exports its commands as
 * {@link CliCommand} objects; this file only registers them and dispatches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { asksForHelp, commandGroup, defineCommand, EXIT_CODES, helpOf, type CliCommand } from './cli-command.js';
import { APP_ROOT } from './infra/files.js';
import { loadConfig } from './infra/config.js';
import { migrateDatabase, openDatabase, selectRows } from './infra/db/index.js';
import { progressPrinter, withDatabase } from './infra/command-line.js';
import { devCommands } from './dev/cli-commands.js';
import { campagnesCommands } from './modules/campagnes/cli-commands.js';
import { formatRegistryReport, importRegistry } from './modules/entreprises/import-registry.js';
import { enveloppesCommands } from './modules/enveloppes/cli-commands.js';
import { espaceEtablissementCommands } from './modules/espace-etablissement/cli-commands.js';
import { operateurCommands } from './modules/operateur/cli-commands.js';
import { referentielCommands } from './modules/referentiel/cli-commands.js';
import { versementsCommands } from './modules/versements/cli-commands.js';
import { messagesCommands } from './modules/messages/cli-commands.js';
import { reliquatCommands } from './modules/versements/reliquat-cli.js';
import { rapprochementCommands } from './modules/versements/rapprochement-cli.js';

const registryCommands = commandGroup(
  defineCommand(
    {
      name: 'import-registry',
      arguments: [{ name: 'fichiers', many: true, missing: 'Indiquez au moins un fichier à importer.' }],
      help: 'Importe des entreprises et établissements au format de l’API recherche-entreprises (JSON). Ré-exécutable sans doublon.',
    },
    ({ positionals: files }) =>
      withDatabase(async (db) => {
        const progress = progressPrinter();
        const report = await importRegistry(db, files, {
          now: new Date(),
          onProgress: (done, total) => progress.show('Lignes', done, total),
        });
        progress.end();
        for (const l of formatRegistryReport(report)) console.log(l);
        return report.rejected.length > 0 ? 1 : 0;
      }),
  ),
);

const databaseCommands = commandGroup(
  defineCommand(
    {
      name: 'migrate',
      help: 'Applique les migrations du schéma qui manquent (étape d’une mise en production, avant de démarrer la nouvelle version ; les instances le font aussi au démarrage, sous un verrou) et dit combien.',
    },
    async () => {
      const config = loadConfig();
      const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
      try {
        const applied = async () =>
          (
            await selectRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`).catch(() => [
              { n: 0 },
            ])
          )[0]?.n ?? 0;
        const before = await applied();
        await migrateDatabase(database);
        const after = await applied();
        console.log(`${after - before} migration(s) appliquée(s) ; le schéma en compte ${after}, il est à jour.`);
        return 0;
      } finally {
        await database.close();
      }
    },
  ),
);

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
  databaseCommands,
  registryCommands,
  referentielCommands,
  espaceEtablissementCommands,
  campagnesCommands,
  enveloppesCommands,
  versementsCommands,
  messagesCommands,
  reliquatCommands,
  rapprochementCommands,
  operateurCommands,
  devCommands,
);

function help() {
  console.log('Usage : npm run -s cli -- <commande> [arguments]   (ou node dist/cli.js dans la version construite)\n\nCommandes :');
  for (const c of COMMANDS.values()) console.log(`  ${c.usage}\n      ${c.help}`);
  console.log(`\n« <commande> --help » décrit une commande sans ouvrir la base. --version donne la version.\n${EXIT_CODES}`);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

async function main(argv: string[]) {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help();
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(version());
    return 0;
  }
  const cmd = COMMANDS.get(name);
  if (!cmd) {
    console.error(`Commande inconnue : ${name}\n`);
    help();
    return 2;
  }
  // answered here, before the command runs: --help never touches the database nor takes « --help » for a file
  if (asksForHelp(args)) {
    console.log(helpOf(cmd));
    return 0;
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
