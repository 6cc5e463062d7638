/**
 * The lines of one or more envelope files grouped into one input per SIRET and payroll year
 * (docs/enveloppes-format.md §3). For each SIRET, year and code: the lines of one deposit add up
 * (several S21.G00.82 blocks, several CSV lines); a later deposit (later deposit date; same date or no
 * date: later in the input) replaces the earlier ones — it is a correction. A SIRET declared to both the
 * Urssaf and the MSA for the same year is an error (one envelope has one collector).
 *
 * Incremental and lean: only the running sums per SIRET and code are kept, never the lines themselves,
 * so a national file (about two million lines) holds one small object per SIRET.
 */
import type { Jour } from '../../domain/jours.js';
import type { Collecteur, DeclaredAmounts } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import type { Declarant, EnvelopeCode, EnvelopeLine, Periode, ReportEntry } from './lines.js';

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

/** `createEnvelopeAggregator`'s result: `add` lines (or `addLine` one at a time, as `parseEnvelopeFile`'s `sink`), then `result()`. */
export interface EnvelopeAggregator {
  add: (lines: readonly EnvelopeLine[]) => void;
  addLine: (line: EnvelopeLine) => void;
  result: () => Aggregation;
}

/**
 * Groups the lines of one or more files, given in chronological order (the order breaks ties of deposit
 * dates), into one input per SIRET and payroll year.
 */
export function createEnvelopeAggregator(): EnvelopeAggregator {
  const groups = new Groups();
  return { add: (lines) => groups.add(lines), addLine: (l) => groups.addLine(l), result: () => groups.result() };
}

/** `createEnvelopeAggregator` in one call. */
export function aggregateEnvelopeLines(lines: readonly EnvelopeLine[]): Aggregation {
  const a = createEnvelopeAggregator();
  a.add(lines);
  return a.result();
}

/** is (deposeLe, order) a later deposit than the code state's? */
function later(deposeLe: string | null, o: number, k: CodeState): boolean {
  const da = deposeLe ?? '';
  const db = k.deposeLe ?? '';
  if (da !== db) return da > db;
  return o > k.order;
}

function fresh(l: EnvelopeLine, o: number): CodeState {
  return {
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
  };
}

/** One more line of the deposit a code state holds: its amount adds up. */
function addToDeposit(k: CodeState, l: EnvelopeLine): void {
  k.cents += l.cents;
  k.lignes++;
  if (l.collecteur !== k.collecteur && !k.otherCollecteur) k.otherCollecteur = l.collecteur;
  if (l.periode.debut < k.debut) k.debut = l.periode.debut;
  if (l.periode.fin > k.fin) k.fin = l.periode.fin;
  if (!k.more) k.more = [{ fichier: l.fichier, line: l.line }];
  else if (k.more.length < MAX_MORE_SOURCES) k.more.push({ fichier: l.fichier, line: l.line });
}

const SLOTS = { '076': 'c076', '077': 'c077', '078': 'c078' } as const;

/** The running sums, per SIRET and payroll year, and the deposits replaced. */
class Groups {
  private readonly groups = new Map<string, Group>();
  private readonly remplacements: Replacement[] = [];
  private readonly order = new Map<string, number>();
  private lastDepot = '';
  private lastOrder = -1;
  // the payroll year of a period, remembered for the last period object seen (periods are shared)
  private lastPeriode: Periode | null = null;
  private lastExercice = 0;

  add(lines: readonly EnvelopeLine[]): void {
    for (const l of lines) this.addLine(l);
  }

  addLine(l: EnvelopeLine): void {
    const o = l.order ?? this.orderOf(l.depot);
    if (l.periode !== this.lastPeriode) {
      this.lastPeriode = l.periode;
      this.lastExercice = Number(l.periode.debut.slice(0, 4));
    }
    const exercice = this.lastExercice;
    const key = exercice === l.annee - 1 ? l.siret : `${l.siret}|${exercice}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { siret: l.siret, exercice, annee: l.annee, c076: null, c077: null, c078: null }));
    const slot = SLOTS[l.code];
    const k = g[slot];
    if (!k) g[slot] = fresh(l, o);
    else if (k.depot === l.depot) addToDeposit(k, l);
    else if (later(l.deposeLe, o, k)) {
      this.replaced(l, exercice, k.deposeLe, l.deposeLe);
      g[slot] = fresh(l, o);
    } else this.replaced(l, exercice, l.deposeLe, k.deposeLe);
  }

  result(): Aggregation {
    const envelopes: EnvelopeInputRow[] = [];
    const anterieures: EnvelopeInputRow[] = [];
    const errors: ReportEntry[] = [];
    for (const g of sortedGroups(this.groups)) {
      const row = inputRowOf(g);
      if ('message' in row) errors.push(row);
      else (g.exercice === g.annee - 1 ? envelopes : anterieures).push(row);
    }
    return { envelopes, anterieures, remplacements: this.remplacements, errors };
  }

  /** The order of a deposit in the input (the previous line's deposit, most of the time). */
  private orderOf(depot: string): number {
    if (depot === this.lastDepot) return this.lastOrder;
    let o = this.order.get(depot);
    if (o === undefined) this.order.set(depot, (o = this.order.size));
    this.lastDepot = depot;
    this.lastOrder = o;
    return o;
  }

  private replaced(l: EnvelopeLine, exercice: number, remplace: string | null, par: string | null): void {
    this.remplacements.push({ siret: l.siret, exercice, code: l.code, remplace, par, fichier: l.fichier, line: l.line });
  }
}

const mixed = (k: CodeState | null, c: Collecteur) => k !== null && (k.collecteur !== c || k.otherCollecteur !== null);

interface Accumulator {
  latest: CodeState;
  debut: Jour;
  fin: Jour;
  lignes: number;
  mask: number;
}

/** Reused by every inputRowOf call (synchronous, so never shared by two groups at once). */
const ACC = {} as Accumulator;

function accumulate(acc: Accumulator, k: CodeState, bit: number): void {
  acc.mask |= bit;
  acc.lignes += k.lignes;
  if (k.debut < acc.debut) acc.debut = k.debut;
  if (k.fin > acc.fin) acc.fin = k.fin;
  if (later(k.deposeLe, k.order, acc.latest)) acc.latest = k;
}

/** The input of one group, or the error of a SIRET declared to two collectors. */
function inputRowOf(g: Group): EnvelopeInputRow | ReportEntry {
  const c6 = g.c076;
  const c7 = g.c077;
  const c8 = g.c078;
  const first = (c6 ?? c7 ?? c8)!;
  if (mixed(c6, first.collecteur) || mixed(c7, first.collecteur) || mixed(c8, first.collecteur)) {
    const all = [c6, c7, c8].flatMap((k) => (k ? sourcesOf(k) : []));
    return {
      fichier: first.fichier,
      line: first.line,
      message: `SIRET ${g.siret} : déclaré à la fois auprès de l’URSSAF et de la MSA pour la masse salariale ${g.exercice} (lignes ${all
        .map((x) => `${x.fichier}:${x.line}`)
        .join(', ')}) ; une enveloppe n’a qu’un organisme collecteur.`,
    };
  }
  const acc = ACC;
  acc.latest = first;
  acc.debut = first.debut;
  acc.fin = first.fin;
  acc.lignes = 0;
  acc.mask = 0;
  // one shared accumulator and no array nor closure per SIRET on a national file
  if (c6) accumulate(acc, c6, 1);
  if (c7) accumulate(acc, c7, 2);
  if (c8) accumulate(acc, c8, 4);
  const { latest, debut, fin, lignes, mask } = acc;
  return {
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
}
