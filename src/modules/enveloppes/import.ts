/**
 * `import-envelopes <année> <fichiers…>`: the amounts Urssaf and MSA send per SIRET become the rows of
 * `enveloppes` (docs/enveloppes-format.md §6 says what the import does, in the operator's words;
 * docs/regles.md#solde-et-enveloppe and #corrections-dsn the rules).
 *
 * 1. Every file is read and parsed line by line (csv-stream.ts for a CSV or DSN file on disk; format.ts), its
 *    amounts staged in the database (staging.ts), then aggregated SIRET by SIRET, a chunk at a time:
 *    the import never holds a whole file nor every SIRET in memory (a national file: 1.7 million lines,
 *    bench/enveloppes.ts). One rejected line, or a SIRET declared to two collectors, and nothing is
 *    written (all or nothing, like the habilitations CSV import).
 * 2. In one transaction (envelope imports are serialised by an advisory lock), each campaign year the
 *    files touch, in increasing order, then the later years a carry-over reaches: the year's first
 *    import shares the operator's fee (first-import.ts), later imports compare with the stored rows
 *    and correct (later-import.ts).
 * 3. `report_cents` of (year, SIRET) is what that envelope passes on to the same SIRET's envelope of the
 *    next year (signed). The next year's credits are `applyCarryOver(own credits, report of the year
 *    before)`; what a reduction cannot absorb is passed on again. Each row therefore satisfies, to the
 *    cent: **net due + carried in = fees + credits + carried out** (net due = max(0, 076 − 077 − 078)).
 * 4. Writes are set-based (envelope-rows.ts). The report reads the year's totals back from the
 *    database and checks the equation.
 *
 * Rows that no import created (no `periode`: entered by another demo seed or by hand) are replaced by
 * the imported amounts as new envelopes, keeping the employer's « partage de coordonnées ».
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { audit } from '../../infra/audit.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { lastEnvelopeYear } from './envelope-rows.js';
import { importFirstTime } from './first-import.js';
import { parseEnvelopeFileStreamed } from './csv-stream.js';
import { parseEnvelopeFile } from './format.js';
import type { ParsedEnvelopeFile } from './lines.js';
import { aggregatedChunks, analyzeStaging, createStaging, dropStaging, LineStager, stagedSirets, type Staging } from './staging.js';
import {
  addRejected,
  addWarning,
  emptyReport,
  emptyTotals,
  yearTotals,
  type EnvelopeFileSource,
  type EnvelopeImportProgress,
  type EnvelopeImportReport,
  type ImportEnveloppesOptions,
} from './import-report.js';
import {
  Rejection,
  reversedCollector,
  yearState,
  type ReversedAmounts,
  type YearContext,
  type YearInputs,
  type YearResult,
} from './import-year.js';
import { importLater } from './later-import.js';
import { createProvenance } from './provenance.js';

export type {
  CorrectionReport,
  EnvelopeCounts,
  EnvelopeFileSource,
  EnvelopeImportProgress,
  EnvelopeImportReport,
  EnvelopeTotals,
  ImportEnveloppesOptions,
} from './import-report.js';

export const MIN_ANNEE = 2023;
export const MAX_ANNEE = 2100;

/**
 * Imports files of amounts for campaign `annee` (paths, or names with their content). Returns the
 * report; when `ok` is false nothing was written.
 */
export async function importEnveloppes(
  db: Db,
  annee: number,
  files: readonly EnvelopeFileSource[],
  opts: ImportEnveloppesOptions,
): Promise<EnvelopeImportReport> {
  const started = performance.now();
  const progress = opts.onProgress ?? (() => undefined);
  const report = emptyReport(annee);
  const finish = () => {
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };
  const refusal = argumentsRefusal(annee, files);
  if (refusal) {
    addRejected(report, { fichier: '', line: 0, message: refusal });
    return finish();
  }
  // 1. read and parse every file into the staging table, then check the aggregation chunk by chunk
  const staging = await createStaging(db, annee, opts.now);
  try {
    progress({ phase: 'lecture', done: 0, total: files.length });
    await stageFiles(db, staging, files, report, progress, opts.now);
    await analyzeStaging(db);
    const { years, reversed } = await checkAggregation(db, staging, report);
    if (report.rejectedCount) return finish();
    // 2. one transaction for every year touched
    await db.transaction((tx) =>
      writeYears(tx, years, staging, reversed, { annee, opts, report, progress, provenance: createProvenance() }),
    );
  } catch (e) {
    if (!(e instanceof Rejection)) throw e;
    nothingWritten(report, e);
    return finish();
  } finally {
    await dropStaging(db, staging);
  }
  report.ok = true;
  return finish();
}

