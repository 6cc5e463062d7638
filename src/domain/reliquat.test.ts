import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalSharesByCount, shareReliquat, type ReliquatEtablissement, type ReliquatSource } from './reliquat.js';
import { splitLargestRemainder } from './money.js';

const source = (region: string | null, nonAttribueCents: bigint, nonVersableCents = 0n): ReliquatSource => ({
  region,
  nonAttribueCents,
  nonVersableCents,
});
const etab = (siret: string, region: string | null, formations: number, motif: ReliquatEtablissement['motif'] = null) => ({
  siret,
  region,
  formations,
  motif,
});

describe('shareReliquat (R. 6241-28), computed by hand', () => {
  // pool 160,000 c = 11: 50,000 + 32: 7 (unpaid) + 84: 100,000 + 1 (unpaid) + unknown region: 9,992
  // regional 40 % = 64,000 c, national 60 % = 96,000 c
  // regional part by region (0.4 × each): 11 → 20,000; 32 → 2.8; 84 → 40,000.4; unknown → 3,996.8
  //   floors 63,998, two cents left: remainders .8 (32), .8 (unknown), .4 (84) → 32 then unknown (tie: earlier)
  //   → 11: 20,000; 32: 3 (no establishment: carried over); 84: 40,000; unknown: 3,997 (carried over)
  // 84: A, B, C → 13,334 / 13,333 / 13,333 (the cent left to the first SIRET); 11: D → 20,000
  // national: 7 formations (A 2, C 1, D 1, E 3) → 96,000 / 7 = 13,714 rest 2 → A's two formations 13,715
  const r = shareReliquat({
    regionaleBp: 4000,
    sources: [source('84', 100_000n, 1n), source('11', 50_000n), source('32', 0n, 7n), source(null, 9_992n)],
    etablissements: [
      etab('E93', '93', 3),
      etab('C84', '84', 1, 'sans_coordonnees'),
      etab('A84', '84', 2),
      etab('B84', '84', 0),
      etab('D11', '11', 1),
      etab('F93', '93', 0),
    ],
  });

  it('splits the pool 40 / 60 and the regional part region by region', () => {
    expect([r.poolCents, r.nonAttribueCents, r.nonVersableCents]).toEqual([160_000n, 159_992n, 8n]);
    expect([r.regionaleCents, r.nationaleCents]).toEqual([64_000n, 96_000n]);
    expect(r.regions.map((x) => [x.region, x.partCents, x.etablissements])).toEqual([
      ['11', 20_000n, 1],
      ['32', 3n, 0],
      ['84', 40_000n, 3],
      [null, 3_997n, 0],
    ]);
    expect(r.formations).toBe(7);
  });

  it('gives each establishment the sum of its regional share and of its formations’ shares', () => {
    expect(r.shares.map((s) => [s.siret, s.regionaleCents, s.nationaleCents, s.formations, s.motif])).toEqual([
      ['A84', 13_334n, 27_430n, 2, null],
      ['B84', 13_333n, 0n, 0, null],
      ['C84', 13_333n, 13_714n, 1, 'sans_coordonnees'],
      ['D11', 20_000n, 13_714n, 1, null],
      ['E93', 0n, 41_142n, 3, null],
    ]);
  });

  it('keeps in the fund what nobody can receive, with its reason, and adds up to the cent', () => {
    expect(r.reports).toEqual([
      { motif: 'region_inconnue', cents: 3_997n },
      { motif: 'region_sans_etablissement', cents: 3n },
      { motif: 'sans_coordonnees', cents: 27_047n },
    ]);
    expect(r.verseCents).toBe(40_764n + 13_333n + 33_714n + 41_142n);
    expect(r.verseCents + r.reporteCents).toBe(160_000n);
  });

  it('carries the national part over when no formation leads to a métier en tension', () => {
    const n = shareReliquat({ regionaleBp: 2000, sources: [source('11', 1_001n)], etablissements: [etab('D11', '11', 0)] });
    // 20 % of 10.01 € = 2.002 € → 200 c (remainder .2 against .8: the cent goes to the national part)
    expect([n.regionaleCents, n.nationaleCents]).toEqual([200n, 801n]);
    expect(n.shares).toEqual([{ siret: 'D11', region: '11', regionaleCents: 200n, nationaleCents: 0n, formations: 0, motif: null }]);
    expect(n.reports).toEqual([{ motif: 'aucune_formation_en_tension', cents: 801n }]);
  });

  it('an empty pool shares nothing; a part below 20 % is refused', () => {
    const z = shareReliquat({ regionaleBp: 4000, sources: [], etablissements: [etab('A84', '84', 2)] });
    expect([z.poolCents, z.verseCents, z.reporteCents, z.shares.length]).toEqual([0n, 0n, 0n, 0]);
    for (const bad of [1999, 8001, 4000.5])
      expect(() => shareReliquat({ regionaleBp: bad, sources: [], etablissements: [] }), String(bad)).toThrow(/20 %/);
  });
});

