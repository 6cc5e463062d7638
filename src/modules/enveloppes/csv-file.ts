/**
 * The CSV layouts of the envelope files (docs/enveloppes-format.md §1): one line per amount
 * (`siret;collecteur;code;montant;…`) or one line per SIRET (`siret;collecteur;solde_076;
 * deduction_077;deduction_078;…`), `;` or `,`. The records come from the shared reader
 * (shared/csv.ts, streamed: a national file has about two million lines); this file checks the header,
 * then each line, and emits its amounts.
 */
import { searchKey } from '../../domain/text.js';
import { CSV_MESSAGES, detectDelimiter, readCsv, type CsvIssue, type CsvRecord } from '../../shared/csv.js';
import { MAX_KEPT_ENTRIES, MAX_LINE_CHARS, type FileReading } from './lines.js';
import { CsvLineReader, WIDE_COLUMNS, type Column, type CsvLayout } from './csv-line.js';
import { quoteValue } from './values.js';

const ALIASES: Readonly<Record<string, Column>> = {
  siret: 'siret',
  siret_employeur: 'siret',
  siret_etablissement: 'siret',
  collecteur: 'collecteur',
  organisme: 'collecteur',
  organisme_collecteur: 'collecteur',
  code: 'code',
  code_cotisation: 'code',
  code_de_cotisation: 'code',
  montant: 'montant',
  valeur: 'montant',
  montant_euros: 'montant',
  solde_076: 'solde_076',
  solde: 'solde_076',
  '076': 'solde_076',
  deduction_077: 'deduction_077',
  '077': 'deduction_077',
  deduction_078: 'deduction_078',
  '078': 'deduction_078',
  periode: 'periode',
  exercice: 'periode',
  periode_debut: 'periode_debut',
  debut_periode: 'periode_debut',
  date_debut: 'periode_debut',
  periode_fin: 'periode_fin',
  fin_periode: 'periode_fin',
  date_fin: 'periode_fin',
  siret_declarant: 'siret_declarant',
  siret_emetteur: 'siret_declarant',
  declarant: 'declarant',
  nom_declarant: 'declarant',
  emetteur: 'declarant',
  date_depot: 'date_depot',
  date_de_depot: 'date_depot',
  depose_le: 'date_depot',
};

const NO_SEPARATOR =
  'L’en-tête doit séparer ses colonnes par des points-virgules (;) ou des virgules (,), par exemple « siret;collecteur;code;montant ».';

/** Reads a CSV envelope file into `file` (its amounts emitted, its rejections and warnings reported). */
export function parseCsvFile(text: string, file: FileReading): void {
  const reader = new CsvFileReader(file);
  reader.feed(text);
  reader.end();
}

const QUOTE_MESSAGES: readonly string[] = [CSV_MESSAGES.invalidQuotes, CSV_MESSAGES.unterminated];

/**
 * A CSV envelope file read piece by piece (csv-stream.ts: a national file is never one string): each
 * piece ends at a line break outside quotes; the header is the first record; line numbers run on.
 */
export class CsvFileReader {
  private delimiter: string | null = null;
  private readonly firstRejection: number;
  private header: CsvRecord | null = null;
  private lines: CsvLineReader | null = null;
  /** the reader's issues: the first MAX_KEPT_ENTRIES kept, all counted */
  private readonly issues: CsvIssue[] = [];
  private issueCount = 0;
  private stopped = false;
  /** lines of the pieces already read */
  private offset = 0;

  constructor(private readonly file: FileReading) {
    this.firstRejection = file.out.rejections.length;
  }

