/** A seeded pseudo-random generator: the demo data set and the benchmarks' files are the same on every run. */

/** mulberry32: small, fast, good enough for demo data; deterministic for a given seed. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** integer in [0, n) */
    int: (n: number) => Math.floor(next() * n),
    /** integer in [min, max] */
    between: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** picks a key of `weights` with probability proportional to its weight */
    weighted: <K extends string>(weights: readonly (readonly [K, number])[]): K => {
      const total = weights.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [k, w] of weights) {
        x -= w;
        if (x < 0) return k;
      }
      return weights[weights.length - 1]![0];
    },
  };
}
export type Rng = ReturnType<typeof createRng>;
