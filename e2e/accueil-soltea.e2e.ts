/**
 * A visitor without an account, from the home page: SOLTéA's public « Recherche établissement », and the
 * campaign's calendar with today's phase marked (the application's clock set inside period 1 of 2025).
 * Controls are found by their words only (guide.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { press } from './guide.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { heading } from './steps.js';

let j: Journey;
let page: Page;
beforeAll(async () => {
  j = await startJourney('accueil-soltea');
  page = await j.newPerson();
  j.clock.set(new Date('2025-06-10T10:00:00Z'));
});
afterAll(async () => j?.stop());

describe('the home page leads to SOLTéA’s public pages', () => {
  it('« Recherche établissement »', async () => {
    await page.goto('/');
    await checkPage(page, 'accueil');
    await press(page, 'Recherche établissement');
    await page.waitForURL('**/soltea/recherche');
    expect(await heading(page)).toBe('Recherche établissement');
    await checkPage(page, 'recherche');
  });

  it('« Calendrier de la campagne »: each phase with its dates, today’s marked', async () => {
    await page.goto('/');
    await press(page, 'Calendrier de la campagne');
    await page.waitForURL('**/soltea/calendrier');
    expect(await heading(page)).toBe('Calendrier de la campagne 2025');
    await checkPage(page, 'calendrier');
    const table = page.getByRole('table', { name: 'Les étapes de la campagne 2025 du solde de la taxe d’apprentissage' });
    const current = table.locator('tr[aria-current="step"]');
    expect(await current.count()).toBe(1);
    expect((await current.locator('th').textContent())?.trim()).toBe('Période de répartition 1 Étape en cours');
    expect(await current.locator('td').allTextContents()).toEqual([
      '26 mai 2025',
      '27 juin 2025',
      'Les employeurs choisissent les établissements et les formations qui recevront leur solde.',
    ]);
    expect(await page.getByText('La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus.').isVisible()).toBe(true);
    // another campaign, then back to the search
    await press(page, 'Calendrier de la campagne 2024');
    await page.waitForURL('**/soltea/calendrier?annee=2024');
    expect(await heading(page)).toBe('Calendrier de la campagne 2024');
    expect(await page.locator('tr[aria-current="step"]').count()).toBe(0);
    await checkPage(page, 'calendrier-2024');
    await press(page, 'Recherche établissement');
    await page.waitForURL('**/soltea/recherche');
  });
});
