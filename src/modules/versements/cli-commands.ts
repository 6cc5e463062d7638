/**
 * Operators' commands of the payments (registered by src/cli.ts):
 * - `import-encaissements <année> <fichiers…>`: the funds Urssaf and MSA transferred per SIRET
 *   (docs/encaissements-format.md), all or nothing, re-runnable;
 * - `import-retours-sepa`: cli-retours.ts (`rappels-coordonnees` is a message of the campaign: messages/cli-commands.ts).
 */
import { commandGroup, defineCommand } from '../../cli-command.js';
import { withDatabase } from '../../infra/command-line.js';
import { formatEurosText, formatIntegerPlain } from '../../shared/format.js';
import { retoursCommands } from './cli-retours.js';
import { importEncaissements, type EncaissementsReport } from './encaissements.js';

/** Lines of rejections printed at most (the report counts them all). */
const MAX_PRINTED = 1000;

/** The message of a wrong campaign year, with an example of the command. */
export const YEAR_USAGE = (example: string) => `L’année de campagne va de 2023 à 2100 (par exemple : ${example}).`;

/** A campaign year argument, or null (the caller prints the message). */
export function campaignYear(arg: string | undefined): number | null {
  const annee = Number(arg);
  return arg && /^\d{4}$/.test(arg) && annee >= 2023 && annee <= 2100 ? annee : null;
}

/** The French report printed by `import-encaissements`. */
export function formatEncaissementsReport(r: EncaissementsReport): string[] {
  const lines: string[] = [];
  if (r.rejected.length) {
    for (const x of r.rejected.slice(0, MAX_PRINTED)) lines.push(`Rejet ${x.fichier}${x.line ? ` ligne ${x.line}` : ''} : ${x.message}`);
    if (r.rejected.length > MAX_PRINTED) lines.push(`… et ${formatIntegerPlain(r.rejected.length - MAX_PRINTED)} autre(s) rejet(s).`);
    lines.push(
      `${formatIntegerPlain(r.rejected.length)} ligne(s) refusée(s) : rien n’a été enregistré. Corrigez les fichiers et relancez.`,
    );
    return lines;
  }
  lines.push(
    `Encaissements de la campagne ${r.annee} : ${formatIntegerPlain(r.lines)} versement(s) lu(s), ${formatEurosText(r.totalCents)} au total.`,
    `  ${formatIntegerPlain(r.inserted)} ajouté(s), ${formatIntegerPlain(r.updated)} corrigé(s), ${formatIntegerPlain(r.unchanged)} inchangé(s).`,
  );
  if (r.withoutEnvelope.length)
    lines.push(
      `Attention : ${formatIntegerPlain(r.withoutEnvelope.length)} SIRET ont des fonds reçus sans enveloppe ${r.annee} (${r.withoutEnvelope.slice(0, 10).join(', ')}${r.withoutEnvelope.length > 10 ? '…' : ''}) : ils figurent comme écarts dans le rapprochement.`,
    );
  return lines;
}

const importCommand = defineCommand(
  {
    name: 'import-encaissements',
    arguments: [{ name: 'année' }, { name: 'fichiers', many: true }],
    help: 'Enregistre les fonds reçus d’Urssaf et de la MSA par SIRET (docs/encaissements-format.md). Tout ou rien, ré-exécutable.',
  },
  async ({ positionals: [anneeArg, ...files] }) => {
    const annee = campaignYear(anneeArg);
    if (annee === null) {
      console.error(YEAR_USAGE('import-encaissements 2025 urssaf.csv msa.csv'));
      return 2;
    }
    const report = await withDatabase((db) => importEncaissements(db, annee, files, new Date()));
    for (const l of formatEncaissementsReport(report)) console.log(l);
    return report.rejected.length ? 1 : 0;
  },
);

export const versementsCommands = { ...commandGroup(importCommand), ...retoursCommands };
