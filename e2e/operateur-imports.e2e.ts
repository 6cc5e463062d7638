/**
 * « Imports » of the operator's space, as Camille LEFORT, gestionnaire of the Caisse des Dépôts, walks
 * it: she logs in with her code, opens « Imports » from the side menu, chooses « Enveloppes », gives the
 * campaign year and the operator's fee, chooses the collectors' file (20,000 amounts) and clicks
 * « Importer »; the import's page shows its progress bar (read back from the server every second) until
 * the report, the command line's, appears; the history lists the import with its file name and SHA-256.
 * Every page: screenshot, axe, one h1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENTS, seedDemoAgents, type DemoAgent } from '../src/demo/operateur.js';
import { makeValidSiren, makeValidSiret } from '../src/domain/identifiers.js';
import { totpCode } from '../src/modules/operateur/totp.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading } from './steps.js';

const PASSWORD = 'Caisse-Depots-2026!';
const LINES = 20_000;

let j: Journey;
const [gestionnaire] = DEMO_AGENTS as [DemoAgent, DemoAgent];
const file = join(mkdtempSync(join(tmpdir(), 'e2e-imports-')), 'urssaf-2025.csv');
let content = '';

beforeAll(async () => {
  j = await startJourney('operateur-imports');
  await seedDemoAgents(j.app.ctx, PASSWORD);
  // one line per SIRET, a solde (076) of a few hundred euros, the Urssaf's deposit of May 2025
  const lines = ['siret;collecteur;code;montant;periode;date_depot'];
  for (let i = 0; i < LINES; i++) {
    const siret = makeValidSiret(makeValidSiren(String(20_000_000 + i * 37)), '0001');
    lines.push(`${siret};URSSAF;076;${100 + (i % 900)},${String(i % 100).padStart(2, '0')};2024;05/05/2025`);
  }
  content = lines.join('\n') + '\n';
  writeFileSync(file, content);
});

afterAll(async () => {
  await j?.stop();
});

async function logIn(page: Page): Promise<void> {
  await page.goto('/operateur');
  await field(page, 'Courriel').fill(gestionnaire.courriel);
  await field(page, 'Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.waitForLoadState('load');
  await field(page, 'Code à 6 chiffres').fill(totpCode(gestionnaire.totpSecret, j.clock.now()));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForLoadState('load');
  expect(await heading(page)).toBe('Espace opérateur');
}

describe('an envelope file imported from the browser', () => {
  it('the gestionnaire uploads the file, watches its progress and reads the report, then the history', async () => {
    const page = await j.newPerson();
    let progressSeen = false;
    await logIn(page);
    await page.getByRole('navigation', { name: 'Espace opérateur' }).getByRole('link', { name: 'Imports' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Imports');
    await checkPage(page, 'imports-vide');
    await page.getByRole('link', { name: 'Enveloppes (montants Urssaf et MSA)' }).click();
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Importer : Enveloppes (montants Urssaf et MSA)');
    await checkPage(page, 'formulaire-enveloppes');
    await field(page, 'Année de campagne').fill('2025');
    await field(page, 'Frais de gestion de l’opérateur (en euros, facultatif)').fill('10 000,00');
    await page.locator('#fichier').setInputFiles(file);
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    // on PGlite (one connection) the page waits while the import's transaction holds the database
    await page.waitForURL(/\/operateur\/imports\/suivi\/\d+$/, { timeout: 240_000 });
    expect(await heading(page)).toMatch(/^Import n° \d+ : Enveloppes \(montants Urssaf et MSA\)$/);
    // while it runs: the bar, moved by the page's script; once done, the page reloads with the report
    if ((await page.locator('progress#progression').count()) === 1) {
      await checkPage(page, 'progression');
      progressSeen = true;
    }
    await expect.poll(() => page.getByText('Import terminé').count(), { timeout: 240_000, interval: 500 }).toBe(1);
    await checkPage(page, 'compte-rendu');
    const report = (await page.locator('pre.import-rapport').textContent()) ?? '';
    expect(report).toContain(
      `Enveloppes de la campagne 2025 : 1 fichier(s), ${LINES.toLocaleString('fr-FR').replace(/\s/g, ' ')} montant(s) lu(s)`,
    );
    expect(report).toContain('Rapprochement : dû + report reçu = frais + crédits + report');
    expect(report).toContain('exact au centime');
    const sha = createHash('sha256').update(content).digest('hex');
    expect(await page.getByText(sha).count()).toBe(1);
    await page.getByRole('link', { name: 'Retour aux imports' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'historique');
    await expect.poll(() => page.getByRole('cell', { name: /urssaf-2025\.csv/ }).count()).toBe(1);
    expect(await page.getByText('Réussi', { exact: true }).count()).toBe(1);
    // on PostgreSQL the page always comes back while the import runs: its bar was seen
    if (j.app.ctx.dbKind === 'postgres') expect(progressSeen).toBe(true);
  }, 300_000);
});
