/**
 * Later imports of a year (a complementary file, the same files again, corrective declarations),
 * SIRET by SIRET against the stored rows (docs/enveloppes-format.md §6, docs/regles.md#corrections-dsn):
 * - same amounts, collector and carry-in: **unchanged** (only the déclarant or the date changed: updated,
 *   amounts untouched);
 * - a SIRET **new to the year**: `recomputeEnvelope(null, …)` with the rate of the year's sharing
 *   (Σ operator shares / Σ reversed of the year's envelopes); the fee is not shared again;
 * - **different amounts**, or a new carry-in: a correction (CGU SOLTéA art. 6.1.3), whose credits
 *   `correctionOutcome` decides at the campaign's moment (during the campaign the credits move; from the
 *   last payment wave they stay and the difference goes to `report_cents`, carried to the next campaign);
 * - then the SIRETs whose carry-out of the year before changed and that no file of this year declares.
 */
import { correctionOutcome, recomputeEnvelope, type Envelope, type OperatorFeeBasis } from '../../domain/enveloppe.js';
import { formatEuros } from '../../shared/format.js';
import type { Tx } from '../../infra/db/index.js';
import type { EnvelopeInputRow } from './aggregation.js';
import { compareBatch, type ChangedDeclaration } from './compare.js';
import {
  allocationPoints,
  BATCH,
  carriedInOf,
  envelopeOfRow,
  ownOf,
  readEnvelopeRowsOfSirets,
  writeRows,
  yearFeeBasis,
  type EnvelopeRow,
} from './envelope-rows.js';
import { addSums, addTotals, addWarning, type EnvelopeCounts } from './import-report.js';
import { rowFrom, withCarry, writeProgress, type YearContext, type YearInputs, type YearResult, type YearState } from './import-year.js';

/** A change whose credits `correctionOutcome` decides. */
interface Change {
  /** the declaration of the files (null: only the carry-in of the year before changed) */
  input: EnvelopeInputRow | null;
  /** the stored row (null: a SIRET new to a year whose campaign is over) */
  prev: EnvelopeRow | null;
  /** the new row, credits and carry-out to be decided */
  row: EnvelopeRow;
  before: Envelope | null;
  /** the credits this campaign would work with: own credits with the carry-in applied */
  corrected: Envelope;
}

/**
 * Imports the declarations of a year that already has imported envelopes, read chunk by chunk;
 * `declaredOf` says which SIRETs the files declare for the year (for the carry-overs alone).
 */
export async function importLater(
  tx: Tx,
  year: YearState,
  inputs: YearInputs,
  carriedFromPrevious: Set<string>,
  c: YearContext,
  declaredOf: (sirets: readonly string[]) => Promise<Set<string>>,
): Promise<YearResult> {
  const basis = await yearFeeBasis(tx, year.y);
  if (year.isCampaignYear) complementMode(basis, c);
  const later = new LaterImport(year, basis, c);
  const total = inputs.count;
  c.progress({ phase: 'calcul', done: 0, total });
  let done = 0;
  for await (const chunk of inputs.chunks())
    for (let i = 0; i < chunk.length; i += BATCH) {
      const batch = chunk.slice(i, i + BATCH);
      await later.compare(tx, batch);
      c.progress({ phase: 'calcul', done: (done += batch.length), total });
    }
  await later.carryOnly(tx, carriedFromPrevious, declaredOf);
  await later.decide(tx);
  c.progress({ phase: 'calcul', done: total, total });
  await later.write(tx);
  return { counts: later.counts, carried: later.carried };
}

/** The campaign year's report: a complementary import bears the rate of the first sharing. */
function complementMode(basis: OperatorFeeBasis, c: YearContext): void {
  const { report, opts } = c;
  report.mode = 'complement';
  report.operatorFee = basis;
  if (opts.operatorFeeCents !== undefined && opts.operatorFeeCents !== basis.feeCents)
    addWarning(report, {
      fichier: '',
      line: 0,
      message: `Les frais de l’opérateur de la campagne ${c.annee} ont été répartis lors de son premier import (${formatEuros(basis.feeCents)} au total) : les frais indiqués (${formatEuros(opts.operatorFeeCents)}) ne sont pas répartis à nouveau ; les nouvelles enveloppes et les corrections supportent le taux de cette répartition.`,
    });
}

