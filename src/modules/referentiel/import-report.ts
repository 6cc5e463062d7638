/**
 * The report of a referential import (`ReferentielImportReport`, printed in French by
 * `import-referential`): counts per kind of row, every rejected row and every warning with its file
 * and line.
 */
import type { RefIssue } from './inputs.js';

export interface RefCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ReferentielImportReport {
  annee: number;
  /** files given (read or not) */
  files: number;
  /** data rows read in all files */
  rows: number;
  etablissements: RefCounts;
  composantes: RefCounts;
  formations: RefCounts;
  diplomes: RefCounts;
  uais: { inserted: number; removed: number };
  rejected: RefIssue[];
  warnings: RefIssue[];
  durationMs: number;
}

export interface ImportProgress {
  phase: 'lecture' | 'etablissements' | 'formations';
  done: number;
  total: number;
}

/** The report before anything is written: the files' rejections and warnings. */
export function emptyReport(
  annee: number,
  parsed: { files: number; rows: number; rejected: RefIssue[]; warnings: RefIssue[] },
): ReferentielImportReport {
  return {
    annee,
    files: parsed.files,
    rows: parsed.rows,
    etablissements: { inserted: 0, updated: 0, unchanged: 0 },
    composantes: { inserted: 0, updated: 0, unchanged: 0 },
    formations: { inserted: 0, updated: 0, unchanged: 0 },
    diplomes: { inserted: 0, updated: 0, unchanged: 0 },
    uais: { inserted: 0, removed: 0 },
    rejected: parsed.rejected.slice(),
    warnings: parsed.warnings.slice(),
    durationMs: 0,
  };
}
