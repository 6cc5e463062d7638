import { describe, expect, it } from 'vitest';
import { CAMPAIGN_2025 } from './campagne.js';
import { echeanceRappel, evenementsDus } from './messages-calendrier.js';

const keys = (iso: string) => evenementsDus(CAMPAIGN_2025, new Date(iso)).map((e) => e.cle);

describe('the campaign messages due at an instant', () => {
  it('the openings from 08:00 Paris on their day, until the last period ends', () => {
    expect(keys('2025-05-19T05:59:59Z')).toEqual([]);
    expect(keys('2025-05-19T06:00:00Z')).toEqual(['ouverture-etablissements:2025']);
    expect(keys('2025-05-26T06:00:00Z')).toEqual(['ouverture-etablissements:2025', 'ouverture-employeurs:2025']);
    expect(keys('2025-10-24T21:59:59Z')).toContain('ouverture-employeurs:2025');
    expect(keys('2025-10-24T22:00:00Z').filter((k) => k.startsWith('ouverture'))).toEqual([]);
  });

  it('J-7 from 08:00 seven days before the last day, J-1 the day before; a late scheduler sends J-1 only', () => {
    const j7 = ['fin-periode:2025:1:j7:employeurs', 'fin-periode:2025:1:j7:etablissements'];
    const j1 = ['fin-periode:2025:1:j1:employeurs', 'fin-periode:2025:1:j1:etablissements'];
    expect(keys('2025-06-20T05:59:00Z')).not.toContain(j7[0]);
    expect(keys('2025-06-20T06:00:00Z')).toEqual(expect.arrayContaining(j7));
    expect(keys('2025-06-26T05:59:59Z')).toEqual(expect.arrayContaining(j7));
    const late = keys('2025-06-26T06:00:00Z');
    expect(late).toEqual(expect.arrayContaining(j1));
    expect(late).not.toContain(j7[0]);
    // until the period's very end, then nothing of period 1
    expect(keys('2025-06-27T21:59:59Z')).toEqual(expect.arrayContaining(j1));
    expect(keys('2025-06-27T22:00:00Z').filter((k) => k.startsWith('fin-periode'))).toEqual([]);
  });

  it('the digest of a day of a period the next morning, at most three days late, none between periods', () => {
    expect(keys('2025-06-11T05:59:00Z').filter((k) => k.startsWith('resume'))).toEqual(['resume:2025-06-08', 'resume:2025-06-09']);
    expect(keys('2025-06-11T06:00:00Z').filter((k) => k.startsWith('resume'))).toEqual([
      'resume:2025-06-08',
      'resume:2025-06-09',
      'resume:2025-06-10',
    ]);
    // 27 June is the last day of period 1; 28 June – 13 July are between periods
    expect(keys('2025-07-01T06:00:00Z').filter((k) => k.startsWith('resume'))).toEqual([]);
    expect(keys('2025-06-29T06:00:00Z').filter((k) => k.startsWith('resume'))).toEqual(['resume:2025-06-26', 'resume:2025-06-27']);
  });

  it('the bank-details reminder a send counts as: J-7 until J-1’s morning (and before J-7), then J-1', () => {
    const p1 = CAMPAIGN_2025.periodes[0]!; // ends 27 June 2025
    expect(echeanceRappel(p1, new Date('2025-06-10T08:00:00Z'))).toBe(7);
    expect(echeanceRappel(p1, new Date('2025-06-20T06:00:00Z'))).toBe(7);
    expect(echeanceRappel(p1, new Date('2025-06-26T05:59:59Z'))).toBe(7);
    expect(echeanceRappel(p1, new Date('2025-06-26T06:00:00Z'))).toBe(1);
    expect(echeanceRappel(p1, new Date('2025-06-27T21:00:00Z'))).toBe(1);
  });
});
