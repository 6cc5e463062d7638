/**
 * The reliquat's simulation and the campaign's reconciliation, as the operator's gestionnaire reads them:
 * Camille LEFORT logs in with her code, opens « Reliquat » from the side menu and reads the simulation of
 * 2025 (the pool, the regional and national parts, the region's table, each establishment's share and
 * what stays in the fund), then « Rapprochement »: the campaign's identity, balanced to the cent. Every
 * page: screenshot, axe, one h1.
 *
 * Set-up, directly in the database: the demo's agents, the small payments world of
 * test/versements/world.ts (one Lyon employer, two establishments of Auvergne-Rhône-Alpes, one without
 * bank details) with wave 1 issued and the region's métiers en tension imported, the clock on the day of
 * wave 1 (before the reliquat's date: the simulation only).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, seedDemoAgents, type DemoAgent } from '../src/demo/operateur.js';
import { importMetiersEnTension } from '../src/modules/versements/metiers-en-tension.js';
import { prepareWave } from '../src/modules/versements/preparation.js';
import { approveWave, issueWave } from '../src/modules/versements/vagues.js';
import { ANNEE, seedWorld, WAVE_1_DAY, type WorldSpec } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { heading, logInAgent } from './steps.js';

const PASSWORD = 'Caisse-Depots-2026!';
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84', formations: ['RNCP35830'] },
    { bank: null, region: '84', formations: ['RNCP35830'] },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus', commune: '69123' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 2000, periode: 1 },
  ],
};

let j: Journey;
const [gestionnaire] = DEMO_AGENTS as [DemoAgent];

beforeAll(async () => {
  j = await startJourney('operateur-reliquat');
  j.clock.set(WAVE_1_DAY);
  await seedDemoAgents(j.app.ctx, PASSWORD);
  const w = await seedWorld(j.app.ctx.db, SPEC);
  const wave = await prepareWave(j.app.ctx, w.gestionnaire, ANNEE, 1);
  if (!wave.ok) throw new Error(wave.problem.message);
  await approveWave(j.app.ctx, w.valideur, wave.vagueId);
  await issueWave(j.app.ctx, w.valideur, wave.vagueId);
  const dir = mkdtempSync(join(tmpdir(), 'metiers-'));
  writeFileSync(join(dir, 'metiers.csv'), 'region;metier;rncp\n84;Aide-soignant;RNCP35830\n');
  await importMetiersEnTension(j.app.ctx.db, ANNEE, join(dir, 'metiers.csv'), { now: WAVE_1_DAY });
});

afterAll(async () => {
  await j?.stop();
});

describe('the gestionnaire reads the reliquat’s simulation and the reconciliation', () => {
  it('« Reliquat »: the simulation of 2025, before its date', async () => {
    const page = await j.newPerson();
    await logInAgent(j, page, gestionnaire, PASSWORD);
    await page.getByRole('link', { name: 'Reliquat', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe(`Reliquat ${ANNEE}`);
    await expect.poll(() => page.getByText('Fonds à répartir : 500,00').count()).toBe(1);
    // the region's row, and each establishment's
    await expect.poll(() => page.getByRole('cell', { name: '84 Auvergne-Rhône-Alpes' }).count()).toBe(3);
    await expect.poll(() => page.getByRole('cell', { name: 'Non : établissement sans coordonnées bancaires' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Calculer le reliquat' }).count()).toBe(0);
    await checkPage(page, 'reliquat');
    await page.getByRole('link', { name: 'Rapprochement', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe(`Rapprochement ${ANNEE}`);
    await expect.poll(() => page.getByText('L’égalité est vérifiée au centime, aucun écart.').count()).toBe(1);
    await expect.poll(() => page.getByRole('cell', { name: 'Versé aux établissements' }).count()).toBe(1);
    await checkPage(page, 'rapprochement');
  });
});
