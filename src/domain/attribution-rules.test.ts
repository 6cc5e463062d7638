import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOCATION_RULES,
  checkCalendar,
  checkPaid,
  checkShares,
  expectedAmountsFor,
  isDuringPeriod,
  parseAllocations,
  targetKey,
  validateAllocationChange,
  type ProposedAllocation,
} from './attribution-rules.js';
import { CAMPAIGN_2023, CAMPAIGN_2025 } from './campagne.js';

const etab = (id: number, bp: number, national = false, formationId: number | null = null): ProposedAllocation => ({
  target: { etablissementId: id, formationId },
  bp,
  national,
});
const at = (iso: string) => new Date(iso);
const IN_P1 = at('2025-06-10T08:00:00Z');
const IN_P2 = at('2025-09-10T08:00:00Z');

describe('typed percentages', () => {
  it('turns what the employer typed into basis points', () => {
    const r = parseAllocations([
      { target: { etablissementId: 1 }, percent: '12,5', national: false },
      { target: { etablissementId: 2, formationId: 7 }, percent: ' 30 % ', national: true },
      { target: { etablissementId: 3 }, percent: '0.01', national: false },
    ]);
    expect(r).toEqual({
      ok: true,
      allocations: [
        { target: { etablissementId: 1 }, bp: 1_250, national: false },
        { target: { etablissementId: 2, formationId: 7 }, bp: 3_000, national: true },
        { target: { etablissementId: 3 }, bp: 1, national: false },
      ],
    });
  });

  it('answers negative, over 100, too many decimals, non-numeric, zero and empty input with a French message naming the line', () => {
    const typed = ['-5', '100,5', '12,345', 'douze', '0', '', '1e2', '<script>alert(1)</script>'].map((percent, i) => ({
      target: { etablissementId: i + 1, libelle: i === 0 ? 'Lycée Jean Moulin' : undefined },
      percent,
      national: false,
    }));
    const r = parseAllocations(typed);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.index, e.code, e.message])).toEqual([
      [0, 'pourcentage_invalide', '« Lycée Jean Moulin » : Le pourcentage ne peut pas être négatif.'],
      [1, 'pourcentage_invalide', 'L’établissement de la ligne 2 : Le pourcentage ne peut pas dépasser 100 %.'],
      [2, 'pourcentage_invalide', 'L’établissement de la ligne 3 : Le pourcentage a au plus deux décimales (par exemple 12,25).'],
      [3, 'pourcentage_invalide', 'L’établissement de la ligne 4 : Le pourcentage doit être un nombre, par exemple 12,5.'],
      [4, 'pourcentage_invalide', 'L’établissement de la ligne 5 : Le pourcentage doit être supérieur à 0.'],
      [5, 'pourcentage_invalide', 'L’établissement de la ligne 6 : Saisissez un pourcentage.'],
      [6, 'pourcentage_invalide', 'L’établissement de la ligne 7 : Le pourcentage doit être un nombre, par exemple 12,5.'],
      [7, 'pourcentage_invalide', 'L’établissement de la ligne 8 : Le pourcentage doit être un nombre, par exemple 12,5.'],
    ]);
    expect(r.errors.every((e) => e.reference.includes('CGU SOLTéA'))).toBe(true);
  });
});

