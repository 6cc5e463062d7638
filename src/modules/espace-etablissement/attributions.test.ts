import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receivedLines, type AllocationRow, type EmployerInfo } from './attributions.js';

const row = (
  id: number,
  siretEmployeur: string,
  etablissementId: number,
  pointsBase: number,
  formationId: number | null = null,
): AllocationRow => ({ id, siretEmployeur, etablissementId, formationId, pointsBase, statut: 'validee' });

describe('receivedLines', () => {
  it('splits each employer’s credits over all its allocations (largest remainder) and keeps ours', () => {
    const all = [row(1, 'A', 10, 3333), row(2, 'A', 99, 3333), row(3, 'A', 11, 3334), row(4, 'B', 10, 5000)];
    const employers = new Map<string, EmployerInfo>([
      ['A', { creditsCents: 100n, partage: true, raisonSociale: 'ALPHA' }],
      ['B', { creditsCents: 1_001n, partage: false, raisonSociale: 'BETA' }],
    ]);
    const r = receivedLines(all, employers, new Set([10, 11]));
    // A: 100 cents over 33.33 / 33.33 / 33.34 % → 33 + 33 + 34 = 100 (largest remainder)
    expect(r.lines.map((l) => [l.id, l.montantCents, l.employeur?.raisonSociale ?? null])).toEqual([
      [1, 33n, 'ALPHA'],
      [3, 34n, 'ALPHA'],
      [4, 500n, null],
    ]);
    expect(r.employeurs).toBe(2);
    expect(r.anonymes).toBe(1);
    // the anonymous employer's SIRET is nowhere in its line
    expect(
      JSON.stringify(
        r.lines.find((l) => l.id === 4),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      ),
    ).not.toContain('"B"');
  });

  it('no envelope yet, or shares above 100 %: no amount', () => {
    const r = receivedLines(
      [row(1, 'A', 10, 5000), row(2, 'C', 10, 6000), row(3, 'C', 12, 6000)],
      new Map([['C', { creditsCents: 1000n, partage: true, raisonSociale: 'C' }]]),
      new Set([10]),
    );
    expect(r.lines.map((l) => l.montantCents)).toEqual([null, null]);
  });

  it('property: what every establishment sees of one employer adds up to the employer’s allocated share, to the cent', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_000n }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4000 })), { minLength: 1, maxLength: 8 }),
        (credits, parts) => {
          let total = 0;
          const all = parts.flatMap(([etab, bp], i) => {
            if (total + bp > 10_000) return [];
            total += bp;
            return [row(i + 1, 'E', etab, bp)];
          });
          const employers = new Map([['E', { creditsCents: credits, partage: true, raisonSociale: 'E' }]]);
          const seen = [1, 2, 3, 4, 5].flatMap((e) => receivedLines(all, employers, new Set([e])).lines);
          const sum = seen.reduce((s, l) => s + (l.montantCents ?? 0n), 0n);
          return sum === (credits * BigInt(total)) / 10_000n;
        },
      ),
    );
  });
});
