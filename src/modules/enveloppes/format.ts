/**
 * The files of the amounts that Urssaf and MSA send per SIRET (the solde of the taxe d'apprentissage
 * and its deductions), and their aggregation into one envelope input per SIRET. Pure: from a string or
 * bytes to values; no database, no clock. The format is documented in docs/enveloppes-format.md.
 *
 * Two formats, detected from the first line:
 * - **CSV** (`;` or `,`, UTF-8 with or without BOM, or Windows-1252): one line per amount
 *   (`siret;collecteur;code;montant;…`) or one line per SIRET (`siret;collecteur;solde_076;deduction_077;
 *   deduction_078;…`);
 * - **DSN** lines, the real textual syntax of the norme NEODeS (P24V01): `S21.G00.82.001,'1234.56'`,
 *   one rubric per line. The entreprise is S21.G00.06 (SIREN in 06.001), the établissement S21.G00.11
 *   (NIC in 11.001, SIRET = SIREN + NIC), each S21.G00.82 « Cotisation établissement » block carries
 *   82.001 Valeur, 82.002 Code de cotisation (076 solde, 077 and 078 deductions), 82.003 / 82.004 the
 *   period (JJMMAAAA), 82.005 Référence réglementaire (Urssaf: SIRET of the Urssaf; MSA: code caisse);
 *   the émetteur (who filed) is S10.G00.01 (SIREN 001, NIC 002, name 003), the declaration S20.G00.05
 *   (nature 001, type 002, date de constitution 007, champ 008). Source: /work/shared/data/dsn
 *   (dsn_P24V01_fields.csv, dsn_P24V01_data_types.csv).
 *
 * Every line is checked; a wrong line is rejected with its number and a French reason; a SIRET that
 * fails only its check digit is kept with a warning (real registries hold a few).
 */
import iconv from 'iconv-lite';
import { compactInput, isValidSiret } from '../../domain/identifiers.js';
import { searchKey } from '../../domain/text.js';
import { isJour, type Jour } from '../../domain/campagne.js';
import { computeEnvelopes, type Collecteur, type DeclaredAmounts, type EnvelopeBatch, type EnvelopeError } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';

export const ENVELOPE_CODES = ['076', '077', '078'] as const;
export type EnvelopeCode = (typeof ENVELOPE_CODES)[number];

/** Libellés of the DSN codes de cotisation (DSN_Code_Cotisation, P24V01). */
export const CODE_LIBELLES: Readonly<Record<string, string>> = {
  '074': 'exonération de taxe d’apprentissage (employeur d’apprentis, masse salariale inférieure à 6 SMIC)',
  '075': 'déductions CFA d’entreprise / offres nouvelles (part principale)',
  '076': 'solde de la taxe d’apprentissage versé en numéraire',
  '077': 'réduction du solde liée à des subventions en nature aux CFA',
  '078': 'réduction du solde liée à des créances alternants',
  '079': 'contribution supplémentaire à l’apprentissage (CSA)',
  '080': 'exonération de la CSA',
};

/** Largest amount accepted on one line: 1 milliard d'euros (the whole solde is about 0.5 Md€ a year). */
export const MAX_AMOUNT_CENTS: Cents = 100_000_000_000n;
/** Values shared between lines are cached up to this many (periods, dates, déclarants, deposits). */
const INTERN_MAX = 20_000;
/** A line (CSV record or DSN rubric) longer than this is refused (hostile or broken file). */
export const MAX_LINE_CHARS = 10_000;

export interface Periode {
  debut: Jour;
  fin: Jour;
}

export interface Declarant {
  siret: string | null;
  nom: string | null;
}

/** One amount read from a file. */
export interface EnvelopeLine {
  /** name of the file (for messages), as given by the caller */
  fichier: string;
  /** line number in the file (1-based; the DSN rubric 82.001 of the block) */
  line: number;
  siret: string;
  collecteur: Collecteur;
  /** campaign year the file is imported for */
  annee: number;
  code: EnvelopeCode;
  cents: Cents;
  /** the period of the payroll the amount is due for (the solde of campaign N is on the payroll of N − 1) */
  periode: Periode;
  declarant: Declarant | null;
  /** when the declaration was filed: `AAAA-MM-JJ` or `AAAA-MM-JJTHH:MM[:SS]`, Paris local time */
  deposeLe: string | null;
  /** identifies one deposit (a file, or one declaration of a DSN envoi): lines of one deposit add up */
  depot: string;
}

export interface ReportEntry {
  fichier: string;
  /** line number (0 for the whole file) */
  line: number;
  message: string;
}

export interface ParsedEnvelopeFile {
  ok: boolean;
  format: 'csv' | 'dsn' | 'inconnu';
  encoding: 'utf-8' | 'windows-1252' | 'utf-16le' | 'texte';
  /** the amounts read (empty when a `sink` was given: they went to it) */
  lines: EnvelopeLine[];
  /** number of amounts read (= lines.length without a sink) */
  lineCount: number;
  rejections: ReportEntry[];
  warnings: ReportEntry[];
}

export interface ParseOptions {
  /** campaign year (`import-envelopes <année>`) */
  annee: number;
  /** file name used in messages and deposit keys */
  fichier?: string;
  /**
   * Receives each amount as it is read instead of `lines` (a national file has about two million
   * lines: streaming them into the aggregator keeps only one object per SIRET alive).
   */
  sink?: (line: EnvelopeLine) => void;
}

interface Opts {
  annee: number;
  fichier: string;
  emit: (line: EnvelopeLine) => void;
}

// ── decoding ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Bytes → text: a UTF-8 BOM or valid UTF-8 is read as UTF-8, a UTF-16LE BOM as UTF-16, anything else
 * as Windows-1252 (what French spreadsheets write, a superset of Latin-1). The BOM is removed.
 */
export function decodeText(input: string | Uint8Array): { text: string; encoding: ParsedEnvelopeFile['encoding'] } {
  if (typeof input === 'string') return { text: input.replace(/^\uFEFF/, ''), encoding: 'texte' };
  const bytes = input;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: iconv.decode(Buffer.from(bytes.subarray(2)), 'utf16le'), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'windows-1252'), encoding: 'windows-1252' };
  }
}

// ── small parsers (exported: unit-tested and reusable by the CLI) ──────────────────────────────────

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A value quoted back in a message: no control characters, at most 40 characters. */
export function quoteValue(v: string): string {
  const clean = v.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e]/g, '').trim();
  return `« ${clean.length > 40 ? clean.slice(0, 40) + '…' : clean} »`;
}

/**
 * Euros typed by a person or a spreadsheet → integer cents, exactly (the decimal string is read
 * digit by digit, never through a float). Accepts « 1234,56 », « 1234.56 », « 1 234,56 », « 1.234,56 »,
 * « 1,234.56 », « 1234 », « 12,5 € »; refuses negative amounts, more than two decimals, exponents,
 * anything not a number, more than 1 milliard d'euros.
 */
