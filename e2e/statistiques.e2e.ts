/**
 * The campaign's figures: the gestionnaire Camille LEFORT logs in with her code, opens « Statistiques » from
 * the side menu, reads the figures of 2025 (collected, crédits, allocated and its share, validated, paid,
 * unpayable), the charts and their tables by region, category and niveau, and downloads the table by
 * region as CSV; once the campaign is over and its reliquat computed, a visitor without an account reads
 * « Chiffres des campagnes » (/soltea/chiffres): the totals, the map of regions beside its table, the
 * categories and the reliquat's split. Every page: screenshot, axe, one h1.
 *
 * Set-up, directly in the database: the demo's agents, the small payments world of
 * test/versements/world.ts (one Lyon employer, a Lyon establishment with a formation of niveau 5 and a
 * Paris organisation of the liste nationale without bank details), wave 1 issued on its day.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, seedDemoAgents, type DemoAgent } from '../src/demo/operateur.js';
import { readCsv } from '../src/shared/csv.js';
import { issuedWave } from '../test/versements/suivi-world.js';
import { closeCampaign, seedStatsWorld } from '../test/statistiques/monde.js';
import { ANNEE, WAVE_1_DAY, type World } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { heading, logInAgent } from './steps.js';

const PASSWORD = 'Caisse-Depots-2026!';

let j: Journey;
let w: World;
const [gestionnaire] = DEMO_AGENTS as [DemoAgent];

beforeAll(async () => {
  j = await startJourney('statistiques');
  j.clock.set(WAVE_1_DAY);
  await seedDemoAgents(j.app.ctx, PASSWORD);
  w = await seedStatsWorld(j.app.ctx.db);
  await issuedWave(j.app.ctx, w, 1);
});

afterAll(async () => {
  await j?.stop();
});

describe('the campaign’s figures', () => {
  it('the gestionnaire reads the statistics of 2025 and downloads the table by region', async () => {
    const page = await j.newPerson();
    await logInAgent(j, page, gestionnaire, PASSWORD);
    await page.getByRole('link', { name: 'Statistiques', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe(`Statistiques de la campagne ${ANNEE}`);
    const figures = page.getByRole('table', { name: `Chiffres de la campagne ${ANNEE}` });
    await expect.poll(() => figures.getByRole('row', { name: /Attribué par les employeurs 700,00/ }).count()).toBe(1);
    await expect.poll(() => figures.getByRole('row', { name: /Part des crédits à répartir attribuée 70 %/ }).count()).toBe(1);
    await expect.poll(() => figures.getByRole('row', { name: /Versé aux établissements 500,00/ }).count()).toBe(1);
    await expect.poll(() => figures.getByRole('row', { name: /Non versable .* 200,00/ }).count()).toBe(1);
    // each chart is an image named by its title, with its table after it
    expect(await page.getByRole('img', { name: 'Par région de l’établissement' }).count()).toBe(1);
    const regions = page.getByRole('table', { name: 'Par région de l’établissement' });
    await expect.poll(() => regions.getByRole('row', { name: /Auvergne-Rhône-Alpes 1 500,00/ }).count()).toBe(1);
    const niveaux = page.getByRole('table', { name: 'Par niveau de la formation' });
    await expect.poll(() => niveaux.getByRole('row', { name: /Niveau 5/ }).count()).toBe(1);
    await checkPage(page, 'operateur-statistiques', { fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le tableau (CSV)' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toBe(`soltea-statistiques-${ANNEE}-region.csv`);
    const rows = readCsv(readFileSync((await download.path())!, 'utf8')).records.map((r) => r.cells);
    expect(rows.slice(1)).toEqual([
      ['2025', '11', 'Île-de-France', '1', '200,00', '200,00', '0,00', '200,00'],
      ['2025', '84', 'Auvergne-Rhône-Alpes', '1', '500,00', '500,00', '500,00', '0,00'],
    ]);
  });

  it('once the campaign is over, a visitor reads « Chiffres des campagnes » without an account', async () => {
    await closeCampaign(j.app.ctx, j.clock, w);
    const page = await j.newPerson();
    await page.goto('/soltea/chiffres');
    expect(await heading(page)).toBe(`Chiffres de la campagne ${ANNEE}`);
    const totals = page.getByRole('table', { name: `Totaux de la campagne ${ANNEE}` });
    await expect.poll(() => totals.getByRole('row', { name: /Reliquat à répartir 500,00/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /Montants attribués aux établissements de chaque région/ }).count()).toBe(1);
    const regions = page.getByRole('table', { name: /Montants attribués aux établissements de chaque région/ });
    await expect.poll(() => regions.getByRole('row', { name: /Auvergne-Rhône-Alpes ARA 500,00/ }).count()).toBe(1);
    const reliquat = page.getByRole('table', { name: /Répartition du reliquat/ });
    await expect.poll(() => reliquat.getByRole('row', { name: /Part nationale .* 300,00/ }).count()).toBe(1);
    await checkPage(page, 'chiffres', { fullPage: true });
  });
});
