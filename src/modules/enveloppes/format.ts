/**
 * The files of the amounts that Urssaf and MSA send per SIRET (the solde of the taxe d'apprentissage
 * and its deductions), and their aggregation into one envelope input per SIRET. Pure: from a string or
 * bytes to values; no database, no clock. The format is documented in docs/enveloppes-format.md.
 *
 * Bytes become text with the shared decoding (shared/text-decoding.ts: UTF-8 with or without BOM,
 * UTF-16LE with BOM, else Windows-1252). Two formats, detected from the first line:
 * - **CSV** (csv-file.ts, read by shared/csv.ts): one line per amount or one line per SIRET;
 * - **DSN** lines (dsn-file.ts), the real textual syntax of the norme NEODeS (P24V01),
 *   `S21.G00.82.001,'1234.56'`, one rubric per line.
 *
 * Every line is checked (values.ts); a wrong line is rejected with its number and a French reason; a
 * SIRET that fails only its check digit is kept with a warning (real registries hold a few). The
 * amounts are then aggregated per SIRET (aggregation.ts).
 */
import { computeEnvelopes, type EnvelopeBatch, type EnvelopeError } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import { decodeText, type TextEncoding } from '../../shared/text-decoding.js';
import { createEnvelopeAggregator, type Aggregation } from './aggregation.js';
import { parseCsvFile } from './csv-file.js';
import { parseDsnFile } from './dsn-file.js';
import { keepEntry, type EnvelopeLine, type FileReading, type ParsedEnvelopeFile, type ParseOptions, type ReportEntry } from './lines.js';

export {
  aggregateEnvelopeLines,
  createEnvelopeAggregator,
  type Aggregation,
  type EnvelopeAggregator,
  type EnvelopeInputRow,
  type Replacement,
} from './aggregation.js';
export {
  CODE_LIBELLES,
  ENVELOPE_CODES,
  MAX_LINE_CHARS,
  type Declarant,
  type EnvelopeCode,
  type EnvelopeLine,
  type ParsedEnvelopeFile,
  type ParseOptions,
  type Periode,
  type ReportEntry,
} from './lines.js';
export {
  MAX_AMOUNT_CENTS,
  parseCode,
  parseCollecteur,
  parseDay,
  parseDepositDate,
  parseDsnAmount,
  parseEuroAmount,
  parseLineSiret,
  parseNom,
  parsePeriode,
  quoteValue,
} from './values.js';

/** Parses one file of amounts (CSV or DSN lines), detected from its first line. */
export function parseEnvelopeFile(input: string | Uint8Array, options: ParseOptions): ParsedEnvelopeFile {
  const { text, encoding } = decodeText(input);
  const file = fileReading(options, encoding);
  const out = file.out;
  const refusal = wholeFileRefusal(text, options.annee);
  if (refusal) {
    file.reject(0, refusal);
    return out;
  }
  // the first line that is not blank, from its first visible character (no split of a whole national file)
  const first = /\S[^\r\n]*/.exec(text)![0];
  if (/^S\d{2}\.G\d{2}\.\d{2}\.\d{3},/.test(first)) {
    out.format = 'dsn';
    parseDsnFile(text, file);
  } else {
    out.format = 'csv';
    parseCsvFile(text, file);
  }
  out.ok = out.rejectionCount === 0;
  return out;
}

/** One file being read: its report, and where its amounts go (`options.sink`, else the report's lines). */
export function fileReading(options: ParseOptions, encoding: TextEncoding): FileReading {
  const out: ParsedEnvelopeFile = {
    ok: false,
    format: 'inconnu',
    encoding,
    lines: [],
    lineCount: 0,
    rejections: [],
    warnings: [],
    rejectionCount: 0,
    warningCount: 0,
  };
  const fichier = options.fichier ?? 'fichier';
  const sink = options.sink;
  return {
    annee: options.annee,
    fichier,
    emit: sink
      ? (l: EnvelopeLine) => {
          out.lineCount++;
          sink(l);
        }
      : (l: EnvelopeLine) => {
          out.lineCount++;
          out.lines.push(l);
        },
    reject: (line, message) => {
      out.rejectionCount++;
      keepEntry(out.rejections, { fichier, line, message });
    },
    warn: (line, message) => {
      out.warningCount++;
      keepEntry(out.warnings, { fichier, line, message });
    },
    out,
  };
}

/** Why a file is refused as a whole before any line is read: the year, binary content, no line at all. */
export function wholeFileRefusal(text: string, annee: number): string | null {
  if (!Number.isInteger(annee) || annee < 2023 || annee > 2100) return 'L’année de campagne doit être un nombre entier entre 2023 et 2100.';
  if (text.includes('\u0000')) return 'Le fichier n’est pas un fichier texte (CSV ou DSN).';
  if (!/\S/.test(text)) return 'Le fichier est vide.';
  return null;
}

export interface EnvelopeImport {
  /** true when every file parsed without rejection, the aggregation found no conflict and the envelopes were computed */
  ok: boolean;
  files: { fichier: string; format: ParsedEnvelopeFile['format']; encoding: ParsedEnvelopeFile['encoding']; lines: number }[];
  rejections: ReportEntry[];
  warnings: ReportEntry[];
  aggregation: Aggregation;
  /** the campaign's envelopes (null when something was rejected: imports are all or nothing) */
  batch: EnvelopeBatch | null;
  errors: EnvelopeError[];
}

/**
 * Parses every file (in the order given, which is the order of deposits when dates tie), aggregates
 * one input per SIRET and computes the campaign's envelopes with the operator's fee. Pure: the caller
 * reads the files and writes the result (nothing is written when `ok` is false).
 */
export function prepareEnvelopeImport(input: {
  annee: number;
  files: readonly { fichier: string; content: string | Uint8Array }[];
  operatorFeeCents: Cents;
}): EnvelopeImport {
  const rejections: ReportEntry[] = [];
  const warnings: ReportEntry[] = [];
  const files: EnvelopeImport['files'] = [];
  const aggregator = createEnvelopeAggregator();
  for (const f of input.files) {
    // one file at a time: its parsed lines are dropped once aggregated
    const p = parseEnvelopeFile(f.content, { annee: input.annee, fichier: f.fichier, sink: aggregator.addLine });
    for (const r of p.rejections) rejections.push(r); // loops, not spreads: a file may report millions of lines
    for (const w of p.warnings) warnings.push(w);
    files.push({ fichier: f.fichier, format: p.format, encoding: p.encoding, lines: p.lineCount });
  }
  const aggregation = aggregator.result();
  if (input.files.length === 0) rejections.push({ fichier: '', line: 0, message: 'Indiquez au moins un fichier de montants.' });
  if (rejections.length || aggregation.errors.length)
    return { ok: false, files, rejections, warnings, aggregation, batch: null, errors: [] };
  const computed = computeEnvelopes(aggregation.envelopes, input.operatorFeeCents);
  if (!computed.ok) return { ok: false, files, rejections, warnings, aggregation, batch: null, errors: computed.errors };
  return {
    ok: true,
    files,
    rejections,
    warnings: [...warnings, ...computed.batch.warnings.map((message) => ({ fichier: '', line: 0, message }))],
    aggregation,
    batch: computed.batch,
    errors: [],
  };
}
