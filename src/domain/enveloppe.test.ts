import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COLLECTOR_FEES,
  OPERATOR_FEE_2023_CENTS,
  applyCarryOver,
  collectorPart,
  computeEnvelopes,
  correctionOutcome,
  feeHalfUp,
  recomputeAllocations,
  recomputeEnvelope,
  type DeclaredAmounts,
  type Envelope,
} from './enveloppe.js';

const decl = (siret: string, soldeCents: bigint, d077 = 0n, d078 = 0n, collecteur: 'URSSAF' | 'MSA' = 'URSSAF'): DeclaredAmounts => ({
  siret,
  collecteur,
  soldeCents,
  subventionsCfaCents: d077,
  creanceAlternantsCents: d078,
});

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

function batch(ds: DeclaredAmounts[], fee: bigint) {
  const r = computeEnvelopes(ds, fee);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.batch;
}

describe('collector fees', () => {
  it('takes 1 % non-recouvrement on the net due, then 0.5 % Urssaf management on what is left, half-up to the cent', () => {
    // 1,234.56 € due: 1 % = 12.3456 € → 12.35 €; 0.5 % of 1,222.21 € = 6.11105 € → 6.11 €
    const p = collectorPart(decl('73282932000074', 123_456n));
    expect(p).toMatchObject({
      netCents: 123_456n,
      nonRecouvrementCents: 1_235n,
      gestionCollecteurCents: 611n,
      reverseCents: 121_610n,
      warnings: [],
    });
  });

  it('does not charge the Urssaf management fee on MSA amounts (assumption documented in enveloppe.ts)', () => {
    const p = collectorPart(decl('73282932000074', 500_000n, 0n, 50_000n, 'MSA'));
    expect(p).toMatchObject({
      deductionsCents: 50_000n,
      netCents: 450_000n,
      nonRecouvrementCents: 4_500n,
      gestionCollecteurCents: 0n,
      reverseCents: 445_500n,
    });
    expect(COLLECTOR_FEES.MSA.gestionBp).toBe(0);
  });

  it('rounds half-up: 0.50 € → 1 cent, 1.49 € → 1 cent, 1.50 € → 2 cents of 1 %', () => {
    expect(feeHalfUp(50n, 100)).toBe(1n);
    expect(feeHalfUp(49n, 100)).toBe(0n);
    expect(feeHalfUp(149n, 100)).toBe(1n);
    expect(feeHalfUp(150n, 100)).toBe(2n);
    expect(feeHalfUp(0n, 100)).toBe(0n);
  });

  it('gives 0 credits and a warning when the deductions exceed the solde, never a negative amount', () => {
    const r = batch([decl('73282932000074', 10_000n, 8_000n, 4_000n), decl('55208131766522', 1_000_000n)], 5_000n);
    const e = r.envelopes[0]!;
    expect(e).toMatchObject({ netCents: 0n, fraisCents: 0n, creditsCents: 0n, fraisOperateurCents: 0n });
    expect(e.warnings[0]).toBe(
      'SIRET 73282932000074 : les déductions (077 + 078 = 120,00\u00a0€) dépassent le solde déclaré (076 = 100,00\u00a0€) ; les crédits à répartir sont nuls.',
    );
    expect(r.warnings).toHaveLength(1);
    expect(r.envelopes[1]!.fraisOperateurCents).toBe(5_000n);
  });
});