const PLAIN_AMOUNT = /^(\d{1,12})(?:[.,](\d{1,2}))?$/;
const GROUPED_SPACES = /^(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?$/;

export function parseEuroAmount(raw: string): Parsed<Cents> {
  const plain = PLAIN_AMOUNT.exec(raw);
  if (plain) {
    // fast path (a national file has millions of lines): digits, optionally a separator and 1-2 decimals;
    // at most 12 digits of euros, so the number of cents (< 10^14 < 2^53) is exact as a double
    const frac = plain[2];
    const cents = BigInt(Number(plain[1]!) * 100 + (frac === undefined ? 0 : frac.length === 1 ? Number(frac) * 10 : Number(frac)));
    return cents > MAX_AMOUNT_CENTS
      ? { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` }
      : { ok: true, value: cents };
  }
  const s0 = raw
    .trim()
    .replace(/\s*(?:€|eur|euros?)$/i, '')
    .trim();
  if (s0 === '') return { ok: false, message: 'Le montant est vide.' };
  if (/^[-\u2212]/.test(s0))
    return { ok: false, message: `Le montant ${quoteValue(raw)} est négatif : seuls des montants positifs ou nuls sont acceptés.` };
  let intPart: string;
  let frac = '';
  let m: RegExpExecArray | null;
  if ((m = GROUPED_SPACES.exec(s0))) {
    intPart = m[1]!.replace(/[ \u00a0\u202f]/g, '');
    frac = m[2] ?? '';
  } else if ((m = /^(\d{1,3}(?:\.\d{3})+),(\d+)$/.exec(s0)) || (m = /^(\d{1,3}(?:,\d{3})+)\.(\d+)$/.exec(s0))) {
    intPart = m[1]!.replace(/[.,]/g, '');
    frac = m[2]!;
  } else {
    return { ok: false, message: `Le montant ${quoteValue(raw)} n’est pas un nombre d’euros (par exemple 1234,56).` };
  }
  if (frac.length > 2)
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} a plus de deux décimales : indiquez des euros et des centimes (par exemple 1234,56).`,
    };
  if (intPart.length > 12) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  const cents = BigInt(intPart) * 100n + BigInt(frac.padEnd(2, '0'));
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  return { ok: true, value: cents };
}

/** A DSN amount (type Montant_ZNS_4_18_3_N_Z, regexp `-?[0-9]*\.[0-9]{2}`): point, exactly two decimals. */
export function parseDsnAmount(raw: string): Parsed<Cents> {
  const s = raw.trim();
  if (/^-/.test(s))
    return { ok: false, message: `Le montant ${quoteValue(raw)} est négatif : seuls des montants positifs ou nuls sont acceptés.` };
  if (/^\d*,\d+$/.test(s))
    return { ok: false, message: `Le montant ${quoteValue(raw)} : en DSN le séparateur décimal est le point (par exemple 1234.56).` };
  if (/^\d*\.\d{3,}$/.test(s))
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} a plus de deux décimales : une valeur DSN s’écrit avec exactement deux décimales (1234.56).`,
    };
  const m = /^(\d*)\.(\d{2})$/.exec(s);
  if (!m)
    return {
      ok: false,
      message: `Le montant ${quoteValue(raw)} n’est pas une valeur DSN (chiffres, un point et deux décimales, par exemple 1234.56).`,
    };
  const intPart = m[1] === '' ? '0' : m[1]!;
  if (intPart.replace(/^0+/, '').length > 12) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  const cents = BigInt(intPart) * 100n + BigInt(m[2]!);
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, message: `Le montant ${quoteValue(raw)} dépasse 1 milliard d’euros.` };
  return { ok: true, value: cents };
}

const DATE_TOKEN = /(\d{2})\/(\d{2})\/(\d{4})|(\d{4})-(\d{2})-(\d{2})|(?<![\d])(\d{2})(\d{2})(\d{4})(?![\d])/g;

/** « 31/12/2024 », « 2024-12-31 » or the DSN « 31122024 » → `2024-12-31`. */
export function parseDay(raw: string): Parsed<Jour> {
  const s = raw.trim();
  let m: RegExpExecArray | null;
  let j: string | null = null;
  if ((m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s))) j = `${m[3]}-${m[2]}-${m[1]}`;
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) j = s;
  else if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) j = `${m[3]}-${m[2]}-${m[1]}`;
  if (!j) return { ok: false, message: `La date ${quoteValue(raw)} n’est pas au format JJ/MM/AAAA.` };
  if (!isJour(j)) return { ok: false, message: `La date ${quoteValue(raw)} n’existe pas.` };
  return { ok: true, value: j };
}

/** A deposit date, optionally with a time: « 05/05/2025 », « 2025-05-05 10:32 », « 2025-05-05T10:32:07 ». */
export function parseDepositDate(raw: string): Parsed<string> {
  const s = raw.trim();
  const m = /^(\S+?)(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return { ok: false, message: `La date de dépôt ${quoteValue(raw)} n’est pas au format JJ/MM/AAAA (heure HH:MM facultative).` };
  const d = parseDay(m[1]!);
  if (!d.ok) return { ok: false, message: `Date de dépôt : ${d.message}` };
  if (m[2] === undefined) return { ok: true, value: d.value };
  const h = Number(m[2]);
  const mi = Number(m[3]);
  const se = m[4] === undefined ? null : Number(m[4]);
  if (h > 23 || mi > 59 || (se !== null && se > 59)) return { ok: false, message: `L’heure de dépôt ${quoteValue(raw)} n’existe pas.` };
  return { ok: true, value: `${d.value}T${m[2]}:${m[3]}${se === null ? '' : `:${m[4]}`}` };
}

/**
 * The period of the payroll: « 2024 » (the whole year), or two dates « 01/01/2024 - 31/12/2024 »,
 * « du 01/01/2024 au 30/06/2024 », « 2024-01-01/2024-12-31 », « 01012024-31122024 ». Within one
 * calendar year, first day ≤ last day.
 */
export function parsePeriode(raw: string): Parsed<Periode> {
  const s = raw.trim();
  if (/^\d{4}$/.test(s)) {
    const y = Number(s);
    if (y < 2000 || y > 2999) return { ok: false, message: `La période ${quoteValue(raw)} n’est pas une année valide.` };
    return { ok: true, value: { debut: `${s}-01-01`, fin: `${s}-12-31` } };
  }
  const tokens = [...s.matchAll(DATE_TOKEN)];
  const rest = s.replace(DATE_TOKEN, ' ');
  if (tokens.length !== 2 || !/^[\s\-–—/.>:]*(?:du)?[\s\-–—/.>:]*(?:au|à|a)?[\s\-–—/.>:]*$/i.test(rest.replace(/\s+/g, ' ')))
    return { ok: false, message: `La période ${quoteValue(raw)} doit être une année (AAAA) ou deux dates (JJ/MM/AAAA - JJ/MM/AAAA).` };
  const days: Jour[] = [];
  for (const t of tokens) {
    const d = parseDay(t[0]);
    if (!d.ok) return { ok: false, message: `Période : ${d.message}` };
    days.push(d.value);
  }
  return periodeOf(days[0]!, days[1]!, raw);
}

function periodeOf(debut: Jour, fin: Jour, raw: string): Parsed<Periode> {
  if (fin < debut) return { ok: false, message: `La période ${quoteValue(raw)} se termine avant de commencer.` };
  if (debut.slice(0, 4) !== fin.slice(0, 4))
    return { ok: false, message: `La période ${quoteValue(raw)} doit tenir dans une seule année civile (celle de la masse salariale).` };
  return { ok: true, value: { debut, fin } };
}

/** « Urssaf », « URSSAF », « MSA » (and « CGSS », the Urssaf of the overseas départements). */
export function parseCollecteur(raw: string): Parsed<Collecteur> {
  if (raw === 'URSSAF' || raw === 'MSA') return { ok: true, value: raw };
  const k = searchKey(raw).replace(/ /g, '');
  if (k === 'urssaf' || k === 'cgss') return { ok: true, value: 'URSSAF' };
  if (k === 'msa') return { ok: true, value: 'MSA' };
  return { ok: false, message: `L’organisme collecteur doit être URSSAF ou MSA (valeur reçue : ${quoteValue(raw)}).` };
}

/** « 76 », « 076 » → « 076 »; only 076, 077 and 078 make the envelope. */
const CODE_OK: Readonly<Record<string, Parsed<EnvelopeCode>>> = {
  '076': { ok: true, value: '076' },
  '077': { ok: true, value: '077' },
  '078': { ok: true, value: '078' },
};

export function parseCode(raw: string): Parsed<EnvelopeCode> {
  const fast = CODE_OK[raw];
  if (fast) return fast;
  const s = raw.trim();
  if (!/^\d{1,3}$/.test(s))
    return { ok: false, message: `Le code ${quoteValue(raw)} n’est pas un code de cotisation DSN (076, 077 ou 078).` };
  const c = s.padStart(3, '0');
  if ((ENVELOPE_CODES as readonly string[]).includes(c)) return { ok: true, value: c as EnvelopeCode };
  const lib = CODE_LIBELLES[c];
  return {
    ok: false,
    message: lib
      ? `Le code ${c} (${lib}) n’entre pas dans l’enveloppe : seuls 076, 077 et 078 sont acceptés.`
      : `Code inconnu ${quoteValue(raw)} : seuls 076 (solde), 077 et 078 (déductions) sont acceptés.`,
  };
}

/** SIRET of a line: 14 digits required; a failing check digit is a warning only. */
export function parseLineSiret(
  raw: string,
  label = 'Le numéro SIRET',
): { ok: true; value: string; warning: string | null } | { ok: false; message: string } {
  const v = compactInput(raw);
  if (v === '') return { ok: false, message: `${label} est vide.` };
  if (!/^[0-9]{14}$/.test(v)) return { ok: false, message: `${label} ${quoteValue(raw)} doit comporter 14 chiffres.` };
  return {
    ok: true,
    value: v,
    warning: isValidSiret(v) ? null : `${label} ${v} ne passe pas la clé de contrôle : ligne importée avec un avertissement.`,
  };
}

const FORMULA = /^[=+@\-\t\r]/;

/** A person's or company's name: trimmed, spaces collapsed, ≤ 80 characters, no control characters nor formula. */
export function parseNom(raw: string, label: string): Parsed<string | null> {
  const s = raw
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return { ok: true, value: null };
  if (FORMULA.test(s)) return { ok: false, message: `${label} ${quoteValue(raw)} commence par =, +, - ou @ : les formules sont refusées.` };
  if (s.length > 80) return { ok: false, message: `${label} dépasse 80 caractères.` };
  return { ok: true, value: s };
}

// ── CSV ────────────────────────────────────────────────────────────────────────────────────────────

interface CsvRecord {
  line: number;
  cells: string[];
}

type Column =
  | 'siret'
  | 'collecteur'
  | 'code'
  | 'montant'
  | 'solde_076'
  | 'deduction_077'
  | 'deduction_078'
  | 'periode'
  | 'periode_debut'
  | 'periode_fin'
  | 'siret_declarant'
  | 'declarant'
  | 'date_depot';

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

function columnKey(header: string): string {
  return searchKey(header).replace(/ /g, '_');
}

/** Counts `sep` outside double quotes in one physical line. */
function countOutsideQuotes(line: string, sep: string): number {
  let n = 0;
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    else if (ch === sep && !q) n++;
  }
  return n;
}

/**
 * Splits CSV text into records (RFC 4180 double quotes, doubled quotes inside, line breaks inside quotes)
 * keeping the line number where each record starts. Lines without quotes take the fast path.
 */
function splitCsv(text: string, sep: string): { records: CsvRecord[]; errors: { line: number; message: string }[] } {
  const physical = text.split(/\r\n|\r|\n/);
  const records: CsvRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let i = 0;
  while (i < physical.length) {
    const start = i + 1;
    let line = physical[i]!;
    if (line.length > MAX_LINE_CHARS) {
      errors.push({ line: start, message: `La ligne dépasse ${MAX_LINE_CHARS} caractères : elle est ignorée.` });
      i++;
      continue;
    }
    if (!line.includes('"')) {
      i++;
      if (line.trim() === '') continue;
      records.push({ line: start, cells: line.split(sep) });
      continue;
    }
    // quoted cells: consume physical lines until the quotes balance
    const cells: string[] = [];
    let cell = '';
    let k = 0;
    let inQuotes = false;
    let broken = false;
    let cellStarted = false;
    for (;;) {
      if (k >= line.length) {
        if (inQuotes) {
          i++;
          if (i >= physical.length || cell.length > MAX_LINE_CHARS) {
            broken = true;
            break;
          }
          cell += '\n';
          line = physical[i]!;
          k = 0;
          continue;
        }
        cells.push(cell);
        break;
      }
      const ch = line[k]!;
      if (inQuotes) {
        if (ch === '"') {
          if (line[k + 1] === '"') {
            cell += '"';
            k += 2;
            continue;
          }
          inQuotes = false;
          k++;
          continue;
        }
        cell += ch;
        k++;
        continue;
      }
      if (ch === '"' && !cellStarted) {
        inQuotes = true;
        cellStarted = true;
        k++;
        continue;
      }
      if (ch === sep) {
        cells.push(cell);
        cell = '';
        cellStarted = false;
        k++;
        continue;
      }
      cell += ch;
      if (ch !== ' ') cellStarted = true;
      k++;
    }
    i++;
    if (broken) {
      errors.push({ line: start, message: 'Guillemets non fermés à partir de cette ligne : la fin du fichier ne peut pas être lue.' });
      break;
    }
    records.push({ line: start, cells });
  }
  return { records, errors };
}

/** `parse` remembering its last argument and result (a file repeats the same cell on consecutive lines). */
function lastValue<T>(parse: (raw: string) => T): (raw: string) => T {
  let lastRaw: string | null = null;
  let last: T | undefined;
  return (raw) => {
    if (raw !== lastRaw) {
      last = parse(raw);
      lastRaw = raw;
    }
    return last as T;
  };
}

function parseCsvFile(text: string, opts: Opts, out: ParsedEnvelopeFile): void {
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const semi = countOutsideQuotes(firstLine, ';');
  const comma = countOutsideQuotes(firstLine, ',');
  const reject = (line: number, message: string) => out.rejections.push({ fichier: opts.fichier, line, message });
  const warn = (line: number, message: string) => out.warnings.push({ fichier: opts.fichier, line, message });
  if (semi === 0 && comma === 0) {
    reject(
      1,
      'L’en-tête doit séparer ses colonnes par des points-virgules (;) ou des virgules (,), par exemple « siret;collecteur;code;montant ».',
    );
    return;
  }
  const sep = semi > 0 ? ';' : ',';
  const { records, errors } = splitCsv(text, sep);
  for (const e of errors) reject(e.line, e.message);
  const [head, ...rows] = records;
  if (!head) {
    reject(1, 'Le fichier ne contient pas d’en-tête.');
    return;
  }

  // header
  const cols = new Map<Column, number>();
  head.cells.forEach((h, idx) => {
    const key = columnKey(h);
    const col = ALIASES[key];
    if (!col) {
      if (key !== '') warn(head.line, `Colonne ${quoteValue(h)} inconnue : elle est ignorée.`);
      return;
    }
    if (cols.has(col)) reject(head.line, `La colonne ${quoteValue(h)} apparaît deux fois.`);
    else cols.set(col, idx);
  });
  const long = cols.has('code') || cols.has('montant');
  const wide = cols.has('solde_076') || cols.has('deduction_077') || cols.has('deduction_078');
  const missing: string[] = [];
  if (!cols.has('siret')) missing.push('siret');
  if (!cols.has('collecteur')) missing.push('collecteur');
  if (long && wide)
    reject(
      head.line,
      'Choisissez un seul format : soit les colonnes « code » et « montant », soit les colonnes « solde_076 », « deduction_077 », « deduction_078 ».',
    );
  else if (long) {
    if (!cols.has('code')) missing.push('code');
    if (!cols.has('montant')) missing.push('montant');
  } else if (!wide) missing.push('code et montant (ou solde_076, deduction_077, deduction_078)');
  if (cols.has('periode') && (cols.has('periode_debut') || cols.has('periode_fin')))
    reject(head.line, 'Indiquez la période soit dans « periode », soit dans « periode_debut » et « periode_fin ».');
  if (cols.has('periode_debut') !== cols.has('periode_fin'))
    reject(head.line, 'Les colonnes « periode_debut » et « periode_fin » vont ensemble.');
  if (missing.length) reject(head.line, `Colonne(s) obligatoire(s) absente(s) : ${missing.join(', ')}.`);
  if (out.rejections.some((r) => r.line === head.line)) return;

  const width = head.cells.length;
  // Shared values: a national file repeats the same period and deposit date on many lines (cached, the
  // cache bounded), and often the same déclarant and deposit on consecutive lines (the previous line's
  // are reused; a file of self-filing companies has one per SIRET: caching them would only cost memory).
  const cache = new Map<string, unknown>();
  const intern = <T>(key: string, make: () => T): T => {
    let v = cache.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      if (cache.size < INTERN_MAX) cache.set(key, v);
    }
    return v;
  };
  let prevDecl: { siret: string | null; nom: string | null; value: Declarant } | null = null;
  const periodeCell = lastValue((raw) => intern(`P|${raw}`, () => parsePeriode(raw)));
  const depositOf = lastValue((raw) => intern(`D|${raw}`, () => parseDepositDate(raw)));
  let prevDepot: { deposeLe: string | null; who: string; value: string } | null = null;
  const index = Object.fromEntries(cols) as Partial<Record<Column, number>>;
  const cell = (r: CsvRecord, c: Column): string | undefined => {
    const idx = index[c];
    return idx === undefined ? undefined : (r.cells[idx] ?? '');
  };
  // the déclarant's SIRET and name usually repeat from one line to the next: parsed once
  const declSiretOf = lastValue((raw) => parseLineSiret(raw, 'Le SIRET du déclarant'));
  const declNomOf = lastValue((raw) => parseNom(raw, 'Le nom du déclarant'));
  let current = 0;
  const bad = (message: string) => reject(current, message);
  const defaultPeriode: Periode = { debut: `${opts.annee - 1}-01-01`, fin: `${opts.annee - 1}-12-31` };

  for (const r of rows) {
    if (r.cells.length !== width) {
      reject(
        r.line,
        `La ligne compte ${r.cells.length} colonnes au lieu de ${width}.` +
          (sep === ',' ? ' Avec la virgule comme séparateur, un montant à virgule décimale doit être entre guillemets ("1234,56").' : ''),
      );
      continue;
    }
    const before = out.rejections.length;
    current = r.line;
    let lineWarnings: string[] | null = null;

    const siret = parseLineSiret(cell(r, 'siret')!);
    if (!siret.ok) bad(siret.message);
    else if (siret.warning) (lineWarnings ??= []).push(siret.warning);
    const coll = parseCollecteur(cell(r, 'collecteur')!);
    if (!coll.ok) bad(coll.message);

    let periode: Periode | null = defaultPeriode;
    if (cols.has('periode')) {
      const raw = cell(r, 'periode')!;
      if (raw.trim() !== '') {
        const p = periodeCell(raw);
        if (!p.ok) {
          bad(p.message);
          periode = null;
        } else periode = p.value;
      }
    } else if (cols.has('periode_debut')) {
      const d = parseDay(cell(r, 'periode_debut')!);
      const f = parseDay(cell(r, 'periode_fin')!);
      if (!d.ok) bad(`Début de période : ${d.message}`);
      if (!f.ok) bad(`Fin de période : ${f.message}`);
      if (d.ok && f.ok) {
        const p = periodeOf(d.value, f.value, `${cell(r, 'periode_debut')} - ${cell(r, 'periode_fin')}`);
        if (!p.ok) {
          bad(p.message);
          periode = null;
        } else periode = p.value;
      } else periode = null;
    }
    if (periode) checkExercice(periode, opts.annee, bad);

    let declSiret: string | null = null;
    const rawDeclSiret = cell(r, 'siret_declarant');
    if (rawDeclSiret !== undefined && rawDeclSiret.trim() !== '') {
      const s = declSiretOf(rawDeclSiret);
      if (!s.ok) bad(s.message);
      else {
        declSiret = s.value;
        if (s.warning) (lineWarnings ??= []).push(s.warning);
      }
    }
    let declNom: string | null = null;
    const rawDeclNom = cell(r, 'declarant');
    if (rawDeclNom !== undefined) {
      const n = declNomOf(rawDeclNom);
      if (!n.ok) bad(n.message);
      else declNom = n.value;
    }
    let deposeLe: string | null = null;
    if (cols.has('date_depot') && cell(r, 'date_depot')!.trim() !== '') {
      const raw = cell(r, 'date_depot')!;
      const d = depositOf(raw);
      if (!d.ok) bad(d.message);
      else deposeLe = d.value;
    }

    const amounts: { code: EnvelopeCode; cents: Cents }[] = [];
    if (long) {
      const code = parseCode(cell(r, 'code')!);
      if (!code.ok) bad(code.message);
      const amount = parseEuroAmount(cell(r, 'montant')!);
      if (!amount.ok) bad(amount.message);
      if (code.ok && amount.ok) amounts.push({ code: code.value, cents: amount.value });
    } else {
      const wideCols: [Column, EnvelopeCode][] = [
        ['solde_076', '076'],
        ['deduction_077', '077'],
        ['deduction_078', '078'],
      ];
      for (const [c, code] of wideCols) {
        if (!cols.has(c)) continue;
        const raw = cell(r, c)!;
        if (raw.trim() === '') continue;
        const amount = parseEuroAmount(raw);
        if (!amount.ok) bad(`${code} : ${amount.message}`);
        else amounts.push({ code, cents: amount.value });
      }
      if (out.rejections.length === before && amounts.length === 0)
        bad('La ligne ne porte aucun montant (solde_076, deduction_077 ou deduction_078).');
    }

    if (out.rejections.length !== before || !siret.ok || !coll.ok || !periode) continue;
    if (lineWarnings) for (const w of lineWarnings) warn(r.line, w);
    let declarant: Declarant | null = null;
    if (declSiret || declNom) {
      if (prevDecl && prevDecl.siret === declSiret && prevDecl.nom === declNom) declarant = prevDecl.value;
      else {
        declarant = { siret: declSiret, nom: declNom };
        prevDecl = { siret: declSiret, nom: declNom, value: declarant };
      }
    }
    let depot = opts.fichier;
    if (deposeLe || declarant) {
      const who = declSiret ?? declNom ?? '';
      if (prevDepot && prevDepot.deposeLe === deposeLe && prevDepot.who === who) depot = prevDepot.value;
      else {
        depot = `${opts.fichier}|${deposeLe ?? ''}|${who}`;
        prevDepot = { deposeLe, who, value: depot };
      }
    }
    for (const a of amounts)
      opts.emit({
        fichier: opts.fichier,
        line: r.line,
        siret: siret.value,
        collecteur: coll.value,
        annee: opts.annee,
        code: a.code,
        cents: a.cents,
        periode,
        declarant,
        deposeLe,
        depot,
      });
  }
}

/**
 * The solde of campaign N is due on the payroll of N − 1: a later period cannot belong to it; an
 * earlier one is a correction after its own campaign (kept, see `aggregateEnvelopeLines`).
 */
function checkExercice(p: Periode, annee: number, bad: (m: string) => void): void {
  const y = Number(p.debut.slice(0, 4));
  if (y >= annee)
    bad(
      `La période ${y} ne peut pas alimenter la campagne ${annee} : le solde de la campagne ${annee} porte sur la masse salariale ${annee - 1}` +
        (y === annee ? ' (indiquez l’année de la masse salariale, pas celle de la campagne).' : '.'),
    );
}

// ── DSN ────────────────────────────────────────────────────────────────────────────────────────────

const RUBRIC = /^(S\d{2}\.G\d{2}\.\d{2})\.(\d{3}),'(.*)'\s*$/;

interface Cot {
  line: number;
  valeur?: string;
  code?: string;
  debut?: string;
  fin?: string;
  reference?: string;
}

interface DeclState {
  index: number;
  line: number;
  nature: string | null;
  type: string | null;
  dateFichier: string | null;
  champ: string | null;
  refused: boolean;
}

function parseDsnFile(text: string, opts: Opts, out: ParsedEnvelopeFile): void {
  const reject = (line: number, message: string) => out.rejections.push({ fichier: opts.fichier, line, message });
  const warn = (line: number, message: string) => out.warnings.push({ fichier: opts.fichier, line, message });

  const envoi: {
    essai: string | null;
    essaiLine: number;
    pointDepot: string | null;
    siren: string | null;
    nic: string | null;
    nom: string | null;
  } = {
    essai: null,
    essaiLine: 0,
    pointDepot: null,
    siren: null,
    nic: null,
    nom: null,
  };
  let decl: DeclState | null = null;
  let declCount = 0;
  let siren: { value: string; line: number } | null = null;
  let etab: { siret: string | null; line: number } | null = null;
  let cot: Cot | null = null;
  let lastBlock = '';
  let lastField = 0;
  let rubrics = 0;
  let announced: { count: number; line: number } | null = null;
  const pending: { cot: Cot; siret: string | null; decl: DeclState }[] = [];

  const flushCot = () => {
    if (cot && decl && etab) pending.push({ cot, siret: etab.siret, decl });
    else if (cot && ENVELOPE_CODES.includes((cot.code ?? '') as EnvelopeCode))
      reject(cot.line, 'Bloc S21.G00.82 en dehors d’un établissement (S21.G00.11) d’une déclaration (S20.G00.05) : montant ignoré.');
    cot = null;
  };

  const physical = text.split(/\r\n|\r|\n/);
  physical.forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '') return;
    if (raw.length > MAX_LINE_CHARS) {
      reject(n, `La ligne dépasse ${MAX_LINE_CHARS} caractères : elle est ignorée.`);
      return;
    }
    const m = RUBRIC.exec(raw);
    if (!m) {
      reject(
        n,
        `Ligne DSN mal formée : attendu « S21.G00.82.001,'valeur' » (code de rubrique, virgule, valeur entre apostrophes), reçu ${quoteValue(raw)}.`,
      );
      return;
    }
    rubrics++;
    const block = m[1]!;
    const field = Number(m[2]);
    const value = m[3]!;
    // a new occurrence of a block starts when its field numbers go back
    const newOccurrence = block !== lastBlock || field <= lastField;
    lastBlock = block;
    lastField = field;
    if (cot && (block !== 'S21.G00.82' || newOccurrence)) flushCot();

    switch (block) {
      case 'S10.G00.00':
        if (field === 5) {
          envoi.essai = value;
          envoi.essaiLine = n;
        } else if (field === 7) envoi.pointDepot = value;
        return;
      case 'S10.G00.01':
        if (field === 1) envoi.siren = value.trim();
        else if (field === 2) envoi.nic = value.trim();
        else if (field === 3) envoi.nom = value;
        return;
      case 'S20.G00.05':
        if (field === 1 || !decl || newOccurrence) {
          declCount++;
          decl = { index: declCount, line: n, nature: null, type: null, dateFichier: null, champ: null, refused: false };
          siren = null;
          etab = null;
        }
        if (field === 1) decl.nature = value;
        else if (field === 2) decl.type = value;
        else if (field === 7) decl.dateFichier = value;
        else if (field === 8) decl.champ = value;
        return;
      case 'S21.G00.06':
        if (field === 1) {
          siren = { value: value.trim(), line: n };
          etab = null;
        }
        return;
      case 'S21.G00.11':
        if (field === 1) {
          const nic = value.trim();
          if (!siren) {
            reject(n, 'Établissement (S21.G00.11) sans entreprise (S21.G00.06) avant lui : son SIRET ne peut pas être formé.');
            etab = { siret: null, line: n };
          } else if (!/^\d{9}$/.test(siren.value) || !/^\d{5}$/.test(nic)) {
            reject(
              n,
              `SIRET incomplet : SIREN ${quoteValue(siren.value)} (S21.G00.06.001, 9 chiffres) et NIC ${quoteValue(nic)} (S21.G00.11.001, 5 chiffres).`,
            );
            etab = { siret: null, line: n };
          } else etab = { siret: siren.value + nic, line: n };
        }
        return;
      case 'S21.G00.82':
        if (newOccurrence) cot = { line: n };
        if (!cot) cot = { line: n };
        if (field === 1) cot.valeur = value;
        else if (field === 2) cot.code = value.trim();
        else if (field === 3) cot.debut = value.trim();
        else if (field === 4) cot.fin = value.trim();
        else if (field === 5) cot.reference = value.trim();
        return;
      case 'S90.G00.90':
        if (field === 1) announced = { count: Number(value), line: n };
        return;
      default:
        return;
    }
  });
  flushCot();

  if (rubrics === 0) {
    reject(1, 'Le fichier ne contient aucune rubrique DSN.');
    return;
  }
  if (envoi.essai === '01') {
    reject(envoi.essaiLine, 'Envoi d’essai (S10.G00.00.005 = 01) : ses montants ne sont pas importés. Déposez l’envoi réel (02).');
    return;
  }
  const ann = announced as { count: number; line: number } | null;
  if (ann && ann.count !== rubrics)
    warn(
      ann.line,
      `Le nombre total de rubriques annoncé (S90.G00.90.001 = ${ann.count}) ne correspond pas au fichier (${rubrics}) : le fichier est peut-être tronqué.`,
    );
  else if (!ann && envoi.essai !== null)
    warn(physical.length, 'L’envoi n’a pas de bloc de fin (S90.G00.90) : le fichier est peut-être tronqué.');

  let emetteur: Declarant | null = null;
  if (envoi.siren || envoi.nom) {
    const sir = envoi.siren && envoi.nic && /^\d{9}$/.test(envoi.siren) && /^\d{5}$/.test(envoi.nic) ? envoi.siren + envoi.nic : null;
    const nom = envoi.nom ? parseNom(envoi.nom, 'Le nom de l’émetteur') : null;
    emetteur = { siret: sir, nom: nom && nom.ok ? nom.value : null };
  }

  for (const { cot: c, siret, decl: d } of pending) {
    const code = c.code ?? '';
    if (!ENVELOPE_CODES.includes(code as EnvelopeCode)) continue; // other cotisations établissement
    const bad = (message: string) => reject(c.line, message);
    if (siret === null) continue; // already rejected at its S21.G00.11
    if (d.type === '04') {
      if (!d.refused)
        reject(
          d.line,
          'Déclaration « annule » (S20.G00.05.002 = 04) : non prise en charge ; déposez une déclaration « annule et remplace » (03) avec les montants corrigés, à zéro si besoin.',
        );
      d.refused = true;
      continue;
    }
    if (d.nature !== null && d.nature !== '01') {
      bad(
        `Le solde de la taxe d’apprentissage se déclare dans une DSN mensuelle (S20.G00.05.001 = 01), pas dans la nature ${quoteValue(d.nature)}.`,
      );
      continue;
    }
    const before = out.rejections.length;
    const amount = parseDsnAmount(c.valeur ?? '');
    if (c.valeur === undefined) bad('Bloc S21.G00.82 sans valeur (S21.G00.82.001).');
    else if (!amount.ok) bad(amount.message);
    let periode: Periode | null = null;
    if (!c.debut || !c.fin) bad('Bloc S21.G00.82 sans période de rattachement (S21.G00.82.003 et .004, JJMMAAAA).');
    else {
      const dd = parseDay(c.debut);
      const ff = parseDay(c.fin);
      if (!dd.ok) bad(`S21.G00.82.003 : ${dd.message}`);
      if (!ff.ok) bad(`S21.G00.82.004 : ${ff.message}`);
      if (dd.ok && ff.ok) {
        const p = periodeOf(dd.value, ff.value, `${c.debut}-${c.fin}`);
        if (!p.ok) bad(p.message);
        else {
          periode = p.value;
          checkExercice(periode, opts.annee, bad);
        }
      }
    }
    if (out.rejections.length !== before || !amount.ok || !periode) continue;

    let collecteur: Collecteur;
    if (c.reference && /^\d{14}$/.test(c.reference)) collecteur = 'URSSAF';
    else if (c.reference) collecteur = 'MSA';
    else if (d.champ === '02' || envoi.pointDepot === '02') collecteur = 'MSA';
    else {
      collecteur = 'URSSAF';
      warn(
        c.line,
        'Référence de l’organisme (S21.G00.82.005) absente : organisme collecteur supposé URSSAF (point de dépôt net-entreprises).',
      );
    }
    if (!isValidSiret(siret))
      warn(c.line, `Le numéro SIRET ${siret} ne passe pas la clé de contrôle : ligne importée avec un avertissement.`);
    let deposeLe: string | null = null;
    if (d.dateFichier) {
      const dep = parseDay(d.dateFichier);
      if (dep.ok) deposeLe = dep.value;
      else warn(d.line, `Date de constitution du fichier (S20.G00.05.007) illisible : ${dep.message}`);
    }
    opts.emit({
      fichier: opts.fichier,
      line: c.line,
      siret,
      collecteur,
      annee: opts.annee,
      code: code as EnvelopeCode,
      cents: amount.value,
      periode,
      declarant: emetteur,
      deposeLe,
      depot: `${opts.fichier}#${d.index}`,
    });
  }
}

