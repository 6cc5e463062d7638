/**
 * Operators' command of the unpayable funds (registered with the payments' commands, cli-commands.ts):
 * `import-retours-sepa <fichiers…>`, the bank's answers (pain.002, camt.054), all or nothing,
 * re-runnable (retours.ts). `rappels-coordonnees`, the bank-details reminder, is a message of the
 * campaign: messages/cli-commands.ts.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs } from '../../cli-command.js';
import { withContext } from '../../infra/command-line.js';
import { formatIntegerPlain } from '../../shared/format.js';
import { importRetours, type FichierRetour } from './retours.js';

const RETOURS_SPEC = {
  name: 'import-retours-sepa',
  arguments: [
    {
      name: 'fichiers',
      many: true,
      missing: 'Indiquez les fichiers de la banque (par exemple : import-retours-sepa pain002-20250712.xml camt054-20250715.xml).',
    },
  ],
  help: 'Enregistre les réponses de la banque aux virements (pain.002, camt.054) : virements rejetés (parts non versables, employeurs prévenus) ou confirmés. Tout ou rien, ré-exécutable.',
} as const;

const importRetoursCommand = defineCommand(RETOURS_SPEC, ({ argv }) => withContext((ctx) => runImportRetours(ctx, [...argv])));

/** `import-retours-sepa` against a context: reads the files, imports them, prints the French report. */
export async function runImportRetours(ctx: AppContext, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const parsed = parseCommandArgs(RETOURS_SPEC, args);
  if (!parsed.ok) {
    out(`${parsed.message} Usage : ${importRetoursCommand.usage}`);
    return 2;
  }
  const paths = parsed.positionals;
  const files: FichierRetour[] = [];
  for (const p of paths) {
    try {
      files.push({ nom: basename(p), contenu: new Uint8Array(await readFile(p)) });
    } catch {
      out(`Le fichier ${p} est introuvable ou illisible : rien n’a été enregistré.`);
      return 1;
    }
  }
  const r = await importRetours(ctx, files);
  if (!r.ok) {
    for (const l of r.problem.message.split('\n')) out(l);
    return 1;
  }
  const x = r.report;
  out(
    `Retours de la banque : ${formatIntegerPlain(x.fichiers)} fichier(s) ; ${formatIntegerPlain(x.rejetes)} virement(s) rejeté(s), ${formatIntegerPlain(x.confirmes)} confirmé(s), ${formatIntegerPlain(x.inchanges)} déjà connu(s).`,
  );
  if (x.rejetes)
    out(
      `  ${formatIntegerPlain(x.nonVersables)} part(s) d’attribution deviennent non versables ; ${formatIntegerPlain(x.employeursPrevenus)} employeur(s) prévenu(s).`,
    );
  return 0;
}

export const retoursCommands = commandGroup(importRetoursCommand);
