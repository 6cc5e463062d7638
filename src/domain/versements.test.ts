import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedAmounts } from './money.js';
import { beneficiaryOf, linesDueAtWave, reconcile, virementLabel, type LineState } from './versements.js';

const line = (id: number, bp: number, more: Partial<LineState> = {}): LineState => ({
  id,
  bp,
  validee: true,
  validePeriode: 1,
  paidCents: 0n,
  payable: true,
  ...more,
});

describe('linesDueAtWave', () => {
  it('pays the Synthèse’s expected amounts of the validated lines of the periods the wave pays', () => {
    const lines = [
      line(1, 3333),
      line(2, 3333),
      line(3, 2334, { validePeriode: 2 }),
      line(4, 1000, { validee: false, validePeriode: null }),
    ];
    const w1 = linesDueAtWave({ creditsCents: 100_00n, funded: true, periodeNumero: 1, lines });
    expect(w1.expectedCents).toEqual(expectedAmounts(100_00n, [3333, 3333, 2334, 1000]));
    expect(w1.due).toEqual([
      { id: 1, cents: w1.expectedCents[0] },
      { id: 2, cents: w1.expectedCents[1] },
    ]);
    const w2 = linesDueAtWave({
      creditsCents: 100_00n,
      funded: true,
      periodeNumero: 2,
      lines: lines.map((l, i) => (i < 2 ? { ...l, paidCents: w1.expectedCents[i]! } : l)),
    });
    expect(w2.due).toEqual([{ id: 3, cents: w1.expectedCents[2] }]);
  });

  it('pays nothing from a SIRET whose funds were not received; lists the unpayable shares apart', () => {
    expect(linesDueAtWave({ creditsCents: 500_00n, funded: false, periodeNumero: 1, lines: [line(1, 5000)] }).due).toEqual([]);
    const r = linesDueAtWave({
      creditsCents: 500_00n,
      funded: true,
      periodeNumero: 1,
      lines: [line(1, 5000), line(2, 5000, { payable: false })],
    });
    expect(r.due).toEqual([{ id: 1, cents: 250_00n }]);
    expect(r.unpayable).toEqual([{ id: 2, cents: 250_00n }]);
  });

  it('an increase of the crédits (a DSN correction) pays the difference at the next wave; a decrease never claws back', () => {
    const paid = [line(1, 5000, { paidCents: 50_00n })];
    expect(linesDueAtWave({ creditsCents: 120_00n, funded: true, periodeNumero: 2, lines: paid }).due).toEqual([{ id: 1, cents: 10_00n }]);
    expect(linesDueAtWave({ creditsCents: 80_00n, funded: true, periodeNumero: 2, lines: paid }).due).toEqual([]);
  });

  it('property: over any waves, a line is never paid more than its expected amount, and all is paid once every period is paid', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_00n }),
        fc.array(fc.record({ bp: fc.integer({ min: 1, max: 2500 }), periode: fc.integer({ min: 1, max: 3 }), payable: fc.boolean() }), {
          maxLength: 4,
        }),
        (credits, specs) => {
          const lines = specs.map((s, i) => line(i + 1, s.bp, { validePeriode: s.periode, payable: s.payable }));
          for (let wave = 1; wave <= 3; wave++) {
            const r = linesDueAtWave({ creditsCents: credits, funded: true, periodeNumero: wave, lines });
            for (const d of r.due) {
              const l = lines.find((x) => x.id === d.id)!;
              l.paidCents += d.cents;
            }
            lines.forEach((l, i) => expect(l.paidCents <= r.expectedCents[i]!).toBe(true));
          }
          const expected = expectedAmounts(
            credits,
            lines.map((l) => l.bp),
          );
          lines.forEach((l, i) => expect(l.paidCents).toBe(l.payable ? expected[i] : 0n));
          expect(lines.reduce((s, l) => s + l.paidCents, 0n) <= credits).toBe(true);
        },
      ),
    );
  });
});

describe('labels and beneficiaries', () => {
  it('the label of a transfer', () => {
    expect(virementLabel('19750691800048', 2025, 42)).toBe('TAXE- APPRENTISSAGE - 19750691800048 - 2025 - 42');
  });
  it('a composante with its own SIRET and verified details receives for itself, else its parent', () => {
    expect(beneficiaryOf({ siret: 'E', parentSiret: null, ownDetailsVerified: false })).toBe('E');
    expect(beneficiaryOf({ siret: 'C', parentSiret: 'E', ownDetailsVerified: true })).toBe('C');
    expect(beneficiaryOf({ siret: 'C', parentSiret: 'E', ownDetailsVerified: false })).toBe('E');
    expect(beneficiaryOf({ siret: 'E', parentSiret: 'E', ownDetailsVerified: true })).toBe('E');
  });
});

describe('reconcile', () => {
  it('collected = fees + paid + reliquat paid + carried over, to the cent; the difference otherwise', () => {
    const ok = reconcile({
      collectedCents: 1000_00n,
      feesCents: 24_00n,
      paidCents: 700_00n,
      reliquatPaidCents: 250_00n,
      carriedOver: [
        { label: 'parts non versables', cents: 20_00n },
        { label: 'reliquat non versé', cents: 6_00n },
      ],
    });
    expect(ok).toEqual({ carriedOverCents: 26_00n, differenceCents: 0n, balanced: true });
    expect(reconcile({ collectedCents: 10n, feesCents: 0n, paidCents: 9n, reliquatPaidCents: 0n, carriedOver: [] }).differenceCents).toBe(
      1n,
    );
  });
});
