/**
 * From what an employer SIRET declared in its DSN to its **crédits à répartir** (docs/regles.md#solde-et-enveloppe)
 *, and what a DSN correction does to them (CGU SOLTéA art. 6.1.3). Pure: amounts
 * are bigint cents, rates integer basis points, no clock, no I/O.
 *
 * 1. Net due — R. 6241-20 and L. 6241-4 code du travail: the solde declared (DSN S21.G00.82 code 076,
 *    gross) minus the subsidies in kind to a CFA (077) and the créance alternants (078). Deductions
 *    larger than the solde give a net of 0 and a warning, never a negative amount.
 * 2. Collector's fees, on the SIRET's own amounts, each **rounded half-up to the cent**:
 *    - non-recouvrement 1.00 % of the net due — arrêté du 28 mars 2023 (5° b of L. 225-1-1 code de la
 *      sécurité sociale): « ce taux s'applique aux montants reversés, déterminés sur la base des sommes
 *      dues par les employeurs »;
 *    - gestion 0.5 % of what is left after the non-recouvrement deduction — arrêté du 23 mai 2022
 *      (Urssaf Caisse nationale, L. 225-1-1 5° CSS, R. 225-1 CSS): « appliqués aux sommes reversées après
 *      application de l'abattement pour risque de non-recouvrement ».
 *    **Assumption for the MSA** (source: SOLTéA FAQ « Quels sont les frais prélevés par SOLTéA et les
 *    organismes collecteurs ? », CGU art. 1 « Crédits à répartir », docs/regles.md#solde-et-enveloppe): the CGU deduct « les frais
 *    de gestion et frais de non-recouvrement des organismes collecteurs (Urssaf ou MSA) », but the only
 *    management-fee arrêté found (23 May 2022) is taken under L. 225-1-1 CSS, which governs the Urssaf
 *    Caisse nationale only; no rate was found for the MSA (L. 723-11 code rural). We therefore apply the
 *    1 % non-recouvrement to both collectors and the 0.5 % management fee to the Urssaf only, as docs/regles.md#solde-et-enveloppe
 *    states. The rates are a table (`COLLECTOR_FEES`) that the caller may replace if an MSA rate appears.
 * 3. Operator's fee — II of L. 6131-4 code du travail, a yearly amount fixed by arrêté (2023 forecast:
 *    11,225,424 €, arrêté du 15 juin 2023; regularised on actual costs the next year, arrêté du 10 juin
 *    2024), « prélevés sur le solde de la taxe avant répartition ». How the CDC apportions it per SIRET is
 *    not published (research §3.5 [?]); we share it **pro rata of the amounts reversed** by the collectors
 *    with the largest-remainder rule (money.ts), so the shares add up to the fee exactly and none exceeds
 *    the SIRET's reversed amount.
 * Credits = net − all fees. Hence, per SIRET and in total, exactly: Σ credits + Σ fees = Σ net due, and
 * Σ operator shares = the operator's fee.
 *
 * Corrections (CGU art. 6.1.3, FAQ « Mes déclarations complémentaires auprès de l'Urssaf et de la MSA
 * sont-elles prises en compte ? », R. 6241-28-2): see `recomputeEnvelope` and `correctionOutcome`.
 */
import { FULL_BP, expectedAmounts, splitLargestRemainder, type Cents } from './money.js';
import { formatEuros } from '../shared/format.js';

export const COLLECTEURS = ['URSSAF', 'MSA'] as const;
export type Collecteur = (typeof COLLECTEURS)[number];

export function isCollecteur(v: unknown): v is Collecteur {
  return v === 'URSSAF' || v === 'MSA';
}

export interface CollectorFees {
  /** non-recouvrement, on the net due */
  nonRecouvrementBp: number;
  /** management fee, on the net due after the non-recouvrement deduction */
  gestionBp: number;
}

/** Fees kept by each collector, in basis points (sources and the MSA assumption: see the file header). */
export const COLLECTOR_FEES: Readonly<Record<Collecteur, CollectorFees>> = {
  URSSAF: { nonRecouvrementBp: 100, gestionBp: 50 },
  MSA: { nonRecouvrementBp: 100, gestionBp: 0 },
};

/** The operator's forecast fee for 2023 (arrêté du 15 juin 2023): 11,225,424 €. */
export const OPERATOR_FEE_2023_CENTS: Cents = 1_122_542_400n;

