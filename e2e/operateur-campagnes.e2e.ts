/**
 * The operator's back-office, as Camille LEFORT, gestionnaire, walks it on 20 June 2025 (period 1 of
 * 2025 ends on 27 June): she logs in with her password and code, opens « Campagnes », reads the 2025
 * timeline and today's phase, edits the calendar — an overlapping period 2 is refused with its French
 * message, then period 2 is extended to 31 October and saved —, verifies the bank details waiting in
 * « Coordonnées bancaires » (their history shown), reads « Établissements sans coordonnées » and
 * « Lignes non versables », and finds an employer by its SIREN in « Recherche support ». Every page:
 * screenshot, axe, one h1.
 *
 * Set-up, directly in the database: the demo's agents and the small payments world of
 * test/versements/world.ts (an establishment whose bank details wait for a verdict, one funded employer
 * with its administrator).
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, seedDemoAgents, type DemoAgent } from '../src/demo/operateur.js';
import { totpCode } from '../src/modules/operateur/totp.js';
import { addAdministrator, seedWorld, type World, type WorldSpec } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading } from './steps.js';

const PASSWORD = 'Caisse-Depots-2026!';
const SPEC: WorldSpec = {
  etablissements: [
    { bank: 'verifiee', region: '84' },
    { bank: 'en_attente', region: '11' },
    { bank: null, region: '84' },
  ],
  employeurs: [{ creditsCents: 100_000n, funds: 'recus', commune: '69123' }],
  lignes: [
    { employeur: 0, etablissement: 0, bp: 5000, periode: 1 },
    { employeur: 0, etablissement: 1, bp: 3000, periode: 1 },
    { employeur: 0, etablissement: 2, bp: 2000, periode: 1 },
  ],
};

let j: Journey;
let w: World;
const [gestionnaire] = DEMO_AGENTS as [DemoAgent, DemoAgent];

beforeAll(async () => {
  j = await startJourney('operateur-campagnes');
  j.clock.set(new Date('2025-06-20T08:00:00Z'));
  await seedDemoAgents(j.app.ctx, PASSWORD);
  w = await seedWorld(j.app.ctx.db, SPEC, j.clock.now());
  await j.app.ctx.db.execute(
    sql`update coordonnees_bancaires set statut = 'a_verifier', verifiee_le = null where siret = ${w.etablissementSirets[1]!}`,
  );
  await addAdministrator(j.app.ctx.db, w.employeurSirets[0]!, 'paie@employeur0.example');
});

afterAll(async () => {
  await j?.stop();
});

async function logIn(page: Page, agent: DemoAgent): Promise<void> {
  await page.goto('/operateur/campagnes');
  expect(new URL(page.url()).pathname).toBe('/operateur/connexion');
  await field(page, 'Courriel').fill(agent.courriel);
  await field(page, 'Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.waitForLoadState('load');
  await field(page, 'Code à 6 chiffres').fill(totpCode(agent.totpSecret, j.clock.now()));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForLoadState('load');
  j.clock.advance(30_000);
}

async function menu(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Espace opérateur' }).getByRole('link', { name: label }).click();
  await page.waitForLoadState('load');
}

describe('the operator edits a calendar, verifies bank details and finds a company by SIREN', () => {
  let page: Page;

  it('reads the campaigns and the 2025 timeline with today’s phase', async () => {
    page = await j.newPerson();
    await logIn(page, gestionnaire);
    expect(await heading(page)).toBe('Campagnes');
    await checkPage(page, 'campagnes');
    await page.getByRole('link', { name: 'Campagne 2025' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Campagne 2025');
    expect(await page.locator('#phase-du-jour').textContent()).toBe(
      'La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus.',
    );
    await expect.poll(() => page.getByRole('img', { name: /Frise du calendrier de la campagne 2025/ }).count()).toBe(1);
    await checkPage(page, 'campagne-2025-frise');
  });

  it('an overlapping period is refused with its message; period 2 extended to 31 October is saved', async () => {
    await page.getByRole('link', { name: 'Modifier le calendrier' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Modifier le calendrier 2025');
    await checkPage(page, 'calendrier-formulaire');
    await field(page, 'Période 2 : premier jour').fill('2025-06-20');
    await page.getByRole('button', { name: 'Enregistrer le calendrier' }).click();
    await page.waitForLoadState('load');
    await expect
      .poll(() =>
        page
          .getByRole('alert')
          .getByText('Période 2 : elle doit commencer après la fin de la période 1 (27 juin 2025)', { exact: false })
          .count(),
      )
      .toBe(1);
    await checkPage(page, 'calendrier-refuse');
    await field(page, 'Période 2 : premier jour').fill('2025-07-14');
    await field(page, 'Période 2 : dernier jour (inclus)').fill('2025-10-31');
    await page.getByRole('button', { name: 'Enregistrer le calendrier' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Campagne 2025');
    await expect.poll(() => page.getByText('Le calendrier est enregistré.').count()).toBe(1);
    await expect.poll(() => page.getByText('Du 14 juillet 2025 au 31 octobre 2025 inclus : période de répartition 2').count()).toBe(1);
    await checkPage(page, 'calendrier-enregistre');
  });

  it('verifies the bank details waiting, with their history', async () => {
    await menu(page, 'Coordonnées bancaires');
    expect(await heading(page)).toBe('Coordonnées bancaires à vérifier');
    await expect.poll(() => page.getByRole('table', { name: /Historique des modifications/ }).count()).toBe(1);
    await checkPage(page, 'coordonnees-a-verifier');
    await page.getByRole('button', { name: 'Vérifiée' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByText('Les coordonnées bancaires sont vérifiées').count()).toBe(1);
    await expect.poll(() => page.getByText('Aucune coordonnée bancaire n’est à vérifier.').count()).toBe(1);
    await checkPage(page, 'coordonnees-verifiees');
  });

  it('reads the establishments without bank details and the unpayable lines', async () => {
    await menu(page, 'Établissements sans coordonnées');
    await expect.poll(() => page.getByText('Période de répartition 1 : fin le 27 juin 2025').count()).toBe(1);
    await expect.poll(() => page.getByRole('cell', { name: 'ETABLISSEMENT 2' }).count()).toBe(1);
    await checkPage(page, 'sans-coordonnees');
    await page.getByRole('button', { name: 'Relancer l’établissement pas encore relancé' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByText('Les relances sont envoyées').count()).toBe(1);
    await checkPage(page, 'sans-coordonnees-relances');
    await menu(page, 'Lignes non versables');
    await checkPage(page, 'non-versables');
  });

  it('finds the employer by its SIREN', async () => {
    await menu(page, 'Recherche support');
    expect(await heading(page)).toBe('Recherche support');
    await checkPage(page, 'support');
    const siren = w.employeurSirets[0]!.slice(0, 9);
    await field(page, 'Numéro SIREN ou SIRET').fill(`${siren.slice(0, 3)} ${siren.slice(3, 6)} ${siren.slice(6)}`);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('cell', { name: 'paie@employeur0.example', exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { name: 'Enveloppes (employeur)' }).count()).toBe(1);
    await checkPage(page, 'support-resultat');
  });
});
