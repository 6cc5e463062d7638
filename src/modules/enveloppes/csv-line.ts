/**
 * One data line of a CSV envelope file (docs/enveloppes-format.md §1): its cells checked one by one
 * (every refusal reported with the line's number), then its amounts emitted. A national file has about
 * two million lines: values shared between lines (periods, deposit dates, déclarants) are parsed once.
 */
import type { Cents } from '../../domain/money.js';
import type { CsvRecord } from '../../shared/csv.js';
import type { Declarant, EnvelopeCode, FileReading, Periode } from './lines.js';
import {
  checkExercice,
  parseCode,
  parseCollecteur,
  parseDay,
  parseDepositDate,
  parseEuroAmount,
  parseLineSiret,
  parseNom,
  parsePeriode,
  periodeOf,
  type Parsed,
} from './values.js';

export type Column =
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

/** The columns of the layout one line per SIRET, with the code each carries. */
export const WIDE_COLUMNS: readonly (readonly [Column, EnvelopeCode])[] = [
  ['solde_076', '076'],
  ['deduction_077', '077'],
  ['deduction_078', '078'],
];

/** What the header says: where each column is, which layout, how many cells a line has. */
export interface CsvLayout {
  index: Partial<Record<Column, number>>;
  /** one line per amount (`code` + `montant`), else one line per SIRET */
  long: boolean;
  width: number;
  delimiter: string;
}

interface Amount {
  code: EnvelopeCode;
  cents: Cents;
}

/** Values shared between lines are cached up to this many (periods, deposit dates). */
const INTERN_MAX = 20_000;

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

/** Reads the data lines of one file, in order (`read` once per record after the header). */
export class CsvLineReader {
  private readonly defaultPeriode: Periode;
  // a national file repeats the same period and deposit date on many lines (cached, the cache bounded),
  // and often the same déclarant and deposit on consecutive lines (the previous line's are reused; a
  // file of self-filing companies has one per SIRET: caching them would only cost memory)
  private readonly cache = new Map<string, unknown>();
  private readonly periodeCell = lastValue((raw) => this.intern(`P|${raw}`, () => parsePeriode(raw)));
  private readonly depositOf = lastValue((raw) => this.intern(`D|${raw}`, () => parseDepositDate(raw)));
  private readonly declSiretOf = lastValue((raw) => parseLineSiret(raw, 'Le SIRET du déclarant'));
  private readonly declNomOf = lastValue((raw) => parseNom(raw, 'Le nom du déclarant'));
  private prevDecl: { siret: string | null; nom: string | null; value: Declarant } | null = null;
  private prevDepot: { deposeLe: string | null; who: string; value: string } | null = null;
  /** the line being read, and its warnings (reported only when the line is kept) */
  private line = 0;
  private lineWarnings: string[] | null = null;

  constructor(
    private readonly layout: CsvLayout,
    private readonly file: FileReading,
  ) {
    this.defaultPeriode = { debut: `${file.annee - 1}-01-01`, fin: `${file.annee - 1}-12-31` };
  }

  read(r: CsvRecord): void {
    const { width, delimiter } = this.layout;
    if (r.cells.length !== width) {
      this.file.reject(
        r.line,
        `La ligne compte ${r.cells.length} colonnes au lieu de ${width}.` +
          (delimiter === ','
            ? ' Avec la virgule comme séparateur, un montant à virgule décimale doit être entre guillemets ("1234,56").'
            : ''),
      );
      return;
    }
    const before = this.file.out.rejectionCount;
    this.startLine(r.line);
    const siret = this.siret(r);
    const coll = parseCollecteur(this.cell(r, 'collecteur')!);
    if (!coll.ok) this.bad(coll.message);
    const periode = this.periode(r);
    if (periode) checkExercice(periode, this.file.annee, (m) => this.bad(m));
    const declSiret = this.declarantSiret(r);
    const declNom = this.declarantNom(r);
    const deposeLe = this.depositDate(r);
    const amounts = this.layout.long ? this.longAmount(r) : this.wideAmounts(r, before);
    if (this.file.out.rejectionCount !== before || siret === null || !coll.ok || !periode) return;
    if (this.lineWarnings) for (const w of this.lineWarnings) this.file.warn(r.line, w);
    const declarant = this.declarantOf(declSiret, declNom);
    const depot = this.depotOf(deposeLe, declarant, declSiret ?? declNom ?? '');
    const { annee, fichier } = this.file;
    for (const a of amounts)
      this.file.emit({
        fichier,
        line: r.line,
        siret,
        collecteur: coll.value,
        annee,
        code: a.code,
        cents: a.cents,
        periode,
        declarant,
        deposeLe,
        depot,
      });
  }

  private startLine(line: number): void {
    this.line = line;
    this.lineWarnings = null;
  }