describe('rules on the shares', () => {
  it('accepts exactly 100 % with exactly 30 % to the national list', () => {
    expect(checkShares([etab(1, 7_000), etab(2, 2_000, true), etab(3, 1_000, true, 9)])).toEqual({
      ok: true,
      summary: { totalBp: 10_000, nationalBp: 3_000, resteBp: 0 },
    });
    expect(checkShares([])).toEqual({ ok: true, summary: { totalBp: 0, nationalBp: 0, resteBp: 10_000 } });
  });

  it('refuses a total above 100 %, with its legal reference', () => {
    const r = checkShares([etab(1, 6_000), etab(2, 5_250)]);
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          code: 'total_depasse',
          message: 'Le total de vos attributions atteint 112,5\u00a0% : il ne peut pas dépasser 100 % de vos crédits à répartir.',
          reference: 'Article L. 6241-2 II du code du travail et CGU SOLTéA, article 1 : au plus 100 % des crédits à répartir',
        },
      ],
    });
  });

  it('refuses more than 30 % to the national list (L. 6241-5 13°)', () => {
    const r = checkShares([etab(1, 2_000, true), etab(2, 1_001, true), etab(3, 1_000)]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      code: 'plafond_liste_nationale',
      message:
        'Les organismes de la liste nationale recevraient ensemble 30,01\u00a0% de votre solde : la loi limite leur part à 30\u00a0% (article L. 6241-5, 13° du code du travail).',
    });
    expect(r.errors[0]!.reference).toContain('L. 6241-5, 13°');
  });

  it('refuses the same target twice, but an établissement and one of its formations are two targets', () => {
    expect(checkShares([etab(1, 1_000), etab(1, 500, false, 4)]).ok).toBe(true);
    const r = checkShares([
      etab(1, 1_000),
      etab(2, 100),
      { target: { etablissementId: 1, libelle: 'Lycée Jean Moulin' }, bp: 500, national: false },
    ]);
    expect(r).toMatchObject({
      ok: false,
      errors: [
        {
          code: 'cible_en_double',
          index: 2,
          message: '« Lycée Jean Moulin » figure déjà à la ligne 1 : modifiez son pourcentage plutôt que de l’ajouter deux fois.',
        },
      ],
    });
    expect(targetKey({ etablissementId: 5 })).toBe(targetKey({ etablissementId: 5, formationId: null }));
  });

  it('refuses shares that are not integers of 1 to 10,000 bp and targets that are not ids', () => {
    for (const bp of [0, -100, 10_001, 12.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = checkShares([etab(1, bp)]);
      expect(r).toMatchObject({ ok: false, errors: [{ code: 'pourcentage_invalide', index: 0 }] });
    }
    for (const target of [
      { etablissementId: 0 },
      { etablissementId: -3 },
      { etablissementId: 1.5 },
      { etablissementId: 2, formationId: 0 },
    ]) {
      expect(checkShares([{ target, bp: 100, national: false }])).toMatchObject({ ok: false, errors: [{ code: 'cible_invalide' }] });
    }
  });

  it('accepts a set exactly when every share is valid, targets unique, total ≤ 100 % and national ≤ 30 % (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.integer({ min: 1, max: 6 }), bp: fc.integer({ min: -10, max: 6_000 }), national: fc.boolean() }), {
          maxLength: 6,
        }),
        (rows) => {
          const set = rows.map((r) => etab(r.id, r.bp, r.national));
          const valid = rows.every((r) => r.bp >= 1) && new Set(rows.map((r) => r.id)).size === rows.length;
          const total = rows.reduce((s, r) => s + r.bp, 0);
          const national = rows.filter((r) => r.national).reduce((s, r) => s + r.bp, 0);
          expect(checkShares(set).ok).toBe(valid && total <= 10_000 && national <= 3_000);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('rules of the calendar', () => {
  const cal = (now: Date, validatedFullInPeriod: number | null = null, campaign = CAMPAIGN_2025) =>
    checkCalendar({ campaign, now, validatedFullInPeriod });

  it('allows changes only inside an open period', () => {
    expect(cal(IN_P1)).toEqual({ ok: true, periode: 1 });
    expect(cal(IN_P2)).toEqual({ ok: true, periode: 2 });
    expect(cal(at('2025-05-20T08:00:00Z'))).toMatchObject({
      ok: false,
      errors: [
        {
          code: 'campagne_non_ouverte',
          message: 'La campagne 2025 n’est pas encore ouverte aux employeurs : vous pourrez répartir votre solde à partir du 26 mai 2025.',
        },
      ],
    });
    expect(cal(at('2025-07-01T08:00:00Z'))).toMatchObject({
      ok: false,
      errors: [
        {
          code: 'hors_periode',
          message:
            'La période de répartition 1 est close depuis le 27 juin 2025 au soir ; la période 2 ouvre le 14 juillet 2025. Vos choix ne peuvent pas être modifiés entre deux périodes.',
        },
      ],
    });
  });

  it('allows nothing after closing', () => {
    for (const iso of ['2025-10-24T22:00:00Z', '2025-12-01T08:00:00Z']) {
      const r = cal(at(iso));
      expect(r).toMatchObject({ ok: false, errors: [{ code: 'campagne_close' }] });
      if (!r.ok) expect(r.errors[0]!.message).toContain('La campagne de répartition 2025 est close');
    }
  });

  it('locks a SIRET that validated 100 % in period 1, once period 1 is over', () => {
    expect(cal(IN_P1, 1)).toEqual({ ok: true, periode: 1 });
    const r = cal(IN_P2, 1);
    expect(r).toMatchObject({
      ok: false,
      errors: [
        {
          code: 'verrou_validation_totale',
          message:
            'Vous avez validé la répartition de la totalité de vos fonds pendant la période 1 (close le 27 juin 2025) : ces choix ne peuvent plus être modifiés.',
        },
      ],
    });
    if (!r.ok) expect(r.errors[0]!.reference).toContain('article 2');
    expect(cal(IN_P2, 2)).toEqual({ ok: true, periode: 2 });
  });

  it('in 2023, with three periods, also locks after period 2 (arrêté du 6 octobre 2023)', () => {
    expect(cal(at('2023-10-20T08:00:00Z'), 2, CAMPAIGN_2023)).toMatchObject({ ok: false, errors: [{ code: 'verrou_validation_totale' }] });
    expect(cal(at('2023-10-20T08:00:00Z'), null, CAMPAIGN_2023)).toEqual({ ok: true, periode: 3 });
    expect(isDuringPeriod(CAMPAIGN_2023, 3, at('2023-10-20T08:00:00Z'))).toBe(true);
    expect(isDuringPeriod(CAMPAIGN_2023, 4, at('2023-10-20T08:00:00Z'))).toBe(false);
  });

  it('freezes allocations already paid: not removed, not changed', () => {
    const paid = [{ target: { etablissementId: 1, libelle: 'Lycée Jean Moulin' }, bp: 4_000 }];
    expect(checkPaid([etab(1, 4_000), etab(2, 1_000)], paid)).toEqual([]);
    expect(checkPaid([etab(2, 1_000)], paid)).toMatchObject([
      {
        code: 'attribution_versee',
        message:
          '« Lycée Jean Moulin » a déjà reçu le versement de 40\u00a0% de vos crédits : cette attribution ne peut plus être supprimée.',
      },
    ]);
    expect(checkPaid([etab(2, 1_000), etab(1, 5_000)], paid)).toMatchObject([
      { code: 'attribution_versee', index: 1, message: expect.stringContaining('ce pourcentage ne peut plus être modifié') },
    ]);
  });
});

describe('validateAllocationChange', () => {
  it('checks the calendar first: outside a period, no other message', () => {
    const r = validateAllocationChange({
      campaign: CAMPAIGN_2025,
      now: at('2025-07-01T08:00:00Z'),
      validatedFullInPeriod: null,
      allocations: [etab(1, 20_000)],
      paid: [],
    });
    expect(r).toMatchObject({ ok: false, errors: [{ code: 'hors_periode' }] });
    if (!r.ok) expect(r.errors).toHaveLength(1);
  });

  it('returns every broken rule inside a period, and the summary when all is well', () => {
    const r = validateAllocationChange({
      campaign: CAMPAIGN_2025,
      now: IN_P2,
      validatedFullInPeriod: null,
      allocations: [etab(1, 5_000, true), etab(2, 6_000)],
      paid: [{ target: { etablissementId: 3 }, bp: 1_000 }],
    });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['total_depasse', 'plafond_liste_nationale', 'attribution_versee']);
    expect(
      validateAllocationChange({
        campaign: CAMPAIGN_2025,
        now: IN_P2,
        validatedFullInPeriod: null,
        allocations: [etab(3, 1_000), etab(1, 2_500, true)],
        paid: [{ target: { etablissementId: 3 }, bp: 1_000 }],
      }),
    ).toEqual({
      ok: true,
      periode: 2,
      summary: { totalBp: 3_500, nationalBp: 2_500, resteBp: 6_500 },
    });
  });

  it('gives every rule a legal or contractual reference', () => {
    for (const [code, ref] of Object.entries(ALLOCATION_RULES)) {
      expect(ref, code).toMatch(/code du travail|arrêté|CGU|Choix de la plateforme/i);
    }
  });
});

