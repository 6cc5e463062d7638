/**
 * « Recherche établissement » before any referential is imported: whatever the criteria, no campaign and
 * no result, and nothing « understood » to show (the year is read by the search statement itself, and
 * apart only when it reads no row).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchEtablissements } from '../../src/modules/recherche/search.js';
import { parseCriteria } from '../../src/domain/recherche.js';
import { stopHarness } from '../accounts/helpers.js';
import { createHarness, type Harness } from '../harness.js';
import { ANNEE, insertFixture } from './fixture.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => stopHarness(h));

const search = (params: Record<string, string>) => searchEtablissements(h.ctx.db, parseCriteria(params).criteria);

describe('an empty referential', () => {
  it('answers no campaign, no result and nothing understood, with or without words, and for an unknown place', async () => {
    const cases: Record<string, string>[] = [
      {},
      { niveau: '5' },
      { q: 'lycee' },
      { formation: 'technicien' },
      { lieu: 'Xyzzyville' },
      { page: '3' },
    ];
    for (const params of cases) {
      const o = await search(params);
      expect(o, JSON.stringify(params)).toMatchObject({ annee: null, total: 0, pages: 0, results: [], understood: [], fieldMessages: {} });
    }
  });

  it('once imported, a search without words gives the latest year, from the statement or apart', async () => {
    await insertFixture(h.ctx.db);
    expect((await search({ niveau: '5' })).annee).toBe(ANNEE);
    // past the last page (no row read by the page's statement) and an unknown place (no statement at all)
    const past = await search({ page: '90' });
    expect(past).toMatchObject({ annee: ANNEE, results: [] });
    expect(past.total).toBeGreaterThan(0);
    const unknown = await search({ lieu: 'Xyzzyville' });
    expect(unknown.annee).toBe(ANNEE);
    expect(unknown.fieldMessages.lieu).toMatch(/Aucune commune/);
  });
});
