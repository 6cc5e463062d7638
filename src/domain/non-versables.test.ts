import { describe, expect, it } from 'vitest';
import { CAMPAIGN_2025 } from './campagne.js';
import { motifNonVersableLibelle, redesignationOpen, rejetDetail } from './non-versables.js';

describe('unpayable shares (D. 6241-27-1)', () => {
  it('says the reason in French, with the bank’s code and label when it gave them', () => {
    expect(motifNonVersableLibelle('rejet_bancaire', rejetDetail('AC04', 'Compte clos'))).toBe('rejet bancaire (AC04 — Compte clos)');
    expect(motifNonVersableLibelle('rejet_bancaire', rejetDetail(null, null))).toBe('rejet bancaire');
    expect(motifNonVersableLibelle('etablissement_ferme', null)).toBe('l’établissement est fermé');
  });

  it('keeps re-designation open until the last second of the deadline, Paris time (by default the day before the reliquat)', () => {
    expect(redesignationOpen(CAMPAIGN_2025, new Date('2025-11-26T22:59:59.999Z'))).toBe(true);
    expect(redesignationOpen(CAMPAIGN_2025, new Date('2025-11-26T23:00:00Z'))).toBe(false);
    expect(redesignationOpen({ ...CAMPAIGN_2025, redesignationFin: '2025-11-20' }, new Date('2025-11-21T08:00:00Z'))).toBe(false);
  });
});
