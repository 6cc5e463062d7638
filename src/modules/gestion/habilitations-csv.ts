/**
 * Bulk habilitations as CSV (« Gérer les habilitations », docs/regles.md#habilitations): the export
 * format and the strict validator of an import. Pure (no I/O, no clock): the use case gives it what the
 * administrator may touch. Reading and writing go through shared/csv.ts.
 *
 * Format: `;`-separated, UTF-8 (a BOM is written and tolerated), header
 * `siret;nom;prenom;courriel;<CODE>;<CODE>_payer;…` (a `_payer` column only for payable
 * declarations), one line per déclarant × SIRET, `1`/`0` per right, empty when the declaration is not
 * subscribed for that SIRET. Cells a spreadsheet would run as formulas are neutralised on export and
 * refused on import.
 */
import { findDeclaration } from '../../domain/declarations.js';
import { isFormula, readCsv, writeCsv } from '../../shared/csv.js';
import { capitalise } from '../../shared/format.js';

export const FIXED_COLUMNS = ['siret', 'nom', 'prenom', 'courriel'] as const;
/** bounds of an import (the route also limits the body to 2 MB) */
export const MAX_IMPORT_LINES = 20_000;
export const MAX_COLUMNS = 200;

// ── export of the current habilitations ─────────────────────────────────────────────────────────

export interface ExportPerson {
  nom: string;
  prenom: string;
  email: string;
  userId: string;
}

export interface ExportInput {
  sirets: readonly string[];
  persons: readonly ExportPerson[];
  /** declaration codes subscribed per SIRET */
  declared: ReadonlyMap<string, ReadonlySet<string>>;
  /** `${userId}|${siret}|${code}` → rights */
  rights: ReadonlyMap<string, { declarer: boolean; payer: boolean }>;
  /** catalogue order of the codes (defaults to the order met) */
  codes: readonly string[];
}

/** The columns of the declaration codes: CODE, then CODE_payer for payable ones. */
export function codeColumns(codes: readonly string[]): string[] {
  return codes.flatMap((c) => (findDeclaration(c)?.payable ? [c, `${c}_payer`] : [c]));
}

export function exportHabilitations(input: ExportInput): string {
  const header = [...FIXED_COLUMNS, ...codeColumns(input.codes)];
  const rows: string[][] = [];
  for (const p of input.persons)
    for (const siret of input.sirets) {
      const declared = input.declared.get(siret) ?? new Set<string>();
      const row = [siret, p.nom, p.prenom, p.email];
      for (const code of input.codes) {
        const r = input.rights.get(`${p.userId}|${siret}|${code}`);
        const on = declared.has(code);
        row.push(on ? (r?.declarer ? '1' : '0') : '');
        if (findDeclaration(code)?.payable) row.push(on ? (r?.payer ? '1' : '0') : '');
      }
      rows.push(row);
    }
  return writeCsv(header, rows);
}

// ── parsing ─────────────────────────────────────────────────────────────────────────────────────

export interface ReportLine {
  /** line number in the file (1 = header) */
  line: number;
  message: string;
}

export interface ParsedCsv {
  header: string[];
  rows: { line: number; cells: string[] }[];
}

const EMPTY = 'Le fichier est vide : collez le contenu du fichier exporté.';

/** The records of the text (`;` only), the header trimmed; or the report of what could not be read. */
export function readRecords(text: string): { ok: true; csv: ParsedCsv } | { ok: false; report: ReportLine[] } {
  if (text.replace(/^\uFEFF/, '').trim() === '') return { ok: false, report: [{ line: 1, message: EMPTY }] };
  if (text.includes('\u0000')) return { ok: false, report: [{ line: 1, message: 'Le fichier n’est pas un fichier texte CSV.' }] };
  const { records, issues } = readCsv(text, { delimiters: [';'] });
  if (issues.length) return { ok: false, report: issues };
  const over = records[MAX_IMPORT_LINES + 1];
  if (over) return { ok: false, report: [{ line: over.line, message: `Le fichier dépasse ${MAX_IMPORT_LINES} lignes : découpez-le.` }] };
  const [head, ...rows] = records;
  if (!head) return { ok: false, report: [{ line: 1, message: EMPTY }] };
  return { ok: true, csv: { header: head.cells.map((c) => c.trim()), rows } };
}