/** What one SIRET declared for the campaign (already aggregated: see modules/enveloppes/format.ts). */
export interface DeclaredAmounts {
  siret: string;
  collecteur: Collecteur;
  /** DSN code 076: solde versé en numéraire, gross */
  soldeCents: Cents;
  /** DSN code 077: subventions en nature aux CFA (deduction) */
  subventionsCfaCents: Cents;
  /** DSN code 078: créance alternants (deduction) */
  creanceAlternantsCents: Cents;
}

/** The amounts of an envelope, which the totals add up. */
export interface EnvelopeAmounts {
  soldeCents: Cents;
  /** 077 + 078 */
  deductionsCents: Cents;
  /** max(0, solde − deductions): the amount due */
  netCents: Cents;
  nonRecouvrementCents: Cents;
  gestionCollecteurCents: Cents;
  /** what the collector reverses to the fund: net − its fees */
  reverseCents: Cents;
  /** this SIRET's share of the operator's fee */
  fraisOperateurCents: Cents;
  /** all fees: non-recouvrement + gestion + operator */
  fraisCents: Cents;
  /** crédits à répartir = net − fees, ≥ 0 */
  creditsCents: Cents;
}

const AMOUNTS: readonly (keyof EnvelopeAmounts)[] = [
  'soldeCents',
  'deductionsCents',
  'netCents',
  'nonRecouvrementCents',
  'gestionCollecteurCents',
  'reverseCents',
  'fraisOperateurCents',
  'fraisCents',
  'creditsCents',
];

export interface Envelope extends EnvelopeAmounts {
  siret: string;
  collecteur: Collecteur;
  warnings: string[];
}

export interface EnvelopeError {
  siret?: string;
  message: string;
}

/** amount × bp / 10,000 rounded half-up (amount ≥ 0). */
const FULL_BP_N = BigInt(FULL_BP);
const HALF_BP_N = BigInt(FULL_BP / 2);

export function feeHalfUp(amountCents: Cents, bp: number): Cents {
  if (amountCents < 0n) throw new RangeError('feeHalfUp: negative amount');
  return (amountCents * BigInt(bp) + HALF_BP_N) / FULL_BP_N;
}

/** n / d rounded half away from zero (d > 0; half-up for n ≥ 0). */
function divRoundHalfAway(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}

const NO_ERRORS: readonly EnvelopeError[] = Object.freeze([]);
const isAmount = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n;

export function checkDeclared(d: DeclaredAmounts): readonly EnvelopeError[] {
  if (isCollecteur(d.collecteur) && isAmount(d.soldeCents) && isAmount(d.subventionsCfaCents) && isAmount(d.creanceAlternantsCents))
    return NO_ERRORS;
  const errors: EnvelopeError[] = [];
  if (!isCollecteur(d.collecteur))
    errors.push({ siret: d.siret, message: `SIRET ${d.siret} : l’organisme collecteur doit être URSSAF ou MSA.` });
  for (const [label, v] of [
    ['le solde (076)', d.soldeCents],
    ['la déduction 077', d.subventionsCfaCents],
    ['la déduction 078', d.creanceAlternantsCents],
  ] as const)
    if (!isAmount(v)) errors.push({ siret: d.siret, message: `SIRET ${d.siret} : ${label} ne peut pas être négatif.` });
  return errors;
}

export type CollectorPart = Omit<Envelope, 'fraisOperateurCents' | 'fraisCents' | 'creditsCents'>;

/** Net due and the collector's fees of one declaration (step 1 and 2 of the header). */
export function collectorPart(d: DeclaredAmounts, fees: Readonly<Record<Collecteur, CollectorFees>> = COLLECTOR_FEES): CollectorPart {
  const errors = checkDeclared(d);
  if (errors.length) throw new RangeError(errors.map((e) => e.message).join(' '));
  return collectorPartUnchecked(d, fees);
}

export function collectorPartUnchecked(d: DeclaredAmounts, fees: Readonly<Record<Collecteur, CollectorFees>>): CollectorPart {
  const warnings: string[] = [];
  const deductionsCents = d.subventionsCfaCents + d.creanceAlternantsCents;
  let netCents = d.soldeCents - deductionsCents;
  if (netCents < 0n) {
    warnings.push(
      `SIRET ${d.siret} : les déductions (077 + 078 = ${formatEuros(deductionsCents)}) dépassent le solde déclaré (076 = ${formatEuros(d.soldeCents)}) ; les crédits à répartir sont nuls.`,
    );
    netCents = 0n;
  }
  const rate = fees[d.collecteur];
  const nonRecouvrementCents = feeHalfUp(netCents, rate.nonRecouvrementBp);
  const gestionCollecteurCents = feeHalfUp(netCents - nonRecouvrementCents, rate.gestionBp);
  return {
    siret: d.siret,
    collecteur: d.collecteur,
    soldeCents: d.soldeCents,
    deductionsCents,
    netCents,
    nonRecouvrementCents,
    gestionCollecteurCents,
    reverseCents: netCents - nonRecouvrementCents - gestionCollecteurCents,
    warnings,
  };
}