function argumentsRefusal(annee: number, files: readonly EnvelopeFileSource[]): string | null {
  if (!Number.isInteger(annee) || annee < MIN_ANNEE || annee > MAX_ANNEE)
    return `L’année de campagne doit être un nombre entier entre ${MIN_ANNEE} et ${MAX_ANNEE}.`;
  if (files.length === 0) return 'Indiquez au moins un fichier de montants.';
  return null;
}

/**
 * The staged lines aggregated chunk by chunk, to check them before anything is written: a SIRET declared
 * to two collectors is rejected; the deposits replaced and the SIRETs counted. Returns the number of
 * declarations per campaign year (earlier payroll years are corrections of their own campaign), and the
 * reversed amounts of the campaign year's (the first pass of the fee sharing, import-year.ts).
 */
async function checkAggregation(
  db: Db,
  st: Staging,
  report: EnvelopeImportReport,
): Promise<{ years: Map<number, number>; reversed: ReversedAmounts }> {
  const years = new Map<number, number>([[st.annee, 0]]);
  const reversed = reversedCollector();
  for await (const a of aggregatedChunks(db, st, null)) {
    for (const e of a.errors) addRejected(report, e);
    report.remplacements += a.remplacements.length;
    report.sirets += a.envelopes.length;
    years.set(st.annee, years.get(st.annee)! + a.envelopes.length);
    for (const input of a.envelopes) reversed.add(input);
    for (const input of a.anterieures) years.set(input.exercice + 1, (years.get(input.exercice + 1) ?? 0) + 1);
  }
  return { years, reversed: reversed.result() };
}

/** The declarations of campaign `y`, read back from the staging table chunk by chunk. */
function inputsOf(tx: Tx, st: Staging, y: number, count: number, reversed: ReversedAmounts): YearInputs {
  return {
    count,
    async *chunks() {
      for await (const a of aggregatedChunks(tx, st, y - 1)) yield y === st.annee ? a.envelopes : a.anterieures;
    },
    ...(y === st.annee ? { reversed } : {}),
  };
}

/** Every year touched, then the later years a carry-over reaches; the totals read back; the audit event. */
async function writeYears(tx: Tx, byYear: Map<number, number>, st: Staging, reversed: ReversedAmounts, c: YearContext): Promise<void> {
  const { annee, report } = c;
  await tx.execute(sql`select pg_advisory_xact_lock(7302, 0)`);
  const lastYear = Math.max(annee, await lastEnvelopeYear(tx));
  let carried = new Set<string>();
  for (let y = Math.min(...byYear.keys()); y <= lastYear; y++) {
    const inputs = inputsOf(tx, st, y, byYear.get(y) ?? 0, reversed);
    if (inputs.count === 0 && carried.size === 0 && y !== annee) continue;
    const r = await importYear(tx, y, inputs, carried, c, st);
    const target = y === annee ? report.envelopes : report.autresAnnees;
    target.inserted += r.counts.inserted;
    target.updated += r.counts.updated;
    target.unchanged += r.counts.unchanged;
    carried = r.carried;
  }
  // fresh statistics after a large import, so that the planner reads the year by its indexes
  const written = report.envelopes.inserted + report.envelopes.updated + report.autresAnnees.inserted + report.autresAnnees.updated;
  if (written >= 50_000) await tx.execute(sql`analyze enveloppes`);
  // 3. the year's totals read back, and the equation checked on them
  const t = (report.totalsAnnee = await yearTotals(tx, annee));
  report.rapprochement = t.netCents + t.reportRecuCents === t.fraisCents + t.creditsCents + t.reportCents;
  await auditImport(tx, c);
}

