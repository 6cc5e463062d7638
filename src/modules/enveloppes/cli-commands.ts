/**
 * Operators' commands of the envelopes (registered by src/cli.ts):
 * - `import-envelopes <année> <fichiers…> [--frais-operateur <euros>]`: the amounts Urssaf and MSA
 *   send per SIRET (docs/enveloppes-format.md), all or nothing, re-runnable.
 */
import { commandGroup, defineCommand, parseCommandArgs, type CommandSpec } from '../../cli-command.js';
import { type Cents } from '../../domain/money.js';
import { formatEurosText, formatIntegerPlain } from '../../shared/format.js';
import { progressPrinter, withDatabase } from '../../infra/command-line.js';
import { parseEuroAmount } from './format.js';
import {
  importEnveloppes,
  MAX_ANNEE,
  MIN_ANNEE,
  type EnvelopeCounts,
  type EnvelopeImportProgress,
  type EnvelopeImportReport,
  type EnvelopeTotals,
} from './import.js';

/** Lines of rejections and warnings printed at most (the report keeps as many, lines.ts MAX_KEPT_ENTRIES, and counts them all). */
export const MAX_PRINTED = 1000;

const PHASES: Record<EnvelopeImportProgress['phase'], string> = {
  lecture: 'Lecture des fichiers',
  calcul: 'Calcul des enveloppes',
  ecriture: 'Écriture en base',
};

const where = (e: { fichier: string; line: number }) => (e.fichier ? `${e.fichier}${e.line ? ` ligne ${e.line}` : ''}` : '');

function counts(c: EnvelopeCounts): string {
  return `${formatIntegerPlain(c.inserted)} ajoutée(s), ${formatIntegerPlain(c.updated)} mise(s) à jour, ${formatIntegerPlain(c.unchanged)} inchangée(s)`;
}

function totalsLines(t: EnvelopeTotals, indent = '  '): string[] {
  const rows: [string, Cents][] = [
    ['solde déclaré (076)', t.soldeCents],
    ['déductions (077 + 078)', t.deductionsCents],
    ...(t.ecretementCents !== 0n ? ([['déductions au-delà du solde, écrêtées', t.ecretementCents]] as [string, Cents][]) : []),
    ['dû (solde − déductions, jamais négatif)', t.netCents],
    ['frais des organismes collecteurs (1 % non-recouvrement, 0,5 % Urssaf)', t.fraisCollecteurCents],
    ['frais de gestion de l’opérateur', t.fraisOperateurCents],
    ['crédits à répartir', t.creditsCents],
  ];
  if (t.reportRecuCents !== 0n) rows.push(['report reçu de la campagne précédente', t.reportRecuCents]);
  if (t.reportCents !== 0n) rows.push(['report vers la campagne suivante', t.reportCents]);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([label, v]) => `${indent}${label.padEnd(width)}  ${formatEurosText(v).padStart(24)}`);
}

/** The French report printed by `import-envelopes`. */
export function formatEnvelopeReport(r: EnvelopeImportReport): string[] {
  const lines: string[] = [];
  lines.push(
    `Enveloppes de la campagne ${r.annee} : ${r.files.length} fichier(s), ${formatIntegerPlain(r.lines)} montant(s) lu(s), ${formatIntegerPlain(r.sirets)} SIRET, en ${(r.durationMs / 1000).toFixed(1).replace('.', ',')} s.`,
  );
  for (const f of r.files)
    lines.push(
      `  ${f.fichier} : ${f.format === 'inconnu' ? 'illisible' : f.format.toUpperCase()} (${f.encoding}), ${formatIntegerPlain(f.lines)} montant(s)`,
    );
  if (r.ok) {
    if (r.mode === 'repartition' && r.operatorFee)
      lines.push(
        `Premier import de la campagne : ${formatEurosText(r.operatorFee.feeCents)} de frais de l’opérateur répartis au prorata des ${formatEurosText(r.operatorFee.baseCents)} reversés par les organismes collecteurs.`,
      );
    else if (r.mode === 'complement' && r.operatorFee)
      lines.push(
        `Import complémentaire : les nouvelles enveloppes et les corrections supportent le taux de la répartition des frais de l’opérateur (${formatEurosText(r.operatorFee.feeCents)} sur ${formatEurosText(r.operatorFee.baseCents)} reversés).`,
      );
    lines.push(`Enveloppes ${r.annee} : ${counts(r.envelopes)}.`);
    const other = r.autresAnnees;
    if (other.inserted + other.updated + other.unchanged > 0)
      lines.push(`Enveloppes d’autres campagnes (corrections et reports) : ${counts(other)}.`);
    lines.push(`Montants des ${formatIntegerPlain(r.totals.envelopes)} SIRET des fichiers (campagne ${r.annee}) :`);
    lines.push(...totalsLines(r.totals));
    if (r.totalsAnnee) {
      const t = r.totalsAnnee;
      const a = totalsLines(t);
      if (a.join('\n') === totalsLines(r.totals).join('\n') && t.envelopes === r.totals.envelopes)
        lines.push(`Campagne ${r.annee} entière, relue en base : les mêmes ${formatIntegerPlain(t.envelopes)} enveloppes.`);
      else {
        lines.push(`Campagne ${r.annee} entière, relue en base (${formatIntegerPlain(t.envelopes)} enveloppes) :`);
        lines.push(...a);
      }
      lines.push(
        `Rapprochement : dû + report reçu = frais + crédits + report (${formatEurosText(t.netCents + t.reportRecuCents)} = ${formatEurosText(t.fraisCents + t.creditsCents + t.reportCents)}) : ${r.rapprochement ? 'exact au centime' : 'ÉCART, à signaler'}.`,
      );
    }
    if (r.corrections.length) {
      lines.push(`Corrections : ${formatIntegerPlain(r.corrections.length)}`);
      for (const c of r.corrections.slice(0, MAX_PRINTED))
        lines.push(
          `  SIRET ${c.siret} (campagne ${c.annee}, ${c.moment === 'pendant_campagne' ? 'pendant la campagne' : 'après la campagne'}) : ${c.message}`,
        );
      if (r.corrections.length > MAX_PRINTED) lines.push(`  … et ${formatIntegerPlain(r.corrections.length - MAX_PRINTED)} autre(s).`);
    }
  }
  if (r.remplacements)
    lines.push(`Dépôts remplacés par une déclaration plus récente dans les fichiers : ${formatIntegerPlain(r.remplacements)}.`);
  for (const w of r.warnings.slice(0, MAX_PRINTED)) lines.push(`Avertissement${where(w) ? ` ${where(w)}` : ''} : ${w.message}`);
  const warned = Math.min(r.warnings.length, MAX_PRINTED);
  if (r.warningCount > warned) lines.push(`… et ${formatIntegerPlain(r.warningCount - warned)} autre(s) avertissement(s).`);
  for (const x of r.rejected.slice(0, MAX_PRINTED)) lines.push(`Rejet${where(x) ? ` ${where(x)}` : ''} : ${x.message}`);
  const printed = Math.min(r.rejected.length, MAX_PRINTED);
  if (r.rejectedCount > printed) lines.push(`… et ${formatIntegerPlain(r.rejectedCount - printed)} autre(s) rejet(s).`);
  lines.push(
    r.ok
      ? `${formatIntegerPlain(r.rejectedCount)} rejet, ${formatIntegerPlain(r.warningCount)} avertissement(s).`
      : `${formatIntegerPlain(r.rejectedCount)} rejet(s), ${formatIntegerPlain(r.warningCount)} avertissement(s) : rien n’a été importé. Corrigez les fichiers puis relancez la commande.`,
  );
  return lines;
}

