/**
 * The operator's payment wave, as two agents of the Caisse des Dépôts walk it: Camille LEFORT,
 * gestionnaire, goes to the operator's space, is sent to its login, types her courriel and password,
 * then the code of her authenticator application, opens « Vagues de versement » and prepares wave 1 of
 * 2025, and reads its preview (totals by region and category, the share that cannot be paid). Nadia
 * GARNIER, valideur, logs in the same way in her own browser, opens the wave, approves it, issues it and
 * downloads the SEPA file, whose SHA-256 is the one the page shows. Every page: screenshot, axe, one h1.
 *
 * Set-up, directly in the database: the demo's two agents (active, enrolled, fixed secrets) and the small
 * payments world of test/versements/world.ts (three establishments, one funded employer), the clock on
 * the day of wave 1.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, seedDemoAgents, type DemoAgent } from '../src/demo/operateur.js';
import { totpCode } from '../src/modules/operateur/totp.js';
import { ANNEE, seedWorld, WAVE_1_DAY, type WorldSpec } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading } from './steps.js';

const PASSWORD = 'Caisse-Depots-2026!';
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' },
    { bank: 'verifiee', region: '11' },
    { bank: null, region: '84' },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 3000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 2000, periode: 1 },
  ],
};

let j: Journey;
const [gestionnaire, valideur] = DEMO_AGENTS as [DemoAgent, DemoAgent];

beforeAll(async () => {
  j = await startJourney('operateur-vagues');
  j.clock.set(WAVE_1_DAY);
  await seedDemoAgents(j.app.ctx, PASSWORD);
  await seedWorld(j.app.ctx.db, SPEC);
});

afterAll(async () => {
  await j?.stop();
});

/** From an operator's page: the login, the password, then the current code of the application. */
async function logInAgent(page: Page, agent: DemoAgent, prefix: string): Promise<void> {
  await page.goto('/operateur/vagues');
  expect(new URL(page.url()).pathname).toBe('/operateur/connexion');
  await checkPage(page, `${prefix}-connexion`);
  await field(page, 'Courriel').fill(agent.courriel);
  await field(page, 'Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.waitForLoadState('load');
  expect(await heading(page)).toBe('Code de double authentification');
  await checkPage(page, `${prefix}-code`);
  await field(page, 'Code à 6 chiffres').fill(totpCode(agent.totpSecret, j.clock.now()));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForLoadState('load');
  // a code is accepted once: the next agent's login comes a step later
  j.clock.advance(30_000);
}

describe('a payment wave, prepared by a gestionnaire, approved and issued by a valideur', () => {
  it('the gestionnaire logs in with her code and prepares wave 1', async () => {
    const page = await j.newPerson();
    await logInAgent(page, gestionnaire, 'gestionnaire');
    expect(await heading(page)).toBe(`Vagues de versement ${ANNEE}`);
    await checkPage(page, 'gestionnaire-vagues');
    await page.getByRole('button', { name: 'Préparer la vague n° 1' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe(`Vague n° 1 de ${ANNEE}`);
    await expect.poll(() => page.getByText('2 virements pour 800,00').count()).toBe(1);
    await expect.poll(() => page.getByRole('cell', { name: 'Auvergne-Rhône-Alpes' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('cell', { name: 'Aucune coordonnée bancaire' }).count()).toBe(1);
    await checkPage(page, 'gestionnaire-apercu');
    expect(await page.getByRole('button', { name: 'Approuver' }).count()).toBe(0);
  });

  it('the valideur approves it, issues it and downloads the file with the SHA-256 shown', async () => {
    const page = await j.newPerson();
    await logInAgent(page, valideur, 'valideur');
    await page.getByRole('link', { name: 'Voir la vague n° 1' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'valideur-apercu');
    await page.getByRole('button', { name: 'Approuver' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByText('La vague est approuvée').count()).toBe(1);
    await checkPage(page, 'valideur-approuvee');
    await page.getByRole('button', { name: 'Émettre' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'valideur-emise');
    const sha = (await page.locator('code.sha256').textContent())?.trim() ?? '';
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le fichier' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^soltea-2025-vague-1-SOLTEA-2025-V1-\d+\.xml$/);
    const bytes = readFileSync((await download.path())!);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    expect(bytes.toString('utf8')).toContain('<NbOfTxs>2</NbOfTxs>');
  });
});
