/**
 * What an envelope file yields (docs/enveloppes-format.md): amounts per SIRET and code, each with the
 * line it comes from, and the French report of what was rejected or warned. Shared by the CSV reader
 * (csv-file.ts), the DSN reader (dsn-file.ts) and the aggregation (aggregation.ts).
 */
import type { Collecteur } from '../../domain/enveloppe.js';
import type { Jour } from '../../domain/jours.js';
import type { Cents } from '../../domain/money.js';
import type { TextEncoding } from '../../shared/text-decoding.js';

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

/** A line (CSV record or DSN rubric) longer than this is refused (hostile or broken file). */
export const MAX_LINE_CHARS = 10_000;

/**
 * Rejections (and warnings) kept with their message, per file and per import: the first ones; the
 * others are counted, not kept (a broken national file could otherwise report two million lines, all
 * held in memory). The command prints as many (cli-commands.ts `MAX_PRINTED`).
 */
export const MAX_KEPT_ENTRIES = 1000;

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
  /** the deposit's order in the whole input, when the lines come back from staging (staging.ts) by SIRET */
  order?: number;
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
  encoding: TextEncoding;
  /** the amounts read (empty when a `sink` was given: they went to it) */
  lines: EnvelopeLine[];
  /** number of amounts read (= lines.length without a sink) */
  lineCount: number;
  /** the first MAX_KEPT_ENTRIES rejections and warnings; `rejectionCount` and `warningCount` count them all */
  rejections: ReportEntry[];
  warnings: ReportEntry[];
  rejectionCount: number;
  warningCount: number;
}

/** Adds `e` to `list` while it holds fewer than MAX_KEPT_ENTRIES entries; the caller counts it either way. */
export function keepEntry(list: ReportEntry[], e: ReportEntry): void {
  if (list.length < MAX_KEPT_ENTRIES) list.push(e);
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

/** One file being read: where its amounts go and where its rejections and warnings are written. */
export interface FileReading {
  annee: number;
  fichier: string;
  emit: (line: EnvelopeLine) => void;
  reject: (line: number, message: string) => void;
  warn: (line: number, message: string) => void;
  /** the report being filled (its `rejectionCount` tells the line's own: a line is kept when it added none) */
  out: ParsedEnvelopeFile;
}
