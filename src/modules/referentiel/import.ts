/**
 * Import of the referential of habilitated establishments for one campaign year (docs/regles.md#referentiel)
 * from the CSV files of docs/referentiel-format.md.
 *
 * 1. Every file is decoded and every row validated (format.ts); a rejected row is reported with its
 *    line number and reason and nothing of it is written.
 * 2. Cross-row rules, in memory, inside one transaction (serialised per year by an advisory lock):
 *    duplicates, composante → établissement principal, formation → establishment or composante
 *    (plan.ts). A row whose parent or establishment is unknown is rejected as a whole.
 * 3. The year's current rows are read once and compared with the files: only new rows are inserted and
 *    only changed rows rewritten (`updated_at` = `now`); the rest is counted as unchanged, so importing
 *    the same files again writes nothing (writes.ts, diplomes.ts).
 *
 * An import adds and updates, it never deletes establishments or formations (a year's referential is
 * completed file after file: regional lists, then the national list); the UAIs of an establishment
 * present in the files are replaced by those of its row.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../infra/db/index.js';
import type { CommuneIndex } from './commune-index.js';
import { ensureCommunes, loadCommuneIndex } from './communes.js';
import { upsertDiplomes } from './diplomes.js';
import { parseReferentielFile } from './format.js';
import { emptyReport, type ImportProgress, type ReferentielImportReport } from './import-report.js';
import type { EtablissementInput, FormationInput, RefIssue } from './inputs.js';
import { planImport } from './plan.js';
import { loadEtablissements, writeEtablissements, writeFormations, type Writing } from './writes.js';
import { rebuildVocabulaire } from './vocabulaire.js';

export type { ImportProgress, RefCounts, ReferentielImportReport } from './import-report.js';

export interface ImportReferentielOptions {
  /** written to updated_at of inserted and changed rows */
  now: Date;
  onProgress?: (p: ImportProgress) => void;
  /** a prebuilt index of the communes (else read from the database) */
  communes?: CommuneIndex;
}

export interface RefFileContent {
  /** file name shown in the report */
  name: string;
  content: Uint8Array | string;
}

/** Files read and validated, ready to be applied to one or several years. */
export interface ParsedReferentiel {
  files: number;
  /** file names in the order given (the report lists issues in that order) */
  names: string[];
  rows: number;
  etablissements: EtablissementInput[];
  formations: FormationInput[];
  rejected: RefIssue[];
  warnings: RefIssue[];
}

export const MIN_ANNEE = 2020;
export const MAX_ANNEE = 2100;

/** Reads the files (an unreadable file is one rejection) and imports them. */
export async function importReferentiel(
  db: Tx,
  annee: number,
  files: string[],
  opts: ImportReferentielOptions,
): Promise<ReferentielImportReport> {
  const contents: RefFileContent[] = [];
  const unreadable: RefIssue[] = [];
  for (const path of files) {
    try {
      contents.push({ name: basename(path), content: await readFile(path) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'fichier introuvable' : code === 'EISDIR' ? 'c’est un dossier' : e instanceof Error ? e.message : String(e);
      unreadable.push({ file: basename(path), line: 0, reason: `Fichier illisible : ${why}.` });
    }
  }
  const report = await importReferentielContents(db, annee, contents, opts);
  report.files = files.length;
  report.rejected = [...unreadable, ...report.rejected];
  return report;
}

/** Decodes and validates files (pure but for the commune index): every row valid or rejected. */
export function parseReferentielContents(
  files: RefFileContent[],
  communes: CommuneIndex,
  onProgress?: (p: ImportProgress) => void,
): ParsedReferentiel {
  const out: ParsedReferentiel = {
    files: files.length,
    names: files.map((f) => f.name),
    rows: 0,
    etablissements: [],
    formations: [],
    rejected: [],
    warnings: [],
  };
  files.forEach((f, i) => {
    onProgress?.({ phase: 'lecture', done: i, total: files.length });
    const parsed = parseReferentielFile(f.content, f.name, { communes });
    out.rows += parsed.rows;
    // loops, not push(...xs): a spread of 300,000 rows overflows the call stack
    for (const x of parsed.rejected) out.rejected.push(x);
    for (const x of parsed.warnings) out.warnings.push(x);
    for (const x of parsed.etablissements) out.etablissements.push(x);
    for (const x of parsed.formations) out.formations.push(x);
  });
  onProgress?.({ phase: 'lecture', done: files.length, total: files.length });
  return out;
}

/** Imports already-read files (tests, benchmarks, the generator). */
export async function importReferentielContents(
  db: Tx,
  annee: number,
  files: RefFileContent[],
  opts: ImportReferentielOptions,
): Promise<ReferentielImportReport> {
  checkAnnee(annee);
  const started = performance.now();
  let communes = opts.communes;
  if (!communes) {
    await ensureCommunes(db);
    communes = await loadCommuneIndex(db);
  }
  const parsed = parseReferentielContents(files, communes, opts.onProgress);
  const report = await applyReferentiel(db, annee, parsed, opts);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

function checkAnnee(annee: number): void {
  if (!Number.isInteger(annee) || annee < MIN_ANNEE || annee > MAX_ANNEE)
    throw new Error(`Année de campagne invalide : ${annee} (${MIN_ANNEE} à ${MAX_ANNEE}).`);
}

/**
 * Applies parsed files to one year, in one transaction (steps 2 and 3 of the module comment). The
 * same {@link ParsedReferentiel} may be applied to several years.
 */
export async function applyReferentiel(
  db: Tx,
  annee: number,
  parsed: ParsedReferentiel,
  opts: Pick<ImportReferentielOptions, 'now' | 'onProgress'>,
): Promise<ReferentielImportReport> {
  checkAnnee(annee);
  const started = performance.now();
  const report = emptyReport(annee, parsed);
  await db.transaction(async (tx) => {
    // one import per year at a time (both PostgreSQL and PGlite)
    await tx.execute(sql`select pg_advisory_xact_lock(7301, ${annee}::int)`);
    const existing = await loadEtablissements(tx, annee);
    const plan = planImport(parsed, existing, { annee, rejected: report.rejected, warnings: report.warnings });
    const w: Writing = {
      tx,
      annee,
      now: opts.now.toISOString(),
      idByCle: new Map(existing.map((e) => [e.cle, e.id])),
      report,
      progress: opts.onProgress ?? (() => undefined),
    };
    await writeEtablissements(w, plan, existing);
    await rebuildVocabulaire(tx, annee);
    const diplomeIds = await upsertDiplomes(tx, plan.diplomes, report.diplomes);
    await writeFormations(w, plan, diplomeIds);
  });
  const order = new Map(parsed.names.map((n, i) => [n, i]));
  const byFileLine = (a: RefIssue, b: RefIssue) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line;
  report.rejected.sort(byFileLine);
  report.warnings.sort(byFileLine);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