/** The year's declarations sorted into rows to write and changes to decide. */
class LaterImport {
  readonly counts: EnvelopeCounts = { inserted: 0, updated: 0, unchanged: 0 };
  readonly carried = new Set<string>();
  private readonly writes: EnvelopeRow[] = [];
  private readonly changes: Change[] = [];

  constructor(
    private readonly year: YearState,
    private readonly basis: OperatorFeeBasis,
    private readonly c: YearContext,
  ) {}

  /** One batch: the database compares, only the SIRETs whose row differs come back (the unchanged ones as sums). */
  async compare(tx: Tx, batch: readonly EnvelopeInputRow[]): Promise<void> {
    const cmp = await compareBatch(tx, this.year.y, batch, this.c.provenance);
    this.counts.unchanged += cmp.unchanged;
    if (this.year.isCampaignYear) addSums(this.c.report.totals, cmp.unchangedTotals);
    for (const changed of cmp.changed) {
      if (!changed.old || changed.old.periode === null) this.newToYear(changed);
      else this.againstStored(changed, changed.old);
    }
  }

  /** Carry-overs: SIRETs whose carry-out of the year before changed and that no file of this year declares. */
  async carryOnly(
    tx: Tx,
    carriedFromPrevious: Set<string>,
    declaredOf: (sirets: readonly string[]) => Promise<Set<string>>,
  ): Promise<void> {
    const declared = await declaredOf([...carriedFromPrevious]);
    const carryOnly = [...carriedFromPrevious].filter((s) => !declared.has(s));
    if (carryOnly.length === 0) return;
    for (const old of (await readEnvelopeRowsOfSirets(tx, this.year.y, carryOnly)).values()) {
      const cin = this.year.carryIn.get(old.siret) ?? 0n;
      if (carriedInOf(old) === cin) continue;
      this.counts.updated++;
      const before = envelopeOfRow(old);
      this.changes.push({
        input: null,
        prev: old,
        row: { ...old },
        before,
        corrected: { ...before, creditsCents: withCarry(ownOf(old), cin).credits },
      });
    }
  }

  /** The campaign's moment decides each change (the SIRET's allocations read for the outcome). */
  async decide(tx: Tx): Promise<void> {
    if (this.changes.length === 0) return;
    const bps =
      this.year.moment === 'pendant_campagne'
        ? await allocationPoints(
            tx,
            this.year.y,
            this.changes.map((x) => x.row.siret),
          )
        : new Map<string, number[]>();
    for (const x of this.changes) this.decideOne(x, bps.get(x.row.siret) ?? []);
  }

  async write(tx: Tx): Promise<void> {
    const writes = this.writes;
    await writeRows(tx, this.year.y, writes.length, (i) => writes[i]!, {
      upsert: true,
      now: this.c.opts.now,
      onBatch: writeProgress(this.c, writes.length),
    });
  }

  /** A SIRET new to the year (or a row no import made): the year's rate on its whole reversed amount. */
  private newToYear({ input, old, cin }: ChangedDeclaration): void {
    const env = recomputeEnvelope(null, input, this.basis);
    this.warnAll(input, env.warnings);
    if (old) this.counts.updated++;
    else this.counts.inserted++;
    const provenance = this.c.provenance;
    if (this.year.moment === 'pendant_campagne') {
      const { credits, report: out } = withCarry(env.creditsCents, cin);
      const row = rowFrom(env, input, provenance, credits, out);
      this.writes.push(row);
      if (out !== (old?.reportCents ?? 0n)) this.carried.add(input.siret);
      if (this.year.isCampaignYear) addTotals(this.c.report.totals, row, cin);
    } else {
      // its campaign is over: correctionOutcome carries everything to the next campaign
      const corrected = { ...env, creditsCents: withCarry(env.creditsCents, cin).credits };
      this.changes.push({ input, prev: old, row: rowFrom(env, input, provenance, 0n, 0n), before: null, corrected });
    }
  }

