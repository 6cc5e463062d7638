/**
 * CSV, read and written one way for every import and export of the portal (habilitations, allocations
 * of tiers-déclarants, referential, envelopes, and every list exported to spreadsheets).
 *
 * Reading (papaparse underneath):
 * - RFC 4180 quotes: a quoted cell may hold the separator, doubled quotes and line breaks;
 * - line endings LF, CRLF or CR alone (old Mac spreadsheets), even mixed in one file;
 * - the separator is chosen on the header line among the accepted ones (`;` on a tie: French
 *   spreadsheets write `;`);
 * - blank lines are skipped; every record keeps the line number where it starts, so that reports name
 *   the line a person sees in their editor;
 * - structural problems (a quote never closed, a quote in the middle of a quoted cell, an overlong
 *   record) come back as French messages with their line; the caller decides what the rest is worth.
 * Decoding bytes (BOM, UTF-8 or Windows-1252) is `decodeText` (text-decoding.ts), before this.
 *
 * Writing: `;`, CRLF, a BOM (so that Excel reads UTF-8), and every text cell that a spreadsheet would
 * run as a formula (= + - @ tab CR at its start, OWASP « CSV injection ») is neutralised with a leading
 * apostrophe; plain numbers (« -12,50 ») are left as they are.
 */
import Papa from 'papaparse';

export const BOM = '\uFEFF';
export const DEFAULT_DELIMITERS = [';', ',', '\t'] as const;

export interface CsvRecord {
  /** line of the file where the record starts (1 = first line) */
  line: number;
  cells: string[];
}

export interface CsvIssue {
  line: number;
  message: string;
}

export interface CsvReadOptions {
  /** separators accepted, detected on the header line (default `;`, `,`, tab) */
  delimiters?: readonly string[];
  /** a record longer than this (characters) is reported and skipped */
  maxRecordChars?: number;
  /**
   * Receives each record as it is read instead of collecting them (a national envelope file has about
   * two million lines: the caller keeps only what it needs). `records` is then empty.
   */
  onRecord?: (record: CsvRecord) => void;
}

export interface CsvRead {
  delimiter: string;
  records: CsvRecord[];
  issues: CsvIssue[];
}

export const CSV_MESSAGES = {
  unterminated: 'Guillemets non fermés à partir de cette ligne : la fin du fichier ne peut pas être lue.',
  invalidQuotes:
    'Guillemet mal placé : une cellule entre guillemets doit se terminer par un guillemet suivi du séparateur ou de la fin de ligne.',
  tooLong: (max: number) => `La ligne dépasse ${max.toLocaleString('fr-FR')} caractères : elle est ignorée.`,
} as const;

/** The separator of the first line: the most frequent accepted one outside quotes (the first accepted on a tie). */
export function detectDelimiter(text: string, delimiters: readonly string[] = DEFAULT_DELIMITERS): string {
  const counts = new Map(delimiters.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = delimiters[0] ?? ';';
  for (const d of delimiters) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** Counts line breaks in `text` between two offsets (the line numbers of records). */
function newlinesBetween(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Reads CSV text (already decoded, BOM or not) into records with their line numbers and the French
 * report of what could not be read.
 */
export function readCsv(input: string, opts: CsvReadOptions = {}): CsvRead {
  const text = (input.startsWith(BOM) ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  const delimiter = detectDelimiter(text, opts.delimiters ?? DEFAULT_DELIMITERS);
  const records: CsvRecord[] = [];
  const issues: CsvIssue[] = [];
  const emit = opts.onRecord ?? ((r: CsvRecord) => void records.push(r));
  let start = 0;
  let line = 1;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
    skipEmptyLines: false,
    step: (row, parser) => {
      const end = row.meta.cursor;
      const cells = row.data;
      const problem = row.errors.find((e) => e.type === 'Quotes');
      if (problem) {
        issues.push({ line, message: problem.code === 'InvalidQuotes' ? CSV_MESSAGES.invalidQuotes : CSV_MESSAGES.unterminated });
        parser.abort();
        return;
      }
      const blank = cells.length === 1 && cells[0]!.trim() === '';
      if (!blank) {
        // the record's own characters, its line break aside
        const length = end - start - (text[end - 1] === '\n' ? 1 : 0);
        if (opts.maxRecordChars !== undefined && length > opts.maxRecordChars)
          issues.push({ line, message: CSV_MESSAGES.tooLong(opts.maxRecordChars) });
        else emit({ line, cells });
      }
      line += newlinesBetween(text, start, end);
      start = end;
    },
  });
  return { delimiter, records, issues };
}

// ── writing ─────────────────────────────────────────────────────────────────────────────────────────

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(?:[.,]\d+)?$/;

/** True when a spreadsheet would run the value as a formula (a plain negative number is not one). */
export function isFormula(value: string): boolean {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
}

/** Neutralises a value that a spreadsheet would run as a formula (a leading apostrophe). */
export function neutraliseFormula(value: string): string {
  return isFormula(value) ? `'${value}` : value;
}

export type CsvValue = string | number | bigint | null | undefined;

/** One cell: neutralised, quoted when it holds the separator, a quote or a line break. */
export function csvCell(value: CsvValue, delimiter = ';'): string {
  const v = neutraliseFormula(value === null || value === undefined ? '' : String(value));
  return v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One line of cells, without its line ending. */
export function csvLine(values: readonly CsvValue[], delimiter = ';'): string {
  return values.map((v) => csvCell(v, delimiter)).join(delimiter);
}

/** A whole file: BOM, header, rows, CRLF line ends (what spreadsheets expect). */
export function writeCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  opts: { delimiter?: string; bom?: boolean } = {},
): string {
  const d = opts.delimiter ?? ';';
  const lines = [csvLine(header, d)];
  for (const r of rows) lines.push(csvLine(r, d));
  return (opts.bom === false ? '' : BOM) + lines.join('\r\n') + '\r\n';
}
