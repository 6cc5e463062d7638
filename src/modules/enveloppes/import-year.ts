/**
 * One campaign year of an envelope import (import.ts runs the years the files touch, in increasing
 * order, in one transaction). What the year already holds decides how its declarations are written:
 * - **first import of the year** (no imported envelope yet, first-import.ts): `computeEnvelopes`
 *   shares the operator's fee pro rata over every SIRET of the files;
 * - **later imports** (later-import.ts): unchanged, new and corrected SIRETs, then the carry-overs
 *   from the year before.
 */
import { applyCarryOver, type CorrectionMoment, type Envelope } from '../../domain/enveloppe.js';
import { reversedOf } from '../../domain/enveloppe-partage.js';
import { correctionMomentAt } from '../../domain/campagne.js';
import type { Cents } from '../../domain/money.js';
import type { Tx } from '../../infra/db/index.js';
import { campaignOf } from '../campagnes/repository.js';
import type { EnvelopeInputRow } from './aggregation.js';
import { carriedIn, countYearRows, envelopeRow, type EnvelopeRow } from './envelope-rows.js';
import type { EnvelopeCounts, EnvelopeImportProgress, EnvelopeImportReport, ImportEnveloppesOptions } from './import-report.js';
import { MAX_KEPT_ENTRIES, type ReportEntry } from './lines.js';
import type { Provenance } from './provenance.js';

/** What the import shares with each year it writes. */
export interface YearContext {
  /** the campaign year of the files */
  annee: number;
  opts: ImportEnveloppesOptions;
  report: EnvelopeImportReport;
  progress: (p: EnvelopeImportProgress) => void;
  provenance: Provenance;
}

/** What year `y` holds before the import writes it. */
export interface YearState {
  y: number;
  isCampaignYear: boolean;
  /** rows of the year, and how many an import made */
  existing: number;
  imported: number;
  /** report_cents of the year before, per SIRET */
  carryIn: Map<string, Cents>;
  /** where the campaign stands now: a year without a calendar has not paid anything yet */
  moment: CorrectionMoment;
}

/** The declarations of one campaign year, read back chunk by chunk (staging.ts), in SIRET order. */
export interface YearInputs {
  count: number;
  chunks: () => AsyncGenerator<EnvelopeInputRow[]>;
  /** the campaign year's reversed amounts, computed while the import checked the files (import.ts) */
  reversed?: ReversedAmounts;
}

/**
 * Each declaration's reversed amount (`reversedOf`, in SIRET order: exact below 2^53 cents) and the
 * declarations refused by it (the first MAX_KEPT_ENTRIES, `more` counted): the first pass of the
 * operator's fee sharing (first-import.ts), done during the check so that the declarations are read
 * back twice, not three times.
 */
export interface ReversedAmounts {
  values: Float64Array;
  errors: ReportEntry[];
  more: number;
}

/** Collects the reversed amounts of the declarations, in order. */
export function reversedCollector() {
  let values = new Float64Array(1 << 16);
  let n = 0;
  const out: ReversedAmounts = { values, errors: [], more: 0 };
  return {
    add(d: EnvelopeInputRow): void {
      const r = reversedOf(d);
      for (const e of r.errors)
        if (out.errors.length < MAX_KEPT_ENTRIES) out.errors.push({ fichier: '', line: 0, message: e.message });
        else out.more++;
      if (n === values.length) {
        const bigger = new Float64Array(values.length * 2);
        bigger.set(values);
        values = bigger;
      }
      values[n++] = Number(r.reverseCents);
    },
    result(): ReversedAmounts {
      out.values = values.subarray(0, n);
      return out;
    },
  };
}

export interface YearResult {
  counts: EnvelopeCounts;
  /** SIRETs whose carry-out changed: the next year's envelope sees it */
  carried: Set<string>;
}

/** Thrown inside the transaction: nothing is written, the entries join the report's rejections. */
export class Rejection extends Error {
  /** `entries` are the first ones; `more` others were counted, not kept (lines.ts MAX_KEPT_ENTRIES) */
  constructor(
    readonly entries: ReportEntry[],
    readonly more = 0,
  ) {
    super(entries.map((e) => e.message).join(' '));
  }
}

export async function yearState(tx: Tx, y: number, c: YearContext): Promise<YearState> {
  const { existing, imported } = await countYearRows(tx, y);
  const carryIn = await carriedIn(tx, y);
  const campaign = await campaignOf(tx, y);
  const moment: CorrectionMoment = campaign ? correctionMomentAt(campaign, c.opts.now) : 'pendant_campagne';
  return { y, isCampaignYear: y === c.annee, existing, imported, carryIn, moment };
}

/** The row of a declaration's envelope with its credits and carry-out. */
export function rowFrom(env: Envelope, input: EnvelopeInputRow, provenance: Provenance, credits: Cents, report: Cents): EnvelopeRow {
  return envelopeRow(env, credits, report, {
    periode: provenance.periode(input),
    declarantSiret: input.declarant?.siret ?? null,
    declarantNom: input.declarant?.nom ?? null,
    deposeMs: provenance.deposeMs(input),
  });
}

/** Credits and carry-out of an envelope whose credits may move: the carry-in applied (applyCarryOver). */
export function withCarry(own: Cents, carriedIn: Cents): { credits: Cents; report: Cents } {
  const c = applyCarryOver(own, carriedIn);
  return { credits: c.creditsCents, report: c.reportRestantCents };
}

/** Progress of the writing phase, as batches are written. */
export function writeProgress(c: YearContext, total: number): (n: number) => void {
  let done = 0;
  c.progress({ phase: 'ecriture', done, total });
  return (n) => c.progress({ phase: 'ecriture', done: (done += n), total });
}