  /** A SIRET the year has: unchanged, its provenance updated, or corrected. */
  private againstStored({ input, cin }: ChangedDeclaration, old: EnvelopeRow): void {
    const provenance = this.c.provenance;
    const meta = {
      periode: provenance.periode(input),
      declarantSiret: input.declarant?.siret ?? null,
      declarantNom: input.declarant?.nom ?? null,
      deposeMs: provenance.deposeMs(input),
    };
    const sameAmounts =
      old.collecteur === input.collecteur &&
      old.soldeCents === input.soldeCents &&
      old.deductionsCents === input.subventionsCfaCents + input.creanceAlternantsCents;
    if (sameAmounts && carriedInOf(old) === cin) {
      const sameMeta =
        old.periode === meta.periode &&
        old.declarantSiret === meta.declarantSiret &&
        old.declarantNom === meta.declarantNom &&
        old.deposeMs === meta.deposeMs;
      if (sameMeta) this.counts.unchanged++;
      else {
        this.writes.push({ ...old, ...meta });
        this.counts.updated++;
      }
      if (this.year.isCampaignYear) addTotals(this.c.report.totals, old, cin);
      return;
    }
    this.counts.updated++;
    const before = envelopeOfRow(old);
    const recomputed = sameAmounts ? before : this.recomputed(input, old, before);
    this.changes.push({
      input,
      prev: old,
      row: sameAmounts ? { ...old, ...meta } : rowFrom(recomputed, input, provenance, 0n, 0n),
      before,
      corrected: { ...recomputed, creditsCents: withCarry(recomputed.creditsCents, cin).credits },
    });
  }

  /** A corrected declaration's envelope: collector's fees recomputed, operator's share moved by the rate. */
  private recomputed(input: EnvelopeInputRow, old: EnvelopeRow, before: Envelope): Envelope {
    const y = this.year.y;
    const recomputed = recomputeEnvelope(before, input, this.basis);
    this.warnAll(input, recomputed.warnings);
    if (!input.codes.includes('076') && old.soldeCents > 0n)
      this.warnAll(input, [
        `SIRET ${input.siret} : la déclaration corrective ne porte pas de solde (076) ; le solde de la campagne ${y} passe de ${formatEuros(old.soldeCents)} à 0,00 €.`,
      ]);
    if (old.collecteur !== input.collecteur)
      this.warnAll(input, [
        `SIRET ${input.siret} : l’organisme collecteur passe de ${old.collecteur} à ${input.collecteur} (campagne ${y}).`,
      ]);
    return recomputed;
  }

  /** The outcome of one change: its credits, and its carry-out from the row's equation (net + in = fees + credits + out). */
  private decideOne(x: Change, bps: readonly number[]): void {
    const { y, moment, isCampaignYear, carryIn } = this.year;
    const siret = x.row.siret;
    const cin = carryIn.get(siret) ?? 0n;
    const outcome = correctionOutcome({
      moment,
      previous: x.before,
      corrected: x.corrected,
      attributions: bps.map((bp) => ({ bp, verseCents: 0n })),
    });
    const credits = outcome.creditsCampagneCents;
    const row: EnvelopeRow = { ...x.row, creditsCents: credits, reportCents: ownOf(x.row) + cin - credits };
    this.writes.push(row);
    const carryChanged = row.reportCents !== (x.prev?.reportCents ?? 0n);
    if (carryChanged) this.carried.add(siret);
    if (isCampaignYear && x.input) addTotals(this.c.report.totals, row, cin);
    if (outcome.cas === 'sans_changement' && !carryChanged) return;
    this.c.report.corrections.push({
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

  private warnAll(input: EnvelopeInputRow, messages: readonly string[]): void {
    for (const message of messages) addWarning(this.c.report, { fichier: input.fichier, line: input.line, message });
  }
}
