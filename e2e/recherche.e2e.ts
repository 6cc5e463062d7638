/**
 * « Recherche établissement » as a visitor walks it, on the demo referential (the real establishments
 * and formations of seed/referentiel/, campaigns 2025 and 2024): from the SOLTéA home, a search by name
 * with a typo, by UAI, around a town (10 km around Tours, then « Tuors »), by diploma level in a
 * département, the pages of a broad search, nothing found, then « Voir la fiche »: the fiche with its
 * UAI, formations by niveau and the direct link (copied with the client script), and an unknown fiche;
 * then an employer habilitated to « SOLTéA - Employeurs » opens its tile a day after the inscription and
 * searches from its own space. Every page goes through checkPage (axe, one h1, lang="fr", screenshot).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoReferentiel } from '../src/demo/referentiel.js';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { field, heading, logIn, registerAdministrator, type Person } from './steps.js';

const bm = DEMO_COMPANIES.boulangerieMoutin;
const claire: Person = {
  siret: bm.siret,
  raisonSociale: bm.raisonSociale,
  nom: 'Moutin',
  prenom: 'Claire',
  telephone: '01 23 45 67 89',
  email: 'claire.moutin@boulangerie-moutin.example',
  password: 'Fournil-du-matin-42',
};

let j: Journey;
let page: Page;
beforeAll(async () => {
  j = await startJourney('recherche');
  await seedDemoReferentiel(j.app.ctx);
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

/** The names of the result cards, in order. */
const resultNames = (p: Page) => p.locator('.fr-card__title').allTextContents();
/** The text of the aria-live count. */
const count = async (p: Page) => ((await p.locator('#resultats-nombre').textContent()) ?? '').trim();
/** The distances shown on the cards (km). */
async function distances(p: Page): Promise<number[]> {
  const texts = await p.locator('.fr-card__desc').allTextContents();
  return texts.map((t) => /à (\d+(?:,\d)?) km/.exec(t)).map((m) => (m ? Number(m[1]!.replace(',', '.')) : Number.NaN));
}

async function launch(p: Page) {
  await p.getByRole('button', { name: 'Lancer une recherche' }).click();
  await p.waitForURL('**/soltea/recherche?**');
}