// ── entry point ────────────────────────────────────────────────────────────────────────────────────

/** Parses one file of amounts (CSV or DSN lines), detected from its first line. */
export function parseEnvelopeFile(input: string | Uint8Array, options: ParseOptions): ParsedEnvelopeFile {
  const { text, encoding } = decodeText(input);
  const out: ParsedEnvelopeFile = { ok: false, format: 'inconnu', encoding, lines: [], lineCount: 0, rejections: [], warnings: [] };
  const sink = options.sink;
  const opts: Opts = {
    annee: options.annee,
    fichier: options.fichier ?? 'fichier',
    emit: sink
      ? (l) => {
          out.lineCount++;
          sink(l);
        }
      : (l) => {
          out.lineCount++;
          out.lines.push(l);
        },
  };
  if (!Number.isInteger(opts.annee) || opts.annee < 2023 || opts.annee > 2100) {
    out.rejections.push({ fichier: opts.fichier, line: 0, message: 'L’année de campagne doit être un nombre entier entre 2023 et 2100.' });
    return out;
  }
  if (text.includes('\u0000')) {
    out.rejections.push({ fichier: opts.fichier, line: 0, message: 'Le fichier n’est pas un fichier texte (CSV ou DSN).' });
    return out;
  }
  const first = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '');
  if (first === undefined) {
    out.rejections.push({ fichier: opts.fichier, line: 0, message: 'Le fichier est vide.' });
    return out;
  }
  if (/^S\d{2}\.G\d{2}\.\d{2}\.\d{3},/.test(first.trim())) {
    out.format = 'dsn';
    parseDsnFile(text, opts, out);
  } else {
    out.format = 'csv';
    parseCsvFile(text, opts, out);
  }
  out.ok = out.rejections.length === 0;
  return out;
}