describe('computeEnvelopes', () => {
  it('shares the operator fee pro rata of the amounts reversed, adding up to the fee exactly', () => {
    const r = batch(
      [decl('73282932000074', 100_00n), decl('55208131766522', 200_00n), decl('35600000000048', 300_00n, 0n, 0n, 'MSA')],
      1_000n,
    );
    expect(r.envelopes.map((e) => e.reverseCents)).toEqual([9_850n, 19_700n + 1n, 29_700n]);
    // 100 € Urssaf: 1 % = 1.00 €, 0.5 % of 99.00 € = 0.495 € → 0.50 € (half-up) → 98.50 € reversed.
    // 1,000 cents over 59,251: 166.24… / 332.50… / 501.25… → 166 + 332 + 501 = 999, one cent to the largest remainder (332.50)
    expect(r.envelopes.map((e) => e.fraisOperateurCents)).toEqual([166n, 333n, 501n]);
    expect(r.totals.fraisOperateurCents).toBe(1_000n);
    expect(r.totals.creditsCents + r.totals.fraisCents).toBe(r.totals.netCents);
    expect(r.parCollecteur.MSA.envelopes).toBe(1);
    expect(r.operatorFee).toEqual({ feeCents: 1_000n, baseCents: 59_251n });
  });

  it('handles the 2023 operator fee (11,225,424 €) on a national-size total', () => {
    // 466.5 M€ collected, spread over SIRETs of very different sizes
    const ds = [
      decl('73282932000074', 40_000_000_000n),
      decl('55208131766522', 6_650_000_000n),
      decl('35600000000048', 1n),
      decl('13002526500013', 99n, 0n, 0n, 'MSA'),
    ];
    const r = batch(ds, OPERATOR_FEE_2023_CENTS);
    expect(r.totals.fraisOperateurCents).toBe(OPERATOR_FEE_2023_CENTS);
    expect(r.totals.creditsCents + r.totals.fraisCents).toBe(r.totals.netCents);
    expect(r.envelopes.every((e) => e.creditsCents >= 0n)).toBe(true);
  });

  it('refuses a SIRET twice, negative amounts, a negative fee or a fee above what was reversed, in French', () => {
    const dup = computeEnvelopes([decl('73282932000074', 1n), decl('73282932000074', 2n)], 0n);
    expect(dup).toMatchObject({
      ok: false,
      errors: [{ message: 'SIRET 73282932000074 : présent deux fois ; regroupez ses montants en une seule enveloppe.' }],
    });
    const neg = computeEnvelopes([decl('73282932000074', -1n, 0n, -5n)], 0n);
    expect(neg.ok ? [] : neg.errors.map((e) => e.message)).toEqual([
      'SIRET 73282932000074 : le solde (076) ne peut pas être négatif.',
      'SIRET 73282932000074 : la déduction 078 ne peut pas être négatif.',
    ]);
    expect(computeEnvelopes([], -1n)).toMatchObject({
      ok: false,
      errors: [{ message: 'Les frais de gestion de l’opérateur ne peuvent pas être négatifs.' }],
    });
    expect(computeEnvelopes([decl('73282932000074', 10_000n)], 10_000n)).toMatchObject({
      ok: false,
      errors: [
        {
          message:
            'Les frais de gestion de l’opérateur (100,00\u00a0€) dépassent les sommes reversées par les organismes collecteurs (98,50\u00a0€).',
        },
      ],
    });
    expect(computeEnvelopes([{ ...decl('73282932000074', 1n), collecteur: 'CAF' as never }], 0n)).toMatchObject({
      ok: false,
      errors: [{ message: 'SIRET 73282932000074 : l’organisme collecteur doit être URSSAF ou MSA.' }],
    });
  });

  const declArb = fc.record({
    solde: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.bigInt({ min: 0n, max: 1_000n })),
    d077: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n ** 9n })),
    d078: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 10n ** 9n })),
    msa: fc.boolean(),
  });

  it('reconciles to the cent for any envelopes and any operator fee up to the total (property)', () => {
    fc.assert(
      fc.property(fc.array(declArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 1_000_000 }), (rows, feePpm) => {
        const ds = rows.map((r, i) => decl(String(10_000_000_000_000 + i), r.solde, r.d077, r.d078, r.msa ? 'MSA' : 'URSSAF'));
        const base = sum(ds.map((d) => collectorPart(d).reverseCents));
        const fee = (base * BigInt(feePpm)) / 1_000_000n;
        const r = batch(ds, fee);
        const es = r.envelopes;
        expect(sum(es.map((e) => e.fraisOperateurCents))).toBe(fee);
        expect(sum(es.map((e) => e.creditsCents)) + sum(es.map((e) => e.fraisCents))).toBe(sum(es.map((e) => e.netCents)));
        expect(r.totals.creditsCents + r.totals.fraisCents).toBe(r.totals.netCents);
        expect(r.parCollecteur.URSSAF.creditsCents + r.parCollecteur.MSA.creditsCents).toBe(r.totals.creditsCents);
        for (const e of es) {
          expect(e.creditsCents).toBeGreaterThanOrEqual(0n);
          expect(e.creditsCents + e.fraisCents).toBe(e.netCents);
          expect(e.fraisCents).toBe(e.nonRecouvrementCents + e.gestionCollecteurCents + e.fraisOperateurCents);
          expect(e.fraisOperateurCents).toBeLessThanOrEqual(e.reverseCents);
          // pro rata: the floor of the exact share, or one cent more
          const exactFloor = base === 0n ? 0n : (fee * e.reverseCents) / base;
          expect(e.fraisOperateurCents === exactFloor || e.fraisOperateurCents === exactFloor + 1n).toBe(true);
          expect(e.netCents).toBe(e.soldeCents > e.deductionsCents ? e.soldeCents - e.deductionsCents : 0n);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('corrections (CGU 6.1.3)', () => {
  const campaign = () =>
    batch(
      [decl('73282932000074', 1_000_000n), decl('55208131766522', 3_000_000n), decl('35600000000048', 500_000n, 0n, 0n, 'MSA')],
      100_000n,
    );

  it('recomputes one envelope without moving the others, at the campaign rate of the operator fee', () => {
    const b = campaign();
    const prev = b.envelopes[0]!;
    expect(recomputeEnvelope(prev, decl('73282932000074', 1_000_000n), b.operatorFee)).toEqual(prev);
    const up = recomputeEnvelope(prev, decl('73282932000074', 1_200_000n), b.operatorFee);
    expect(up.netCents).toBe(1_200_000n);
    expect(up.creditsCents + up.fraisCents).toBe(up.netCents);
    // the share grows by about fee / base of the difference
    const expectedShareDelta =
      ((up.reverseCents - prev.reverseCents) * b.operatorFee.feeCents * 2n + b.operatorFee.baseCents) / (2n * b.operatorFee.baseCents);
    expect(up.fraisOperateurCents - prev.fraisOperateurCents).toBe(expectedShareDelta);
    const fresh = recomputeEnvelope(null, decl('13002526500013', 1_000_000n), b.operatorFee);
    expect(fresh.fraisOperateurCents).toBeGreaterThan(0n);
    expect(() => recomputeEnvelope(prev, decl('55208131766522', 1n), b.operatorFee)).toThrow();
  });

  it('comes back to the same envelope after an increase and the opposite decrease (property)', () => {
    const b = campaign();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 10n }), (a, c) => {
        const e0 = b.envelopes[1]!;
        const e1 = recomputeEnvelope(e0, decl('55208131766522', a), b.operatorFee);
        const e2 = recomputeEnvelope(e1, decl('55208131766522', c), b.operatorFee);
        const back = recomputeEnvelope(e2, decl('55208131766522', 3_000_000n), b.operatorFee);
        for (const e of [e1, e2]) {
          expect(e.creditsCents).toBeGreaterThanOrEqual(0n);
          expect(e.creditsCents + e.fraisCents).toBe(e.netCents);
        }
        // from a state where the share was not clamped, the way back is exact
        if (
          e1.fraisOperateurCents > 0n &&
          e2.fraisOperateurCents > 0n &&
          e1.fraisOperateurCents < e1.reverseCents &&
          e2.fraisOperateurCents < e2.reverseCents
        )
          expect(back).toEqual(e0);
      }),
      { numRuns: 200 },
    );
  });

  it('during the campaign, an increase goes to the chosen establishments at the next payment', () => {
    const b = campaign();
    const prev = b.envelopes[0]!;
    const corrected = recomputeEnvelope(prev, decl('73282932000074', 1_100_000n), b.operatorFee);
    const paid = recomputeAllocations(prev.creditsCents, [{ bp: 6_000, verseCents: 0n }]).attributions[0]!.attenduCents;
    const o = correctionOutcome({
      moment: 'pendant_campagne',
      previous: prev,
      corrected,
      attributions: [
        { bp: 6_000, verseCents: paid },
        { bp: 1_000, verseCents: 0n },
      ],
    });
    expect(o.cas).toBe('hausse_pendant');
    expect(o.creditsCampagneCents).toBe(corrected.creditsCents);
    expect(o.reportAnneeSuivanteCents).toBe(0n);
    expect(o.attributions[0]!.resteAVerserCents).toBe(o.attributions[0]!.attenduCents - paid);
    expect(o.attributions[0]!.resteAVerserCents).toBeGreaterThan(0n);
    expect(o.message).toMatch(
      /^La déclaration corrective augmente vos crédits à répartir de .+ : les établissements déjà choisis recevront leur part supplémentaire au prochain versement\.$/,
    );
  });

  it('during the campaign, a decrease recomputes the allocations; what was paid beyond is not taken back but reduces next year', () => {
    const prev = { ...campaign().envelopes[0]!, creditsCents: 100_000n };
    const corrected = { ...prev, creditsCents: 80_000n };
    const o = correctionOutcome({
      moment: 'pendant_campagne',
      previous: prev,
      corrected,
      attributions: [
        { bp: 5_000, verseCents: 50_000n },
        { bp: 2_000, verseCents: 0n },
      ],
    });
    expect(o).toMatchObject({
      cas: 'baisse_pendant',
      differenceCents: -20_000n,
      creditsCampagneCents: 80_000n,
      reportAnneeSuivanteCents: -10_000n,
      nonAttribueCents: 24_000n,
    });
    expect(o.attributions).toEqual([
      { bp: 5_000, attenduCents: 40_000n, verseCents: 50_000n, resteAVerserCents: 0n, tropVerseCents: 10_000n },
      { bp: 2_000, attenduCents: 16_000n, verseCents: 0n, resteAVerserCents: 16_000n, tropVerseCents: 0n },
    ]);
    expect(o.message).toBe(
      'La déclaration corrective diminue vos crédits à répartir de 200,00\u00a0€ : vos attributions sont recalculées avant le prochain versement. Les établissements ont déjà reçu 100,00\u00a0€ de plus que leur nouvelle part : rien ne leur est repris, vos crédits de l’année prochaine seront réduits d’autant.',
    );
  });

  it('after the campaign, an increase or a decrease goes to next year’s envelope, nothing is clawed back', () => {
    const prev = { ...campaign().envelopes[0]!, creditsCents: 100_000n };
    const up = correctionOutcome({ moment: 'apres_campagne', previous: prev, corrected: { ...prev, creditsCents: 130_000n } });
    expect(up).toMatchObject({ cas: 'hausse_apres', creditsCampagneCents: 100_000n, reportAnneeSuivanteCents: 30_000n });
    expect(up.message).toContain('s’ajoutera à vos crédits à répartir de l’année prochaine');
    const down = correctionOutcome({ moment: 'apres_campagne', previous: prev, corrected: { ...prev, creditsCents: 70_000n } });
    expect(down).toMatchObject({ cas: 'baisse_apres', creditsCampagneCents: 100_000n, reportAnneeSuivanteCents: -30_000n });
    expect(down.message).toContain('rien n’est repris aux établissements déjà payés');
    expect(correctionOutcome({ moment: 'apres_campagne', previous: prev, corrected: prev }).cas).toBe('sans_changement');
    expect(correctionOutcome({ moment: 'pendant_campagne', previous: null, corrected: prev })).toMatchObject({
      cas: 'hausse_pendant',
      differenceCents: 100_000n,
    });
  });

  it('never pays more than the new credits plus what was already paid, and reports every overpaid cent (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.array(fc.record({ bp: fc.integer({ min: 1, max: 2_000 }), paidPart: fc.integer({ min: 0, max: 100 }) }), { maxLength: 5 }),
        (oldCredits, newCredits, allocs) => {
          const old = recomputeAllocations(
            oldCredits,
            allocs.map((a) => ({ bp: a.bp, verseCents: 0n })),
          );
          const payments = allocs.map((a, i) => ({
            bp: a.bp,
            verseCents: (old.attributions[i]!.attenduCents * BigInt(a.paidPart)) / 100n,
          }));
          const prev = { creditsCents: oldCredits } as Envelope;
          const o = correctionOutcome({
            moment: 'pendant_campagne',
            previous: prev,
            corrected: { creditsCents: newCredits } as Envelope,
            attributions: payments,
          });
          const attendu = sum(o.attributions.map((a) => a.attenduCents));
          expect(attendu + o.nonAttribueCents).toBe(newCredits);
          expect(attendu).toBeLessThanOrEqual(newCredits);
          for (const a of o.attributions) {
            expect(a.resteAVerserCents).toBeGreaterThanOrEqual(0n);
            expect(a.verseCents + a.resteAVerserCents - a.tropVerseCents).toBe(a.attenduCents);
          }
          expect(o.reportAnneeSuivanteCents).toBe(-sum(o.attributions.map((a) => a.tropVerseCents)));
          expect(o.reportAnneeSuivanteCents).toBeLessThanOrEqual(0n);
          if (newCredits === oldCredits) expect(o.reportAnneeSuivanteCents).toBe(0n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies a carry-over to next year, never below zero', () => {
    expect(applyCarryOver(100_000n, 30_000n)).toEqual({ creditsCents: 130_000n, reportRestantCents: 0n });
    expect(applyCarryOver(100_000n, -30_000n)).toEqual({ creditsCents: 70_000n, reportRestantCents: 0n });
    expect(applyCarryOver(10_000n, -30_000n)).toEqual({ creditsCents: 0n, reportRestantCents: -20_000n });
  });
});