  private cell(r: CsvRecord, c: Column): string | undefined {
    const idx = this.layout.index[c];
    return idx === undefined ? undefined : (r.cells[idx] ?? '');
  }

  private bad(message: string): void {
    this.file.reject(this.line, message);
  }

  private warnLine(message: string): void {
    (this.lineWarnings ??= []).push(message);
  }

  private intern<T>(key: string, make: () => T): T {
    let v = this.cache.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      if (this.cache.size < INTERN_MAX) this.cache.set(key, v);
    }
    return v;
  }

  /** The line's SIRET, or null when refused (a failing check digit is a warning). */
  private siret(r: CsvRecord): string | null {
    return this.warnedValueOf(parseLineSiret(this.cell(r, 'siret')!));
  }

  /** The payroll period: the `periode` cell, or the two dates, else the whole year N − 1; null when refused. */
  private periode(r: CsvRecord): Periode | null {
    const index = this.layout.index;
    if (index.periode !== undefined) {
      const raw = this.cell(r, 'periode')!;
      return raw.trim() === '' ? this.defaultPeriode : this.valueOf(this.periodeCell(raw));
    }
    if (index.periode_debut === undefined) return this.defaultPeriode;
    const rawDebut = this.cell(r, 'periode_debut')!;
    const rawFin = this.cell(r, 'periode_fin')!;
    const d = parseDay(rawDebut);
    const f = parseDay(rawFin);
    if (!d.ok) this.bad(`Début de période : ${d.message}`);
    if (!f.ok) this.bad(`Fin de période : ${f.message}`);
    return d.ok && f.ok ? this.valueOf(periodeOf(d.value, f.value, `${rawDebut} - ${rawFin}`)) : null;
  }

  private valueOf<T>(p: Parsed<T>): T | null {
    if (p.ok) return p.value;
    this.bad(p.message);
    return null;
  }

  /** valueOf for a cell whose accepted value may carry a warning (a SIRET failing its check digit). */
  private warnedValueOf<T>(p: Parsed<T> & ({ ok: false } | { warning: string | null })): T | null {
    if (p.ok && 'warning' in p && p.warning) this.warnLine(p.warning);
    return this.valueOf(p);
  }

  private declarantSiret(r: CsvRecord): string | null {
    const raw = this.cell(r, 'siret_declarant');
    if (raw === undefined || raw.trim() === '') return null;
    return this.warnedValueOf(this.declSiretOf(raw));
  }

  private declarantNom(r: CsvRecord): string | null {
    const raw = this.cell(r, 'declarant');
    return raw === undefined ? null : this.valueOf(this.declNomOf(raw));
  }

  private depositDate(r: CsvRecord): string | null {
    const raw = this.cell(r, 'date_depot');
    return raw === undefined || raw.trim() === '' ? null : this.valueOf(this.depositOf(raw));
  }

  /** One line per amount: its code and its amount. */
  private longAmount(r: CsvRecord): Amount[] {
    const code = parseCode(this.cell(r, 'code')!);
    if (!code.ok) this.bad(code.message);
    const amount = parseEuroAmount(this.cell(r, 'montant')!);
    if (!amount.ok) this.bad(amount.message);
    return code.ok && amount.ok ? [{ code: code.value, cents: amount.value }] : [];
  }

  /** One line per SIRET: an amount per filled column, at least one (`before`: the line's first rejection). */
  private wideAmounts(r: CsvRecord, before: number): Amount[] {
    const amounts: Amount[] = [];
    for (const [c, code] of WIDE_COLUMNS) {
      const raw = this.cell(r, c);
      if (raw === undefined || raw.trim() === '') continue;
      const amount = parseEuroAmount(raw);
      if (!amount.ok) this.bad(`${code} : ${amount.message}`);
      else amounts.push({ code, cents: amount.value });
    }
    if (this.file.out.rejectionCount === before && amounts.length === 0)
      this.bad('La ligne ne porte aucun montant (solde_076, deduction_077 ou deduction_078).');
    return amounts;
  }

  /** The line's déclarant, the previous line's object when it is the same one. */
  private declarantOf(siret: string | null, nom: string | null): Declarant | null {
    if (!siret && !nom) return null;
    const prev = this.prevDecl;
    if (prev && prev.siret === siret && prev.nom === nom) return prev.value;
    const value = { siret, nom };
    this.prevDecl = { siret, nom, value };
    return value;
  }

  /** The deposit of the line: the file, its deposit date and who filed (the lines of one deposit add up). */
  private depotOf(deposeLe: string | null, declarant: Declarant | null, who: string): string {
    if (!deposeLe && !declarant) return this.file.fichier;
    const prev = this.prevDepot;
    if (prev && prev.deposeLe === deposeLe && prev.who === who) return prev.value;
    const value = `${this.file.fichier}|${deposeLe ?? ''}|${who}`;
    this.prevDepot = { deposeLe, who, value };
    return value;
  }
}