describe('a visitor searches habilitated establishments', () => {
  it('starts from the SOLTéA home: what it is, the two entries, the search', async () => {
    await page.goto('/soltea');
    expect(await heading(page)).toBe('SOLTéA, le solde de la taxe d’apprentissage');
    await checkPage(page, 'accueil-soltea');
    expect(await page.getByRole('link', { name: 'Employeur' }).getAttribute('href')).toBe('/connexion?retour=%2Fsoltea%2Femployeur');
    expect(await page.getByRole('link', { name: 'Établissement bénéficiaire' }).getAttribute('href')).toBe(
      '/connexion?retour=%2Fsoltea%2Fetablissement',
    );
    expect(await page.getByText(/^Campagne 2025 : [\d\s\u202f\u00a0]+ établissements habilités\.$/).count()).toBe(1);
  });

  it('by name, with a typo (« lycee raspial »)', async () => {
    await field(page, 'Nom de l’établissement, SIRET ou code UAI').fill('lycee raspial');
    await launch(page);
    expect(await heading(page)).toBe('Recherche établissement');
    expect((await resultNames(page))[0]).toBe('LYCEE DES METIERS RASPAIL');
    expect(await count(page)).toMatch(/établissements? trouvés? pour la campagne 2025/);
    // the client script brings the focus to the results
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('resultats-titre');
    await checkPage(page, 'recherche-nom-faute-de-frappe');
  });

  it('by UAI, in lower case', async () => {
    await field(page, 'Nom de l’établissement, SIRET ou code UAI').fill('0370038r');
    await launch(page);
    expect(await resultNames(page)).toEqual(['LYCEE GENERAL ET TECHNOLOGIQUE GRANDMONT']);
    expect(await count(page)).toBe('1 établissement trouvé pour la campagne 2025.');
    await checkPage(page, 'recherche-uai');
  });

  it('within 10 km of Tours, nearest first, with the distance', async () => {
    await field(page, 'Nom de l’établissement, SIRET ou code UAI').fill('');
    await page.getByText('Affiner la recherche').click();
    await field(page, 'Autour de la commune').fill('Tours');
    await page.getByLabel('Dans un rayon de').selectOption('10');
    await checkPage(page, 'recherche-affiner-ouvert');
    await launch(page);
    expect(await page.getByText('Critères retenus : Autour de Tours (37), dans un rayon de 10 km.').count()).toBe(1);
    const d = await distances(page);
    expect(d.length).toBeGreaterThan(5);
    expect(d.every((x) => x <= 10)).toBe(true);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    expect(await count(page)).toMatch(/établissements trouvés pour la campagne 2025 — page 1 sur \d+\.$/);
    // the rayon is meaningful with a commune: the client script says so while the field is empty
    expect(await page.locator('#rayonKm').getAttribute('aria-disabled')).toBe('false');
    await checkPage(page, 'recherche-autour-de-tours');
    // two letters swapped in the commune: understood as Tours all the same, the same results
    const names = await resultNames(page);
    await field(page, 'Autour de la commune').fill('Tuors');
    await launch(page);
    expect(await page.getByText('Critères retenus : Autour de Tours (37), dans un rayon de 10 km.').count()).toBe(1);
    expect(await resultNames(page)).toEqual(names);
  });

  it('by diploma level in a département, and through the pages', async () => {
    await page.goto('/soltea/recherche');
    await field(page, 'Ville, code postal ou département').fill('Indre-et-Loire');
    await page.getByText('Affiner la recherche').click();
    await page.getByLabel('Niveau de la formation').selectOption('5');
    await launch(page);
    expect(await page.getByText(/Critères retenus : Département : Indre-et-Loire \(37\) ; Formation : niveau 5\./).count()).toBe(1);
    const first = await resultNames(page);
    expect(first.length).toBeGreaterThan(0);
    expect(await page.locator('.fr-card__desc').first().textContent()).toMatch(/formations? correspondantes?/);
    await checkPage(page, 'recherche-niveau-departement');

    // a broad search has pages
    await page.goto('/soltea/recherche?lieu=Paris');
    expect(await count(page)).toMatch(/— page 1 sur \d+\.$/);
    const page1 = await resultNames(page);
    expect(page1).toHaveLength(20);
    await page.getByRole('link', { name: 'Page suivante' }).click();
    await page.waitForURL('**page=2');
    expect(await count(page)).toMatch(/— page 2 sur \d+\.$/);
    const page2 = await resultNames(page);
    expect(page2.some((n) => page1.includes(n))).toBe(false);
    await checkPage(page, 'recherche-page-2');
  });

  it('nothing found, or a wrong criterion: a clear French message', async () => {
    await page.goto('/soltea/recherche?q=xqzwvy&lieu=Pariss');
    expect(await count(page)).toBe('Aucun établissement ne correspond à votre recherche.');
    await checkPage(page, 'recherche-aucun-resultat');
    await page.goto('/soltea/recherche?lieu=Zzyzxqwv');
    expect(
      await page.getByText('Aucune commune, aucun département ni aucune région ne correspond à « Zzyzxqwv ».').count(),
    ).toBeGreaterThan(0);
    await checkPage(page, 'recherche-lieu-inconnu');
    await page.goto('/soltea/recherche?niveau=12&q=raspail');
    expect(await page.getByRole('alert').first().textContent()).toContain(
      'Le niveau de la formation doit être compris entre 3 (CAP) et 8 (doctorat).',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('erreurs');
    await checkPage(page, 'recherche-critere-incorrect');
  });

  it('opens a fiche: identity, UAI, formations by niveau, the direct link', async () => {
    await page.goto('/soltea/recherche?q=grandmont&lieu=Tours');
    await page.getByRole('link', { name: /^Voir la fiche de LYCEE GENERAL ET TECHNOLOGIQUE GRANDMONT$/ }).click();
    await page.waitForURL('**/soltea/etablissements/19370038200016');
    expect(await heading(page)).toBe('LYCEE GENERAL ET TECHNOLOGIQUE GRANDMONT');
    expect(await page.locator('dd').allTextContents()).toContain('0370038R');
    expect(await page.locator('caption').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Niveau \d/)]));
    const link = await page.getByLabel('Lien direct vers la fiche').inputValue();
    expect(link).toMatch(/\/soltea\/etablissements\/19370038200016$/);
    await checkPage(page, 'fiche-grandmont');
    // the composante is listed with its UAI
    expect(await page.getByRole('cell', { name: '0371341G' }).count()).toBe(1);
    // « Copier le lien » (client script)
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copier le lien' }).click();
    await expect.poll(() => page.locator('#copie-statut').textContent()).toContain('Le lien est copié');
    // the direct link opens the same fiche
    await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    expect(await heading(page)).toBe('LYCEE GENERAL ET TECHNOLOGIQUE GRANDMONT');
    // the previous campaign
    await page.getByRole('link', { name: 'Campagne 2024' }).click();
    await page.waitForURL('**?annee=2024');
    expect(await page.getByText('Vous consultez une campagne passée.').count()).toBe(1);
    await checkPage(page, 'fiche-campagne-precedente');
  });

  it('an unknown SIRET: a French 404 page', async () => {
    const res = await page.goto('/soltea/etablissements/12345678901234');
    expect(res?.status()).toBe(404);
    expect(await heading(page)).toBe('Établissement introuvable');
    await checkPage(page, 'fiche-introuvable');
  });
});

describe('an employer searches from its space', () => {
  it('opens « SOLTéA - Employeurs » (after the 24-hour delay): its SIRET and the search', async () => {
    const employer = await j.newPerson();
    await registerAdministrator(j, employer, claire, 'employeur');
    j.clock.advance(25 * 3_600_000);
    await logIn(employer, claire, claire.password, 'employeur-retour');
    await employer.goto('/menu');
    await employer.getByRole('link', { name: 'SOLTéA - Employeurs' }).click();
    await employer.waitForURL('**/soltea/employeur');
    expect(await heading(employer)).toBe('SOLTéA - Employeurs');
    expect(await employer.getByRole('cell', { name: '999 001 001 00018' }).count()).toBe(1);
    await checkPage(employer, 'employeur-espace');
    await field(employer, 'Ville, code postal ou département').fill('Tours');
    await employer.getByRole('button', { name: 'Lancer une recherche' }).click();
    await employer.waitForURL('**/soltea/employeur?**');
    expect(await count(employer)).toMatch(/établissements trouvés pour la campagne 2025/);
    await checkPage(employer, 'employeur-recherche');
  });
});
