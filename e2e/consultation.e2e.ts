/**
 * « Votre espace entreprise » → « Consultation »: GIP MDS's administrator adds a déclarant from
 * « Gestion » → « Gérer les déclarants », then reads the company's history under « Consultation »,
 * filters it and downloads it as CSV; another company's change (BOULANGERIE MOUTIN's) never shows. A
 * déclarant has no « Votre espace entreprise » and is refused the page. Controls are found by the
 * guide's words only (guide.ts).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../src/shared/csv.js';
import { createCompany, PASSWORD, type TestPerson } from '../test/espace-etablissement/fixtures.js';
import { press, shows } from './guide.js';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { field, heading, logIn, logOut } from './steps.js';

const { gipMds: GIP, boulangerieMoutin: BM } = DEMO_COMPANIES;

let j: Journey;
let page: Page;
let admin: TestPerson;
let declarant: TestPerson;
let other: TestPerson;

/** « Gestion » → « Gérer les déclarants » → « Nouveau déclarant »: the form, « Valider ». */
async function addDeclarant(p: Page, who: { nom: string; prenom: string; email: string }, prefix: string) {
  await p.goto('/menu');
  expect(await shows(p, 'Gestion')).toBe(true);
  await press(p, 'Gérer les déclarants');
  await press(p, 'Nouveau déclarant');
  expect(await heading(p)).toBe('Ajout d’un déclarant');
  await field(p, 'Nom').fill(who.nom);
  await field(p, 'Prénom').fill(who.prenom);
  await field(p, 'Courriel').fill(who.email);
  await field(p, 'Confirmation courriel').fill(who.email);
  await field(p, 'Téléphone').fill('01 23 45 67 89');
  await checkPage(p, `${prefix}-ajout-declarant`);
  await press(p, 'Valider');
  await p.waitForURL('**/gestion/declarants?notice=ajoute');
}

beforeAll(async () => {
  j = await startJourney('consultation');
  page = await j.newPerson();
  const gip = await createCompany(j.app.ctx, {
    siren: GIP.siren,
    siret: GIP.siret,
    people: [
      { nom: 'MOUTIN', prenom: 'Claire', role: 'administrateur' },
      { nom: 'LEGRAND', prenom: 'Hugo', role: 'declarant' },
    ],
  });
  [admin, declarant] = gip.people as [TestPerson, TestPerson];
  const bm = await createCompany(j.app.ctx, {
    siren: BM.siren,
    siret: BM.siret,
    people: [{ nom: 'BOULANGER', prenom: 'Rémi', role: 'administrateur' }],
  });
  other = bm.people[0]!;
});
afterAll(async () => j?.stop());

describe('« Consultation »', () => {
  it('another company’s administrator adds a déclarant (it must never show at GIP MDS)', async () => {
    const p = await j.newPerson();
    await logIn(p, other, PASSWORD, 'moutin');
    await p.waitForURL('**/menu');
    await addDeclarant(p, { nom: 'ETRANGER', prenom: 'Yves', email: 'yves.etranger@boulangerie.example' }, 'moutin');
  });

  it('the menu shows « Gestion », « Consultation » and « Demande en attente » under « Votre espace entreprise »', async () => {
    await logIn(page, admin, PASSWORD, 'gip');
    await page.waitForURL('**/menu');
    await checkPage(page, 'gip-menu');
    const espace = page.getByRole('navigation', { name: 'Votre espace entreprise' });
    for (const words of [
      'Gestion',
      'Gérer les déclarations',
      'Gérer les établissements',
      'Gérer les déclarants',
      'Gérer les habilitations',
    ])
      expect(await espace.getByRole(words === 'Gestion' ? 'button' : 'link', { name: words, exact: true }).isVisible(), words).toBe(true);
    expect(await espace.getByRole('link', { name: 'Consultation', exact: true }).isVisible()).toBe(true);
    expect(await espace.getByRole('link', { name: 'Demande en attente', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Vos services complémentaires' }).isVisible()).toBe(true);
    await addDeclarant(page, { nom: 'NOUVEAU', prenom: 'Jean', email: 'jean.nouveau@gip-mds.example' }, 'gip');
  });

  it('« Consultation » lists the company’s changes, filters them and gives them as CSV', async () => {
    await page.goto('/menu');
    await press(page, 'Consultation');
    await page.waitForURL('**/gestion/consultation');
    expect(await heading(page)).toBe('Consultation');
    await checkPage(page, 'gip-consultation');
    const table = page.getByRole('table', { name: /^Historique : \d+ modifications?/ });
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('Déclarant ajouté') && r.includes('Claire MOUTIN') && r.includes('Jean NOUVEAU'))).toBe(true);
    expect(rows.some((r) => r.includes('ETRANGER'))).toBe(false);

    await page.getByLabel('Type').selectOption({ label: 'Déclarants' });
    await page.getByLabel('Personne').selectOption({ label: 'MOUTIN Claire' });
    await press(page, 'Rechercher');
    await page.waitForURL(/\/gestion\/consultation\?type=declarants/);
    await checkPage(page, 'gip-consultation-filtree');
    const filtered = await page.getByRole('table').locator('tbody tr').allTextContents();
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((r) => r.includes('Déclarants'))).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), press(page, 'Exporter l’historique (CSV)')]);
    expect(download.suggestedFilename()).toBe('consultation.csv');
    const csv = readCsv(readFileSync((await download.path())!, 'utf8')).records.map((r) => r.cells);
    expect(csv[0]).toEqual(['date', 'type', 'modification', 'par', 'personne concernee', 'detail']);
    expect(csv.slice(1).map((r) => r.slice(1, 5))).toContainEqual(['Déclarants', 'Déclarant ajouté', 'Claire MOUTIN', 'Jean NOUVEAU']);
    expect(csv.some((r) => r.join(' ').includes('ETRANGER'))).toBe(false);

    // a wrong date range is refused in French, next to the field
    await page.goto('/gestion/consultation?du=2026-05-04&au=2026-05-01');
    await checkPage(page, 'gip-consultation-erreur');
    expect(await page.getByText('Au : la date de fin ne peut précéder la date de début.').first().isVisible()).toBe(true);
    await press(page, 'Effacer les critères');
    await page.waitForURL('**/gestion/consultation');
    await logOut(page);
  });

  it('a déclarant has no « Votre espace entreprise » and is refused « Consultation »', async () => {
    await logIn(page, declarant, PASSWORD, 'declarant');
    await page.waitForURL('**/menu');
    expect(await shows(page, 'Consultation')).toBe(false);
    const r = await page.goto('/gestion/consultation');
    expect(r?.status()).toBe(403);
    await checkPage(page, 'declarant-consultation-refusee');
  });
});