export function finish(part: CollectorPart, fraisOperateurCents: Cents): Envelope {
  const fraisCents = part.nonRecouvrementCents + part.gestionCollecteurCents + fraisOperateurCents;
  // an explicit literal (not a spread): one object shape for all envelopes, fast on a national batch
  return {
    siret: part.siret,
    collecteur: part.collecteur,
    soldeCents: part.soldeCents,
    deductionsCents: part.deductionsCents,
    netCents: part.netCents,
    nonRecouvrementCents: part.nonRecouvrementCents,
    gestionCollecteurCents: part.gestionCollecteurCents,
    reverseCents: part.reverseCents,
    fraisOperateurCents,
    fraisCents,
    creditsCents: part.netCents - fraisCents,
    warnings: part.warnings,
  };
}

/**
 * The operator fee's basis of a campaign: the fee and the total reversed it was shared over. A
 * correction applies the same rate (fee / base) to its difference (see `recomputeEnvelope`).
 */
export interface OperatorFeeBasis {
  feeCents: Cents;
  baseCents: Cents;
}

export interface Totals extends EnvelopeAmounts {
  envelopes: number;
}

export interface EnvelopeBatch {
  envelopes: Envelope[];
  totals: Totals;
  /** per collector: what each should have reversed to the fund (to reconcile with its transfer) */
  parCollecteur: Record<Collecteur, Totals>;
  operatorFee: OperatorFeeBasis;
  warnings: string[];
}

export function emptyTotals(): Totals {
  const t = {} as Totals;
  for (const k of AMOUNTS) t[k] = 0n;
  t.envelopes = 0;
  return t;
}

export function addTo(t: Totals, e: Envelope): void {
  for (const k of AMOUNTS) t[k] += e[k];
  t.envelopes += 1;
}

/**
 * All envelopes of a campaign at once: collector fees per SIRET, then the operator's fee shared pro
 * rata of the amounts reversed (largest remainder). Refuses, in French: a SIRET twice, a negative
 * amount, an unknown collector, an operator's fee that is negative or larger than what was reversed.
 */
export function computeEnvelopes(
  declared: readonly DeclaredAmounts[],
  operatorFeeCents: Cents,
  fees: Readonly<Record<Collecteur, CollectorFees>> = COLLECTOR_FEES,
): { ok: true; batch: EnvelopeBatch } | { ok: false; errors: EnvelopeError[] } {
  const errors: EnvelopeError[] = [];
  const seen = new Set<string>();
  for (const d of declared) {
    if (seen.has(d.siret))
      errors.push({ siret: d.siret, message: `SIRET ${d.siret} : présent deux fois ; regroupez ses montants en une seule enveloppe.` });
    seen.add(d.siret);
    const bad = checkDeclared(d);
    if (bad.length) errors.push(...bad);
  }
  if (typeof operatorFeeCents !== 'bigint' || operatorFeeCents < 0n)
    errors.push({ message: 'Les frais de gestion de l’opérateur ne peuvent pas être négatifs.' });
  if (errors.length) return { ok: false, errors };

  const parts = declared.map((d) => collectorPartUnchecked(d, fees));
  const baseCents = parts.reduce((s, p) => s + p.reverseCents, 0n);
  if (operatorFeeCents > baseCents)
    return {
      ok: false,
      errors: [
        {
          message: `Les frais de gestion de l’opérateur (${formatEuros(operatorFeeCents)}) dépassent les sommes reversées par les organismes collecteurs (${formatEuros(baseCents)}).`,
        },
      ],
    };
  const shares = splitLargestRemainder(
    operatorFeeCents,
    parts.map((p) => p.reverseCents),
  );
  const envelopes = parts.map((p, i) => finish(p, shares[i]!));
  const totals = emptyTotals();
  const parCollecteur: Record<Collecteur, Totals> = { URSSAF: emptyTotals(), MSA: emptyTotals() };
  for (const e of envelopes) {
    addTo(totals, e);
    addTo(parCollecteur[e.collecteur], e);
  }
  return {
    ok: true,
    batch: {
      envelopes,
      totals,
      parCollecteur,
      operatorFee: { feeCents: operatorFeeCents, baseCents },
      warnings: envelopes.flatMap((e) => e.warnings),
    },
  };
}

