/**
 * CSV format of the referential of habilitated establishments (docs/referentiel-format.md): pure
 * decoding, parsing and row validation, no I/O.
 *
 * Two kinds of file, recognised by their header:
 * - « établissements »: one row per establishment or composante (`type`, `siret`, `siret_parent`,
 *   `uai` — several separated by `|` —, `nom`, address, commune, `categorie`, `liste`…);
 * - « formations »: one row per formation (`siret` and/or `uai` of the establishment or composante,
 *   `intitule`, `cfd`, `rncp`, `niveau`, `type`, place).
 * Bytes become text with the shared decoding (shared/text-decoding.ts) and records come from the
 * shared reader (shared/csv.ts: separator `;`, `,` or tab, RFC 4180 quotes, any line ending); header
 * names are compared without case, accents or punctuation, with a few aliases (columns.ts).
 *
 * Every data row comes out either fully valid (commune resolved, identifiers canonical) or rejected
 * with its line number and a French reason. A SIRET or UAI that fails only its check digit is kept,
 * with a warning and `checksumWarning` (real lists contain a few); a malformed one rejects the row.
 * Cross-row rules (parents, duplicates, unknown establishments) are checked by import.ts.
 */
import { CSV_MESSAGES, detectDelimiter, readCsv, type CsvIssue, type CsvRecord } from '../../shared/csv.js';
import { decodeText, type TextEncoding } from '../../shared/text-decoding.js';
import { ALIASES, ETABLISSEMENT_COLUMNS, FORMATION_COLUMNS, headerKey, MAX_LENGTH, type Column } from './columns.js';
import type { CommuneIndex } from './commune-index.js';
import { validateEtablissement, type RowResult } from './etablissement-row.js';
import { createFormationChecks, validateFormation, type FormationChecks } from './formation-row.js';
import type { EtablissementInput, FormationInput, RefFileKind, RefIssue } from './inputs.js';
import { clean, shorten } from './values.js';

export { ETABLISSEMENT_COLUMNS, FORMATION_COLUMNS, headerKey } from './columns.js';
export type { EtablissementInput, FormationInput, RefFileKind, RefIssue, UaiValue } from './inputs.js';
export { checkSiret, checkUai, diplomeCle, parseListe } from './values.js';

export interface ParsedFile {
  file: string;
  kind: RefFileKind | null;
  encoding: TextEncoding;
  delimiter: string;
  /** data rows read (valid + rejected), empty lines excluded */
  rows: number;
  etablissements: EtablissementInput[];
  formations: FormationInput[];
  rejected: RefIssue[];
  warnings: RefIssue[];
}

export interface ParseOptions {
  /** communes to resolve places (code INSEE, or code postal + nom) */
  communes: CommuneIndex;
}

/** What the header says: the kind of file, where each column is, how many cells a row has. */
interface Layout {
  kind: RefFileKind;
  cols: [Column, number][];
  width: number;
  checks: FormationChecks;
}

const UNTERMINATED = 'Guillemet ouvrant sans guillemet fermant : la ligne et la suite du fichier ne peuvent pas être lues.';

const isBlank = (r: CsvRecord) => r.cells.every((c) => c.trim() === '');

/**
 * Decodes, recognises and validates one referential file. Never throws on content: a file that
 * cannot be recognised is reported as one rejection at line 0 or 1.
 */
export function parseReferentielFile(bytes: Uint8Array | string, file: string, opts: ParseOptions): ParsedFile {
  const { text, encoding } = decodeText(bytes);
  const delimiter = detectDelimiter(text);
  const out: ParsedFile = {
    file,
    kind: null,
    encoding,
    delimiter,
    rows: 0,
    etablissements: [],
    formations: [],
    rejected: [],
    warnings: [],
  };
  const state: { header: CsvRecord | null; layout: Layout | null } = { header: null, layout: null };
  const read = readCsv(text, {
    delimiters: [delimiter],
    onRecord: (rec) => {
      if (isBlank(rec)) return;
      if (state.layout) return readRow(rec, state.layout, out, opts);
      if (state.header) return; // the header was refused: the rows are not read
      state.header = rec;
      state.layout = readHeader(rec, out, opts);
    },
  });
  if (!state.header && read.issues.length === 0) out.rejected.push({ file, line: 0, reason: 'Fichier vide : aucune ligne d’en-tête.' });
  // what the reader could not read stops the file there (after the header: a row that counts)
  if (state.layout || !state.header) for (const issue of read.issues) unreadable(issue, out, state.layout !== null);
  return out;
}

function unreadable(issue: CsvIssue, out: ParsedFile, afterHeader: boolean): void {
  if (afterHeader) out.rows++;
  out.rejected.push({
    file: out.file,
    line: issue.line,
    reason: issue.message === CSV_MESSAGES.unterminated ? UNTERMINATED : issue.message,
  });
}

