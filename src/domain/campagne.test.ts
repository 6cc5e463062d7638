import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_2023,
  CAMPAIGN_2024,
  CAMPAIGN_2025,
  DEFAULT_CAMPAIGN_YEAR,
  campaignPreset,
  correctionMomentAt,
  describePhase,
  isInPeriod,
  openPeriodAt,
  phaseAt,
  redesignationDeadline,
  reliquatRegionaleBp,
  wavesStartedAt,
  type Campaign,
} from './campagne.js';
import { allocationWindow, validateCampaign } from './campagne-validation.js';
import { addDays, addMonths, formatJour, isJour, parisDayOf, parisEndOfDay, parisOffsetMs, parisStartOfDay } from './jours.js';

const at = (iso: string) => new Date(iso);
const messages = (c: Campaign) => validateCampaign(c).map((e) => `${e.field}: ${e.message}`);

describe('Paris calendar days', () => {
  it('starts a summer day at 22:00 UTC the day before and a winter day at 23:00 UTC', () => {
    expect(parisStartOfDay('2025-05-26').toISOString()).toBe('2025-05-25T22:00:00.000Z');
    expect(parisStartOfDay('2025-01-15').toISOString()).toBe('2025-01-14T23:00:00.000Z');
    expect(parisEndOfDay('2025-06-27').toISOString()).toBe('2025-06-27T21:59:59.999Z');
    expect(parisEndOfDay('2025-12-31').toISOString()).toBe('2025-12-31T22:59:59.999Z');
  });

  it('handles the changes of time: 23 hours on 30 March 2025, 25 hours on 26 October 2025', () => {
    const spring = parisEndOfDay('2025-03-30').getTime() + 1 - parisStartOfDay('2025-03-30').getTime();
    const autumn = parisEndOfDay('2025-10-26').getTime() + 1 - parisStartOfDay('2025-10-26').getTime();
    expect(spring).toBe(23 * 3_600_000);
    expect(autumn).toBe(25 * 3_600_000);
    expect(parisStartOfDay('2025-03-30').toISOString()).toBe('2025-03-29T23:00:00.000Z');
    expect(parisStartOfDay('2025-10-27').toISOString()).toBe('2025-10-26T23:00:00.000Z');
    expect(parisOffsetMs(Date.parse('2025-07-01T12:00:00Z'))).toBe(7_200_000);
    expect(parisOffsetMs(Date.parse('2025-12-01T12:00:00Z'))).toBe(3_600_000);
  });

  it('round-trips any day between 2000 and 2100: its first and last instants belong to it, their neighbours do not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 36_500 }), (n) => {
        const day = addDays('2000-01-01', n);
        const start = parisStartOfDay(day);
        const end = parisEndOfDay(day);
        expect(parisDayOf(start)).toBe(day);
        expect(parisDayOf(end)).toBe(day);
        expect(parisDayOf(new Date(start.getTime() - 1))).toBe(addDays(day, -1));
        expect(parisDayOf(new Date(end.getTime() + 1))).toBe(addDays(day, 1));
      }),
      { numRuns: 300 },
    );
  });

  it('checks, adds and formats days', () => {
    expect(isJour('2024-02-29')).toBe(true);
    expect(isJour('2025-02-29')).toBe(false);
    expect(isJour('2025-13-01')).toBe(false);
    expect(isJour('26/05/2025')).toBe(false);
    expect(isJour(20250526)).toBe(false);
    expect(addMonths('2025-05-31', 1)).toBe('2025-06-30');
    expect(addMonths('2025-12-15', 2)).toBe('2026-02-15');
    expect(formatJour('2025-05-26')).toBe('26 mai 2025');
    expect(formatJour('2025-10-01')).toBe('1er octobre 2025');
  });
});

describe('campaign presets', () => {
  it('are valid, 2025 being the default', () => {
    for (const c of [CAMPAIGN_2023, CAMPAIGN_2024, CAMPAIGN_2025]) expect(messages(c)).toEqual([]);
    expect(DEFAULT_CAMPAIGN_YEAR).toBe(2025);
    expect(campaignPreset(2023)?.periodes).toHaveLength(3);
    expect(campaignPreset(2019)).toBeNull();
  });

  it('are copies: editing one does not change the preset', () => {
    const c = campaignPreset(2025)!;
    c.periodes[0]!.fin = '2025-06-30';
    expect(CAMPAIGN_2025.periodes[0]!.fin).toBe('2025-06-27');
  });

  it('give at least two months of allocation in total (D. 6241-27)', () => {
    expect(allocationWindow(CAMPAIGN_2025)).toEqual({ jours: 33 + 103, minimum: 61 });
    expect(allocationWindow(CAMPAIGN_2023).jours).toBe(43 + 39 + 25);
  });
});

