/**
 * `import-envelopes <année> <fichiers…>`: the amounts Urssaf and MSA send per SIRET become the rows of
 * `enveloppes` (docs/enveloppes-format.md §6 says what the import does, in the operator's words).
 *
 * 1. Every file is read and parsed (format.ts), its amounts streamed into the aggregator (one small
 *    object per SIRET, never the lines). One rejected line, or a SIRET declared to two collectors, and
 *    nothing is written (all or nothing, like the habilitations CSV import).
 * 2. In one transaction (envelope imports are serialised by an advisory lock), each campaign year the
 *    files touch, in increasing order, then the later years a carry-over reaches:
 *    - **first import of the year** (no imported envelope yet): `computeEnvelopes` shares the operator's
 *      fee pro rata over every SIRET of the files (largest remainder, exact to the cent);
 *    - **later imports**: a SIRET whose declared amounts, collector, period, déclarant and deposit date
 *      are those stored is *unchanged* (the same files again write nothing); a new SIRET, or a
 *      corrected declaration, gets `recomputeEnvelope` with the rate of the year's sharing (Σ operator
 *      shares / Σ reversed of the year's envelopes), and a correction follows `correctionOutcome` at the
 *      campaign's moment (`correctionMomentAt`): during the campaign the credits move; from the last
 *      payment wave they stay and the difference goes to `report_cents`, carried to the next campaign.
 * 3. `report_cents` of (year, SIRET) is what that envelope passes on to the same SIRET's envelope of the
 *    next year (signed). The next year's credits are `applyCarryOver(own credits, report of the year
 *    before)`; what a reduction cannot absorb is passed on again. Each row therefore satisfies, to the
 *    cent: **net due + carried in = fees + credits + carried out** (net due = max(0, 076 − 077 − 078)).
 * 4. Writes are set-based: multi-row `INSERT … SELECT FROM unnest($arrays)` (ON CONFLICT … DO UPDATE
 *    when the year already has rows), 4,000 rows a statement, the next batch built while the previous
 *    one runs. The report reads the year's totals back from the database and checks the equation.
 *
 * Rows that no import created (no `periode`: entered by another demo seed or by hand) are replaced by
 * the imported amounts as new envelopes, keeping the employer's « partage de coordonnées ».
 */
import { readFile } from 'node:fs/promises';
import { sql, type SQL } from 'drizzle-orm';
import {
  applyCarryOver,
  collectorPart,
  computeEnvelopes,
  correctionOutcome,
  recomputeEnvelope,
  OPERATOR_FEE_2023_CENTS,
  type CorrectionCase,
  type CorrectionMoment,
  type Envelope,
  type OperatorFeeBasis,
} from '../../domain/enveloppe.js';
import { correctionMomentAt, parisOffsetMs } from '../../domain/campagne.js';
import { type Cents } from '../../domain/money.js';
import { formatEuros } from '../../shared/format.js';
import { audit, type AuditAction } from '../../infra/audit.js';
import type { Db, Tx } from '../../infra/db/index.js';
import { campaignOf } from '../campagnes/repository.js';
import {
  createEnvelopeAggregator,
  parseEnvelopeFile,
  type EnvelopeInputRow,
  type ParsedEnvelopeFile,
  type Periode,
  type ReportEntry,
} from './format.js';

export const MIN_ANNEE = 2023;
export const MAX_ANNEE = 2100;
/**
 * Rows per statement. Small enough that each statement's parameters (a few hundred kilobytes) stay out
 * of V8's large-object space: large strings there trigger full collections of a heap that holds
 * 1.5 million envelopes, which slowed PGlite's writes threefold.
 */
const BATCH = 4_000;

export type EnvelopeFileSource = string | { fichier: string; content: string | Uint8Array };

export interface EnvelopeImportProgress {
  phase: 'lecture' | 'calcul' | 'ecriture';
  done: number;
  total: number;
}

export interface ImportEnveloppesOptions {
  /** the operator's yearly fee, shared at the year's first import (default: the 2023 arrêté's amount, with a warning) */
  operatorFeeCents?: Cents;
  now: Date;
  onProgress?: (p: EnvelopeImportProgress) => void;
  /** who imports (null: the command line) — for the audit trail */
  actorUserId?: string | null;
}

export interface EnvelopeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface CorrectionReport {
  annee: number;
  siret: string;
  moment: CorrectionMoment;
  cas: CorrectionCase;
  ancienCreditsCents: Cents;
  nouveauCreditsCents: Cents;
  /** what the envelope now passes on to the next campaign (signed) */
  reportCents: Cents;
  message: string;
  fichier: string;
  line: number;
}

/** Sums in cents; `net` = Σ max(0, 076 − 077 − 078). */
export interface EnvelopeTotals {
  envelopes: number;
  soldeCents: Cents;
  deductionsCents: Cents;
  /** deductions beyond the solde (the net due is never negative): solde − deductions + écrêtement = net */
  ecretementCents: Cents;
  netCents: Cents;
  fraisCollecteurCents: Cents;
  fraisOperateurCents: Cents;
  fraisCents: Cents;
  creditsCents: Cents;
  /** carried in from the previous campaign (Σ report of year − 1 of these SIRETs) */
  reportRecuCents: Cents;
  /** carried out to the next campaign */
  reportCents: Cents;
}

