/**
 * The lines of an envelope import staged in the database (`enveloppes_import_lignes`), so that a national
 * file (1.7 million lines, 1.5 million SIRETs) is never held in memory: the files are read line by line
 * and their amounts written here in batches (`LineStager`); the import then reads them back SIRET by
 * SIRET, a chunk of about CHUNK_LINES lines at a time, and aggregates each chunk (aggregation.ts) — the
 * lines of one SIRET are always in the same chunk, and each line carries the order of its deposit in the
 * whole input, so a chunk aggregates exactly as the whole would. The rows are deleted when the import
 * ends (and rows older than a day, left by a process that died, at the next import).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { createEnvelopeAggregator, type Aggregation } from './aggregation.js';
import { DepositOrders } from './deposit-orders.js';
import { pgArray } from './envelope-rows.js';
import type { Declarant, EnvelopeCode, EnvelopeLine, Periode } from './lines.js';

/** Lines read back per chunk (a few more: a chunk ends with a whole SIRET). */
export const CHUNK_LINES = 5_000;
/** Lines per INSERT of the stager. */
const STAGE_BATCH = 5_000;

export interface Staging {
  run: string;
  annee: number;
  /** the files' names, by their index in the rows */
  fichiers: string[];
}

/** A new staging run (and the rows of runs that died more than a day ago removed). */
export async function createStaging(db: Db, annee: number, now: Date): Promise<Staging> {
  await db.execute(
    sql`delete from enveloppes_import_lignes where created_at < ${new Date(now.getTime() - 86_400_000).toISOString()}::timestamptz`,
  );
  return { run: randomUUID(), annee, fichiers: [] };
}

/**
 * Gives the planner the staged table's statistics once the lines are written: without them it estimates a
 * run at a few thousand rows and answers each chunk's bound (`order by siret offset … limit 1`) with a
 * bitmap scan and a sort of every remaining line (1 s a chunk on the national file, 340 chunks a pass)
 * instead of walking the index (bench/README.md, « Envelope import »). Autovacuum would come too late.
 */
export async function analyzeStaging(db: Db): Promise<void> {
  await db.execute(sql`analyze enveloppes_import_lignes`);
}

export async function dropStaging(db: Db, st: Staging): Promise<void> {
  await db.execute(sql`delete from enveloppes_import_lignes where run = ${st.run}`);
}

/** Receives the lines as the parser emits them (synchronously); `flush()` writes those held. */
export class LineStager {
  private seq = 0;
  /** the deposits met so far and their order (a national file has about a million: deposit-orders.ts) */
  private readonly depots = new DepositOrders();
  private lastDepot = '';
  private lastOrder = 0;
  private rows: EnvelopeLine[] = [];
  private fichier = 0;
  private readonly fichierKeys = new Map<string, number>();
  private fichierKey = 0;

  constructor(
    private readonly db: Db,
    private readonly st: Staging,
    private readonly now: Date,
  ) {}

  /** The lines that follow belong to this file. */
  startFile(fichier: string): void {
    this.fichier = this.st.fichiers.length;
    this.st.fichiers.push(fichier);
    // deposits are keyed by the file's name: two files of the same name are one for them
    if (!this.fichierKeys.has(fichier)) this.fichierKeys.set(fichier, this.fichierKeys.size);
    this.fichierKey = this.fichierKeys.get(fichier)!;
  }

  readonly add = (l: EnvelopeLine): void => {
    this.rows.push(l);
  };

  /** Writes the lines held, STAGE_BATCH a statement. */
  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    for (let i = 0; i < rows.length; i += STAGE_BATCH) await this.db.execute(this.insert(rows.slice(i, i + STAGE_BATCH)));
  }

  /** The order of a deposit in the input: the rank of its first line (the previous line's deposit, most of the time). */
  private orderOf(l: EnvelopeLine): number {
    if (l.depot === this.lastDepot) return this.lastOrder;
    // a deposit is a file, a date and who filed (csv-line.ts), or a DSN declaration (dsn-file.ts)
    const who = l.declarant?.siret;
    const bySiret = who && /^\d{14}$/.test(who) && l.depot.endsWith(`|${who}`) ? who : null;
    const o = this.depots.orderOf(l.depot, l.deposeLe, bySiret, this.fichierKey);
    this.lastDepot = l.depot;
    this.lastOrder = o;
    return o;
  }

  private insert(rows: readonly EnvelopeLine[]) {
    const n = rows.length;
    const col = () => new Array<string | null>(n);
    const [seq, siret, exercice, code, cents, collecteur, depot, depose, declSiret, declNom, debut, fin, ligne] = Array.from(
      { length: 13 },
      col,
    );
    for (let k = 0; k < n; k++) {
      const l = rows[k]!;
      seq![k] = String(this.seq++);
      siret![k] = l.siret;
      exercice![k] = l.periode.debut.slice(0, 4);
      code![k] = l.code;
      cents![k] = l.cents.toString();
      collecteur![k] = l.collecteur;
      depot![k] = String(this.orderOf(l));
      depose![k] = l.deposeLe;
      declSiret![k] = l.declarant?.siret ?? null;
      declNom![k] = l.declarant?.nom ?? null;
      debut![k] = l.periode.debut;
      fin![k] = l.periode.fin;
      ligne![k] = String(l.line);
    }
    return sql`insert into enveloppes_import_lignes (run, seq, siret, exercice, code, cents, collecteur, depot, depose_le,
        declarant_siret, declarant_nom, debut, fin, fichier, ligne, created_at)
      select ${this.st.run}, v.seq, v.siret, v.exercice, v.code, v.cents, v.collecteur, v.depot, v.depose, v.decl_siret, v.decl_nom,
        v.debut, v.fin, ${this.fichier}::int, v.ligne, ${this.now.toISOString()}::timestamptz
      from unnest(${pgArray(seq!, false)}::int[], ${pgArray(siret!, false)}::text[], ${pgArray(exercice!, false)}::int[],
        ${pgArray(code!, false)}::text[], ${pgArray(cents!, false)}::int8[], ${pgArray(collecteur!, false)}::text[],
        ${pgArray(depot!, false)}::int[], ${pgArray(depose!, true)}::text[], ${pgArray(declSiret!, true)}::text[],
        ${pgArray(declNom!, true)}::text[], ${pgArray(debut!, false)}::text[], ${pgArray(fin!, false)}::text[], ${pgArray(ligne!, false)}::int[])
        as v(seq, siret, exercice, code, cents, collecteur, depot, depose, decl_siret, decl_nom, debut, fin, ligne)`;
  }
}

