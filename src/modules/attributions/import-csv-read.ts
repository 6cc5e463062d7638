/**
 * « Importer des attributions », reading the file (pure): bytes (UTF-8 with or without BOM, else
 * Windows-1252 as French spreadsheets write) or text → the lines of the file with their physical line
 * numbers, or the report of what is wrong with its structure (size, header, columns per line). The CSV
 * is read by the house's reader (shared/csv.ts), `;` only. Format: docs/attributions-csv-format.md.
 */
import { readCsv, type CsvRecord } from '../../shared/csv.js';
import { decodeText } from '../../shared/text-decoding.js';

/** A line of a report: its number in the file (1 = header) and what is wrong, in French. */
export interface ReportLine {
  line: number;
  message: string;
}

/** The four columns every file has, in this order in the model and the export. */
export const REQUIRED_COLUMNS = ['siret_employeur', 'siret_beneficiaire', 'formation', 'pourcentage'] as const;
/** Read when present: they pick one place or one formation when the SIRET or the code is not enough. */
export const SELECTOR_COLUMNS = ['uai', 'lieu'] as const;
/** Written by the export for people, ignored on import (a neutralised formula there does no harm). */
export const INFORMATIVE_COLUMNS = ['nom_employeur', 'nom_beneficiaire', 'intitule_formation', 'statut'] as const;
export const EXPORT_COLUMNS = [...REQUIRED_COLUMNS, ...SELECTOR_COLUMNS, ...INFORMATIVE_COLUMNS] as const;

/** Bounds of an import: lines (header excluded) and bytes of the file. */
export const MAX_IMPORT_LINES = 20_000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const KNOWN_COLUMNS = new Set<string>(EXPORT_COLUMNS);

export interface CsvLine {
  /** physical line number in the file (1 = header) */
  line: number;
  siretEmployeur: string;
  siretBeneficiaire: string;
  formation: string;
  pourcentage: string;
  uai: string;
  lieu: string;
}

export type ReadResult = { ok: true; lines: CsvLine[]; encoding: string } | { ok: false; report: ReportLine[] };

export const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

const refuse = (line: number, message: string): ReadResult => ({ ok: false, report: [{ line, message }] });
const TOO_MANY_LINES = `Le fichier dépasse ${MAX_IMPORT_LINES} lignes : découpez-le en plusieurs fichiers.`;

/**
 * Bytes (UTF-8 with or without BOM, else Windows-1252 as French spreadsheets write) or text → the
 * lines of the file. Checks the structure only: size, header, columns per line.
 */
export function readAttributionsCsv(input: string | Uint8Array): ReadResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_IMPORT_BYTES)
    return refuse(
      1,
      `Le fichier dépasse ${MAX_IMPORT_BYTES / 1024 / 1024} Mo : découpez-le en plusieurs fichiers (par exemple un par portefeuille).`,
    );
  const { text, encoding } = decodeText(input);
  if (text.trim() === '') return refuse(1, 'Le fichier est vide : il doit contenir la ligne d’en-tête puis une ligne par attribution.');
  if (text.includes('\u0000')) return refuse(1, 'Le fichier n’est pas un fichier texte CSV.');
  const read = readCsv(text, { delimiters: [';'] });
  if (read.issues.length)
    return { ok: false, report: read.issues.map((i) => ({ line: i.line, message: 'Guillemets mal fermés dans la ligne.' })) };
  const [head, ...rows] = read.records;
  if (rows.length > MAX_IMPORT_LINES) return refuse(rows[MAX_IMPORT_LINES]!.line, TOO_MANY_LINES);
  const header = (head?.cells ?? []).map((c) => c.trim());
  const columns = readHeader(header);
  if (!columns.ok) return columns;
  if (rows.length === 0) return refuse(2, 'Le fichier ne contient aucune ligne d’attribution après l’en-tête.');
  return linesOf(rows, header.length, columns.index, encoding);
}

/** The header: `;`-separated, known columns, each once, the four required ones present. */
function readHeader(header: readonly string[]): { ok: true; index: Map<string, number> } | { ok: false; report: ReportLine[] } {
  const names = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  if (names.length === 1 && /[,\t|]/.test(names[0]!))
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: 'Le séparateur doit être le point-virgule (;) : enregistrez le fichier au format « CSV (séparateur : point-virgule) ».',
        },
      ],
    };
  if (!names.includes('siret_employeur') && names.some((n) => /^\d{9,14}$/.test(n.replace(/\s/g, ''))))
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: `La première ligne doit être la ligne d’en-tête « ${REQUIRED_COLUMNS.join(';')} » : ajoutez-la au début du fichier.`,
        },
      ],
    };
  const index = new Map<string, number>();
  for (const [k, n] of names.entries()) {
    if (!KNOWN_COLUMNS.has(n))
      return {
        ok: false,
        report: [
          {
            line: 1,
            message: `Colonne ${k + 1} : « ${clip(header[k]!)} » n’est pas une colonne connue. Colonnes attendues : ${REQUIRED_COLUMNS.join(';')} (et, facultatives : ${[...SELECTOR_COLUMNS, ...INFORMATIVE_COLUMNS].join(', ')}).`,
          },
        ],
      };
    if (index.has(n)) return { ok: false, report: [{ line: 1, message: `La colonne « ${n} » apparaît deux fois dans l’en-tête.` }] };
    index.set(n, k);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length)
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: `L’en-tête doit contenir les colonnes « ${REQUIRED_COLUMNS.join(';')} » (séparateur point-virgule) ; il manque : ${missing.join(', ')}.`,
        },
      ],
    };
  return { ok: true, index };
}

/** The data rows as lines; a row with another number of cells than the header is reported. */
function linesOf(rows: readonly CsvRecord[], width: number, index: ReadonlyMap<string, number>, encoding: string): ReadResult {
  const report: ReportLine[] = [];
  const lines: CsvLine[] = [];
  const cell = (cells: string[], name: string) => {
    const k = index.get(name);
    return k === undefined ? '' : (cells[k] ?? '').trim();
  };
  for (const r of rows) {
    if (r.cells.length !== width) {
      report.push({
        line: r.line,
        message: `La ligne compte ${r.cells.length} colonne(s) au lieu de ${width} (séparateur point-virgule attendu).`,
      });
      continue;
    }
    lines.push({
      line: r.line,
      siretEmployeur: cell(r.cells, 'siret_employeur'),
      siretBeneficiaire: cell(r.cells, 'siret_beneficiaire'),
      formation: cell(r.cells, 'formation'),
      pourcentage: cell(r.cells, 'pourcentage'),
      uai: cell(r.cells, 'uai'),
      lieu: cell(r.cells, 'lieu'),
    });
  }
  if (report.length) return { ok: false, report };
  return { ok: true, lines, encoding };
}