// ── corrections (CGU SOLTéA art. 6.1.3) ────────────────────────────────────────────────────────────

/**
 * The envelope of a corrected declaration. The collector's fees are recomputed on the new amounts (they
 * depend on the SIRET alone). The operator's fee is not shared again — that would move every other
 * employer's envelope by a cent in the middle of a campaign —: the SIRET's share moves by the campaign's
 * rate (fee / base of the sharing): by round(new reversed × rate) − round(old reversed × rate), rounded
 * half-up, kept between 0 and the reversed amount. The form telescopes: after any chain of corrections
 * the share depends only on the first share and the current amount, never on the path. An unchanged declaration gives the same envelope; a
 * SIRET unknown so far (`previous` null) bears the rate on its whole reversed amount. The fee collected
 * on corrections is part of the yearly regularisation of the operator's costs (arrêté du 10 juin 2024).
 */
export function recomputeEnvelope(
  previous: Envelope | null,
  corrected: DeclaredAmounts,
  basis: OperatorFeeBasis,
  fees: Readonly<Record<Collecteur, CollectorFees>> = COLLECTOR_FEES,
): Envelope {
  if (previous && previous.siret !== corrected.siret) throw new RangeError('recomputeEnvelope: another SIRET');
  const part = collectorPart(corrected, fees);
  const prevReverse = previous?.reverseCents ?? 0n;
  const prevShare = previous?.fraisOperateurCents ?? 0n;
  // Telescoping form: the share moves by round(new × rate) − round(old × rate), so after any chain of
  // corrections it depends only on the first share and the current amount (no drift of a cent per step).
  const atRate = (reverse: Cents) => divRoundHalfAway(reverse * basis.feeCents, basis.baseCents);
  let share = basis.baseCents > 0n ? prevShare + atRate(part.reverseCents) - atRate(prevReverse) : 0n;
  if (share < 0n) share = 0n;
  if (share > part.reverseCents) share = part.reverseCents;
  return finish(part, share);
}

export type CorrectionMoment = 'pendant_campagne' | 'apres_campagne';

/** One allocation of the SIRET and what it has already received from this envelope. */
export interface AllocationPayment {
  bp: number;
  verseCents: Cents;
}

export interface AllocationAfterCorrection {
  bp: number;
  /** its share of the corrected credits (largest remainder over 10,000 bp) */
  attenduCents: Cents;
  verseCents: Cents;
  /** still to pay at the next waves: max(0, attendu − versé) */
  resteAVerserCents: Cents;
  /** paid beyond its new share: never taken back from the establishment (see `correctionOutcome`) */
  tropVerseCents: Cents;
}

export type CorrectionCase = 'sans_changement' | 'hausse_pendant' | 'baisse_pendant' | 'hausse_apres' | 'baisse_apres';

export interface CorrectionOutcome {
  cas: CorrectionCase;
  ancienCreditsCents: Cents;
  nouveauCreditsCents: Cents;
  /** nouveau − ancien */
  differenceCents: Cents;
  /** the credits this campaign works with from now on */
  creditsCampagneCents: Cents;
  /** signed amount to add to the SIRET's envelope of the next campaign (negative: a reduction) */
  reportAnneeSuivanteCents: Cents;
  /** during the campaign: each allocation recomputed on the new credits (same order as given) */
  attributions: AllocationAfterCorrection[];
  /** during the campaign: what nobody is allocated on the new credits (goes to the reliquat, R. 6241-28) */
  nonAttribueCents: Cents;
  /** a French sentence for the employer and the operator */
  message: string;
}

/**
 * Splits new credits over the SIRET's allocations and compares with what each already received.
 * Nothing already paid is taken back; what was paid beyond the new share is reported.
 */
export function recomputeAllocations(
  creditsCents: Cents,
  allocations: readonly AllocationPayment[],
): { attributions: AllocationAfterCorrection[]; nonAttribueCents: Cents; tropVerseCents: Cents } {
  const targets = expectedAmounts(
    creditsCents,
    allocations.map((a) => a.bp),
  );
  let tropVerseCents = 0n;
  const attributions = allocations.map((a, i) => {
    const attenduCents = targets[i]!;
    const reste = attenduCents - a.verseCents;
    const trop = reste < 0n ? -reste : 0n;
    tropVerseCents += trop;
    return { bp: a.bp, attenduCents, verseCents: a.verseCents, resteAVerserCents: reste > 0n ? reste : 0n, tropVerseCents: trop };
  });
  const attribue = targets.reduce((s, x) => s + x, 0n);
  return { attributions, nonAttribueCents: creditsCents - attribue, tropVerseCents };
}

