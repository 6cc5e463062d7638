/**
 * The rows of `enveloppes` as the envelope import reads and writes them: reading a year's rows back,
 * and writing many rows set-based (multi-row `INSERT … SELECT FROM unnest($arrays)`, BATCH rows a
 * statement, the next batch built while the previous one runs).
 */
import { sql } from 'drizzle-orm';
import { collectorPart, type Envelope } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import { selectRows, type Tx } from '../../infra/db/index.js';

/**
 * Rows per statement. Small enough that each statement's parameters (a few hundred kilobytes) stay out
 * of V8's large-object space: large strings there trigger full collections of a heap that holds
 * 1.5 million envelopes, which slowed PGlite's writes threefold.
 */
export const BATCH = 4_000;

/** One `enveloppes` row as the import reads and writes it. */
export interface EnvelopeRow {
  siret: string;
  collecteur: 'URSSAF' | 'MSA';
  soldeCents: Cents;
  deductionsCents: Cents;
  fraisCents: Cents;
  creditsCents: Cents;
  reverseCents: Cents;
  fraisOperateurCents: Cents;
  reportCents: Cents;
  periode: string | null;
  declarantSiret: string | null;
  declarantNom: string | null;
  deposeMs: number | null;
}

/** A row as the database answers it: amounts as text (bigint), the deposit instant in milliseconds as text. */
export interface StoredRow {
  siret: string;
  collecteur: string;
  solde: string | null;
  deductions: string | null;
  frais: string | null;
  credits: string | null;
  reverse: string | null;
  frais_operateur: string | null;
  report: string | null;
  periode: string | null;
  declarant_siret: string | null;
  declarant_nom: string | null;
  depose_ms: string | null;
}

export const netOf = (r: Pick<EnvelopeRow, 'soldeCents' | 'deductionsCents'>): Cents =>
  r.soldeCents > r.deductionsCents ? r.soldeCents - r.deductionsCents : 0n;
/** credits before any carry-over: net − fees */
export const ownOf = (r: EnvelopeRow): Cents => netOf(r) - r.fraisCents;
/** what the row received from the previous year (from its equation: net + in = fees + credits + out) */
export const carriedInOf = (r: EnvelopeRow): Cents => r.creditsCents + r.reportCents - ownOf(r);

export const big = (v: string | number | null | undefined): Cents => (v === null || v === undefined ? 0n : BigInt(v));

export function rowOf(r: StoredRow): EnvelopeRow {
  return {
    siret: r.siret,
    collecteur: r.collecteur === 'MSA' ? 'MSA' : 'URSSAF',
    soldeCents: big(r.solde),
    deductionsCents: big(r.deductions),
    fraisCents: big(r.frais),
    creditsCents: big(r.credits),
    reverseCents: big(r.reverse),
    fraisOperateurCents: big(r.frais_operateur),
    reportCents: big(r.report),
    periode: r.periode ?? null,
    declarantSiret: r.declarant_siret ?? null,
    declarantNom: r.declarant_nom ?? null,
    deposeMs: r.depose_ms === null || r.depose_ms === undefined ? null : Number(r.depose_ms),
  };
}

const ROW_COLUMNS = sql`siret, collecteur, solde_cents::text as solde, deductions_cents::text as deductions, frais_cents::text as frais,
  credits_cents::text as credits, reverse_cents::text as reverse, frais_operateur_cents::text as frais_operateur,
  report_cents::text as report, periode, declarant_siret, declarant_nom, (extract(epoch from depose_le) * 1000)::bigint::text as depose_ms`;

/** The rows of year `annee` of these SIRETs, by SIRET (BATCH SIRETs a statement). */
export async function readEnvelopeRowsOfSirets(tx: Tx, annee: number, sirets: readonly string[]): Promise<Map<string, EnvelopeRow>> {
  const out = new Map<string, EnvelopeRow>();
  for (let i = 0; i < sirets.length; i += BATCH) {
    const batch = sirets.slice(i, i + BATCH);
    const rows = await selectRows<StoredRow>(
      tx,
      sql`select ${ROW_COLUMNS} from enveloppes where annee = ${annee} and siret = any(${sql.param(batch)}::text[])`,
    );
    for (const r of rows) out.set(r.siret, rowOf(r));
  }
  return out;
}

/** Every row of year `annee`, by SIRET (used when the year holds only a few rows no import made). */
export async function readEnvelopeRowsOfYear(tx: Tx, annee: number): Promise<Map<string, EnvelopeRow>> {
  const rows = await selectRows<StoredRow>(tx, sql`select ${ROW_COLUMNS} from enveloppes where annee = ${annee}`);
  return new Map(rows.map((r) => [r.siret, rowOf(r)]));
}

/** How many rows year `annee` has, and how many of them an import made (they have a period). */
export async function countYearRows(tx: Tx, annee: number): Promise<{ existing: number; imported: number }> {
  const [cnt] = await selectRows<{ n: number; imported: number }>(
    tx,
    sql`select count(*)::int as n, count(periode)::int as imported from enveloppes where annee = ${annee}`,
  );
  return { existing: Number(cnt?.n ?? 0), imported: Number(cnt?.imported ?? 0) };
}

