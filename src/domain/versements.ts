/**
 * What a payment wave pays (docs/regles.md#versements, #fonds-non-versables); the reliquat's split is
 * reliquat.ts. Pure: amounts in bigint cents, every split by largest remainder (money.ts), so
 * that what is paid equals, to the cent, what the Synthèse and the establishment already show.
 */
import { expectedAmounts, type Cents } from './money.js';

// ── one employer SIRET at one wave ─────────────────────────────────────────────────────────────────

export interface LineState {
  /** allocation line id: the lines are taken in id order, as the Synthèse takes them */
  id: number;
  bp: number;
  validee: boolean;
  /** the allocation period in which the line was validated */
  validePeriode: number | null;
  /** what earlier waves paid on this line (transfers issued and not returned) */
  paidCents: Cents;
  /** the beneficiary can be paid now (verified bank details, open): otherwise the share is « non versable » */
  payable: boolean;
}

export interface LineDue {
  id: number;
  cents: Cents;
}

export interface WaveDue {
  /** lines paid at this wave, with the amount */
  due: LineDue[];
  /** lines that should be paid but whose beneficiary cannot be (D. 6241-27-1) */
  unpayable: LineDue[];
  /** what the lines should bring in all (the Synthèse's expected amounts) */
  expectedCents: Cents[];
}

/**
 * The lines of one employer SIRET a wave pays: validated in a period the wave pays (or earlier), the
 * expected amount of each line (largest remainder of the crédits over all the SIRET's lines, in id order:
 * the Synthèse's figure) minus what earlier waves paid on it. Nothing is paid from a SIRET whose funds
 * the collector has not transferred (R. 6241-28-2): `funded` false gives no due line. A line whose
 * expected amount went below what was paid (a decreasing DSN correction after a payment) gets nothing:
 * money paid is never claimed back from an establishment (CGU art. 6.1.3).
 */
export function linesDueAtWave(input: {
  creditsCents: Cents;
  funded: boolean;
  periodeNumero: number;
  lines: readonly LineState[];
}): WaveDue {
  const lines = [...input.lines].sort((a, b) => a.id - b.id);
  const expectedCents = expectedAmounts(
    input.creditsCents,
    lines.map((l) => l.bp),
  );
  const due: LineDue[] = [];
  const unpayable: LineDue[] = [];
  if (!input.funded) return { due, unpayable, expectedCents };
  lines.forEach((l, i) => {
    if (!l.validee || l.validePeriode === null || l.validePeriode > input.periodeNumero) return;
    const cents = expectedCents[i]! - l.paidCents;
    if (cents <= 0n) return;
    (l.payable ? due : unpayable).push({ id: l.id, cents });
  });
  return { due, unpayable, expectedCents };
}

/** The wave that shares the reliquat is stored as numero 0, after the calendar's waves (1, 2 …). */
export const RELIQUAT_WAVE_NUMERO = 0;

/** How screens and messages name a wave: « vague n° 2 », « vague du reliquat ». */
export function waveName(numero: number): string {
  return numero === RELIQUAT_WAVE_NUMERO ? 'vague du reliquat' : `vague n° ${numero}`;
}

/** The label of a transfer: `TAXE- APPRENTISSAGE - <SIRET> - <année> - <n° virement>` (docs/regles.md#versements). */
export function virementLabel(siret: string, annee: number, numero: number | string): string {
  return `TAXE- APPRENTISSAGE - ${siret} - ${annee} - ${numero}`;
}

/**
 * Who receives a line: a composante that has its own SIRET and verified bank details, else its parent
 * establishment (an establishment receives for itself).
 */
export function beneficiaryOf(target: { siret: string; parentSiret: string | null; ownDetailsVerified: boolean }): string {
  if (target.parentSiret === null || target.parentSiret === target.siret) return target.siret;
  return target.ownDetailsVerified ? target.siret : target.parentSiret;
}

// ── reconciliation ─────────────────────────────────────────────────────────────────────────────────

export interface ReconciliationTotals {
  /** what the collectors transferred (encaissements) */
  collectedCents: Cents;
  /** the operator's fees on the envelopes that were funded */
  feesCents: Cents;
  /** transfers of allocations issued and not returned */
  paidCents: Cents;
  /** transfers of the reliquat issued and not returned */
  reliquatPaidCents: Cents;
  /** what stays in the fund for next year, by its parts (each part named, e.g. « parts non versables ») */
  carriedOver: readonly { label: string; cents: Cents }[];
}

/** collected = fees + paid + reliquat paid + carried over, to the cent; the difference when not. */
export function reconcile(t: ReconciliationTotals): { carriedOverCents: Cents; differenceCents: Cents; balanced: boolean } {
  const carriedOverCents = t.carriedOver.reduce((s, p) => s + p.cents, 0n);
  const differenceCents = t.collectedCents - (t.feesCents + t.paidCents + t.reliquatPaidCents + carriedOverCents);
  return { carriedOverCents, differenceCents, balanced: differenceCents === 0n };
}

/** Why a share cannot be paid (D. 6241-27-1), as the operator's screens and the employers' say it. */
export const MOTIFS_NON_VERSABLE: Readonly<Record<string, string>> = {
  sans_coordonnees: 'Aucune coordonnée bancaire',
  coordonnees_non_verifiees: 'Coordonnées bancaires non vérifiées',
  etablissement_ferme: 'Établissement fermé',
  rejet_bancaire: 'Virement rejeté par la banque',
};
