/**
 * « Gérer les déclarations » as administrators walk it (guide « Mono établissement », « Multi
 * établissements »): the baker of BOULANGERIE MOUTIN moves declarations between the two lists with
 * the keyboard, Enter, a drag and the arrows (with the client script), validates, sees the tile
 * « Accessible sous 24 heures » that opens a day later; the administrator of GIP MDS, without
 * JavaScript, opens « Choix des déclarations » of one établissement and adds SOLTéA there; then
 * « Gérer les établissements ».
 *
 * The client script `src/web/client/dual-list.ts` is appended to /assets/app.js here when app.ts
 * does not import it yet (its set-up runs once either way).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { heading, logIn, menuTiles, registerAdministrator, tick, type Person } from './steps.js';

const HOUR = 3_600_000;
const bm = DEMO_COMPANIES.boulangerieMoutin;
const gip = DEMO_COMPANIES.gipMds;

const claire: Person = {
  siret: bm.siret,
  raisonSociale: bm.raisonSociale,
  nom: 'Moutin',
  prenom: 'Claire',
  telephone: '01 23 45 67 89',
  email: 'claire.moutin@boulangerie-moutin.example',
  password: 'Fournil-du-matin-42',
};
const sophie: Person = {
  siret: gip.siret,
  raisonSociale: gip.raisonSociale,
  nom: 'Martin',
  prenom: 'Sophie',
  telephone: '01 98 76 54 32',
  email: 'sophie.martin@gip-mds.example',
  password: 'Federation-du-GIP-75',
};

let j: Journey;
let dualList = '';
beforeAll(async () => {
  j = await startJourney('gerer-declarations');
  const out = await build({
    entryPoints: [join(import.meta.dirname, '../src/web/client/dual-list.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    target: ['es2020'],
    logLevel: 'silent',
  });
  dualList = out.outputFiles[0]!.text;
});
afterAll(async () => j?.stop());

/** Serves /assets/app.js with the dual-list script (when app.ts does not bundle it yet), or without any script. */
async function withScript(page: Page, mode: 'dual-list' | 'none') {
  await page.route('**/assets/app.js', async (route) => {
    if (mode === 'none') return route.fulfill({ status: 200, contentType: 'text/javascript', body: '' });
    const res = await route.fetch();
    const body = await res.text();
    return route.fulfill({ response: res, body: body.includes('dualReady') ? body : `${body}\n${dualList}` });
  });
}

const list = (page: Page, side: 'disponibles' | 'selectionnees') => page.locator(`[data-list="${side}"]`);
const codesIn = (page: Page, side: 'disponibles' | 'selectionnees') =>
  list(page, side)
    .locator('li[data-code]')
    .evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.code ?? ''));