// ── aggregation: one envelope input per SIRET ──────────────────────────────────────────────────────

export interface EnvelopeInputRow extends DeclaredAmounts {
  annee: number;
  /** the payroll year the amounts are due for */
  exercice: number;
  /** span of the periods of the amounts kept */
  periode: Periode;
  /** who filed the latest deposit kept, and when */
  declarant: Declarant | null;
  deposeLe: string | null;
  /** the codes the kept deposits carry (a correction without 076 brings the solde to zero: worth a warning) */
  codes: readonly EnvelopeCode[];
  /** where the amounts kept come from: the first line kept (of 076, else 077, else 078) */
  fichier: string;
  line: number;
  /** number of lines kept */
  lignes: number;
}

export interface Replacement {
  siret: string;
  exercice: number;
  code: EnvelopeCode;
  /** deposit replaced (its deposit date, or null) → deposit kept */
  remplace: string | null;
  par: string | null;
  fichier: string;
  line: number;
}

export interface Aggregation {
  /** the campaign's envelopes (payroll of annee − 1) */
  envelopes: EnvelopeInputRow[];
  /**
   * Amounts of an earlier payroll year: corrections arriving after their own campaign, to compare with
   * what that campaign used and carry the difference to this one (enveloppe.ts `correctionOutcome`).
   */
  anterieures: EnvelopeInputRow[];
  /** later deposits of the same SIRET, year and code that replaced earlier ones (DSN corrections) */
  remplacements: Replacement[];
  errors: ReportEntry[];
}