describe('validateCampaign', () => {
  const base = (): Campaign => campaignPreset(2025)!;
  /** the messages of the 2025 preset after `change`, one a line */
  const after = (change: (c: Campaign) => void) => {
    const c = base();
    change(c);
    return messages(c).join('\n');
  };

  it.each<[string, (c: Campaign) => void, string]>([
    [
      'overlapping periods',
      (c) => (c.periodes[1]!.debut = '2025-06-20'),
      'periodes.1.debut: Période 2 : elle doit commencer après la fin de la période 1 (27 juin 2025)',
    ],
    ['a reversed period', (c) => (c.periodes[0]!.fin = '2025-05-20'), 'le dernier jour (20 mai 2025) précède le premier (26 mai 2025)'],
    [
      'a wave before the end of its period',
      (c) => (c.vagues[0]!.date = '2025-06-27'),
      'vagues.0.date: Virement 1 : il doit suivre la fin de la période 1 (27 juin 2025)',
    ],
    ['a wave on an unknown period', (c) => (c.vagues[1]!.periodeNumero = 3), 'la période 3 n’existe pas'],
    ['a period without a wave', (c) => (c.vagues[1]!.periodeNumero = 3), 'La période 2 n’a aucun virement'],
    [
      'a reliquat before the last period',
      (c) => (c.reliquat = '2025-10-20'),
      'doit suivre la fin de la dernière période (24 octobre 2025)',
    ],
    ['a reliquat before the last wave', (c) => (c.reliquat = '2025-10-20'), 'ne peut précéder le dernier virement (7 novembre 2025)'],
    ['a date outside the campaign year', (c) => (c.periodes[0]!.debut = '2024-05-26'), 'Période 1 : le premier jour doit tomber en 2025'],
    [
      'an impossible date',
      (c) => (c.periodes[0]!.fin = '2025-02-30'),
      'periodes.0.fin: Période 1 : le dernier jour : saisissez une date valide',
    ],
    ['a bad numbering', (c) => (c.periodes[1]!.numero = 3), 'numéro 2 attendu'],
    [
      'establishments opening after employers',
      (c) => (c.etablissementsOuverture = '2025-05-27'),
      'au plus tard le jour de l’ouverture aux employeurs',
    ],
    [
      'openings after the first period starts',
      (c) => {
        c.employeursOuverture = '2025-05-27';
        c.etablissementsOuverture = '2025-05-27';
      },
      'au plus tard le premier jour de la période 1 (26 mai 2025)',
    ],
  ])('refuses %s', (_what, change, message) => {
    expect(after(change)).toContain(message);
  });

  it('refuses a window shorter than two months in total', () => {
    const c = base();
    c.periodes = [{ numero: 1, debut: '2025-05-26', fin: '2025-07-20' }];
    c.vagues = [{ numero: 1, date: '2025-08-01', periodeNumero: 1 }];
    expect(messages(c)).toEqual([
      'periodes: Les périodes de répartition totalisent 56 jours : la loi impose au moins deux mois (61 jours à partir du 26 mai 2025, article D. 6241-27 du code du travail).',
    ]);
    c.periodes[0]!.fin = '2025-07-25';
    expect(messages(c)).toEqual([]);
  });

  it('accepts a reliquat in the next year, refuses empty lists and a fractional year', () => {
    expect(messages({ ...base(), reliquat: '2026-01-10' })).toEqual([]);
    expect(messages({ ...base(), periodes: [] })).toEqual(['periodes: Ajoutez au moins une période de répartition.']);
    expect(messages({ ...base(), annee: 2022.5 })).toEqual(['annee: L’année de campagne doit être un nombre entier entre 2023 et 2100.']);
  });
});
describe('phaseAt and openPeriodAt (2025)', () => {
  const c = CAMPAIGN_2025;
  const cases: [string, string, number | null][] = [
    ['2025-05-18T21:59:59.999Z', 'avant_ouverture', null],
    ['2025-05-18T22:00:00.000Z', 'etablissements', null],
    ['2025-05-25T21:59:59.999Z', 'etablissements', null],
    ['2025-05-25T22:00:00.000Z', 'periode', 1],
    ['2025-06-27T21:59:59.999Z', 'periode', 1],
    ['2025-06-27T22:00:00.000Z', 'entre_periodes', null],
    ['2025-07-13T22:00:00.000Z', 'periode', 2],
    ['2025-10-24T21:59:59.999Z', 'periode', 2],
    ['2025-10-24T22:00:00.000Z', 'cloturee', null],
    ['2025-11-26T22:59:59.999Z', 'cloturee', null],
    ['2025-11-26T23:00:00.000Z', 'reliquat', null],
  ];
  it.each(cases)('at %s the phase is %s', (iso, phase, numero) => {
    const ph = phaseAt(c, at(iso));
    expect(ph.phase).toBe(phase);
    expect(openPeriodAt(c, at(iso))?.numero ?? null).toBe(numero);
  });

  it('names the neighbouring periods between two periods and describes each phase in French', () => {
    const ph = phaseAt(c, at('2025-07-01T10:00:00Z'));
    expect(ph).toMatchObject({ phase: 'entre_periodes', precedente: { numero: 1 }, suivante: { numero: 2 } });
    expect(describePhase(c, ph)).toBe('La période de répartition 1 est close ; la période 2 ouvre le 14 juillet 2025.');
    expect(describePhase(c, phaseAt(c, at('2025-09-01T10:00:00Z')))).toBe(
      'La période de répartition 2 est ouverte jusqu’au 24 octobre 2025 inclus.',
    );
    expect(describePhase(c, phaseAt(c, at('2025-11-01T10:00:00Z')))).toContain('close depuis le 25 octobre 2025');
  });

  it('knows three periods in 2023', () => {
    expect(openPeriodAt(CAMPAIGN_2023, at('2023-09-15T10:00:00Z'))?.numero).toBe(2);
    expect(phaseAt(CAMPAIGN_2023, at('2023-10-10T10:00:00Z'))).toMatchObject({
      phase: 'entre_periodes',
      precedente: { numero: 2 },
      suivante: { numero: 3 },
    });
    expect(openPeriodAt(CAMPAIGN_2023, at('2023-11-09T22:59:59.999Z'))?.numero).toBe(3);
    expect(openPeriodAt(CAMPAIGN_2023, at('2023-11-09T23:00:00.000Z'))).toBeNull();
  });

  it('is consistent with isInPeriod at any instant of the year (property)', () => {
    const from = Date.parse('2025-01-01T00:00:00Z');
    const to = Date.parse('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (t) => {
        const now = new Date(t);
        const inside = c.periodes.filter((p) => isInPeriod(p, now));
        expect(inside.length).toBeLessThanOrEqual(1);
        expect(openPeriodAt(c, now)?.numero ?? null).toBe(inside[0]?.numero ?? null);
        expect(phaseAt(c, now).phase === 'periode').toBe(inside.length === 1);
      }),
      { numRuns: 500 },
    );
  });

  it('says when waves have started and whether a correction comes during or after the campaign', () => {
    expect(wavesStartedAt(c, at('2025-07-10T21:59:59.999Z'))).toHaveLength(0);
    expect(wavesStartedAt(c, at('2025-07-10T22:00:00.000Z')).map((v) => v.numero)).toEqual([1]);
    expect(correctionMomentAt(c, at('2025-06-10T10:00:00Z'))).toBe('pendant_campagne');
    expect(correctionMomentAt(c, at('2025-11-06T22:59:59.999Z'))).toBe('pendant_campagne');
    expect(correctionMomentAt(c, at('2025-11-06T23:00:00.000Z'))).toBe('apres_campagne');
  });
});

