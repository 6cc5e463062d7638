/**
 * Operators' commands of the reliquat (registered by src/cli.ts; docs/regles.md#reliquat):
 * - `import-metiers-en-tension <année> <fichier>`: the métiers en tension of each region
 *   (docs/metiers-en-tension-format.md), all or nothing, replacing the year's list;
 * - `reliquat-simulation <année> [--csv]`: what the reliquat would give today (nothing written); with
 *   `--csv`, each establishment's share as CSV on the standard output.
 */
import { commandGroup, defineCommand } from '../../cli-command.js';
import { formatJour, parisDayOf } from '../../domain/jours.js';
import { MOTIFS_REPORT } from '../../domain/reliquat.js';
import { writeCsv } from '../../shared/csv.js';
import { formatEurosPlain, formatEurosText, formatIntegerPlain, formatPercentNumber } from '../../shared/format.js';
import { regionName } from '../referentiel/territoires.js';
import { withDatabase } from '../../infra/command-line.js';
import { campaignYear, YEAR_USAGE } from './cli-commands.js';
import { importMetiersEnTension, type MetiersReport } from './metiers-en-tension.js';
import { simulateReliquat, type ReliquatView } from './reliquat.js';

const regionLabel = (code: string | null) => (code === null ? 'Région inconnue' : `${code} ${regionName(code) ?? ''}`.trim());

/** The French report printed by `import-metiers-en-tension`. */
export function formatMetiersReport(r: MetiersReport): string[] {
  if (r.rejected.length)
    return [
      ...r.rejected.map((x) => `Rejet ${r.fichier}${x.line ? ` ligne ${x.line}` : ''} : ${x.message}`),
      `${formatIntegerPlain(r.rejected.length)} refus : rien n’a été enregistré. Corrigez le fichier et relancez.`,
    ];
  const lines = [
    `Métiers en tension ${r.annee} : ${formatIntegerPlain(r.metiers)} métier(s) dans ${formatIntegerPlain(r.regions)} région(s), ${formatIntegerPlain(r.codes)} code(s) RNCP (${formatIntegerPlain(r.replaced)} ligne(s) de la liste précédente remplacée(s)).`,
  ];
  if (r.unknownRncp.length)
    lines.push(
      `Attention : ${formatIntegerPlain(r.unknownRncp.length)} code(s) RNCP ne correspondent à aucune formation du référentiel ${r.annee} (${r.unknownRncp.slice(0, 10).join(', ')}${r.unknownRncp.length > 10 ? '…' : ''}).`,
    );
  return lines;
}

/** The summary printed by `reliquat-simulation`. */
export function formatReliquat(r: ReliquatView, now: Date): string[] {
  const eur = formatEurosText;
  const payees = r.shares.filter((s) => s.motif === null);
  return [
    `Reliquat ${r.annee} — simulation du ${formatJour(parisDayOf(now))} (répartition à partir du ${formatJour(r.date)} ; re-désignations jusqu’au ${formatJour(r.redesignationFin)} inclus)`,
    `Fonds à répartir : ${eur(r.poolCents)} (crédits non attribués ${eur(r.nonAttribueCents)}, parts non versables non re-désignées ${eur(r.nonVersableCents)})`,
    `Part régionale (${formatPercentNumber(r.regionaleBp)} %) : ${eur(r.regionaleCents)} ; part nationale (${formatPercentNumber(10_000 - r.regionaleBp)} %) : ${eur(r.nationaleCents)} pour ${formatIntegerPlain(r.formations)} formation(s) menant à un métier en tension`,
    'Par région (laissé par ses employeurs → part régionale, établissements habilités) :',
    ...r.regions.map(
      (g) =>
        `  ${regionLabel(g.region)} : ${eur(g.nonAttribueCents + g.nonVersableCents)} → ${eur(g.partCents)}, ${formatIntegerPlain(g.etablissements)} établissement(s)`,
    ),
    `Établissements payés : ${formatIntegerPlain(payees.length)}, ${eur(r.verseCents)}`,
    `Reste au fonds pour l’année suivante (R. 6241-28-1) : ${eur(r.reporteCents)}`,
    ...r.reports.map((x) => `  ${MOTIFS_REPORT[x.motif]} : ${eur(x.cents)}`),
  ];
}

/** Each establishment's share, for a spreadsheet. */
export function reliquatCsv(r: ReliquatView): string {
  return writeCsv(
    ['siret', 'nom', 'region', 'part_regionale', 'part_nationale', 'formations_en_tension', 'total', 'versable', 'motif'],
    r.shares.map((s) => [
      s.siret,
      s.nom,
      s.region ?? '',
      formatEurosPlain(s.regionaleCents),
      formatEurosPlain(s.nationaleCents),
      s.formations,
      formatEurosPlain(s.regionaleCents + s.nationaleCents),
      s.motif === null ? 'oui' : 'non',
      s.motif === null ? '' : MOTIFS_REPORT[s.motif],
    ]),
  );
}

const metiersCommand = defineCommand(
  {
    name: 'import-metiers-en-tension',
    arguments: [{ name: 'année' }, { name: 'fichier' }],
    help: 'Importe les métiers en tension de chaque région (docs/metiers-en-tension-format.md). Tout ou rien ; remplace la liste de l’année.',
  },
  async ({ positionals: [anneeArg, path] }) => {
    const annee = campaignYear(anneeArg);
    if (annee === null) {
      console.error(YEAR_USAGE('import-metiers-en-tension 2025 metiers.csv'));
      return 2;
    }
    const report = await withDatabase((db) => importMetiersEnTension(db, annee, path!, { now: new Date() }));
    for (const l of formatMetiersReport(report)) console.log(l);
    return report.rejected.length ? 1 : 0;
  },
);

const simulationCommand = defineCommand(
  {
    name: 'reliquat-simulation',
    arguments: [{ name: 'année' }],
    options: { csv: { type: 'boolean', help: 'la part de chaque établissement en CSV sur la sortie standard' } },
    help: 'Simule la répartition du reliquat (R. 6241-28) sans rien enregistrer ; --csv : la part de chaque établissement en CSV.',
  },
  async ({ positionals: [anneeArg], values }) => {
    const annee = campaignYear(anneeArg);
    if (annee === null) {
      console.error(YEAR_USAGE('reliquat-simulation 2025'));
      return 2;
    }
    const r = await withDatabase((db) => simulateReliquat({ db }, annee));
    if (!r.ok) {
      console.error(r.problem.message);
      return 1;
    }
    if (values.csv) process.stdout.write(reliquatCsv(r.reliquat));
    else for (const l of formatReliquat(r.reliquat, new Date())) console.log(l);
    return 0;
  },
);

export const reliquatCommands = commandGroup(metiersCommand, simulationCommand);