/** Further lines kept per code for messages (a deposit rarely has more than one line per code). */
const MAX_MORE_SOURCES = 4;

/** What is kept of one code of one SIRET and year: the sum of the lines of the deposit kept so far. */
interface CodeState {
  depot: string;
  /** order of the deposit in the input (ties of deposit dates) */
  order: number;
  deposeLe: string | null;
  declarant: Declarant | null;
  cents: Cents;
  collecteur: Collecteur;
  /** another collector on a line of the same deposit and code */
  otherCollecteur: Collecteur | null;
  debut: Jour;
  fin: Jour;
  periode: Periode;
  /** the first line kept */
  fichier: string;
  line: number;
  /** a few more lines kept (for messages), null for the usual single line */
  more: { fichier: string; line: number }[] | null;
  lignes: number;
}

interface Group {
  siret: string;
  exercice: number;
  annee: number;
  c076: CodeState | null;
  c077: CodeState | null;
  c078: CodeState | null;
}

/** The code lists an envelope may carry, by bit mask (076 = 1, 077 = 2, 078 = 4), shared by every row. */
const CODE_LISTS: readonly (readonly EnvelopeCode[])[] = Array.from({ length: 8 }, (_, m) =>
  Object.freeze((['076', '077', '078'] as const).filter((_, i) => m & (1 << i))),
);

