/**
 * Money and shares. Amounts are integers of cents (bigint), shares integers of basis points
 * (1 % = 100 bp, 100 % = 10,000 bp): no floating point ever touches an amount (docs/regles.md#argent).
 *
 * Rounding rule, used for every split of an amount into parts: **largest remainder** (Hamilton).
 * Each part first gets the floor of its exact share; the cents left over go one by one to the parts
 * with the largest remainders (ties: the earlier part). The parts therefore always add up exactly to
 * the amount being split (or to its exact share when the weights do not cover the whole).
 */

export const FULL_BP = 10_000;

export type Cents = bigint;

/**
 * Splits `totalCents` in proportion to `weights` (non-negative integers) over `denominator`
 * (default: the sum of the weights). With a denominator larger than the sum (for example 10,000 bp
 * when only 60 % is allocated) the parts add up to floor(total × sum / denominator) — the allocated
 * share of the amount — and the rest stays unallocated.
 */
export function splitLargestRemainder(totalCents: Cents, weights: readonly (number | bigint)[], denominator?: number | bigint): Cents[] {
  if (totalCents < 0n) throw new RangeError('splitLargestRemainder: negative amount');
  const w = weights.map((x) => BigInt(x));
  if (w.some((x) => x < 0n)) throw new RangeError('splitLargestRemainder: negative weight');
  const sum = w.reduce((a, b) => a + b, 0n);
  const denom = denominator === undefined ? sum : BigInt(denominator);
  if (denom === 0n) return w.map(() => 0n);
  if (sum > denom) throw new RangeError('splitLargestRemainder: weights exceed the denominator');
  const target = (totalCents * sum) / denom;
  const floors = w.map((x) => (totalCents * x) / denom);
  const remainders = w.map((x, i) => ({ i, r: (totalCents * x) % denom }));
  let left = target - floors.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left <= 0n) break;
    floors[i] = floors[i]! + 1n;
    left -= 1n;
  }
  return floors;
}

/** The cents of `totalCents` that `bp` basis points represent, rounded down (a single share alone). */
export function shareOfCents(totalCents: Cents, bp: number): Cents {
  return (totalCents * BigInt(bp)) / BigInt(FULL_BP);
}

/** Expected amounts of several shares of one envelope: largest remainder over 10,000 bp. */
export function expectedAmounts(creditsCents: Cents, bps: readonly number[]): Cents[] {
  return splitLargestRemainder(creditsCents, bps, FULL_BP);
}

/**
 * Parses a percentage typed by a person (« 12 », « 12,5 », « 12.25 », « 12,50 % ») into basis
 * points. At most two decimals; 0 < value ≤ 100. Returns a French message otherwise.
 */
export function parsePercent(input: string): { ok: true; bp: number } | { ok: false; message: string } {
  const s = input.trim().replace(/\s*%$/, '').replace(/\s/g, '').replace(',', '.');
  if (s === '') return { ok: false, message: 'Saisissez un pourcentage.' };
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) {
    if (/^-/.test(s)) return { ok: false, message: 'Le pourcentage ne peut pas être négatif.' };
    if (/^\d+\.\d{3,}$/.test(s)) return { ok: false, message: 'Le pourcentage a au plus deux décimales (par exemple 12,25).' };
    return { ok: false, message: 'Le pourcentage doit être un nombre, par exemple 12,5.' };
  }
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (bp === 0) return { ok: false, message: 'Le pourcentage doit être supérieur à 0.' };
  if (bp > FULL_BP) return { ok: false, message: 'Le pourcentage ne peut pas dépasser 100 %.' };
  return { ok: true, bp };
}