interface StagedRow {
  siret: string;
  code: string;
  cents: string;
  collecteur: string;
  depot: number;
  depose_le: string | null;
  declarant_siret: string | null;
  declarant_nom: string | null;
  debut: string;
  fin: string;
  fichier: number;
  ligne: number;
}

/**
 * The staged lines SIRET by SIRET (in SIRET order, each SIRET's lines in input order), a chunk of about
 * CHUNK_LINES lines at a time; only payroll year `exercice` when given.
 */
export async function* stagedChunks(tx: Tx, st: Staging, exercice: number | null): AsyncGenerator<EnvelopeLine[]> {
  const year = exercice === null ? sql`` : sql` and exercice = ${exercice}`;
  let last = '';
  for (;;) {
    const [bound] = await selectRows<{ siret: string }>(
      tx,
      sql`select siret from enveloppes_import_lignes where run = ${st.run} and siret > ${last}${year}
          order by siret offset ${CHUNK_LINES} limit 1`,
    );
    const upto = bound ? sql` and siret <= ${bound.siret}` : sql``;
    const rows = await selectRows<StagedRow>(
      tx,
      sql`select siret, code, cents::text as cents, collecteur, depot, depose_le, declarant_siret, declarant_nom, debut, fin, fichier, ligne
          from enveloppes_import_lignes where run = ${st.run} and siret > ${last}${upto}${year} order by siret, seq`,
    );
    if (rows.length === 0) return;
    yield linesOf(rows, st);
    if (!bound) return;
    last = bound.siret;
  }
}

/** Staged rows → the lines the aggregator takes (periods and déclarants shared between lines). */
function linesOf(rows: readonly StagedRow[], st: Staging): EnvelopeLine[] {
  const periodes = new Map<string, Periode>();
  const declarants = new Map<string, Declarant>();
  return rows.map((r) => {
    const pk = `${r.debut}|${r.fin}`;
    let periode = periodes.get(pk);
    if (!periode) periodes.set(pk, (periode = { debut: r.debut, fin: r.fin }));
    let declarant: Declarant | null = null;
    if (r.declarant_siret !== null || r.declarant_nom !== null) {
      const dk = `${r.declarant_siret ?? ''}|${r.declarant_nom ?? ''}`;
      declarant = declarants.get(dk) ?? null;
      if (!declarant) declarants.set(dk, (declarant = { siret: r.declarant_siret, nom: r.declarant_nom }));
    }
    const order = Number(r.depot);
    return {
      fichier: st.fichiers[Number(r.fichier)] ?? '',
      line: Number(r.ligne),
      siret: r.siret,
      collecteur: r.collecteur as EnvelopeLine['collecteur'],
      annee: st.annee,
      code: r.code as EnvelopeCode,
      cents: BigInt(r.cents),
      periode,
      declarant,
      deposeLe: r.depose_le,
      depot: String(order),
      order,
    };
  });
}

/** The staged lines aggregated chunk by chunk (each chunk's SIRETs complete). */
export async function* aggregatedChunks(tx: Tx, st: Staging, exercice: number | null): AsyncGenerator<Aggregation> {
  for await (const lines of stagedChunks(tx, st, exercice)) {
    const a = createEnvelopeAggregator();
    a.add(lines);
    yield a.result();
  }
}

/** Which of `sirets` the staged lines of payroll year `exercice` declare. */
export async function stagedSirets(tx: Tx, st: Staging, exercice: number, sirets: readonly string[]): Promise<Set<string>> {
  if (sirets.length === 0) return new Set();
  const rows = await selectRows<{ siret: string }>(
    tx,
    sql`select distinct siret from enveloppes_import_lignes
        where run = ${st.run} and exercice = ${exercice} and siret = any(${pgArray(sirets, false)}::text[])`,
  );
  return new Set(rows.map((r) => r.siret));
}