// ── validation against what the administrator may touch ─────────────────────────────────────────

export interface ImportScope {
  /** SIRETs the administrator administers */
  sirets: ReadonlySet<string>;
  /** active persons of the espace by lower-cased courriel */
  persons: ReadonlyMap<string, string>;
  /** declaration codes subscribed per SIRET */
  declared: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The rights one line asks for; a right is undefined when the file has no column for it (kept as is). */
export interface DesiredRight {
  line: number;
  userId: string;
  siret: string;
  code: string;
  declarer: boolean | undefined;
  payer: boolean | undefined;
}

export type ImportValidation = { ok: true; rights: DesiredRight[]; lines: number } | { ok: false; report: ReportLine[] };

interface Column {
  index: number;
  code: string;
  payer: boolean;
}

/** Checks the header: `;` separator, the four fixed columns, known declaration codes, no duplicate. */
export function checkHeader(header: readonly string[]): { ok: true; columns: Column[] } | { ok: false; message: string } {
  if (header.length === 1) {
    const h = header[0]!;
    if (/[,\t|]/.test(h))
      return {
        ok: false,
        message: 'Le séparateur doit être le point-virgule (;) : enregistrez le fichier au format « CSV (point-virgule) ».',
      };
  }
  if (header.length > MAX_COLUMNS) return { ok: false, message: `L’en-tête compte trop de colonnes (${MAX_COLUMNS} au maximum).` };
  const fixed = header.slice(0, FIXED_COLUMNS.length).map((c) => c.toLowerCase());
  if (FIXED_COLUMNS.some((c, k) => fixed[k] !== c))
    return {
      ok: false,
      message: `L’en-tête doit commencer par « ${FIXED_COLUMNS.join(';')} » (séparateur point-virgule), comme le fichier exporté.`,
    };
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (let k = FIXED_COLUMNS.length; k < header.length; k++) {
    const name = header[k]!;
    if (isFormula(name))
      return { ok: false, message: `Colonne ${k + 1} : les formules (cellule commençant par =, +, - ou @) sont refusées.` };
    const payer = /_payer$/i.test(name);
    const code = payer ? name.slice(0, -'_payer'.length) : name;
    const d = findDeclaration(code);
    if (!d) return { ok: false, message: `Colonne ${k + 1} : « ${name.slice(0, 40)} » n’est pas une déclaration connue.` };
    if (payer && !d.payable) return { ok: false, message: `Colonne ${k + 1} : la déclaration ${d.name} n’a pas de droit « Payer ».` };
    if (seen.has(name)) return { ok: false, message: `Colonne ${k + 1} : la colonne « ${name} » apparaît deux fois.` };
    seen.add(name);
    columns.push({ index: k, code, payer });
  }
  if (columns.length === 0) return { ok: false, message: 'L’en-tête ne contient aucune colonne de déclaration.' };
  return { ok: true, columns };
}

type Line = ParsedCsv['rows'][number];

/** Validates every line; the report names each wrong line (several messages per line are joined). */
export function validateImport(csv: ParsedCsv, scope: ImportScope): ImportValidation {
  const head = checkHeader(csv.header);
  if (!head.ok) return { ok: false, report: [{ line: 1, message: head.message }] };
  if (csv.rows.length === 0) return { ok: false, report: [{ line: 2, message: 'Le fichier ne contient aucune ligne de déclarant.' }] };
  const report: ReportLine[] = [];
  const rights: DesiredRight[] = [];
  const firstSeen = new Map<string, number>();
  for (const row of csv.rows) {
    const r = validateLine(row, csv.header.length, head.columns, scope, firstSeen);
    if (r.ok) rights.push(...r.rights);
    else report.push({ line: row.line, message: r.message });
  }
  if (report.length) return { ok: false, report };
  return { ok: true, rights, lines: csv.rows.length };
}

/** One line: its shape, its SIRET and person (once per file), then its rights. */
function validateLine(
  row: Line,
  width: number,
  columns: readonly Column[],
  scope: ImportScope,
  firstSeen: Map<string, number>,
): { ok: true; rights: DesiredRight[] } | { ok: false; message: string } {
  const cells = row.cells.map((c) => c.trim());
  if (cells.length !== width)
    return { ok: false, message: `La ligne compte ${cells.length} colonne(s) au lieu de ${width} (séparateur point-virgule attendu).` };
  if (cells.some(isFormula)) return { ok: false, message: 'Les formules (cellule commençant par =, +, - ou @) sont refusées.' };
  const [siret, , , courriel] = cells as [string, string, string, string];
  const msgs: string[] = [];
  const userId = checkWho(siret, courriel, scope, msgs);
  const key = `${siret}|${courriel.toLowerCase()}`;
  const dup = firstSeen.get(key);
  if (dup !== undefined) msgs.push(`ligne en double avec la ligne ${dup}`);
  else firstSeen.set(key, row.line);
  const byCode = readRights(cells, columns, scope.declared.get(siret) ?? new Set<string>(), msgs);
  if (msgs.length) return { ok: false, message: capitalise(msgs.join(' ; ')) + '.' };
  return {
    ok: true,
    rights: [...byCode].map(([code, e]) => ({ line: row.line, userId: userId!, siret, code, declarer: e.declarer, payer: e.payer })),
  };
}

/** The SIRET must be administered and the courriel an active person's of the espace; adds the messages, gives the person. */
function checkWho(siret: string, courriel: string, scope: ImportScope, msgs: string[]): string | undefined {
  if (!/^\d{14}$/.test(siret)) msgs.push('le SIRET doit comporter 14 chiffres');
  else if (!scope.sirets.has(siret)) msgs.push(`le SIRET ${siret} est inconnu ou n’est pas administré par vous`);
  if (courriel === '') {
    msgs.push('le courriel du déclarant est obligatoire');
    return undefined;
  }
  const userId = scope.persons.get(courriel.toLowerCase());
  if (!userId) msgs.push(`aucun déclarant actif de votre espace n’a le courriel « ${courriel.slice(0, 80)} »`);
  return userId;
}

/** The rights of the line's cells, by code: 1 or 0 where the declaration is subscribed, empty or 0 elsewhere. */
function readRights(cells: readonly string[], columns: readonly Column[], declared: ReadonlySet<string>, msgs: string[]) {
  const byCode = new Map<string, { declarer?: boolean; payer?: boolean }>();
  for (const col of columns) {
    const v = cells[col.index]!;
    const label = col.payer ? `${col.code} (Payer)` : col.code;
    if (!declared.has(col.code)) {
      if (v === '1') msgs.push(`la déclaration ${col.code} n’est pas souscrite pour ce SIRET : ${label} doit rester vide ou à 0`);
      else if (v !== '' && v !== '0') msgs.push(`${label} : valeur « ${v.slice(0, 20)} » incorrecte (1, 0 ou vide attendu)`);
      continue;
    }
    if (v !== '0' && v !== '1') {
      msgs.push(`${label} : valeur « ${v.slice(0, 20)} » incorrecte (1 ou 0 attendu)`);
      continue;
    }
    const e = byCode.get(col.code) ?? {};
    if (col.payer) e.payer = v === '1';
    else e.declarer = v === '1';
    byCode.set(col.code, e);
  }
  return byCode;
}

/** Read + validate in one call. */
export function readImport(text: string, scope: ImportScope): ImportValidation {
  const p = readRecords(text);
  if (!p.ok) return p;
  return validateImport(p.csv, scope);
}
