/**
 * The year's first import (no envelope of the year made by an import yet): `computeEnvelopes` shares
 * the operator's fee of `--frais-operateur` (default: the 2023 arrêté's amount, with a warning) pro rata
 * of the amounts reversed, largest remainder, over every SIRET of the files (docs/regles.md#solde-et-enveloppe).
 * Rows of the year no import made (another seed's) are replaced, keeping « partage de coordonnées ».
 */
import { computeEnvelopes, OPERATOR_FEE_2023_CENTS, type Envelope, type EnvelopeBatch } from '../../domain/enveloppe.js';
import type { Cents } from '../../domain/money.js';
import { formatEuros } from '../../shared/format.js';
import type { Tx } from '../../infra/db/index.js';
import type { EnvelopeInputRow } from './aggregation.js';
import { envelopeRow, readEnvelopeRowsOfYear, writeRows, type EnvelopeRow } from './envelope-rows.js';
import { addSums, emptyTotals, type EnvelopeTotals } from './import-report.js';
import { Rejection, withCarry, writeProgress, type YearContext, type YearResult, type YearState } from './import-year.js';

/**
 * What the rows need of the declarations, in compact arrays: the declarations themselves are released
 * (and each envelope once written), a smaller heap while writing 1.5 million rows.
 */
interface CompactProvenance {
  periode: string[];
  declSiret: (string | null)[];
  declNom: (string | null)[];
  /** deposit instants, NaN for none */
  depose: Float64Array;
}

/** What the rows are written with, and what they add to the totals and the result. */
interface Writing {
  year: YearState;
  placeholders: Map<string, EnvelopeRow>;
  provenance: CompactProvenance;
  totals: EnvelopeTotals;
  result: YearResult;
}

/** Imports the declarations of a year that has no imported envelope (`list` is emptied to free memory). */
export async function importFirstTime(tx: Tx, year: YearState, list: EnvelopeInputRow[], c: YearContext): Promise<YearResult> {
  if (!year.isCampaignYear) throw laterCorrectionFirst(year.y, list[0]!);
  const { report, progress } = c;
  report.mode = 'repartition';
  progress({ phase: 'calcul', done: 0, total: list.length });
  const batch = computeYear(list, operatorFee(c), c);
  report.operatorFee = batch.operatorFee;
  const n = list.length;
  const provenance = compactProvenance(list, c);
  list.length = 0;
  progress({ phase: 'calcul', done: n, total: n });
  // rows of the year no import made (another seed's): all of them, they are few
  const placeholders = year.existing > 0 ? await readEnvelopeRowsOfYear(tx, year.y) : new Map<string, EnvelopeRow>();
  const totals = batchTotals(batch);
  const result: YearResult = { counts: { inserted: batch.envelopes.length, updated: 0, unchanged: 0 }, carried: new Set() };
  const envelopes = batch.envelopes as (Envelope | undefined)[];
  const writing: Writing = { year, placeholders, provenance, totals, result };
  const rowAt = (i: number): EnvelopeRow => {
    const env = envelopes[i]!;
    envelopes[i] = undefined;
    return firstRow(env, i, writing);
  };
  await writeRows(tx, year.y, envelopes.length, rowAt, {
    upsert: year.existing > 0,
    now: c.opts.now,
    onBatch: writeProgress(c, envelopes.length),
  });
  addSums(report.totals, totals);
  return result;
}

/** Amounts of an earlier payroll year correct a campaign: that campaign must have been imported first. */
function laterCorrectionFirst(y: number, first: EnvelopeInputRow): Rejection {
  return new Rejection([
    {
      fichier: first.fichier,
      line: first.line,
      message: `Les montants de la masse salariale ${y - 1} corrigent la campagne ${y}, dont aucune enveloppe n’a été importée : importez d’abord ses fichiers (import-envelopes ${y} …).`,
    },
  ]);
}

/** The fee shared: the one given, else the 2023 arrêté's (with a warning). */
function operatorFee(c: YearContext): Cents {
  if (c.opts.operatorFeeCents !== undefined) return c.opts.operatorFeeCents;
  c.report.warnings.push({
    fichier: '',
    line: 0,
    message: `Frais de gestion de l’opérateur non indiqués (--frais-operateur) : le montant de l’arrêté du 15 juin 2023 (${formatEuros(OPERATOR_FEE_2023_CENTS)}) est réparti.`,
  });
  return OPERATOR_FEE_2023_CENTS;
}

/** Every envelope of the year computed at once (a fee larger than what was reversed is refused). */
function computeYear(list: EnvelopeInputRow[], fee: Cents, c: YearContext): EnvelopeBatch {
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
    for (const w of env.warnings) c.report.warnings.push({ fichier: list[i]!.fichier, line: list[i]!.line, message: w });
  });
  return computed.batch;
}

function compactProvenance(list: readonly EnvelopeInputRow[], c: YearContext): CompactProvenance {
  const n = list.length;
  const p: CompactProvenance = {
    periode: new Array<string>(n),
    declSiret: new Array<string | null>(n),
    declNom: new Array<string | null>(n),
    depose: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const d = list[i]!;
    p.periode[i] = c.provenance.periode(d);
    p.declSiret[i] = d.declarant?.siret ?? null;
    p.declNom[i] = d.declarant?.nom ?? null;
    p.depose[i] = c.provenance.deposeMs(d) ?? Number.NaN;
  }
  return p;
}

/** The batch's totals (computed by the domain), adjusted as rows are written for the SIRETs that carry in. */
function batchTotals(batch: EnvelopeBatch): EnvelopeTotals {
  const b = batch.totals;
  return Object.assign(emptyTotals(), {
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
}

/** The row of the i-th envelope: the carry-in of the year before applied, a placeholder replaced. */
function firstRow(env: Envelope, i: number, w: Writing): EnvelopeRow {
  let credits = env.creditsCents;
  let out = 0n;
  const cin = w.year.carryIn.size ? (w.year.carryIn.get(env.siret) ?? 0n) : 0n;
  if (cin !== 0n) {
    ({ credits, report: out } = withCarry(env.creditsCents, cin));
    w.totals.creditsCents += credits - env.creditsCents;
    w.totals.reportRecuCents += cin;
    w.totals.reportCents += out;
  }
  const old = w.placeholders.size ? w.placeholders.get(env.siret) : undefined;
  if (old) {
    w.result.counts.updated++;
    w.result.counts.inserted--;
  }
  if (out !== (old?.reportCents ?? 0n)) w.result.carried.add(env.siret);
  const depose = w.provenance.depose[i]!;
  return envelopeRow(env, credits, out, {
    periode: w.provenance.periode[i]!,
    declarantSiret: w.provenance.declSiret[i]!,
    declarantNom: w.provenance.declNom[i]!,
    deposeMs: Number.isNaN(depose) ? null : depose,
  });
}