describe('expected amounts', () => {
  it('shows the euros beside each percentage and what is left for the reliquat', () => {
    // 1,234.57 €: 33.33 % → 411.48 €(411.4822), 33.33 % → 411.48 €, 12.5 % → 154.32 € (154.32125)
    expect(expectedAmountsFor(123_457n, [{ bp: 3_333 }, { bp: 3_333 }, { bp: 1_250 }])).toEqual({
      montantsCents: [41_148n, 41_148n, 15_432n],
      attribueCents: 97_728n,
      nonAttribueCents: 25_729n,
    });
  });

  it('never exceeds the envelope; Σ = floor(credits × Σbp / 10,000); each part within one cent of its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { maxLength: 12 }).filter((bps) => bps.reduce((a, b) => a + b, 0) <= 10_000),
        (credits, bps) => {
          const r = expectedAmountsFor(
            credits,
            bps.map((bp) => ({ bp })),
          );
          const total = bps.reduce((a, b) => a + b, 0);
          expect(r.attribueCents).toBe((credits * BigInt(total)) / 10_000n);
          expect(r.attribueCents).toBeLessThanOrEqual(credits);
          expect(r.attribueCents + r.nonAttribueCents).toBe(credits);
          r.montantsCents.forEach((m, i) => {
            // |m − credits × bp / 10,000| < 1 cent, compared exactly in units of 1/10,000 cent
            const diff = m * 10_000n - credits * BigInt(bps[i]!);
            expect(diff > -10_000n && diff < 10_000n).toBe(true);
            expect(m).toBeLessThanOrEqual(credits);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
