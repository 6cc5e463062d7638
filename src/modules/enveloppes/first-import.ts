/**
 * The year's first import (no envelope of the year made by an import yet): `computeEnvelopes` shares
 * the operator's fee of `--frais-operateur` (default: the 2023 arrêté's amount, with a warning) pro rata
 * of the amounts reversed, largest remainder, over every SIRET of the files (docs/regles.md#solde-et-enveloppe).
 * Rows of the year no import made (another seed's) are replaced, keeping « partage de coordonnées ».
 */
import { addTo, emptyTotals as emptyDomainTotals, OPERATOR_FEE_2023_CENTS, type Envelope, type Totals } from '../../domain/enveloppe.js';
import { envelopeWithShare, shareOperatorFee } from '../../domain/enveloppe-partage.js';
import type { Cents } from '../../domain/money.js';
import { formatEuros } from '../../shared/format.js';
import type { Tx } from '../../infra/db/index.js';
import type { EnvelopeInputRow } from './aggregation.js';
import { readEnvelopeRowsOfYear, writeRows, type EnvelopeRow } from './envelope-rows.js';
import { addSums, addWarning, emptyTotals, type EnvelopeTotals } from './import-report.js';
import {
  Rejection,
  rowFrom,
  withCarry,
  writeProgress,
  type YearContext,
  type YearInputs,
  type YearResult,
  type YearState,
} from './import-year.js';

/** What the rows are written with, and what they add to the totals and the result. */
interface Writing {
  year: YearState;
  placeholders: Map<string, EnvelopeRow>;
  /** what the carry-ins change in the totals */
  totals: EnvelopeTotals;
  result: YearResult;
  c: YearContext;
}

/**
 * Imports the declarations of a year that has no imported envelope, in two passes over the staged
 * declarations (never all in memory): each one's reversed amount, then — the fee shared — each envelope,
 * written chunk by chunk.
 */
export async function importFirstTime(tx: Tx, year: YearState, inputs: YearInputs, c: YearContext): Promise<YearResult> {
  if (!year.isCampaignYear) throw laterCorrectionFirst(year.y, await firstOf(inputs));
  const { report, progress } = c;
  report.mode = 'repartition';
  const n = inputs.count;
  progress({ phase: 'calcul', done: 0, total: n });
  const fee = operatorFee(c);
  const shares = shareFee(inputs, fee);
  report.operatorFee = { feeCents: fee, baseCents: shares.baseCents };
  progress({ phase: 'calcul', done: n, total: n });
  // rows of the year no import made (another seed's): all of them, they are few
  const placeholders = year.existing > 0 ? await readEnvelopeRowsOfYear(tx, year.y) : new Map<string, EnvelopeRow>();
  const result: YearResult = { counts: { inserted: n, updated: 0, unchanged: 0 }, carried: new Set() };
  const writing: Writing = { year, placeholders, totals: emptyTotals(), result, c };
  const amounts = emptyDomainTotals();
  const onBatch = writeProgress(c, n);
  let i = 0;
  for await (const chunk of inputs.chunks()) {
    const rows = chunk.map((d) => {
      const env = envelopeWithShare(d, BigInt(shares.shares[i++]!));
      addTo(amounts, env);
      for (const w of env.warnings) addWarning(report, { fichier: d.fichier, line: d.line, message: w });
      return firstRow(env, d, writing);
    });
    await writeRows(tx, year.y, rows.length, (k) => rows[k]!, { upsert: year.existing > 0, now: c.opts.now, onBatch });
  }
  addSums(report.totals, batchTotals(amounts));
  addSums(report.totals, writing.totals);
  return result;
}

/** The first declaration (for the message of a correction that comes first). */
async function firstOf(inputs: YearInputs): Promise<EnvelopeInputRow> {
  for await (const chunk of inputs.chunks()) if (chunk[0]) return chunk[0];
  throw new Error('no declaration');
}

/** The operator's share of each declaration, from its reversed amount (a declaration refused, or a fee too large: rejected). */
function shareFee(inputs: YearInputs, fee: Cents) {
  // the campaign year's inputs carry their reversed amounts (import.ts computes them during the check)
  const { values, errors, more } = inputs.reversed!;
  if (errors.length) throw new Rejection(errors, more);
  const shared = shareOperatorFee(fee, values);
  if (!shared.ok)
    throw new Rejection(
      shared.errors.map((e) => ({
        fichier: '',
        line: 0,
        message: e.message + (e.siret ? '' : ' Indiquez les frais de l’opérateur de l’année avec --frais-operateur <euros>.'),
      })),
    );
  return shared;
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
  addWarning(c.report, {
    fichier: '',
    line: 0,
    message: `Frais de gestion de l’opérateur non indiqués (--frais-operateur) : le montant de l’arrêté du 15 juin 2023 (${formatEuros(OPERATOR_FEE_2023_CENTS)}) est réparti.`,
  });
  return OPERATOR_FEE_2023_CENTS;
}

/** The envelopes' totals (added by the domain); the carry-ins are added as rows are written. */
function batchTotals(b: Totals): EnvelopeTotals {
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

/** The row of an envelope: the carry-in of the year before applied, a placeholder replaced. */
function firstRow(env: Envelope, input: EnvelopeInputRow, w: Writing): EnvelopeRow {
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
  return rowFrom(env, input, w.c.provenance, credits, out);
}