/** Imports the declarations of campaign `y`. */
async function importYear(
  tx: Tx,
  y: number,
  inputs: YearInputs,
  carriedFromPrevious: Set<string>,
  c: YearContext,
  st: Staging,
): Promise<YearResult> {
  const year = await yearState(tx, y, c);
  if (year.imported > 0) return importLater(tx, year, inputs, carriedFromPrevious, c, (sirets) => stagedSirets(tx, st, y - 1, sirets));
  if (inputs.count === 0) return { counts: { inserted: 0, updated: 0, unchanged: 0 }, carried: new Set() };
  return importFirstTime(tx, year, inputs, c);
}

async function auditImport(tx: Tx, { annee, opts, report }: YearContext): Promise<void> {
  await audit(
    tx,
    { now: () => opts.now },
    {
      action: 'enveloppes.imported',
      actorUserId: opts.actorUserId ?? null,
      actorAgentId: opts.actorAgentId ?? null,
      details: {
        annee,
        fichiers: report.files.map((f) => f.fichier),
        lignes: report.lines,
        sirets: report.sirets,
        mode: report.mode,
        enveloppes: report.envelopes,
        autresAnnees: report.autresAnnees,
        corrections: report.corrections.length,
        fraisOperateurCents: report.operatorFee?.feeCents.toString() ?? null,
        creditsCents: report.totals.creditsCents.toString(),
      },
    },
  );
}

/** A rejection inside the transaction: the report says so and counts nothing written. */
function nothingWritten(report: EnvelopeImportReport, e: Rejection): void {
  for (const x of e.entries) addRejected(report, x);
  report.rejectedCount += e.more;
  report.mode = null;
  report.operatorFee = null;
  report.envelopes = { inserted: 0, updated: 0, unchanged: 0 };
  report.autresAnnees = { inserted: 0, updated: 0, unchanged: 0 };
  report.corrections = [];
  report.totals = emptyTotals();
}

/** Reads and parses every file in order, its amounts staged (a CSV file on disk piece by piece). */
async function stageFiles(
  db: Db,
  st: Staging,
  files: readonly EnvelopeFileSource[],
  report: EnvelopeImportReport,
  progress: (p: EnvelopeImportProgress) => void,
  now: Date,
): Promise<void> {
  const stager = new LineStager(db, st, now);
  for (const [i, f] of files.entries()) {
    const fichier = typeof f === 'string' ? f : f.fichier;
    stager.startFile(fichier);
    const path = typeof f === 'string' ? f : 'path' in f ? f.path : null;
    const options = { annee: st.annee, fichier, sink: stager.add };
    let p: ParsedEnvelopeFile | null = null;
    if (path !== null)
      try {
        p = await parseEnvelopeFileStreamed(path, { ...options, afterPiece: () => stager.flush() });
      } catch (e) {
        unreadable(fichier, e, report);
        continue;
      }
    if (!p) {
      const content = await contentOf(f, fichier, report);
      if (content === null) continue;
      p = parseEnvelopeFile(content, options);
      await stager.flush();
    }
    // the file's kept entries joined to the report's, and its counts
    for (const r of p.rejections) addRejected(report, r);
    for (const w of p.warnings) addWarning(report, w);
    report.rejectedCount += p.rejectionCount - p.rejections.length;
    report.warningCount += p.warningCount - p.warnings.length;
    report.files.push({ fichier, format: p.format, encoding: p.encoding, lines: p.lineCount });
    report.lines += p.lineCount;
    progress({ phase: 'lecture', done: i + 1, total: files.length });
  }
}

/** The bytes of a file held in memory or read whole (UTF-16), or null when it cannot be read (reported). */
async function contentOf(f: EnvelopeFileSource, fichier: string, report: EnvelopeImportReport): Promise<string | Uint8Array | null> {
  if (typeof f !== 'string' && 'content' in f) return f.content;
  try {
    return await readFile(typeof f === 'string' ? f : f.path);
  } catch (e) {
    unreadable(fichier, e, report);
    return null;
  }
}

function unreadable(fichier: string, e: unknown, report: EnvelopeImportReport): void {
  const code = (e as NodeJS.ErrnoException).code;
  addRejected(report, {
    fichier,
    line: 0,
    message:
      code === 'ENOENT'
        ? 'Fichier introuvable.'
        : code === 'EISDIR'
          ? 'C’est un dossier, pas un fichier.'
          : `Fichier illisible (${code ?? 'erreur de lecture'}).`,
  });
  report.files.push({ fichier, format: 'inconnu', encoding: 'texte', lines: 0 });
}
