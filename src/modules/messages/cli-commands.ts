/**
 * Operators' command of the campaign's messages:
 * - `rappels-coordonnees <année>`: sends now the bank-details reminder due (7 days, then 1 day, before a
 *   period ends) to the establishments not yet reminded (rappels-coordonnees.ts; the scheduler sends the
 *   same one, under the same key, scheduler.ts).
 */
import type { AppContext } from '../../app-context.js';
import { commandGroup, defineCommand, parseCommandArgs } from '../../cli-command.js';
import { formatJour } from '../../domain/jours.js';
import { withContext } from '../../infra/command-line.js';
import { formatIntegerPlain } from '../../shared/format.js';
import { sendBankDetailsReminders } from './rappels-coordonnees.js';

const RAPPELS_SPEC = {
  name: 'rappels-coordonnees',
  arguments: [{ name: 'année' }],
  help: 'Envoie les rappels dus aux établissements sans coordonnées bancaires vérifiées qui ont des attributions, 7 jours puis 1 jour avant la fin de la période (chaque rappel une fois par établissement et par période, comme le planificateur).',
} as const;

const rappelsCommand = defineCommand(RAPPELS_SPEC, ({ argv }) => withContext((ctx) => runRappels(ctx, [...argv])));

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

export const messagesCommands = commandGroup(rappelsCommand);
