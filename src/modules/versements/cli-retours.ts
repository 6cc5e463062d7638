/**
 * Operators' commands of the unpayable funds (registered with the payments' commands, cli-commands.ts):
 * - `import-retours-sepa <fichiers…>`: the bank's answers (pain.002, camt.054), all or nothing,
 *   re-runnable (retours.ts);
 * - `rappels-coordonnees <année>`: mails now the reminders due to establishments without verified bank
 *   details before the period closes (rappels.ts; the application also sends them on its own timer).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AppContext } from '../../app-context.js';
import type { CliCommand } from '../../cli-command.js';
import { formatJour } from '../../domain/jours.js';
import { withContext } from '../../infra/command-line.js';
import { formatIntegerPlain } from '../../shared/format.js';
import { sendBankDetailsReminders } from './rappels.js';
import { importRetours, type FichierRetour } from './retours.js';

/** `import-retours-sepa` against a context: reads the files, imports them, prints the French report. */
export async function runImportRetours(ctx: AppContext, paths: string[], out: (line: string) => void = console.log): Promise<number> {
  if (paths.length === 0) {
    out('Usage : import-retours-sepa <fichiers…> (par exemple : import-retours-sepa pain002-20250712.xml camt054-20250715.xml)');
    return 2;
  }
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
  const [anneeArg] = args;
  const annee = Number(anneeArg);
  if (!anneeArg || !/^\d{4}$/.test(anneeArg) || args.length !== 1) {
    out('Usage : rappels-coordonnees <année> (par exemple : rappels-coordonnees 2025)');
    return 2;
  }
  const r = await sendBankDetailsReminders(ctx, annee);
  if (!r.periode) {
    out(
      `Aucun rappel n’est dû aujourd’hui pour la campagne ${annee} : les rappels partent dans les ${r.jours} jours qui précèdent la fin d’une période.`,
    );
    return 0;
  }
  out(
    `Campagne ${annee}, période ${r.periode.numero} (fin le ${formatJour(r.periode.fin)}) : ${formatIntegerPlain(r.envoyes)} établissement(s) rappelé(s), ${formatIntegerPlain(r.dejaRappeles)} déjà rappelé(s) pour cette période.`,
  );
  return 0;
}

export const retoursCommands: Record<string, CliCommand> = {
  'import-retours-sepa': {
    usage: 'import-retours-sepa <fichiers…>',
    help: 'Enregistre les réponses de la banque aux virements (pain.002, camt.054) : virements rejetés (parts non versables, employeurs prévenus) ou confirmés. Tout ou rien, ré-exécutable.',
    run: (args) => withContext((ctx) => runImportRetours(ctx, args)),
  },
  'rappels-coordonnees': {
    usage: 'rappels-coordonnees <année>',
    help: 'Envoie les rappels dus aux établissements sans coordonnées bancaires vérifiées qui ont des attributions, avant la fin de la période (une fois par établissement et par période).',
    run: (args) => withContext((ctx) => runRappels(ctx, args)),
  },
};