describe('equalSharesByCount', () => {
  it('is the largest remainder with equal weights, summed per group', () => {
    expect(equalSharesByCount(10n, [2, 0, 1])).toEqual([7n, 0n, 3n]);
    expect(equalSharesByCount(5n, [])).toEqual([]);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 8 }), (total, counts) => {
        const units = splitLargestRemainder(
          total,
          counts.flatMap((c) => Array<number>(c).fill(1)),
        );
        let k = 0;
        const grouped = counts.map((c) => units.slice(k, (k += c)).reduce((a, b) => a + b, 0n));
        expect(equalSharesByCount(total, counts)).toEqual(grouped);
      }),
    );
  });
});

describe('shareReliquat, for any pool and establishments (property)', () => {
  const region = fc.constantFrom('11', '24', '84', '93', null);
  const motif = fc.constantFrom(null, null, 'sans_coordonnees' as const, 'etablissement_ferme' as const);
  it('the parts add up exactly, each part is at least 20 %, equal shares differ by one cent at most', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(region, fc.bigInt({ min: 0n, max: 5_000_000_00n }), fc.bigInt({ min: 0n, max: 1_000_00n })), { maxLength: 6 }),
        fc.integer({ min: 2000, max: 8000 }),
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^\d{3}$/), region, fc.integer({ min: 0, max: 4 }), motif), {
          maxLength: 15,
          selector: (t) => t[0],
        }),
        (srcs, bp, etabs) => {
          const r = shareReliquat({
            regionaleBp: bp,
            sources: srcs.map(([g, a, v]) => source(g, a, v)),
            etablissements: etabs.map(([s, g, f, m]) => etab(s, g, f, m)),
          });
          const pool = srcs.reduce((s, [, a, v]) => s + a + v, 0n);
          expect(r.poolCents).toBe(pool);
          expect(r.regionaleCents + r.nationaleCents).toBe(pool);
          // each part within a cent of its exact share, so at least 20 % of the pool (rounded down)
          expect(r.regionaleCents * 10_000n - pool * BigInt(bp) < 10_000n).toBe(true);
          expect(pool * BigInt(bp) - r.regionaleCents * 10_000n < 10_000n).toBe(true);
          expect(r.regionaleCents >= (pool * 2000n) / 10_000n && r.nationaleCents >= (pool * 2000n) / 10_000n).toBe(true);
          expect(r.regions.reduce((s, x) => s + x.partCents, 0n)).toBe(r.regionaleCents);
          const shared = r.shares.reduce((s, x) => s + x.regionaleCents + x.nationaleCents, 0n);
          expect(r.verseCents + r.reporteCents).toBe(pool);
          expect(
            shared +
              r.reports.filter((x) => x.motif.startsWith('region') || x.motif.startsWith('aucune')).reduce((s, x) => s + x.cents, 0n),
          ).toBe(pool);
          for (const g of r.regions.filter((x) => x.etablissements > 0)) {
            const mine = etabs.filter(([, rg]) => rg === g.region).map(([s]) => r.shares.find((x) => x.siret === s)?.regionaleCents ?? 0n);
            const min = mine.reduce((a, b) => (a < b ? a : b));
            expect(mine.every((c) => c - min <= 1n)).toBe(true);
          }
          const n = BigInt(r.formations);
          for (const s of r.shares)
            if (n > 0n) {
              const k = BigInt(s.formations);
              expect(s.nationaleCents >= k * (r.nationaleCents / n) && s.nationaleCents <= k * (r.nationaleCents / n + 1n)).toBe(true);
            }
        },
      ),
    );
  });
});