const box = (page: Page, name: string) =>
  page.getByRole('checkbox', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} - `) });

describe('mono-établissement (BOULANGERIE MOUTIN), with the client script', () => {
  let page: Page;
  it('the baker registers (inscription, profile « SOLTéA - Employeurs », first login)', async () => {
    page = await j.newPerson();
    await withScript(page, 'dual-list');
    await registerAdministrator(j, page, claire, 'moutin');
  });

  it('opens the two lists from the menu', async () => {
    await page.getByRole('link', { name: 'Gérer les déclarations', exact: true }).click();
    await page.waitForURL('**/gestion/declarations');
    expect(await heading(page)).toBe('Gérer les déclarations');
    await expect.poll(() => page.locator('[data-dual-list]').getAttribute('data-dual-ready')).toBe('1');
    expect(await codesIn(page, 'selectionnees')).toEqual(['SOLTEA_EMPLOYEURS']);
    expect(await codesIn(page, 'disponibles')).toContain('SOLTEA_ETABLISSEMENTS');
    await checkPage(page, 'moutin-listes');
  });

  it('moves declarations with the keyboard alone: Space then an arrow button, or Enter on the declaration', async () => {
    const soltea = box(page, 'SOLTéA - Etablissements');
    await soltea.focus();
    await page.keyboard.press('Space');
    expect(await soltea.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Ajouter', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await codesIn(page, 'selectionnees')).toEqual(['SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    await expect
      .poll(() => page.locator('[data-dual-status]').textContent())
      .toContain('1 déclaration déplacée vers la liste des déclarations sélectionnées');

    const dsn = box(page, 'DSN');
    await dsn.focus();
    await page.keyboard.press('Enter');
    expect(await codesIn(page, 'selectionnees')).toEqual(['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    // the focus stays on the moved declaration, now in the other list
    expect(await page.evaluate(() => document.activeElement?.closest('[data-list]')?.getAttribute('data-list'))).toBe('selectionnees');
    expect(page.url()).toMatch(/\/gestion\/declarations$/); // moved in the page, no round trip
  });

  it('moves a declaration by dragging it, and back with « Retirer »', async () => {
    await list(page, 'disponibles').locator('li[data-code="TESE"]').dragTo(list(page, 'selectionnees'));
    expect(await codesIn(page, 'selectionnees')).toContain('TESE');
    await checkPage(page, 'moutin-listes-modifiees');
    await tick(box(page, 'TESE'));
    await page.getByRole('button', { name: 'Retirer', exact: true }).click();
    expect(await codesIn(page, 'selectionnees')).toEqual(['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    expect(await codesIn(page, 'disponibles')).toContain('TESE');
  });

  it('« Valider » saves the list; the new declarations open 24 hours later', async () => {
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await page.waitForURL(`**/gestion/declarations/${bm.siret}?notice=enregistre`);
    await expect.poll(() => page.getByText('Les déclarations de l’établissement sont enregistrées.').isVisible()).toBe(true);
    expect(await codesIn(page, 'selectionnees')).toEqual(['DSN', 'SOLTEA_EMPLOYEURS', 'SOLTEA_ETABLISSEMENTS']);
    expect(await page.getByRole('heading', { name: 'Délai d’accès' }).isVisible()).toBe(true);
    await checkPage(page, 'moutin-enregistre');

    await page.goto('/menu');
    const tiles = await menuTiles(page);
    expect(tiles['SOLTéA - Etablissements']).toBe('Accessible sous 24 heures');
    expect(tiles.DSN).toBe('Accessible sous 24 heures');
    expect(
      await page.getByText(/La déclaration SOLTéA - Etablissements sera accessible le \d\d\/\d\d\/\d{4} à \d\d:\d\d/).isVisible(),
    ).toBe(true);
    await checkPage(page, 'moutin-menu-delai');

    j.clock.advance(24 * HOUR);
    await page.goto('/menu'); // the session has expired meanwhile
    await page.waitForURL('**/connexion?retour=*');
    await logIn(page, claire, claire.password, 'moutin-lendemain');
    await page.waitForURL('**/menu');
    expect((await menuTiles(page))['SOLTéA - Etablissements']).toBe('Accessible');
    await page.getByRole('link', { name: 'SOLTéA - Etablissements' }).click();
    await page.waitForURL('**/soltea/etablissement'); // the tile opens SOLTéA's establishment space
    await checkPage(page, 'moutin-service-ouvert');
  });
});

describe('multi-établissement (GIP MDS), without JavaScript', () => {
  let page: Page;
  it('the GIP’s administrator registers', async () => {
    page = await j.newPerson();
    await registerAdministrator(j, page, sophie, 'gip');
    await withScript(page, 'none');
  });

  it('« Gestion des déclarations » lists the établissements, each with « Choix des déclarations »', async () => {
    await page.goto('/menu');
    await page.getByRole('link', { name: 'Gérer les déclarations', exact: true }).click();
    await page.waitForURL('**/gestion/declarations');
    expect(await heading(page)).toBe('Gestion des déclarations');
    expect(await page.getByText('Nom de l’entreprise : GIP MDS TEST PROJET - 999 005 705').isVisible()).toBe(true);
    const rows = page.getByRole('table', { name: 'Les établissements de l’entreprise' }).locator('tbody tr');
    expect(await rows.count()).toBe(3);
    await checkPage(page, 'gip-gestion-des-declarations');
    await page.getByRole('link', { name: 'Choix des déclarations de l’établissement 999 005 705 00028' }).click();
    await page.waitForURL(`**/gestion/declarations/${gip.sirets[1]}`);
    expect(await heading(page)).toBe('Gérer les déclarations');
    expect(await codesIn(page, 'selectionnees')).toEqual([]);
    await checkPage(page, 'gip-choix-des-declarations');
  });

  it('the arrows are real buttons: the server moves the checked declarations, « Valider » saves them', async () => {
    await tick(box(page, 'SOLTéA - Etablissements'));
    await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await page.waitForLoadState('load');
    expect(await codesIn(page, 'selectionnees')).toEqual(['SOLTEA_ETABLISSEMENTS']);
    expect(await page.getByText('Vos changements ne sont pas encore enregistrés').isVisible()).toBe(true);
    await checkPage(page, 'gip-listes-sans-javascript');
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await page.waitForURL(`**/gestion/declarations/${gip.sirets[1]}?notice=enregistre`);
    expect(await codesIn(page, 'selectionnees')).toEqual(['SOLTEA_ETABLISSEMENTS']);
    await page.getByRole('link', { name: 'Gestion des déclarations' }).first().click();
    await page.waitForURL('**/gestion/declarations');
    const row = page.getByRole('row', { name: /999 005 705 00028/ });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('1');
  });

  it('« Gérer les établissements » shows the registry’s établissements, siège first', async () => {
    await page.goto('/menu');
    await page.getByRole('link', { name: 'Gérer les établissements', exact: true }).click();
    await page.waitForURL('**/gestion/etablissements');
    expect(await heading(page)).toBe('Gérer les établissements');
    const first = page.getByRole('table', { name: 'Les établissements de l’entreprise' }).locator('tbody tr').first();
    expect(await first.textContent()).toContain('999 005 705 00010');
    expect(await first.textContent()).toContain('Siège');
    await checkPage(page, 'gip-etablissements');
  });
});