/**
 * What a corrected DSN changes (CGU art. 6.1.3):
 * - **during the campaign**, an increase goes to the establishments already chosen, at the next
 *   payment (the percentages stay, the expected amounts grow); a decrease recomputes the allocations
 *   before payment. Nothing already paid is taken back: what an establishment received beyond its new
 *   share is deducted from the SIRET's next envelope (as after the campaign);
 * - **after the campaign** (from the last wave, see campagne.ts `correctionMomentAt`), the credits of
 *   this campaign no longer move: an increase is added to next year's envelope, a decrease is never
 *   clawed back from the establishments and reduces next year's envelope (R. 6241-28-2; FAQ SOLTéA on
 *   « déclarations complémentaires »).
 */
export function correctionOutcome(input: {
  moment: CorrectionMoment;
  previous: Envelope | null;
  corrected: Envelope;
  /** the SIRET's allocations and what each received so far (used during the campaign) */
  attributions?: readonly AllocationPayment[];
}): CorrectionOutcome {
  const ancien = input.previous?.creditsCents ?? 0n;
  const nouveau = input.corrected.creditsCents;
  const diff = nouveau - ancien;
  const allocations = input.attributions ?? [];
  const outcome = (
    cas: CorrectionOutcome['cas'],
    creditsCampagneCents: Cents,
    reportAnneeSuivanteCents: Cents,
    r: { attributions: AllocationAfterCorrection[]; nonAttribueCents: Cents },
    message: string,
  ): CorrectionOutcome => ({
    cas,
    ancienCreditsCents: ancien,
    nouveauCreditsCents: nouveau,
    differenceCents: diff,
    creditsCampagneCents,
    reportAnneeSuivanteCents,
    attributions: r.attributions,
    nonAttribueCents: r.nonAttribueCents,
    message,
  });
  const unchanged = 'La déclaration corrective ne change pas les crédits à répartir.';

  if (input.moment === 'apres_campagne') {
    const campagneAttr = recomputeAllocations(ancien, allocations);
    if (diff === 0n) return outcome('sans_changement', ancien, 0n, campagneAttr, unchanged);
    return outcome(
      diff > 0n ? 'hausse_apres' : 'baisse_apres',
      ancien,
      diff,
      campagneAttr,
      diff > 0n
        ? `La déclaration corrective augmente vos crédits de ${formatEuros(diff)} après la campagne : ce montant s’ajoutera à vos crédits à répartir de l’année prochaine.`
        : `La déclaration corrective diminue vos crédits de ${formatEuros(-diff)} après la campagne : rien n’est repris aux établissements déjà payés ; vos crédits de l’année prochaine seront réduits d’autant.`,
    );
  }

  const r = recomputeAllocations(nouveau, allocations);
  const report = -r.tropVerseCents;
  if (diff === 0n) return outcome('sans_changement', nouveau, report, r, unchanged);
  const trop =
    r.tropVerseCents > 0n
      ? ` Les établissements ont déjà reçu ${formatEuros(r.tropVerseCents)} de plus que leur nouvelle part : rien ne leur est repris, vos crédits de l’année prochaine seront réduits d’autant.`
      : '';
  return outcome(
    diff > 0n ? 'hausse_pendant' : 'baisse_pendant',
    nouveau,
    report,
    r,
    (diff > 0n
      ? `La déclaration corrective augmente vos crédits à répartir de ${formatEuros(diff)} : les établissements déjà choisis recevront leur part supplémentaire au prochain versement.`
      : `La déclaration corrective diminue vos crédits à répartir de ${formatEuros(-diff)} : vos attributions sont recalculées avant le prochain versement.`) +
      trop,
  );
}

/**
 * Applies a carry-over from the previous campaign to a new envelope's credits. A reduction larger
 * than the credits leaves 0 and carries the rest again (never a negative envelope).
 */
export function applyCarryOver(creditsCents: Cents, reportCents: Cents): { creditsCents: Cents; reportRestantCents: Cents } {
  const total = creditsCents + reportCents;
  return total >= 0n ? { creditsCents: total, reportRestantCents: 0n } : { creditsCents: 0n, reportRestantCents: total };
}