/** The latest year that has envelopes (0 when none). */
export async function lastEnvelopeYear(tx: Tx): Promise<number> {
  const [row] = await selectRows<{ m: number | null }>(tx, sql`select max(annee) as m from enveloppes`);
  return Number(row?.m ?? 0);
}

/** report_cents of year − 1, per SIRET (what each envelope of `annee` carries in). */
export async function carriedIn(tx: Tx, annee: number): Promise<Map<string, Cents>> {
  const rows = await selectRows<{ siret: string; report: string }>(
    tx,
    sql`select siret, report_cents::text as report from enveloppes where annee = ${annee - 1} and report_cents <> 0`,
  );
  return new Map(rows.map((r) => [r.siret, big(r.report)]));
}

/** The operator's fee shared over the year's imported envelopes, and what they reversed. */
export async function yearFeeBasis(tx: Tx, annee: number): Promise<{ feeCents: Cents; baseCents: Cents }> {
  const [row] = await selectRows<{ fee: string; base: string }>(
    tx,
    sql`select coalesce(sum(frais_operateur_cents), 0)::text as fee, coalesce(sum(reverse_cents), 0)::text as base from enveloppes where annee = ${annee} and periode is not null`,
  );
  return { feeCents: big(row?.fee), baseCents: big(row?.base) };
}

/** The basis points of the allocations of year `annee` of these SIRETs, per SIRET, in their order. */
export async function allocationPoints(tx: Tx, annee: number, sirets: readonly string[]): Promise<Map<string, number[]>> {
  const bps = new Map<string, number[]>();
  const rows = await selectRows<{ siret: string; bp: number }>(
    tx,
    sql`select siret_employeur as siret, points_base as bp from attributions where annee = ${annee} and siret_employeur = any(${sql.param(sirets)}::text[]) order by id`,
  );
  for (const r of rows) {
    const l = bps.get(r.siret) ?? [];
    l.push(Number(r.bp));
    bps.set(r.siret, l);
  }
  return bps;
}

/** The envelope a stored row stands for (collector fees split again from its amounts). */
export function envelopeOfRow(r: EnvelopeRow): Envelope {
  const part = collectorPart({
    siret: r.siret,
    collecteur: r.collecteur,
    soldeCents: r.soldeCents,
    subventionsCfaCents: r.deductionsCents,
    creanceAlternantsCents: 0n,
  });
  return {
    ...part,
    reverseCents: r.reverseCents,
    fraisOperateurCents: r.fraisOperateurCents,
    fraisCents: r.fraisCents,
    creditsCents: r.creditsCents,
    warnings: [],
  };
}

/** The row of an envelope with its credits, carry-out and provenance (who filed, when, which period). */
export function envelopeRow(
  env: Envelope,
  credits: Cents,
  report: Cents,
  from: Pick<EnvelopeRow, 'periode' | 'declarantSiret' | 'declarantNom' | 'deposeMs'>,
): EnvelopeRow {
  return {
    siret: env.siret,
    collecteur: env.collecteur,
    soldeCents: env.soldeCents,
    deductionsCents: env.deductionsCents,
    fraisCents: env.fraisCents,
    creditsCents: credits,
    reverseCents: env.reverseCents,
    fraisOperateurCents: env.fraisOperateurCents,
    reportCents: report,
    ...from,
  };
}

/** A bare array element that PostgreSQL reads as itself: starts with a digit (never `NULL`), no space, comma, brace, quote nor backslash. */
const PLAIN_TOKEN = /^[0-9][0-9A-Za-z.:/+-]*$/;

/**
 * A PostgreSQL array literal built directly (node-postgres' generic array encoding is the slowest part
 * of writing two million rows): `{1,2,NULL}`. `quoted: false`: the elements must be plain tokens
 * (digits, ISO instants, collector codes); `true`: every element is written `"…"` with `"` and `\`
 * escaped; `'auto'`: plain tokens bare (SIRETs, periods `2024-01-01/2024-06-30`), anything else quoted
 * (a row entered by another seed may hold any text).
 */
export function pgArray(values: readonly (string | null)[], quoted: boolean | 'auto'): string {
  const parts = new Array<string>(values.length);
  let last: string | null = null;
  let lastQuoted = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (quoted === false) parts[i] = v;
    else {
      // consecutive rows often share the déclarant and the period: quoted once
      if (v !== last) {
        last = v;
        lastQuoted =
          quoted === 'auto' && PLAIN_TOKEN.test(v)
            ? v
            : v.includes('"') || v.includes('\\')
              ? `"${v.replace(/["\\]/g, '\\$&')}"`
              : `"${v}"`;
      }
      parts[i] = lastQuoted;
    }
  }
  return `{${parts.join(',')}}`;
}

/** The columns of `n` rows, as the arrays one statement unnests. */
interface RowColumns {
  siret: string[];
  collecteur: string[];
  solde: string[];
  deductions: string[];
  frais: string[];
  credits: string[];
  reverse: string[];
  fraisOp: string[];
  report: string[];
  periode: (string | null)[];
  declSiret: (string | null)[];
  declNom: (string | null)[];
  depose: (string | null)[];
}