export interface EnvelopeImportReport {
  annee: number;
  /** false: something was rejected and nothing was written */
  ok: boolean;
  files: { fichier: string; format: ParsedEnvelopeFile['format']; encoding: ParsedEnvelopeFile['encoding']; lines: number }[];
  /** amounts read in all files */
  lines: number;
  /** SIRETs of the campaign year in the files */
  sirets: number;
  /** 'repartition': the year's first import shared the operator's fee; 'complement': later import */
  mode: 'repartition' | 'complement' | null;
  /** the operator fee's basis of the campaign year (fee shared, over the total reversed) */
  operatorFee: OperatorFeeBasis | null;
  /** rows of the campaign year */
  envelopes: EnvelopeCounts;
  /** rows of other years (corrections of earlier payroll years, carry-overs to later campaigns) */
  autresAnnees: EnvelopeCounts;
  corrections: CorrectionReport[];
  /** later deposits that replaced earlier ones inside the files */
  remplacements: number;
  /** the campaign year's envelopes present in the files, after the import */
  totals: EnvelopeTotals;
  /** every envelope of the campaign year in the database after the import, read back */
  totalsAnnee: EnvelopeTotals | null;
  /** net + carried in = fees + credits + carried out, on the database's totals */
  rapprochement: boolean | null;
  rejected: ReportEntry[];
  warnings: ReportEntry[];
  durationMs: number;
}

/** Audit action (text column; to add to the AuditAction union, see the report to the lead). */
const AUDIT_IMPORTED = 'enveloppes.imported' as AuditAction;

class Rejection extends Error {
  constructor(readonly entries: ReportEntry[]) {
    super(entries.map((e) => e.message).join(' '));
  }
}

function emptyTotals(): EnvelopeTotals {
  return {
    envelopes: 0,
    soldeCents: 0n,
    deductionsCents: 0n,
    ecretementCents: 0n,
    netCents: 0n,
    fraisCollecteurCents: 0n,
    fraisOperateurCents: 0n,
    fraisCents: 0n,
    creditsCents: 0n,
    reportRecuCents: 0n,
    reportCents: 0n,
  };
}