/** rank of a group among its SIRET's groups: 0 for the campaign's payroll year, else the (earlier) year */
const rankOf = (g: Group): number => (g.exercice === g.annee - 1 ? 0 : g.exercice);

/**
 * The groups by SIRET, then: the campaign's payroll year first, then earlier payroll years in increasing
 * order (the order of the keys `SIRET` < `SIRET|year`). SIRETs are 14 digits (parseLineSiret), so their
 * numeric order is their text order and they are exact as doubles (< 2^53): sorting numbers is several
 * times faster than comparing two million substrings of a large file (and a file already sorted by
 * SIRET is not sorted again).
 */
function sortedGroups(groups: Map<string, Group>): Group[] {
  const all = [...groups.values()];
  const n = all.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const a = all[i - 1]!;
    const b = all[i]!;
    if (a.siret > b.siret || (a.siret === b.siret && rankOf(a) > rankOf(b))) sorted = false;
  }
  if (sorted) return all;
  const keys = new Float64Array(n);
  // (SIRET × 10,000 + year would exceed 2^53: the rank breaks ties in the comparison)
  for (let i = 0; i < n; i++) keys[i] = Number(all[i]!.siret);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => keys[a]! - keys[b]! || rankOf(all[a]!) - rankOf(all[b]!));
  const out = new Array<Group>(n);
  for (let i = 0; i < n; i++) out[i] = all[order[i]!]!;
  return out;
}