/** The kind of file and its columns, or null when the header is refused (the rejection reported). */
function readHeader(header: CsvRecord, out: ParsedFile, opts: ParseOptions): Layout | null {
  const reject = (reason: string) => out.rejected.push({ file: out.file, line: header.line, reason });
  const columns = header.cells.map((h) => ALIASES[headerKey(h)] ?? null);
  const present = new Set(columns.filter((c): c is Column => c !== null));
  const kind: RefFileKind | null = present.has('intitule')
    ? 'formations'
    : present.has('nom') || present.has('categorie')
      ? 'etablissements'
      : null;
  if (!kind) {
    const seen = header.cells.length <= 1 ? ` Une seule colonne lue : le séparateur doit être « ; » ou « , ».` : '';
    reject(
      `Type de fichier non reconnu : l’en-tête doit contenir « nom » et « categorie » (établissements) ou « intitule » (formations).${seen}`,
    );
    return null;
  }
  out.kind = kind;
  const missing = missingColumns(kind, present);
  if (missing.length > 0) {
    const s = missing.length > 1 ? 's' : '';
    reject(`Colonne${s} obligatoire${s} absente${s} : ${missing.join(', ')}.`);
    return null;
  }
  const cols = columnIndexes(kind, columns, header, out);
  return { kind, cols, width: header.cells.length, checks: createFormationChecks(opts.communes) };
}

function missingColumns(kind: RefFileKind, present: Set<Column>): Column[] {
  const required: Column[] = kind === 'etablissements' ? ['siret', 'nom', 'categorie'] : ['intitule'];
  const missing = required.filter((c) => !present.has(c));
  if (kind === 'formations' && !present.has('siret') && !present.has('uai')) missing.push('siret');
  if (kind === 'etablissements' && !present.has('code_commune') && !present.has('commune') && !present.has('code_postal'))
    missing.push('code_commune');
  return missing;
}

/** Where each column of the kind is read; unknown and repeated columns are warned about. */
function columnIndexes(kind: RefFileKind, columns: (Column | null)[], header: CsvRecord, out: ParsedFile): [Column, number][] {
  const warn = (reason: string) => out.warnings.push({ file: out.file, line: header.line, reason });
  const allowed = new Set<Column>(kind === 'etablissements' ? ETABLISSEMENT_COLUMNS : FORMATION_COLUMNS);
  const index = new Map<Column, number>();
  columns.forEach((c, i) => {
    const raw = header.cells[i]!.trim();
    if (c === null || !allowed.has(c)) {
      if (raw !== '') warn(`Colonne « ${shorten(raw)} » ignorée (inconnue pour un fichier de ${kind}).`);
    } else if (index.has(c)) warn(`Colonne « ${shorten(raw)} » en double : seule la première est lue.`);
    else index.set(c, i);
  });
  return [...index];
}

/** One data row: its cells counted and cleaned, then validated as an establishment or a formation. */
function readRow(rec: CsvRecord, layout: Layout, out: ParsedFile, opts: ParseOptions): void {
  out.rows++;
  const reject = (reason: string) => out.rejected.push({ file: out.file, line: rec.line, reason });
  const values = rowValues(rec, layout, out.delimiter);
  if (typeof values === 'string') return void reject(values);
  const get = (c: Column) => values[c] ?? '';
  const result: RowResult<EtablissementInput | FormationInput> =
    layout.kind === 'etablissements'
      ? validateEtablissement(get, out.file, rec.line, opts.communes)
      : validateFormation(get, out.file, rec.line, layout.checks);
  if (!result.ok) return void reject(result.reason);
  for (const w of result.warnings) out.warnings.push({ file: out.file, line: rec.line, reason: w });
  if (layout.kind === 'etablissements') out.etablissements.push(result.value as EtablissementInput);
  else out.formations.push(result.value as FormationInput);
}

/** The row's cells by column, cleaned, or why the row is refused (cell count, a value too long). */
function rowValues(rec: CsvRecord, layout: Layout, delimiter: string): Partial<Record<Column, string>> | string {
  const { width, cols } = layout;
  const n = rec.cells.length;
  if (n < width)
    return `${n} colonne${n > 1 ? 's' : ''} au lieu de ${width} (séparateur « ${delimiter === '\t' ? 'tabulation' : delimiter} »).`;
  if (n > width && rec.cells.slice(width).some((c) => c.trim() !== ''))
    return `${n} colonnes au lieu de ${width} : une valeur contient-elle le séparateur « ${delimiter} » sans guillemets ?`;
  const values: Partial<Record<Column, string>> = {};
  let tooLong: string | null = null;
  for (const [c, i] of cols) {
    const v = clean(rec.cells[i] ?? '');
    const max = MAX_LENGTH[c] ?? MAX_LENGTH.default;
    if (v.length > max && !tooLong) tooLong = `Valeur trop longue pour « ${c} » : ${v.length} caractères (${max} au plus).`;
    values[c] = v;
  }
  return tooLong ?? values;
}
