/**
 * The envelopes of a national file (docs/regles.md#solde-et-enveloppe), computed like `computeEnvelopes`
 * (enveloppe.ts) without holding them all.
 */
import type { Cents } from './money.js';
import { formatEuros } from '../shared/format.js';
import {
  checkDeclared,
  COLLECTOR_FEES,
  collectorPartUnchecked,
  finish,
  type Collecteur,
  type CollectorFees,
  type DeclaredAmounts,
  type Envelope,
  type EnvelopeError,
} from './enveloppe.js';

/**
 * `computeEnvelopes` for a national file, in two passes that hold no envelope (src/modules/enveloppes
 * first-import.ts reads the declarations twice, chunk by chunk): `reversedOf` gives each declaration's
 * reversed amount (pass 1, kept in a Float64Array: exact below 2^53 cents), `shareOperatorFee` the
 * operator's share of each (the same largest remainder as `splitLargestRemainder`, ties to the earlier
 * declaration), and `envelopeWithShare` each envelope (pass 2). The same envelopes, to the cent.
 */
export function reversedOf(
  d: DeclaredAmounts,
  fees: Readonly<Record<Collecteur, CollectorFees>> = COLLECTOR_FEES,
): {
  reverseCents: Cents;
  errors: readonly EnvelopeError[];
} {
  const errors = checkDeclared(d);
  return { reverseCents: errors.length ? 0n : collectorPartUnchecked(d, fees).reverseCents, errors };
}

export function shareOperatorFee(
  operatorFeeCents: Cents,
  reversed: Float64Array,
): { ok: true; shares: Float64Array; baseCents: Cents } | { ok: false; errors: EnvelopeError[] } {
  if (operatorFeeCents < 0n)
    return { ok: false, errors: [{ message: 'Les frais de gestion de l’opérateur ne peuvent pas être négatifs.' }] };
  let base = 0n;
  for (const r of reversed) base += BigInt(r);
  if (operatorFeeCents > base)
    return {
      ok: false,
      errors: [
        {
          message: `Les frais de gestion de l’opérateur (${formatEuros(operatorFeeCents)}) dépassent les sommes reversées par les organismes collecteurs (${formatEuros(base)}).`,
        },
      ],
    };
  const n = reversed.length;
  const shares = new Float64Array(n);
  if (base === 0n) return { ok: true, shares, baseCents: base };
  const remainders = new Float64Array(n);
  let left = operatorFeeCents;
  for (let i = 0; i < n; i++) {
    const p = operatorFeeCents * BigInt(reversed[i]!);
    const q = p / base;
    shares[i] = Number(q);
    remainders[i] = Number(p % base);
    left -= q;
  }
  if (left > 0n) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
    for (let k = 0; k < Number(left); k++) shares[order[k]!]! += 1;
  }
  return { ok: true, shares, baseCents: base };
}

export function envelopeWithShare(
  d: DeclaredAmounts,
  fraisOperateurCents: Cents,
  fees: Readonly<Record<Collecteur, CollectorFees>> = COLLECTOR_FEES,
): Envelope {
  return finish(collectorPartUnchecked(d, fees), fraisOperateurCents);
}
