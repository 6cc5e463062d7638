/**
 * Operators' commands of the unpayable funds (registered with the payments' commands, cli-commands.ts):
 * - `import-retours-sepa <fichiers…>`: the bank's answers (pain.002, camt.054), all or nothing,
 *   re-runnable (retours.ts);
 * - `rappels-coordonnees <année>`: sends now the bank-details reminder due (7 days, then 1 day, before a
 *   period ends) to the establishments not yet reminded (rappels.ts; the scheduler sends the same one,
 *   under the same key, messages/scheduler.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs } from '../../cli-command.js';
import { formatJour } from '../../domain/jours.js';
import { withContext } from '../../infra/command-line.js';
import { formatIntegerPlain } from '../../shared/format.js';
import { sendBankDetailsReminders } from './rappels.js';
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

const RAPPELS_SPEC = {
  name: 'rappels-coordonnees',
  arguments: [{ name: 'année' }],
  help: 'Envoie les rappels dus aux établissements sans coordonnées bancaires vérifiées qui ont des attributions, 7 jours puis 1 jour avant la fin de la période (chaque rappel une fois par établissement et par période, comme le planificateur).',
} as const;

const importRetoursCommand = defineCommand(RETOURS_SPEC, ({ argv }) => withContext((ctx) => runImportRetours(ctx, [...argv])));
const rappelsCommand = defineCommand(RAPPELS_SPEC, ({ argv }) => withContext((ctx) => runRappels(ctx, [...argv])));

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

/** `rappels-coordonnees` against a context. */
export async function runRappels(ctx: AppContext, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const parsed = parseCommandArgs(RAPPELS_SPEC, args);
  const anneeArg = parsed.ok ? parsed.positionals[0]! : '';
  const annee = Number(anneeArg);
  if (!/^\d{4}$/.test(anneeArg)) {
    out('Usage : rappels-coordonnees <année> (par exemple : rappels-coordonnees 2025)');
    return 2;
  }
  const r = await sendBankDetailsReminders(ctx, annee);
  if (!r.periode) {
    out(
      `Aucun rappel n’est dû aujourd’hui pour la campagne ${annee} : les rappels partent 7 jours, puis 1 jour, avant la fin d’une période.`,
    );
    return 0;
  }
  out(
    `Campagne ${annee}, période ${r.periode.numero} (fin le ${formatJour(r.periode.fin)}), rappel ${r.jours === 1 ? 'de la veille' : `à ${r.jours} jours`} : ${formatIntegerPlain(r.envoyes)} établissement(s) rappelé(s), ${formatIntegerPlain(r.dejaRappeles)} déjà rappelé(s).`,
  );
  return 0;
}

export const retoursCommands = commandGroup(importRetoursCommand, rappelsCommand);