/** Paris local `AAAA-MM-JJ[THH:MM[:SS]]` → instant (milliseconds), exact across changes of time. */
export function parisLocalToMs(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) throw new RangeError(`date de dépôt illisible : ${s}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  let t = wall - parisOffsetMs(wall);
  t = wall - parisOffsetMs(t);
  return t;
}

/** The payroll period as stored: '2024' for the whole year, else '2024-01-01/2024-06-30'. */
export function periodeText(p: Periode): string {
  const y = p.debut.slice(0, 4);
  return p.debut === `${y}-01-01` && p.fin === `${y}-12-31` ? y : `${p.debut}/${p.fin}`;
}

// ── rows ──────────────────────────────────────────────────────────────────────────────────────────

/** One `enveloppes` row as the import reads and writes it. */
interface Row {
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

const netOf = (r: Pick<Row, 'soldeCents' | 'deductionsCents'>): Cents =>
  r.soldeCents > r.deductionsCents ? r.soldeCents - r.deductionsCents : 0n;
/** credits before any carry-over: net − fees */
const ownOf = (r: Row): Cents => netOf(r) - r.fraisCents;
/** what the row received from the previous year (from its equation: net + in = fees + credits + out) */
const carriedInOf = (r: Row): Cents => r.creditsCents + r.reportCents - ownOf(r);

async function exec(tx: Tx, query: SQL): Promise<Record<string, unknown>[]> {
  const res = (await tx.execute(query)) as unknown as { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
  return Array.isArray(res) ? res : (res.rows ?? []);
}

const big = (v: unknown): Cents => (v === null || v === undefined ? 0n : BigInt(String(v)));

function rowOf(r: Record<string, unknown>): Row {
  return {
    siret: String(r.siret),
    collecteur: r.collecteur === 'MSA' ? 'MSA' : 'URSSAF',
    soldeCents: big(r.solde),
    deductionsCents: big(r.deductions),
    fraisCents: big(r.frais),
    creditsCents: big(r.credits),
    reverseCents: big(r.reverse),
    fraisOperateurCents: big(r.frais_operateur),
    reportCents: big(r.report),
    periode: r.periode === null || r.periode === undefined ? null : String(r.periode),
    declarantSiret: r.declarant_siret === null || r.declarant_siret === undefined ? null : String(r.declarant_siret),
    declarantNom: r.declarant_nom === null || r.declarant_nom === undefined ? null : String(r.declarant_nom),
    deposeMs: r.depose_ms === null || r.depose_ms === undefined ? null : Number(r.depose_ms),
  };
}

const ROW_COLUMNS = sql`siret, collecteur, solde_cents::text as solde, deductions_cents::text as deductions, frais_cents::text as frais,
  credits_cents::text as credits, reverse_cents::text as reverse, frais_operateur_cents::text as frais_operateur,
  report_cents::text as report, periode, declarant_siret, declarant_nom, (extract(epoch from depose_le) * 1000)::bigint::text as depose_ms`;

async function rowsOf(tx: Tx, annee: number, sirets: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for (let i = 0; i < sirets.length; i += BATCH) {
    const batch = sirets.slice(i, i + BATCH);
    for (const r of await exec(
      tx,
      sql`select ${ROW_COLUMNS} from enveloppes where annee = ${annee} and siret = any(${sql.param(batch)}::text[])`,
    )) {
      const row = rowOf(r);
      out.set(row.siret, row);
    }
  }
  return out;
}

/** The envelope a stored row stands for (collector fees split again from its amounts). */
function envelopeOfRow(r: Row): Envelope {
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

/** A bare array element that PostgreSQL reads as itself: starts with a digit (never `NULL`), no space, comma, brace, quote nor backslash. */
const PLAIN_TOKEN = /^[0-9][0-9A-Za-z.:/+-]*$/;

/**
 * A PostgreSQL array literal built directly (node-postgres' generic array encoding is the slowest part
 * of writing two million rows): `{1,2,NULL}`. `quoted: false`: the elements must be plain tokens
 * (digits, ISO instants, collector codes); `true`: every element is written `"…"` with `"` and `\`
 * escaped; `'auto'`: plain tokens bare (SIRETs, periods `2024-01-01/2024-06-30`), anything else quoted
 * (a row entered by another seed may hold any text).
 */
function pgArray(values: readonly (string | null)[], quoted: boolean | 'auto'): string {
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

/**
 * Inserts or replaces rows `rowAt(0) … rowAt(count − 1)` (each called once, in order, so a caller can
 * build rows on the fly), BATCH a statement, the next batch built while the previous one runs.
 */
async function writeRows(
  tx: Tx,
  annee: number,
  count: number,
  rowAt: (i: number) => Row,
  opts: { upsert: boolean; now: Date; onBatch?: (n: number) => void },
): Promise<void> {
  const updatedAt = opts.now.toISOString();
  let pending: Promise<unknown> | null = null;
  let pendingCount = 0;
  const isoCache = new Map<number, string>();
  for (let i = 0; i < count; i += BATCH) {
    const n = Math.min(BATCH, count - i);
    const siret = new Array<string>(n);
    const collecteur = new Array<string>(n);
    const solde = new Array<string>(n);
    const deductions = new Array<string>(n);
    const frais = new Array<string>(n);
    const credits = new Array<string>(n);
    const reverse = new Array<string>(n);
    const fraisOp = new Array<string>(n);
    const report = new Array<string>(n);
    const periode = new Array<string | null>(n);
    const declSiret = new Array<string | null>(n);
    const declNom = new Array<string | null>(n);
    const depose = new Array<string | null>(n);
    for (let k = 0; k < n; k++) {
      const r = rowAt(i + k);
      siret[k] = r.siret;
      collecteur[k] = r.collecteur;
      solde[k] = r.soldeCents.toString();
      deductions[k] = r.deductionsCents.toString();
      frais[k] = r.fraisCents.toString();
      credits[k] = r.creditsCents.toString();
      reverse[k] = r.reverseCents.toString();
      fraisOp[k] = r.fraisOperateurCents.toString();
      report[k] = r.reportCents.toString();
      periode[k] = r.periode;
      declSiret[k] = r.declarantSiret;
      declNom[k] = r.declarantNom;
      if (r.deposeMs === null) depose[k] = null;
      else {
        let iso = isoCache.get(r.deposeMs);
        if (iso === undefined) {
          iso = new Date(r.deposeMs).toISOString();
          if (isoCache.size < 100_000) isoCache.set(r.deposeMs, iso);
        }
        depose[k] = iso;
      }
    }
    const query = sql`insert into enveloppes as e (annee, siret, collecteur, solde_cents, deductions_cents, frais_cents, credits_cents,
        reverse_cents, frais_operateur_cents, report_cents, periode, declarant_siret, declarant_nom, depose_le, updated_at)
      select ${annee}::int, v.siret, v.collecteur, v.solde, v.deductions, v.frais, v.credits, v.reverse, v.frais_op, v.report,
        v.periode, v.decl_siret, v.decl_nom, v.depose, ${updatedAt}::timestamptz
      from unnest(${pgArray(siret, false)}::text[], ${pgArray(collecteur, false)}::text[], ${pgArray(solde, false)}::int8[], ${pgArray(deductions, false)}::int8[],
        ${pgArray(frais, false)}::int8[], ${pgArray(credits, false)}::int8[], ${pgArray(reverse, false)}::int8[], ${pgArray(fraisOp, false)}::int8[],
        ${pgArray(report, false)}::int8[], ${pgArray(periode, 'auto')}::text[], ${pgArray(declSiret, 'auto')}::text[], ${pgArray(declNom, true)}::text[],
        ${pgArray(depose, false)}::timestamptz[])
        as v(siret, collecteur, solde, deductions, frais, credits, reverse, frais_op, report, periode, decl_siret, decl_nom, depose)
      ${
        opts.upsert
          ? sql`on conflict (annee, siret) do update set collecteur = excluded.collecteur, solde_cents = excluded.solde_cents,
        deductions_cents = excluded.deductions_cents, frais_cents = excluded.frais_cents, credits_cents = excluded.credits_cents,
        reverse_cents = excluded.reverse_cents, frais_operateur_cents = excluded.frais_operateur_cents, report_cents = excluded.report_cents,
        periode = excluded.periode, declarant_siret = excluded.declarant_siret, declarant_nom = excluded.declarant_nom,
        depose_le = excluded.depose_le, updated_at = excluded.updated_at`
          : sql``
      }`;
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

// ── the import ──────────────────────────────────────────────────────────────────────────────────────

/** Stored form of a declaration's period and deposit date (cached: a national file repeats a few values). */
function createMeta() {
  const periodes = new Map<Periode, string>();
  const deposes = new Map<string, number>();
  return {
    periode(input: EnvelopeInputRow): string {
      let t = periodes.get(input.periode);
      if (t === undefined) periodes.set(input.periode, (t = periodeText(input.periode)));
      return t;
    },
    deposeMs(input: EnvelopeInputRow): number | null {
      if (!input.deposeLe) return null;
      let t = deposes.get(input.deposeLe);
      if (t === undefined) deposes.set(input.deposeLe, (t = parisLocalToMs(input.deposeLe)));
      return t;
    },
  };
}
type Meta = ReturnType<typeof createMeta>;

interface YearResult {
  counts: EnvelopeCounts;
  /** SIRETs whose carry-out changed: the next year's envelope sees it */
  carried: Set<string>;
}

/**
 * Imports files of amounts for campaign `annee` (paths, or names with their content). Returns the
 * report; when `ok` is false nothing was written.
 */
export async function importEnveloppes(
  db: Db,
  annee: number,
  files: readonly EnvelopeFileSource[],
  opts: ImportEnveloppesOptions,
): Promise<EnvelopeImportReport> {
  const started = performance.now();
  const progress = opts.onProgress ?? (() => undefined);
  const report: EnvelopeImportReport = {
    annee,
    ok: false,
    files: [],
    lines: 0,
    sirets: 0,
    mode: null,
    operatorFee: null,
    envelopes: { inserted: 0, updated: 0, unchanged: 0 },
    autresAnnees: { inserted: 0, updated: 0, unchanged: 0 },
    corrections: [],
    remplacements: 0,
    totals: emptyTotals(),
    totalsAnnee: null,
    rapprochement: null,
    rejected: [],
    warnings: [],
    durationMs: 0,
  };
  const finish = () => {
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };
  if (!Number.isInteger(annee) || annee < MIN_ANNEE || annee > MAX_ANNEE) {
    report.rejected.push({
      fichier: '',
      line: 0,
      message: `L’année de campagne doit être un nombre entier entre ${MIN_ANNEE} et ${MAX_ANNEE}.`,
    });
    return finish();
  }
  if (files.length === 0) {
    report.rejected.push({ fichier: '', line: 0, message: 'Indiquez au moins un fichier de montants.' });
    return finish();
  }

  // 1. read, parse, aggregate (one file at a time; amounts streamed into the aggregator, which is
  // dropped once its result is taken: only one input per SIRET stays in memory)
  progress({ phase: 'lecture', done: 0, total: files.length });
  const aggregation = await readFiles(annee, files, report, progress);
  for (const e of aggregation.errors) report.rejected.push(e);
  report.remplacements = aggregation.remplacements.length;
  report.sirets = aggregation.envelopes.length;
  if (report.rejected.length) return finish();

  // declarations per campaign year: earlier payroll years are corrections of their own campaign
  const byYear = new Map<number, EnvelopeInputRow[]>([[annee, aggregation.envelopes]]);
  for (const input of aggregation.anterieures) {
    const y = input.exercice + 1;
    let list = byYear.get(y);
    if (!list) byYear.set(y, (list = []));
    list.push(input);
  }
  const meta = createMeta();

  // 2. one transaction for every year touched
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(7302, 0)`);
      const [maxRow] = await exec(tx, sql`select max(annee) as m from enveloppes`);
      const lastYear = Math.max(annee, Number(maxRow?.m ?? 0));
      let carried = new Set<string>();
      for (let y = Math.min(...byYear.keys()); y <= lastYear; y++) {
        const list = byYear.get(y) ?? [];
        if (list.length === 0 && carried.size === 0 && y !== annee) continue;
        const r = await importYear(tx, y, list, carried, { annee, opts, report, progress, meta });
        const target = y === annee ? report.envelopes : report.autresAnnees;
        target.inserted += r.counts.inserted;
        target.updated += r.counts.updated;
        target.unchanged += r.counts.unchanged;
        carried = r.carried;
      }

      // fresh statistics after a large import, so that the planner reads the year by its indexes
      const written = report.envelopes.inserted + report.envelopes.updated + report.autresAnnees.inserted + report.autresAnnees.updated;
      if (written >= 50_000) await tx.execute(sql`analyze enveloppes`);

      // 3. the year's totals read back, and the equation checked on them
      const t = (report.totalsAnnee = await yearTotals(tx, annee));
      report.rapprochement = t.netCents + t.reportRecuCents === t.fraisCents + t.creditsCents + t.reportCents;
      await audit(
        tx,
        { now: () => opts.now },
        {
          action: AUDIT_IMPORTED,
          actorUserId: opts.actorUserId ?? null,
          details: {
            annee,
            fichiers: report.files.map((f) => f.fichier),
            lignes: report.lines,
            sirets: report.sirets,
            mode: report.mode,
            enveloppes: report.envelopes,
            autresAnnees: report.autresAnnees,
            corrections: report.corrections.length,
            fraisOperateurCents: report.operatorFee?.feeCents.toString() ?? null,
            creditsCents: report.totals.creditsCents.toString(),
          },
        },
      );
    });
  } catch (e) {
    if (!(e instanceof Rejection)) throw e;
    for (const x of e.entries) report.rejected.push(x);
    report.mode = null;
    report.operatorFee = null;
    report.envelopes = { inserted: 0, updated: 0, unchanged: 0 };
    report.autresAnnees = { inserted: 0, updated: 0, unchanged: 0 };
    report.corrections = [];
    report.totals = emptyTotals();
    return finish();
  }
  report.ok = true;
  return finish();
}

async function readFiles(
  annee: number,
  files: readonly EnvelopeFileSource[],
  report: EnvelopeImportReport,
  progress: (p: EnvelopeImportProgress) => void,
) {
  const aggregator = createEnvelopeAggregator();
  for (const [i, f] of files.entries()) {
    const fichier = typeof f === 'string' ? f : f.fichier;
    let content: string | Uint8Array | null;
    try {
      content = typeof f === 'string' ? await readFile(f) : f.content;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      report.rejected.push({
        fichier,
        line: 0,
        message:
          code === 'ENOENT'
            ? 'Fichier introuvable.'
            : code === 'EISDIR'
              ? 'C’est un dossier, pas un fichier.'
              : `Fichier illisible (${code ?? 'erreur de lecture'}).`,
      });
      report.files.push({ fichier, format: 'inconnu', encoding: 'texte', lines: 0 });
      continue;
    }
    const p = parseEnvelopeFile(content, { annee, fichier, sink: aggregator.addLine });
    content = null;
    for (const r of p.rejections) report.rejected.push(r);
    for (const w of p.warnings) report.warnings.push(w);
    report.files.push({ fichier, format: p.format, encoding: p.encoding, lines: p.lineCount });
    report.lines += p.lineCount;
    progress({ phase: 'lecture', done: i + 1, total: files.length });
  }
  return aggregator.result();
}

/**
 * Compares declarations with the stored rows of year `y` in the database (one statement per batch):
 * returns the declarations whose row is missing, made by no import, or differs in amounts, collector,
 * period, déclarant, deposit date or carry-in (with the stored row and the carry-in), and the count
 * and sums of the unchanged ones. Re-importing a national file then reads back only what changed.
 */
async function compareBatch(
  tx: Tx,
  y: number,
  batch: readonly EnvelopeInputRow[],
  meta: Meta,
): Promise<{ changed: { input: EnvelopeInputRow; old: Row | null; cin: Cents }[]; unchanged: number; unchangedTotals: EnvelopeTotals }> {
  const n = batch.length;
  const siret = new Array<string>(n);
  const collecteur = new Array<string>(n);
  const solde = new Array<string>(n);
  const deductions = new Array<string>(n);
  const periode = new Array<string | null>(n);
  const declSiret = new Array<string | null>(n);
  const declNom = new Array<string | null>(n);
  const depose = new Array<string | null>(n);
  for (let k = 0; k < n; k++) {
    const d = batch[k]!;
    siret[k] = d.siret;
    collecteur[k] = d.collecteur;
    solde[k] = d.soldeCents.toString();
    deductions[k] = (d.subventionsCfaCents + d.creanceAlternantsCents).toString();
    periode[k] = meta.periode(d);
    declSiret[k] = d.declarant?.siret ?? null;
    declNom[k] = d.declarant?.nom ?? null;
    const ms = meta.deposeMs(d);
    depose[k] = ms === null ? null : new Date(ms).toISOString();
  }
  // the batch's SIRET range (inputs come sorted by SIRET): the rows to compare are read by an index range
  // scan, not by scanning the whole year for every batch
  let min = siret[0] ?? '';
  let max = min;
  for (const x of siret) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const rows = await exec(
    tx,
    sql`with v as (
          select * from unnest(${pgArray(siret, false)}::text[], ${pgArray(collecteur, false)}::text[], ${pgArray(solde, false)}::int8[],
            ${pgArray(deductions, false)}::int8[], ${pgArray(periode, 'auto')}::text[], ${pgArray(declSiret, 'auto')}::text[],
            ${pgArray(declNom, true)}::text[], ${pgArray(depose, false)}::timestamptz[]) with ordinality
            as v(siret, collecteur, solde, deductions, periode, decl_siret, decl_nom, depose, i)
        ), j as (
          select v.i, e.siret as e_siret, e.collecteur, e.solde_cents, e.deductions_cents, e.frais_cents, e.credits_cents, e.reverse_cents,
            e.frais_operateur_cents, e.report_cents, e.periode, e.declarant_siret, e.declarant_nom, e.depose_le, coalesce(p.report_cents, 0) as cin,
            (e.siret is null or e.periode is null or e.collecteur <> v.collecteur or e.solde_cents <> v.solde
              or e.deductions_cents <> v.deductions or e.periode is distinct from v.periode
              or e.declarant_siret is distinct from v.decl_siret or e.declarant_nom is distinct from v.decl_nom
              or e.depose_le is distinct from v.depose
              or e.credits_cents + e.report_cents - (greatest(e.solde_cents - e.deductions_cents, 0) - e.frais_cents) <> coalesce(p.report_cents, 0)) as changed
          from v
          left join enveloppes e on e.annee = ${y} and e.siret = v.siret and e.siret between ${min} and ${max}
          left join enveloppes p on p.annee = ${y - 1} and p.siret = v.siret and p.siret between ${min} and ${max}
        )
        select i::int as i, e_siret, collecteur, solde_cents::text as solde, deductions_cents::text as deductions, frais_cents::text as frais,
          credits_cents::text as credits, reverse_cents::text as reverse, frais_operateur_cents::text as frais_operateur,
          report_cents::text as report, periode, declarant_siret, declarant_nom, (extract(epoch from depose_le) * 1000)::bigint::text as depose_ms,
          cin::text as cin, null::text as n, null::text as ecretement
          from j where changed
        union all
        select 0, null, null, sum(solde_cents)::text, sum(deductions_cents)::text, sum(frais_cents)::text, sum(credits_cents)::text, null,
          sum(frais_operateur_cents)::text, sum(report_cents)::text, null, null, null, null, sum(cin)::text, count(*)::text,
          sum(greatest(deductions_cents - solde_cents, 0))::text
          from j where not changed`,
  );
  const changed: { input: EnvelopeInputRow; old: Row | null; cin: Cents }[] = [];
  const t = emptyTotals();
  let unchanged = 0;
  for (const r of rows) {
    const i = Number(r.i);
    if (i === 0) {
      unchanged = Number(r.n ?? 0);
      if (unchanged > 0) {
        t.envelopes = unchanged;
        t.soldeCents = big(r.solde);
        t.deductionsCents = big(r.deductions);
        t.ecretementCents = big(r.ecretement);
        t.netCents = t.soldeCents - t.deductionsCents + t.ecretementCents;
        t.fraisCents = big(r.frais);
        t.fraisOperateurCents = big(r.frais_operateur);
        t.fraisCollecteurCents = t.fraisCents - t.fraisOperateurCents;
        t.creditsCents = big(r.credits);
        t.reportCents = big(r.report);
        t.reportRecuCents = big(r.cin);
      }
      continue;
    }
    const input = batch[i - 1]!;
    changed.push({ input, old: r.e_siret === null || r.e_siret === undefined ? null : rowOf({ ...r, siret: r.e_siret }), cin: big(r.cin) });
  }
  return { changed, unchanged, unchangedTotals: t };
}

function addSums(t: EnvelopeTotals, u: EnvelopeTotals): void {
  t.envelopes += u.envelopes;
  t.soldeCents += u.soldeCents;
  t.deductionsCents += u.deductionsCents;
  t.ecretementCents += u.ecretementCents;
  t.netCents += u.netCents;
  t.fraisCollecteurCents += u.fraisCollecteurCents;
  t.fraisOperateurCents += u.fraisOperateurCents;
  t.fraisCents += u.fraisCents;
  t.creditsCents += u.creditsCents;
  t.reportRecuCents += u.reportRecuCents;
  t.reportCents += u.reportCents;
}

/** report_cents of year − 1, per SIRET (what each envelope of `annee` carries in). */
async function carriedIn(tx: Tx, annee: number): Promise<Map<string, Cents>> {
  const out = new Map<string, Cents>();
  for (const r of await exec(
    tx,
    sql`select siret, report_cents::text as report from enveloppes where annee = ${annee - 1} and report_cents <> 0`,
  ))
    out.set(String(r.siret), big(r.report));
  return out;
}

function addTotals(t: EnvelopeTotals, r: Row, carried: Cents): void {
  t.envelopes++;
  t.soldeCents += r.soldeCents;
  t.deductionsCents += r.deductionsCents;
  if (r.deductionsCents > r.soldeCents) t.ecretementCents += r.deductionsCents - r.soldeCents;
  t.netCents += netOf(r);
  t.fraisOperateurCents += r.fraisOperateurCents;
  t.fraisCollecteurCents += r.fraisCents - r.fraisOperateurCents;
  t.fraisCents += r.fraisCents;
  t.creditsCents += r.creditsCents;
  t.reportRecuCents += carried;
  t.reportCents += r.reportCents;
}

function rowFrom(env: Envelope, input: EnvelopeInputRow, meta: Meta, credits: Cents, report: Cents): Row {
  return envelopeRow(env, credits, report, {
    periode: meta.periode(input),
    declarantSiret: input.declarant?.siret ?? null,
    declarantNom: input.declarant?.nom ?? null,
    deposeMs: meta.deposeMs(input),
  });
}

/** The row of an envelope with its credits, carry-out and provenance (who filed, when, which period). */
function envelopeRow(
  env: Envelope,
  credits: Cents,
  report: Cents,
  from: Pick<Row, 'periode' | 'declarantSiret' | 'declarantNom' | 'deposeMs'>,
): Row {
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

/** Credits and carry-out of an envelope whose credits may move: the carry-in applied (applyCarryOver). */
function withCarry(own: Cents, carriedIn: Cents): { credits: Cents; report: Cents } {
  const c = applyCarryOver(own, carriedIn);
  return { credits: c.creditsCents, report: c.reportRestantCents };
}

interface YearContext {
  annee: number;
  opts: ImportEnveloppesOptions;
  report: EnvelopeImportReport;
  progress: (p: EnvelopeImportProgress) => void;
  meta: Meta;
}

/** A change whose credits `correctionOutcome` decides. */
interface Change {
  /** the declaration of the files (null: only the carry-in of the year before changed) */
  input: EnvelopeInputRow | null;
  /** the stored row (null: a SIRET new to a year whose campaign is over) */
  prev: Row | null;
  /** the new row, credits and carry-out to be decided */
  row: Row;
  before: Envelope | null;
  /** the credits this campaign would work with: own credits with the carry-in applied */
  corrected: Envelope;
}

/** Imports the declarations of campaign `y` (`list` is consumed: emptied on a first import to free memory). */
async function importYear(
  tx: Tx,
  y: number,
  list: EnvelopeInputRow[],
  carriedFromPrevious: Set<string>,
  c: YearContext,
): Promise<YearResult> {
  const { opts, report, progress, meta } = c;
  const counts: EnvelopeCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const carried = new Set<string>();
  const isCampaignYear = y === c.annee;
  const warnAt = (input: EnvelopeInputRow, message: string) => report.warnings.push({ fichier: input.fichier, line: input.line, message });
  const [cnt] = await exec(tx, sql`select count(*)::int as n, count(periode)::int as imported from enveloppes where annee = ${y}`);
  const existing = Number(cnt?.n ?? 0);
  const imported = Number(cnt?.imported ?? 0);
  const carryIn = await carriedIn(tx, y);
  const campaign = await campaignOf(tx, y);
  // a year without a calendar has not paid anything yet: its credits can still move
  const moment: CorrectionMoment = campaign ? correctionMomentAt(campaign, opts.now) : 'pendant_campagne';

  // ── the year's first import: the operator's fee shared over all its SIRETs ──
  if (imported === 0) {
    if (list.length === 0) return { counts, carried };
    if (!isCampaignYear) {
      const first = list[0]!;
      throw new Rejection([
        {
          fichier: first.fichier,
          line: first.line,
          message: `Les montants de la masse salariale ${y - 1} corrigent la campagne ${y}, dont aucune enveloppe n’a été importée : importez d’abord ses fichiers (import-envelopes ${y} …).`,
        },
      ]);
    }
    report.mode = 'repartition';
    let fee = opts.operatorFeeCents;
    if (fee === undefined) {
      fee = OPERATOR_FEE_2023_CENTS;
      report.warnings.push({
        fichier: '',
        line: 0,
        message: `Frais de gestion de l’opérateur non indiqués (--frais-operateur) : le montant de l’arrêté du 15 juin 2023 (${formatEuros(fee)}) est réparti.`,
      });
    }
    progress({ phase: 'calcul', done: 0, total: list.length });
    const computed = computeEnvelopes(list, fee);
    if (!computed.ok)
      throw new Rejection(
        computed.errors.map((e) => ({
          fichier: '',
          line: 0,
          message: e.message + (e.siret ? '' : ' Indiquez les frais de l’opérateur de l’année avec --frais-operateur <euros>.'),
        })),
      );
    computed.batch.envelopes.forEach((env, i) => {
      for (const w of env.warnings) warnAt(list[i]!, w);
    });
    report.operatorFee = computed.batch.operatorFee;
    // what the rows need of the declarations, in compact arrays; the declarations themselves are then
    // released (and each envelope once written): a smaller heap while writing 1.5 million rows
    const n = list.length;
    const metaPeriode = new Array<string>(n);
    const metaDeclSiret = new Array<string | null>(n);
    const metaDeclNom = new Array<string | null>(n);
    const metaDepose = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = list[i]!;
      metaPeriode[i] = meta.periode(d);
      metaDeclSiret[i] = d.declarant?.siret ?? null;
      metaDeclNom[i] = d.declarant?.nom ?? null;
      metaDepose[i] = meta.deposeMs(d) ?? Number.NaN;
    }
    list.length = 0;
    progress({ phase: 'calcul', done: n, total: n });
    // rows of the year no import made (another seed's): all of them, they are few
    const placeholders = new Map<string, Row>();
    if (existing > 0)
      for (const r of await exec(tx, sql`select ${ROW_COLUMNS} from enveloppes where annee = ${y}`)) {
        const row = rowOf(r);
        placeholders.set(row.siret, row);
      }
    const envelopes = computed.batch.envelopes;
    // the totals are the batch's (computed by the domain), adjusted below for the SIRETs that carry in
    const b = computed.batch.totals;
    const t = emptyTotals();
    Object.assign(t, {
      envelopes: b.envelopes,
      soldeCents: b.soldeCents,
      deductionsCents: b.deductionsCents,
      ecretementCents: b.netCents - b.soldeCents + b.deductionsCents,
      netCents: b.netCents,
      fraisCollecteurCents: b.nonRecouvrementCents + b.gestionCollecteurCents,
      fraisOperateurCents: b.fraisOperateurCents,
      fraisCents: b.fraisCents,
      creditsCents: b.creditsCents,
    });
    counts.inserted = envelopes.length;
    let done = 0;
    progress({ phase: 'ecriture', done, total: envelopes.length });
    await writeRows(
      tx,
      y,
      envelopes.length,
      (i) => {
        const env = envelopes[i]!;
        let credits = env.creditsCents;
        let out = 0n;
        const cin = carryIn.size ? (carryIn.get(env.siret) ?? 0n) : 0n;
        if (cin !== 0n) {
          ({ credits, report: out } = withCarry(env.creditsCents, cin));
          t.creditsCents += credits - env.creditsCents;
          t.reportRecuCents += cin;
          t.reportCents += out;
        }
        const old = placeholders.size ? placeholders.get(env.siret) : undefined;
        if (old) {
          counts.updated++;
          counts.inserted--;
        }
        if (out !== (old?.reportCents ?? 0n)) carried.add(env.siret);
        (envelopes as (Envelope | undefined)[])[i] = undefined;
        const depose = metaDepose[i]!;
        return envelopeRow(env, credits, out, {
          periode: metaPeriode[i]!,
          declarantSiret: metaDeclSiret[i]!,
          declarantNom: metaDeclNom[i]!,
          deposeMs: Number.isNaN(depose) ? null : depose,
        });
      },
      { upsert: existing > 0, now: opts.now, onBatch: (k) => progress({ phase: 'ecriture', done: (done += k), total: envelopes.length }) },
    );
    addSums(report.totals, t);
    return { counts, carried };
  }

  // ── later imports: unchanged, new, corrected; then the carry-overs from the year before ──
  const [basisRow] = await exec(
    tx,
    sql`select coalesce(sum(frais_operateur_cents), 0)::text as fee, coalesce(sum(reverse_cents), 0)::text as base from enveloppes where annee = ${y} and periode is not null`,
  );
  const basis: OperatorFeeBasis = { feeCents: big(basisRow?.fee), baseCents: big(basisRow?.base) };
  if (isCampaignYear) {
    report.mode = 'complement';
    report.operatorFee = basis;
    if (opts.operatorFeeCents !== undefined && opts.operatorFeeCents !== basis.feeCents)
      report.warnings.push({
        fichier: '',
        line: 0,
        message: `Les frais de l’opérateur de la campagne ${y} ont été répartis lors de son premier import (${formatEuros(basis.feeCents)} au total) : les frais indiqués (${formatEuros(opts.operatorFeeCents)}) ne sont pas répartis à nouveau ; les nouvelles enveloppes et les corrections supportent le taux de cette répartition.`,
      });
  }
  const declaredSirets = new Set<string>();
  const writes: Row[] = [];
  const changes: Change[] = [];
  progress({ phase: 'calcul', done: 0, total: list.length });
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = list.slice(i, i + BATCH);
    for (const input of batch) declaredSirets.add(input.siret);
    // the database compares: only the SIRETs whose row differs come back (the unchanged ones as sums)
    const cmp = await compareBatch(tx, y, batch, meta);
    counts.unchanged += cmp.unchanged;
    if (isCampaignYear) addSums(report.totals, cmp.unchangedTotals);
    for (const { input, old, cin } of cmp.changed) {
      const periode = meta.periode(input);
      const deposeMs = meta.deposeMs(input);
      const declSiret = input.declarant?.siret ?? null;
      const declNom = input.declarant?.nom ?? null;

      if (!old || old.periode === null) {
        // a SIRET new to the year (or a row no import made): the year's rate on its whole reversed amount
        const env = recomputeEnvelope(null, input, basis);
        for (const w of env.warnings) warnAt(input, w);
        if (old) counts.updated++;
        else counts.inserted++;
        if (moment === 'pendant_campagne') {
          const { credits, report: out } = withCarry(env.creditsCents, cin);
          const row = rowFrom(env, input, meta, credits, out);
          writes.push(row);
          if (out !== (old?.reportCents ?? 0n)) carried.add(input.siret);
          if (isCampaignYear) addTotals(report.totals, row, cin);
        } else {
          // its campaign is over: correctionOutcome carries everything to the next campaign
          changes.push({
            input,
            prev: old,
            row: rowFrom(env, input, meta, 0n, 0n),
            before: null,
            corrected: { ...env, creditsCents: withCarry(env.creditsCents, cin).credits },
          });
        }
        continue;
      }

      const sameAmounts =
        old.collecteur === input.collecteur &&
        old.soldeCents === input.soldeCents &&
        old.deductionsCents === input.subventionsCfaCents + input.creanceAlternantsCents;
      const sameCarry = carriedInOf(old) === cin;
      const sameMeta =
        old.periode === periode && old.declarantSiret === declSiret && old.declarantNom === declNom && old.deposeMs === deposeMs;
      if (sameAmounts && sameCarry) {
        if (sameMeta) counts.unchanged++;
        else {
          writes.push({ ...old, periode, declarantSiret: declSiret, declarantNom: declNom, deposeMs });
          counts.updated++;
        }
        if (isCampaignYear) addTotals(report.totals, old, cin);
        continue;
      }

      // a corrected declaration, or a new carry-in: CGU art. 6.1.3
      counts.updated++;
      const before = envelopeOfRow(old);
      let recomputed = before;
      if (!sameAmounts) {
        recomputed = recomputeEnvelope(before, input, basis);
        for (const w of recomputed.warnings) warnAt(input, w);
        if (!input.codes.includes('076') && old.soldeCents > 0n)
          warnAt(
            input,
            `SIRET ${input.siret} : la déclaration corrective ne porte pas de solde (076) ; le solde de la campagne ${y} passe de ${formatEuros(old.soldeCents)} à 0,00 €.`,
          );
        if (old.collecteur !== input.collecteur)
          warnAt(input, `SIRET ${input.siret} : l’organisme collecteur passe de ${old.collecteur} à ${input.collecteur} (campagne ${y}).`);
      }
      changes.push({
        input,
        prev: old,
        row: sameAmounts
          ? { ...old, periode, declarantSiret: declSiret, declarantNom: declNom, deposeMs }
          : rowFrom(recomputed, input, meta, 0n, 0n),
        before,
        corrected: { ...recomputed, creditsCents: withCarry(recomputed.creditsCents, cin).credits },
      });
    }
    progress({ phase: 'calcul', done: Math.min(i + BATCH, list.length), total: list.length });
  }

  // carry-overs: SIRETs whose carry-out of the year before changed and that no file of this year declares
  const carryOnly = [...carriedFromPrevious].filter((s) => !declaredSirets.has(s));
  if (carryOnly.length) {
    for (const old of (await rowsOf(tx, y, carryOnly)).values()) {
      const cin = carryIn.get(old.siret) ?? 0n;
      if (carriedInOf(old) === cin) continue;
      counts.updated++;
      const before = envelopeOfRow(old);
      changes.push({
        input: null,
        prev: old,
        row: { ...old },
        before,
        corrected: { ...before, creditsCents: withCarry(ownOf(old), cin).credits },
      });
    }
  }

  // the campaign's moment decides each change (the SIRET's allocations read for the outcome)
  if (changes.length) {
    const bps = new Map<string, number[]>();
    if (moment === 'pendant_campagne')
      for (const r of await exec(
        tx,
        sql`select siret_employeur as siret, points_base as bp from attributions where annee = ${y} and siret_employeur = any(${sql.param(changes.map((x) => x.row.siret))}::text[]) order by id`,
      )) {
        const l = bps.get(String(r.siret)) ?? [];
        l.push(Number(r.bp));
        bps.set(String(r.siret), l);
      }
    for (const x of changes) {
      const siret = x.row.siret;
      const cin = carryIn.get(siret) ?? 0n;
      const outcome = correctionOutcome({
        moment,
        previous: x.before,
        corrected: x.corrected,
        attributions: (bps.get(siret) ?? []).map((bp) => ({ bp, verseCents: 0n })),
      });
      const credits = outcome.creditsCampagneCents;
      // the row's equation gives the carry-out: net + in = fees + credits + out
      const row: Row = { ...x.row, creditsCents: credits, reportCents: ownOf(x.row) + cin - credits };
      writes.push(row);
      if (row.reportCents !== (x.prev?.reportCents ?? 0n)) carried.add(siret);
      if (isCampaignYear && x.input) addTotals(report.totals, row, cin);
      if (outcome.cas !== 'sans_changement' || row.reportCents !== (x.prev?.reportCents ?? 0n))
        report.corrections.push({
          annee: y,
          siret,
          moment,
          cas: outcome.cas,
          ancienCreditsCents: outcome.ancienCreditsCents,
          nouveauCreditsCents: outcome.nouveauCreditsCents,
          reportCents: row.reportCents,
          message: x.input ? outcome.message : `Report de la campagne ${y - 1} : ${outcome.message}`,
          fichier: x.input?.fichier ?? '',
          line: x.input?.line ?? 0,
        });
    }
  }
  progress({ phase: 'calcul', done: list.length, total: list.length });
  let done = 0;
  progress({ phase: 'ecriture', done, total: writes.length });
  await writeRows(tx, y, writes.length, (i) => writes[i]!, {
    upsert: true,
    now: opts.now,
    onBatch: (n) => progress({ phase: 'ecriture', done: (done += n), total: writes.length }),
  });
  return { counts, carried };
}

/** Totals of every envelope of a year, from the database (carry-in from the year before included). */
export async function yearTotals(tx: Tx, annee: number): Promise<EnvelopeTotals> {
  const [r] = await exec(
    tx,
    sql`select count(*)::int as n, coalesce(sum(e.solde_cents), 0)::text as solde, coalesce(sum(e.deductions_cents), 0)::text as deductions,
          coalesce(sum(greatest(e.solde_cents - e.deductions_cents, 0)), 0)::text as net,
          coalesce(sum(greatest(e.deductions_cents - e.solde_cents, 0)), 0)::text as ecretement, coalesce(sum(e.frais_operateur_cents), 0)::text as frais_op,
          coalesce(sum(e.frais_cents), 0)::text as frais, coalesce(sum(e.credits_cents), 0)::text as credits, coalesce(sum(e.report_cents), 0)::text as report,
          (select coalesce(sum(p.report_cents), 0) from enveloppes p where p.annee = ${annee - 1} and p.report_cents <> 0
             and exists (select 1 from enveloppes x where x.annee = ${annee} and x.siret = p.siret))::text as recu
        from enveloppes e where e.annee = ${annee}`,
  );
  const fraisOp = big(r?.frais_op);
  const frais = big(r?.frais);
  return {
    envelopes: Number(r?.n ?? 0),
    soldeCents: big(r?.solde),
    deductionsCents: big(r?.deductions),
    ecretementCents: big(r?.ecretement),
    netCents: big(r?.net),
    fraisCollecteurCents: frais - fraisOp,
    fraisOperateurCents: fraisOp,
    fraisCents: frais,
    creditsCents: big(r?.credits),
    reportRecuCents: big(r?.recu),
    reportCents: big(r?.report),
  };
}
