/**
 * The reconciliation of a campaign's fund (docs/regles.md#rapprochement, ADR 0007 §7): what the
 * collectors transferred equals, to the cent, the operator's fees + the allocations paid + the reliquat
 * paid + what stays in the fund (carried over to the next campaign, R. 6241-28-1), each part computed
 * from its own source. Every employer SIRET whose figures do not fit is a listed difference, with the
 * amount it puts between the two sides: the differences add up to the gap, so a balanced campaign has
 * none. Pure: bigint cents, no I/O.
 */
import type { Cents } from './money.js';
import { reconcile } from './versements.js';

/** One employer SIRET's figures, as the database gives them (rapprochement.ts). */
export interface EmployerLedger {
  siret: string;
  /** what the collectors transferred for it (encaissements) */
  recuCents: Cents;
  /** null without an envelope for the campaign */
  enveloppe: {
    /** what the collector owes the fund: net due − its fees */
    reverseCents: Cents;
    /** its share of the operator's fee (L. 6131-4 II) */
    fraisOperateurCents: Cents;
    creditsCents: Cents;
  } | null;
  /** Σ expected amounts of its lines (largest remainder, as the Synthèse shows them) */
  attenduCents: Cents;
  /** Σ paid on its lines by issued, unreturned transfers */
  verseCents: Cents;
  /** Σ over its lines of what is left to pay, counted positive only */
  resteCents: Cents;
  /** the part of `resteCents` that is unpayable, waiting for a re-designation (D. 6241-27-1) */
  nonVersableEnAttenteCents: Cents;
  /** the part of `resteCents` that is unpayable and was not re-designated: it joined the reliquat */
  nonVersableReliquatCents: Cents;
  /** lines paid more than their expected amount (a decreasing DSN correction after a payment) */
  surverses: readonly { attributionId: number; cents: Cents }[];
}

export type EcartCode =
  | 'recu_sans_enveloppe'
  | 'recu_au_dela_du_du'
  | 'enveloppe_incoherente'
  | 'ligne_versee_au_dela'
  | 'verse_plus_que_recu'
  | 'virements_et_lignes'
  | 'reliquat_au_dela';

/** A difference: `cents` is what it adds to the collected side over the other (its sign matters). */
export interface Ecart {
  code: EcartCode;
  siret: string | null;
  attributionId: number | null;
  cents: Cents;
}

export type PartReste =
  'non_attribue' | 'non_versable_reliquat' | 'reliquat_verse' | 'non_versable_en_attente' | 'a_verser' | 'fonds_incomplets';

export interface Rapprochement {
  collecteCents: Cents;
  fraisCents: Cents;
  verseCents: Cents;
  reliquatVerseCents: Cents;
  /** what stays in the fund, by part (the reliquat paid is deducted from the pool it came from) */
  reste: { part: PartReste; cents: Cents }[];
  resteCents: Cents;
  /** collected − (fees + paid + reliquat paid + carried over) */
  ecartCents: Cents;
  equilibre: boolean;
  ecarts: Ecart[];
  /** employers counted as funded (their funds received in full) */
  employeursFinances: number;
}

const PART_ORDER: readonly PartReste[] = [
  'non_attribue',
  'non_versable_reliquat',
  'reliquat_verse',
  'non_versable_en_attente',
  'a_verser',
  'fonds_incomplets',
];

/** True when the collectors transferred the SIRET's whole due (R. 6241-28-2): a wave pays it only then (lignes-dues.ts). */
export const isFunded = (l: EmployerLedger): boolean => l.enveloppe !== null && l.recuCents > 0n && l.recuCents >= l.enveloppe.reverseCents;

/**
 * The campaign's reconciliation from every employer's ledger, the transfers of allocations paid
 * (`verseVirementsCents`: Σ transfers issued, not returned) and of the reliquat paid.
 * Per employer SIRET (each term exact, so the differences explain the whole gap):
 * - no envelope: what was received is a difference (funds without an envelope);
 * - funded: the operator's fee is taken; its unallocated crédits, its unpayable shares and what is left
 *   to pay on its lines stay in the fund; received − due, due − (fee + crédits) and each line paid
 *   beyond its expected amount are differences;
 * - not funded in full: what was received waits in the fund, less what was paid (paid more than
 *   received is a difference).
 */
export function reconcileCampaign(ledgers: Iterable<EmployerLedger>, verseVirementsCents: Cents, reliquatVerseCents: Cents): Rapprochement {
  const parts = new Map<PartReste, Cents>(PART_ORDER.map((p) => [p, 0n]));
  const add = (p: PartReste, c: Cents) => parts.set(p, parts.get(p)! + c);
  const ecarts: Ecart[] = [];
  const ecart = (code: EcartCode, siret: string | null, cents: Cents, attributionId: number | null = null) => {
    if (cents !== 0n) ecarts.push({ code, siret, attributionId, cents });
  };
  let collecteCents = 0n;
  let fraisCents = 0n;
  let verseLignesCents = 0n;
  let employeursFinances = 0;
  for (const l of ledgers) {
    collecteCents += l.recuCents;
    verseLignesCents += l.verseCents;
    const env = l.enveloppe;
    if (env === null) {
      ecart('recu_sans_enveloppe', l.siret, l.recuCents - l.verseCents);
    } else if (isFunded(l)) {
      employeursFinances++;
      fraisCents += env.fraisOperateurCents;
      add('non_attribue', env.creditsCents - l.attenduCents);
      add('non_versable_en_attente', l.nonVersableEnAttenteCents);
      add('non_versable_reliquat', l.nonVersableReliquatCents);
      add('a_verser', l.resteCents - l.nonVersableEnAttenteCents - l.nonVersableReliquatCents);
      ecart('recu_au_dela_du_du', l.siret, l.recuCents - env.reverseCents);
      ecart('enveloppe_incoherente', l.siret, env.reverseCents - env.fraisOperateurCents - env.creditsCents);
      for (const s of l.surverses) ecart('ligne_versee_au_dela', l.siret, -s.cents, s.attributionId);
    } else {
      const left = l.recuCents - l.verseCents;
      if (left >= 0n) add('fonds_incomplets', left);
      else ecart('verse_plus_que_recu', l.siret, left);
    }
  }
  ecart('virements_et_lignes', null, verseLignesCents - verseVirementsCents);
  // the reliquat is paid from the pool: the unallocated crédits and the unpayable shares that joined it
  const pool = parts.get('non_attribue')! + parts.get('non_versable_reliquat')!;
  const fromPool = reliquatVerseCents <= pool ? reliquatVerseCents : pool > 0n ? pool : 0n;
  add('reliquat_verse', -fromPool);
  ecart('reliquat_au_dela', null, fromPool - reliquatVerseCents);
  const reste = PART_ORDER.map((part) => ({ part, cents: parts.get(part)! }));
  const r = reconcile({
    collectedCents: collecteCents,
    feesCents: fraisCents,
    paidCents: verseVirementsCents,
    reliquatPaidCents: reliquatVerseCents,
    carriedOver: reste.map((p) => ({ label: p.part, cents: p.cents })),
  });
  return {
    collecteCents,
    fraisCents,
    verseCents: verseVirementsCents,
    reliquatVerseCents,
    reste,
    resteCents: r.carriedOverCents,
    ecartCents: r.differenceCents,
    equilibre: r.balanced && ecarts.length === 0,
    ecarts,
    employeursFinances,
  };
}