/** `rowAt(from) … rowAt(from + n − 1)` as columns; `isoOf` writes a deposit instant (cached by the caller). */
function columnsOf(from: number, n: number, rowAt: (i: number) => EnvelopeRow, isoOf: (ms: number) => string): RowColumns {
  const text = () => new Array<string>(n);
  const nullable = () => new Array<string | null>(n);
  const c: RowColumns = {
    siret: text(),
    collecteur: text(),
    solde: text(),
    deductions: text(),
    frais: text(),
    credits: text(),
    reverse: text(),
    fraisOp: text(),
    report: text(),
    periode: nullable(),
    declSiret: nullable(),
    declNom: nullable(),
    depose: nullable(),
  };
  for (let k = 0; k < n; k++) {
    const r = rowAt(from + k);
    c.siret[k] = r.siret;
    c.collecteur[k] = r.collecteur;
    c.solde[k] = r.soldeCents.toString();
    c.deductions[k] = r.deductionsCents.toString();
    c.frais[k] = r.fraisCents.toString();
    c.credits[k] = r.creditsCents.toString();
    c.reverse[k] = r.reverseCents.toString();
    c.fraisOp[k] = r.fraisOperateurCents.toString();
    c.report[k] = r.reportCents.toString();
    c.periode[k] = r.periode;
    c.declSiret[k] = r.declarantSiret;
    c.declNom[k] = r.declarantNom;
    c.depose[k] = r.deposeMs === null ? null : isoOf(r.deposeMs);
  }
  return c;
}

/** The statement writing one batch of rows of year `annee` (an upsert as soon as the year has rows). */
function insertStatement(annee: number, c: RowColumns, upsert: boolean, updatedAt: string) {
  return sql`insert into enveloppes as e (annee, siret, collecteur, solde_cents, deductions_cents, frais_cents, credits_cents,
        reverse_cents, frais_operateur_cents, report_cents, periode, declarant_siret, declarant_nom, depose_le, updated_at)
      select ${annee}::int, v.siret, v.collecteur, v.solde, v.deductions, v.frais, v.credits, v.reverse, v.frais_op, v.report,
        v.periode, v.decl_siret, v.decl_nom, v.depose, ${updatedAt}::timestamptz
      from unnest(${pgArray(c.siret, false)}::text[], ${pgArray(c.collecteur, false)}::text[], ${pgArray(c.solde, false)}::int8[], ${pgArray(c.deductions, false)}::int8[],
        ${pgArray(c.frais, false)}::int8[], ${pgArray(c.credits, false)}::int8[], ${pgArray(c.reverse, false)}::int8[], ${pgArray(c.fraisOp, false)}::int8[],
        ${pgArray(c.report, false)}::int8[], ${pgArray(c.periode, 'auto')}::text[], ${pgArray(c.declSiret, 'auto')}::text[], ${pgArray(c.declNom, true)}::text[],
        ${pgArray(c.depose, false)}::timestamptz[])
        as v(siret, collecteur, solde, deductions, frais, credits, reverse, frais_op, report, periode, decl_siret, decl_nom, depose)
      ${
        upsert
          ? sql`on conflict (annee, siret) do update set collecteur = excluded.collecteur, solde_cents = excluded.solde_cents,
        deductions_cents = excluded.deductions_cents, frais_cents = excluded.frais_cents, credits_cents = excluded.credits_cents,
        reverse_cents = excluded.reverse_cents, frais_operateur_cents = excluded.frais_operateur_cents, report_cents = excluded.report_cents,
        periode = excluded.periode, declarant_siret = excluded.declarant_siret, declarant_nom = excluded.declarant_nom,
        depose_le = excluded.depose_le, updated_at = excluded.updated_at`
          : sql``
      }`;
}

/**
 * Inserts or replaces rows `rowAt(0) … rowAt(count − 1)` (each called once, in order, so a caller can
 * build rows on the fly), BATCH a statement, the next batch built while the previous one runs.
 */
export async function writeRows(
  tx: Tx,
  annee: number,
  count: number,
  rowAt: (i: number) => EnvelopeRow,
  opts: { upsert: boolean; now: Date; onBatch?: (n: number) => void },
): Promise<void> {
  const updatedAt = opts.now.toISOString();
  const isoCache = new Map<number, string>();
  const isoOf = (ms: number) => {
    let iso = isoCache.get(ms);
    if (iso === undefined) {
      iso = new Date(ms).toISOString();
      if (isoCache.size < 100_000) isoCache.set(ms, iso);
    }
    return iso;
  };
  let pending: Promise<unknown> | null = null;
  let pendingCount = 0;
  for (let i = 0; i < count; i += BATCH) {
    const n = Math.min(BATCH, count - i);
    const query = insertStatement(annee, columnsOf(i, n, rowAt, isoOf), opts.upsert, updatedAt);
    if (pending) {
      await pending;
      opts.onBatch?.(pendingCount);
    }
    pending = tx.execute(query);
    pendingCount = n;
  }
  if (pending) {
    await pending;
    opts.onBatch?.(pendingCount);
  }
}