const sourcesOf = (k: CodeState) => [{ fichier: k.fichier, line: k.line }, ...(k.more ?? [])];

/**
 * Groups the lines of one or more files (in the order given: files in chronological order) into one
 * input per SIRET and payroll year. For each SIRET, year and code: the lines of one deposit add up
 * (several S21.G00.82 blocks, several CSV lines); a later deposit (later deposit date; same date or no
 * date: later in the input) replaces the earlier ones — it is a correction. A SIRET declared to both the
 * Urssaf and the MSA for the same year is an error (one envelope has one collector).
 *
 * Incremental and lean: `add` lines (or `addLine` one at a time, as `parseEnvelopeFile`'s `sink`), then
 * `result()`. Only the running sums per SIRET and code are kept, never the lines themselves, so a
 * national file (about two million lines) holds one small object per SIRET.
 */
export function createEnvelopeAggregator(): {
  add(lines: readonly EnvelopeLine[]): void;
  addLine(line: EnvelopeLine): void;
  result(): Aggregation;
} {
  const order = new Map<string, number>();
  let lastDepot = '';
  let lastOrder = -1;
  const orderOf = (depot: string): number => {
    if (depot === lastDepot) return lastOrder;
    let o = order.get(depot);
    if (o === undefined) order.set(depot, (o = order.size));
    lastDepot = depot;
    lastOrder = o;
    return o;
  };
  /** is (deposeLe, order) a later deposit than the code state's? */
  const later = (deposeLe: string | null, o: number, k: CodeState): boolean => {
    const da = deposeLe ?? '';
    const db = k.deposeLe ?? '';
    if (da !== db) return da > db;
    return o > k.order;
  };
  const groups = new Map<string, Group>();
  const remplacements: Replacement[] = [];
  // the payroll year of a period, remembered for the last period object seen (periods are shared)
  let lastPeriode: Periode | null = null;
  let lastExercice = 0;

  const fresh = (l: EnvelopeLine, o: number): CodeState => ({
    depot: l.depot,
    order: o,
    deposeLe: l.deposeLe,
    declarant: l.declarant,
    cents: l.cents,
    collecteur: l.collecteur,
    otherCollecteur: null,
    debut: l.periode.debut,
    fin: l.periode.fin,
    periode: l.periode,
    fichier: l.fichier,
    line: l.line,
    more: null,
    lignes: 1,
  });

  const addLine = (l: EnvelopeLine) => {
    const o = orderOf(l.depot);
    if (l.periode !== lastPeriode) {
      lastPeriode = l.periode;
      lastExercice = Number(l.periode.debut.slice(0, 4));
    }
    const exercice = lastExercice;
    const key = exercice === l.annee - 1 ? l.siret : `${l.siret}|${exercice}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { siret: l.siret, exercice, annee: l.annee, c076: null, c077: null, c078: null }));
    const slot = l.code === '076' ? 'c076' : l.code === '077' ? 'c077' : 'c078';
    const k = g[slot];
    if (!k) {
      g[slot] = fresh(l, o);
    } else if (k.depot === l.depot) {
      k.cents += l.cents;
      k.lignes++;
      if (l.collecteur !== k.collecteur && !k.otherCollecteur) k.otherCollecteur = l.collecteur;
      if (l.periode.debut < k.debut) k.debut = l.periode.debut;
      if (l.periode.fin > k.fin) k.fin = l.periode.fin;
      if (!k.more) k.more = [{ fichier: l.fichier, line: l.line }];
      else if (k.more.length < MAX_MORE_SOURCES) k.more.push({ fichier: l.fichier, line: l.line });
    } else if (later(l.deposeLe, o, k)) {
      remplacements.push({
        siret: l.siret,
        exercice,
        code: l.code,
        remplace: k.deposeLe,
        par: l.deposeLe,
        fichier: l.fichier,
        line: l.line,
      });
      g[slot] = fresh(l, o);
    } else {
      remplacements.push({
        siret: l.siret,
        exercice,
        code: l.code,
        remplace: l.deposeLe,
        par: k.deposeLe,
        fichier: l.fichier,
        line: l.line,
      });
    }
  };

  const add = (lines: readonly EnvelopeLine[]) => {
    for (const l of lines) addLine(l);
  };

  const mixed = (k: CodeState | null, c: Collecteur) => k !== null && (k.collecteur !== c || k.otherCollecteur !== null);

  const result = (): Aggregation => {
    const envelopes: EnvelopeInputRow[] = [];
    const anterieures: EnvelopeInputRow[] = [];
    const errors: ReportEntry[] = [];
    for (const g of sortedGroups(groups)) {
      const c6 = g.c076;
      const c7 = g.c077;
      const c8 = g.c078;
      const first = (c6 ?? c7 ?? c8)!;
      if (mixed(c6, first.collecteur) || mixed(c7, first.collecteur) || mixed(c8, first.collecteur)) {
        const all = [c6, c7, c8].flatMap((k) => (k ? sourcesOf(k) : []));
        errors.push({
          fichier: first.fichier,
          line: first.line,
          message: `SIRET ${g.siret} : déclaré à la fois auprès de l’URSSAF et de la MSA pour la masse salariale ${g.exercice} (lignes ${all
            .map((x) => `${x.fichier}:${x.line}`)
            .join(', ')}) ; une enveloppe n’a qu’un organisme collecteur.`,
        });
        continue;
      }
      let latest = first;
      let debut = first.debut;
      let fin = first.fin;
      let lignes = 0;
      let mask = 0;
      // written out for the three codes: no array nor closure per SIRET on a national file
      if (c6) {
        mask |= 1;
        lignes += c6.lignes;
        if (c6.debut < debut) debut = c6.debut;
        if (c6.fin > fin) fin = c6.fin;
      }
      if (c7) {
        mask |= 2;
        lignes += c7.lignes;
        if (c7.debut < debut) debut = c7.debut;
        if (c7.fin > fin) fin = c7.fin;
        if (later(c7.deposeLe, c7.order, latest)) latest = c7;
      }
      if (c8) {
        mask |= 4;
        lignes += c8.lignes;
        if (c8.debut < debut) debut = c8.debut;
        if (c8.fin > fin) fin = c8.fin;
        if (later(c8.deposeLe, c8.order, latest)) latest = c8;
      }
      const row: EnvelopeInputRow = {
        siret: g.siret,
        collecteur: first.collecteur,
        soldeCents: c6?.cents ?? 0n,
        subventionsCfaCents: c7?.cents ?? 0n,
        creanceAlternantsCents: c8?.cents ?? 0n,
        annee: g.annee,
        exercice: g.exercice,
        periode: debut === first.periode.debut && fin === first.periode.fin ? first.periode : { debut, fin },
        declarant: latest.declarant,
        deposeLe: latest.deposeLe,
        codes: CODE_LISTS[mask]!,
        fichier: first.fichier,
        line: first.line,
        lignes,
      };
      (g.exercice === g.annee - 1 ? envelopes : anterieures).push(row);
    }
    return { envelopes, anterieures, remplacements, errors };
  };
  return { add, addLine, result };
}

/** `createEnvelopeAggregator` in one call. */
export function aggregateEnvelopeLines(lines: readonly EnvelopeLine[]): Aggregation {
  const a = createEnvelopeAggregator();
  a.add(lines);
  return a.result();
}

// ── the whole import, ready for `npm run cli -- import-envelopes <année> <fichiers…>` ───────────────

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
