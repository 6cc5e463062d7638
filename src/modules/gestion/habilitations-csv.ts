/**
 * Bulk habilitations as CSV (PRODUCT.md §3.4): the export format and the strict parser/validator of
 * an import. Pure (no I/O, no clock): the route gives it what the administrator may touch.
 *
 * Format: `;`-separated, UTF-8 (a BOM is written and tolerated), header
 * `siret;nom;prenom;courriel;<CODE>;<CODE>_payer;…` (a `_payer` column only for payable
 * declarations), one line per déclarant × SIRET, `1`/`0` per right, empty when the declaration is not
 * subscribed for that SIRET. Cells starting with = + - @ are neutralised on export (an apostrophe in
 * front: CSV injection) and refused on import.
 */
import { findDeclaration } from '../../domain/declarations.js';

export const CSV_SEPARATOR = ';';
export const BOM = '\uFEFF';
export const FIXED_COLUMNS = ['siret', 'nom', 'prenom', 'courriel'] as const;
/** bounds of an import (the route also limits the body to 2 MB) */
export const MAX_IMPORT_LINES = 20_000;
export const MAX_COLUMNS = 200;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises a value that a spreadsheet would run as a formula (OWASP « CSV injection »). */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One cell: neutralised, quoted when it holds the separator, a quote or a line break. */
export function csvCell(value: string): string {
  const v = neutralise(value);
  return /[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A whole file: BOM, header, rows, CRLF line ends (what spreadsheets expect). */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return BOM + [header, ...rows].map((r) => r.map(csvCell).join(CSV_SEPARATOR)).join('\r\n') + '\r\n';
}

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
  return formatCsv(header, rows);
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

/** Splits the text into records (RFC 4180 quotes, `;` only). Returns the errors of the structure. */
export function parseCsv(text: string): { ok: true; csv: ParsedCsv } | { ok: false; report: ReportLine[] } {
  let t = text.startsWith(BOM) ? text.slice(1) : text;
  t = t.replace(/\r\n?/g, '\n');
  if (t.trim() === '') return { ok: false, report: [{ line: 1, message: 'Le fichier est vide : collez le contenu du fichier exporté.' }] };
  if (t.includes('\u0000')) return { ok: false, report: [{ line: 1, message: 'Le fichier n’est pas un fichier texte CSV.' }] };

  const records: { line: number; cells: string[] }[] = [];
  const errors: ReportLine[] = [];
  let line = 1;
  let i = 0;
  while (i < t.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quotedError = false;
    for (;;) {
      if (t[i] === '"' && cell === '') {
        // quoted cell
        i++;
        let closed = false;
        while (i < t.length) {
          if (t[i] === '"') {
            if (t[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (t[i] === '\n') line++;
          cell += t[i];
          i++;
        }
        if (!closed || (i < t.length && t[i] !== ';' && t[i] !== '\n')) quotedError = true;
        // skip anything up to the next separator (only reached on error)
        while (i < t.length && t[i] !== ';' && t[i] !== '\n') i++;
      } else {
        while (i < t.length && t[i] !== ';' && t[i] !== '\n') cell += t[i++];
      }
      cells.push(cell);
      cell = '';
      if (i >= t.length || t[i] === '\n') {
        i++;
        line++;
        break;
      }
      i++; // ';'
    }
    if (quotedError) errors.push({ line: start, message: 'Guillemets mal fermés dans la ligne.' });
    if (cells.length === 1 && cells[0]!.trim() === '') continue; // blank line
    records.push({ line: start, cells });
    if (records.length > MAX_IMPORT_LINES + 1)
      return { ok: false, report: [{ line: start, message: `Le fichier dépasse ${MAX_IMPORT_LINES} lignes : découpez-le.` }] };
  }
  if (errors.length) return { ok: false, report: errors };
  const [head, ...rows] = records;
  if (!head) return { ok: false, report: [{ line: 1, message: 'Le fichier est vide : collez le contenu du fichier exporté.' }] };
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
    if (FORMULA_START.test(name))
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

/** Validates every line; the report names each wrong line (several messages per line are joined). */
export function validateImport(csv: ParsedCsv, scope: ImportScope): ImportValidation {
  const head = checkHeader(csv.header);
  if (!head.ok) return { ok: false, report: [{ line: 1, message: head.message }] };
  if (csv.rows.length === 0) return { ok: false, report: [{ line: 2, message: 'Le fichier ne contient aucune ligne de déclarant.' }] };
  const report: ReportLine[] = [];
  const rights: DesiredRight[] = [];
  const firstSeen = new Map<string, number>();
  for (const row of csv.rows) {
    const msgs: string[] = [];
    const cells = row.cells.map((c) => c.trim());
    if (cells.length !== csv.header.length) {
      report.push({
        line: row.line,
        message: `La ligne compte ${cells.length} colonne(s) au lieu de ${csv.header.length} (séparateur point-virgule attendu).`,
      });
      continue;
    }
    if (cells.some((c) => FORMULA_START.test(c))) {
      report.push({ line: row.line, message: 'Les formules (cellule commençant par =, +, - ou @) sont refusées.' });
      continue;
    }
    const [siret, , , courriel] = cells as [string, string, string, string];
    let userId: string | undefined;
    if (!/^\d{14}$/.test(siret)) msgs.push('le SIRET doit comporter 14 chiffres');
    else if (!scope.sirets.has(siret)) msgs.push(`le SIRET ${siret} est inconnu ou n’est pas administré par vous`);
    if (courriel === '') msgs.push('le courriel du déclarant est obligatoire');
    else {
      userId = scope.persons.get(courriel.toLowerCase());
      if (!userId) msgs.push(`aucun déclarant actif de votre espace n’a le courriel « ${courriel.slice(0, 80)} »`);
    }
    const key = `${siret}|${courriel.toLowerCase()}`;
    const dup = firstSeen.get(key);
    if (dup !== undefined) msgs.push(`ligne en double avec la ligne ${dup}`);
    else firstSeen.set(key, row.line);

    const declared = scope.declared.get(siret) ?? new Set<string>();
    const byCode = new Map<string, { declarer?: boolean; payer?: boolean }>();
    for (const col of head.columns) {
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
    if (msgs.length) {
      report.push({ line: row.line, message: capitalise(msgs.join(' ; ')) + '.' });
      continue;
    }
    for (const [code, e] of byCode) rights.push({ line: row.line, userId: userId!, siret, code, declarer: e.declarer, payer: e.payer });
  }
  if (report.length) return { ok: false, report };
  return { ok: true, rights, lines: csv.rows.length };
}

/** Parse + validate in one call. */
export function readImport(text: string, scope: ImportScope): ImportValidation {
  const p = parseCsv(text);
  if (!p.ok) return p;
  return validateImport(p.csv, scope);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