describe('unpaid shares and the reliquat (D. 6241-27-1, R. 6241-28)', () => {
  const base = () => campaignPreset(2025)!;
  it('defaults: re-designation until the day before the reliquat, a regional part of 40 %', () => {
    expect(redesignationDeadline(base())).toBe('2025-11-26');
    expect(reliquatRegionaleBp(base())).toBe(4000);
  });
  it('the re-designation deadline comes after the last wave and before the reliquat', () => {
    expect(validateCampaign({ ...base(), redesignationFin: '2025-11-21' })).toEqual([]);
    expect(validateCampaign({ ...base(), redesignationFin: '2025-11-01' }).map((e) => e.field)).toEqual(['redesignationFin']);
    expect(validateCampaign({ ...base(), redesignationFin: '2025-11-27' })[0]!.message).toMatch(
      /doit précéder la répartition des fonds non affectés/,
    );
    expect(validateCampaign({ ...base(), redesignationFin: '31/02/2025' })[0]!.field).toBe('redesignationFin');
  });
  it('each part of the reliquat is at least 20 %', () => {
    for (const ok of [2000, 4000, 8000]) expect(validateCampaign({ ...base(), reliquatRegionaleBp: ok }), String(ok)).toEqual([]);
    for (const bad of [1999, 8001, 4000.5, -1])
      expect(validateCampaign({ ...base(), reliquatRegionaleBp: bad })[0]!.message, String(bad)).toMatch(/entre 20 % et 80 %/);
  });
});