  feed(piece: string): void {
    if (this.stopped) return;
    const text = piece.replace(/\r\n?/g, '\n');
    this.delimiter ??= detectDelimiter(text, [';', ',']);
    const offset = this.offset;
    const read = readCsv(text, {
      delimiters: [this.delimiter],
      maxRecordChars: MAX_LINE_CHARS,
      onRecord: (r) => {
        const record = offset ? { line: r.line + offset, cells: r.cells } : r;
        if (this.header) return this.lines?.read(record);
        this.header = record;
        const layout = readHeader(record, this.delimiter!, this.file);
        if (layout) this.lines = new CsvLineReader(layout, this.file);
      },
    });
    for (const i of read.issues) {
      this.issueCount++;
      if (this.issues.length < MAX_KEPT_ENTRIES) this.issues.push(offset ? { ...i, line: i.line + offset } : i);
      // the reader stops at a broken quote, as it does on a whole file
      if (QUOTE_MESSAGES.includes(i.message)) this.stopped = true;
    }
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.offset++;
  }

  end(): void {
    if (this.header?.cells.length === 1) return; // a header without separator: that message alone
    // what the reader could not read comes first, as the report always listed it
    const out = this.file.out;
    out.rejectionCount += this.issueCount;
    out.rejections.splice(this.firstRejection, 0, ...this.issues.map((i) => rejection(i, this.file.fichier)));
    if (out.rejections.length > MAX_KEPT_ENTRIES) out.rejections.length = MAX_KEPT_ENTRIES;
    if (!this.header) this.file.reject(1, 'Le fichier ne contient pas d’en-tête.');
  }
}

function rejection(issue: CsvIssue, fichier: string) {
  const message =
    issue.message === CSV_MESSAGES.tooLong(MAX_LINE_CHARS)
      ? `La ligne dépasse ${MAX_LINE_CHARS} caractères : elle est ignorée.`
      : issue.message;
  return { fichier, line: issue.line, message };
}

/** The header's columns (aliases understood), or null when the header is refused (rejections reported). */
function readHeader(head: CsvRecord, delimiter: string, file: FileReading): CsvLayout | null {
  if (head.cells.length === 1) {
    file.reject(head.line, NO_SEPARATOR);
    return null;
  }
  const before = file.out.rejectionCount;
  const cols = new Map<Column, number>();
  head.cells.forEach((h, idx) => {
    const key = searchKey(h).replace(/ /g, '_');
    const col = ALIASES[key];
    if (!col) {
      if (key !== '') file.warn(head.line, `Colonne ${quoteValue(h)} inconnue : elle est ignorée.`);
      return;
    }
    if (cols.has(col)) file.reject(head.line, `La colonne ${quoteValue(h)} apparaît deux fois.`);
    else cols.set(col, idx);
  });
  const long = cols.has('code') || cols.has('montant');
  checkColumns(cols, long, (message) => file.reject(head.line, message));
  if (file.out.rejectionCount !== before) return null;
  return { index: Object.fromEntries(cols), long, width: head.cells.length, delimiter };
}

/** The required columns of the layout, and the columns that go together. */
function checkColumns(cols: Map<Column, number>, long: boolean, bad: (message: string) => void): void {
  const wide = WIDE_COLUMNS.some(([c]) => cols.has(c));
  const missing: string[] = [];
  if (!cols.has('siret')) missing.push('siret');
  if (!cols.has('collecteur')) missing.push('collecteur');
  if (long && wide)
    bad(
      'Choisissez un seul format : soit les colonnes « code » et « montant », soit les colonnes « solde_076 », « deduction_077 », « deduction_078 ».',
    );
  else if (long) {
    if (!cols.has('code')) missing.push('code');
    if (!cols.has('montant')) missing.push('montant');
  } else if (!wide) missing.push('code et montant (ou solde_076, deduction_077, deduction_078)');
  if (cols.has('periode') && (cols.has('periode_debut') || cols.has('periode_fin')))
    bad('Indiquez la période soit dans « periode », soit dans « periode_debut » et « periode_fin ».');
  if (cols.has('periode_debut') !== cols.has('periode_fin')) bad('Les colonnes « periode_debut » et « periode_fin » vont ensemble.');
  if (missing.length) bad(`Colonne(s) obligatoire(s) absente(s) : ${missing.join(', ')}.`);
}
