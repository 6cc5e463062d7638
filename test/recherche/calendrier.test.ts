/**
 * The public calendar of the campaign (/soltea/calendrier) and the home page's ways to SOLTéA's public
 * pages: no login, each phase with its dates, today's phase marked (the application's clock), the
 * payment waves, another year by ?annee=, a wrong year refused in French.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_2025 } from '../../src/domain/campagne.js';
import { calendarOf, type PublicCalendar } from '../../src/modules/campagnes/calendrier.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ registryCount: 5 });
});
afterAll(async () => stopHarness(h));

const calendar = async (query = '') => {
  const r = await new Client(h).get(`/soltea/calendrier${query}`, 'application/json');
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as PublicCalendar;
};

describe('the home page', () => {
  it('leads a visitor to « Recherche établissement » and to the calendar', async () => {
    const r = await new Client(h).get('/');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<a href="/soltea/recherche">Recherche établissement</a>');
    expect(r.body).toContain('<a href="/soltea/calendrier">Calendrier de la campagne</a>');
    expect((await new Client(h).get('/soltea')).body).toContain('href="/soltea/calendrier"');
  });
});

describe('/soltea/calendrier', () => {
  it('during period 1 of 2025: every phase with its first and last day, period 1 marked', async () => {
    h.clock.set(new Date('2025-06-10T10:00:00Z'));
    const c = await calendar();
    expect(c.annee).toBe(2025);
    expect(c.phases.map((p) => [p.label, p.debut, p.fin, p.current])).toEqual([
      ['Ouverture aux établissements', '2025-05-19', '2025-05-25', false],
      ['Période de répartition 1', '2025-05-26', '2025-06-27', true],
      ['Entre les périodes', '2025-06-28', '2025-07-13', false],
      ['Période de répartition 2', '2025-07-14', '2025-10-24', false],
      ['Clôture des choix', '2025-10-25', '2025-11-26', false],
      ['Répartition du reliquat', '2025-11-27', null, false],
    ]);
    expect(c.situation).toBe('La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus.');
    expect(c.vagues).toEqual(CAMPAIGN_2025.vagues);
    const page = await new Client(h).get('/soltea/calendrier');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Calendrier de la campagne 2025</h1>');
    expect(page.body).toMatch(
      /<tr class="calendrier-en-cours" aria-current="step"><th scope="row">Période de répartition 1 <span[^>]*>Étape en cours<\/span>/,
    );
    expect(page.body).toContain('<td>26 mai 2025</td><td>27 juin 2025</td>');
    expect(page.body).toContain('<caption>Les étapes de la campagne 2025 du solde de la taxe d’apprentissage</caption>');
  });

  it('the day after period 1 ends, the next phase is marked', async () => {
    h.clock.set(new Date('2025-06-27T22:30:00Z')); // 28 June, 00:30 in Paris
    const c = await calendar();
    expect(c.phases.filter((p) => p.current).map((p) => p.label)).toEqual(['Entre les périodes']);
  });

  it('another year by ?annee=; a wrong or unknown year is refused in French', async () => {
    const c = await calendar('?annee=2024');
    expect(c.annee).toBe(2024);
    expect(c.phases.some((p) => p.current)).toBe(false);
    expect(c.annees).toEqual(expect.arrayContaining([2023, 2024, 2025]));
    const bad = await new Client(h).get('/soltea/calendrier?annee=deux', 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: 'Campagne : une année sur 4 chiffres est attendue.' });
    const unknown = await new Client(h).get('/soltea/calendrier?annee=1999');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Aucun calendrier n’est publié pour cette campagne.');
  });

  it('before the opening, no phase is marked and the page says so', () => {
    const c = calendarOf(CAMPAIGN_2025, new Date('2025-01-02T12:00:00Z'), [2025]);
    expect(c.phases.some((p) => p.current)).toBe(false);
    expect(c.situation).toContain('n’est pas encore ouverte');
  });
});