const YEAR_MESSAGE = `Indiquez l’année de campagne (${MIN_ANNEE} à ${MAX_ANNEE}) puis les fichiers : import-envelopes <année> <fichiers…> [--frais-operateur <euros>]`;

const IMPORT_SPEC = {
  name: 'import-envelopes',
  arguments: [
    { name: 'année', missing: YEAR_MESSAGE },
    { name: 'fichiers', many: true, missing: 'Indiquez au moins un fichier de montants (CSV ou lignes DSN).' },
  ],
  options: {
    'frais-operateur': {
      type: 'string',
      value: 'euros',
      what: 'le montant',
      help: 'les frais de gestion de l’opérateur à répartir au premier import de la campagne',
    },
  },
  help:
    'Importe les montants du solde de la taxe d’apprentissage envoyés par l’Urssaf et la MSA par SIRET (CSV ou lignes DSN S21.G00.82, ' +
    'format : docs/enveloppes-format.md) et calcule les crédits à répartir. Tout ou rien, ré-exécutable ; les déclarations corrigées ' +
    'suivent les règles de la campagne. Code de sortie 1 si des lignes sont rejetées.',
} as const satisfies CommandSpec;

/** `<année> <fichiers…> [--frais-operateur <euros>]` → values, or a French usage message. */
export function parseImportArgs(args: readonly string[]): { annee: number; files: string[]; operatorFeeCents?: Cents } | string {
  const parsed = parseCommandArgs(IMPORT_SPEC, args);
  if (!parsed.ok) return parsed.message;
  const [year, ...files] = parsed.positionals as [string, ...string[]];
  const annee = Number(year);
  if (!/^\d{4}$/.test(year) || annee < MIN_ANNEE || annee > MAX_ANNEE) return YEAR_MESSAGE;
  const raw = parsed.values['frais-operateur'];
  if (raw === undefined) return { annee, files };
  const fee = parseEuroAmount(raw);
  return fee.ok ? { annee, files, operatorFeeCents: fee.value } : `--frais-operateur : ${fee.message}`;
}

const importCommand = defineCommand(IMPORT_SPEC, async ({ argv }) => {
  const parsed = parseImportArgs(argv);
  if (typeof parsed === 'string') {
    console.error(parsed);
    return 2;
  }
  return withDatabase(async (db, config) => {
    const progress = progressPrinter(process.stderr, formatIntegerPlain);
    const report = await importEnveloppes(db, parsed.annee, parsed.files, {
      ...(parsed.operatorFeeCents === undefined ? {} : { operatorFeeCents: parsed.operatorFeeCents }),
      // the corrections follow the campaign's phase at this instant: DEMO_NOW in a demo, else now
      now: config.demoNow ?? new Date(),
      onProgress: (p) => progress.show(PHASES[p.phase], p.done, p.total),
    });
    progress.end();
    for (const l of formatEnvelopeReport(report)) console.log(l);
    return report.ok ? 0 : 1;
  });
});

export const enveloppesCommands = commandGroup(importCommand);
