/**
 * The inputs and the report of an envelope import (`EnvelopeImportReport`, printed in French by `import-envelopes`):
 * the counts of rows written, the corrections, and the totals — of the files' SIRETs as the import
 * computed them, and of the whole campaign year read back from the database.
 */
import { sql } from 'drizzle-orm';
import type { CorrectionCase, CorrectionMoment, OperatorFeeBasis } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import { big, netOf, type EnvelopeRow } from './envelope-rows.js';
import { keepEntry, type ParsedEnvelopeFile, type ReportEntry } from './lines.js';

/** A path, or a file's name with its bytes, or a file's name with its path (an upload stored under another name). */
export type EnvelopeFileSource = string | { fichier: string; content: string | Uint8Array } | { fichier: string; path: string };

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
  /** the operator's agent who imports from the browser (« Imports ») — for the audit trail */
  actorAgentId?: string | null;
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
  /** the first MAX_KEPT_ENTRIES rejections and warnings (lines.ts); `rejectedCount` and `warningCount` count them all */
  rejected: ReportEntry[];
  warnings: ReportEntry[];
  rejectedCount: number;
  warningCount: number;
  durationMs: number;
}

/** One more rejection: counted, kept while the report holds fewer than MAX_KEPT_ENTRIES. */
export function addRejected(r: EnvelopeImportReport, e: ReportEntry): void {
  r.rejectedCount++;
  keepEntry(r.rejected, e);
}

/** One more warning: counted, kept while the report holds fewer than MAX_KEPT_ENTRIES. */
export function addWarning(r: EnvelopeImportReport, e: ReportEntry): void {
  r.warningCount++;
  keepEntry(r.warnings, e);
}

export function emptyTotals(): EnvelopeTotals {
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

/** The report before anything is read. */
export function emptyReport(annee: number): EnvelopeImportReport {
  return {
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
    rejectedCount: 0,
    warningCount: 0,
    durationMs: 0,
  };
}

export function addSums(t: EnvelopeTotals, u: EnvelopeTotals): void {
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

export function addTotals(t: EnvelopeTotals, r: EnvelopeRow, carried: Cents): void {
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

interface YearTotalsRow {
  n: number;
  solde: string;
  deductions: string;
  net: string;
  ecretement: string;
  frais_op: string;
  frais: string;
  credits: string;
  report: string;
  recu: string;
}

/** Totals of every envelope of a year, from the database (carry-in from the year before included). */
export async function yearTotals(tx: Tx, annee: number): Promise<EnvelopeTotals> {
  const [r] = await selectRows<YearTotalsRow>(
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
