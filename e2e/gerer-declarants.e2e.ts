/**
 * « Gérer les déclarants »: the Boulangerie Moutin's administrator adds a déclarant (the form refuses
 * empty fields first); the déclarant opens the invitation mail, chooses a password and a secret
 * question, logs in and sees the administrator's name instead of the Gestion menu. The administrator
 * suspends them (their open page is out at the next click), reactivates, edits, changes the e-mail and
 * finally removes them after the confirmation page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, DEMO_COMPANIES, startJourney, waitValid, type Journey } from './support.js';
import { field, fillPasswordAndQuestion, heading, logIn, registerAdministrator, type Person } from './steps.js';

const moutin = DEMO_COMPANIES.boulangerieMoutin;
const claire: Person = {
  siret: moutin.siret,
  raisonSociale: moutin.raisonSociale,
  nom: 'Moutin',
  prenom: 'Claire',
  telephone: '01 23 45 67 89',
  email: 'claire.moutin@boulangerie-moutin.example',
  password: 'Fournil-du-matin-42',
};
const lucas: Person = {
  siret: moutin.siret,
  raisonSociale: moutin.raisonSociale,
  nom: 'Fabre',
  prenom: 'Lucas',
  telephone: '01 23 45 67 91',
  email: 'lucas.fabre@boulangerie-moutin.example',
  password: 'Pain-de-mie-2026',
};

let j: Journey;
let admin: Page;
let lucasPage: Page;

async function openDeclarants(page: Page, prefix: string) {
  await page.goto('/menu');
  await page.getByRole('link', { name: 'Gérer les déclarants' }).click();
  await page.waitForURL('**/gestion/declarants');
  expect(await heading(page)).toBe('Gérer les déclarants');
  await checkPage(page, prefix);
}

/** The « État » cell of a person's row. */
async function etat(page: Page, nom: string): Promise<string> {
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: nom, exact: true }) });
  return ((await row.locator('td').nth(4).textContent()) ?? '').trim();
}

beforeAll(async () => {
  j = await startJourney('gerer-declarants');
  admin = await j.newPerson();
  lucasPage = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('Gérer les déclarants à la Boulangerie Moutin', () => {
  it('the administrator adds a déclarant (after the empty form is refused)', async () => {
    await registerAdministrator(j, admin, claire, 'admin');
    await openDeclarants(admin, 'admin-declarants');
    await admin.getByRole('link', { name: 'Nouveau déclarant' }).click();
    await admin.waitForURL('**/gestion/declarants/nouveau');
    expect(await heading(admin)).toBe('Ajout d’un déclarant');
    await checkPage(admin, 'admin-nouveau-declarant');
    await admin.getByRole('button', { name: 'Valider' }).click();
    await admin.waitForLoadState('load');
    await expect.poll(() => admin.getByRole('alert').first().textContent()).toContain('Le formulaire contient des erreurs');
    await checkPage(admin, 'admin-nouveau-declarant-erreurs');
    await field(admin, 'Nom').fill(lucas.nom);
    await field(admin, 'Prénom').fill(lucas.prenom);
    await field(admin, 'Courriel').fill(lucas.email);
    await field(admin, 'Confirmation courriel').fill(lucas.email);
    await field(admin, 'Téléphone').fill(lucas.telephone);
    await field(admin, 'Téléphone').blur();
    await waitValid(admin, 'telephone');
    await admin.getByRole('button', { name: 'Valider' }).click();
    await admin.waitForURL('**/gestion/declarants?notice=ajoute');
    await checkPage(admin, 'admin-declarant-ajoute');
    expect(await etat(admin, lucas.nom)).toBe('Invitation envoyée');
  });

  it('the déclarant follows the invitation, chooses a password, logs in and is shown the administrator', async () => {
    const link = await j.mailLink(
      { to: lucas.email, subject: 'Vous avez été ajouté comme déclarant sur net-entreprises' },
      '/invitation?jeton=',
    );
    await lucasPage.goto(link);
    expect(await heading(lucasPage)).toBe('Choisissez votre mot de passe');
    await checkPage(lucasPage, 'lucas-invitation');
    await fillPasswordAndQuestion(lucasPage, lucas.password);
    await checkPage(lucasPage, 'lucas-invitation-remplie');
    await lucasPage.getByRole('button', { name: 'Valider' }).click();
    await lucasPage.waitForURL('**/connexion?notice=invitation-acceptee');
    await logIn(lucasPage, lucas, lucas.password, 'lucas');
    await lucasPage.waitForURL('**/menu');
    await checkPage(lucasPage, 'lucas-menu');
    expect(await lucasPage.getByRole('heading', { name: 'Votre administrateur' }).isVisible()).toBe(true);
    expect(await lucasPage.getByText('Claire Moutin').isVisible()).toBe(true);
    expect(await lucasPage.getByRole('link', { name: 'Gérer les déclarants' }).count()).toBe(0);

    await admin.reload();
    expect(await etat(admin, lucas.nom)).toBe('Actif');
  });

  it('suspension puts the déclarant out at once; reactivation lets them in again', async () => {
    await admin.getByRole('button', { name: `Suspendre ${lucas.prenom} ${lucas.nom}` }).click();
    await admin.waitForURL('**/gestion/declarants?notice=suspendu');
    await checkPage(admin, 'admin-declarant-suspendu');
    expect(await etat(admin, lucas.nom)).toBe('Suspendu');

    await lucasPage.getByRole('link', { name: 'Vos informations personnelles' }).first().click();
    await lucasPage.waitForURL(/\/connexion\?retour=/);
    await checkPage(lucasPage, 'lucas-deconnecte');

    await admin.getByRole('button', { name: `Réactiver ${lucas.prenom} ${lucas.nom}` }).click();
    await admin.waitForURL('**/gestion/declarants?notice=reactive');
    expect(await etat(admin, lucas.nom)).toBe('Actif');
    await logIn(lucasPage, lucas, lucas.password, 'lucas-reactive');
    await lucasPage.waitForURL('**/menu/informations');
  });

  it('the administrator edits the déclarant and changes the e-mail', async () => {
    await admin.getByRole('link', { name: `Modifier ${lucas.prenom} ${lucas.nom}` }).click();
    await admin.waitForURL('**/modifier');
    expect(await heading(admin)).toBe('Modifier un déclarant');
    await field(admin, 'Téléphone').fill('06 12 34 56 78');
    await field(admin, 'Téléphone').blur();
    await waitValid(admin, 'telephone');
    await checkPage(admin, 'admin-modifier');
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.waitForURL('**/gestion/declarants?notice=modifie');
    expect(await admin.getByRole('cell', { name: '06 12 34 56 78' }).isVisible()).toBe(true);

    await admin.getByRole('link', { name: `Changer le courriel de ${lucas.prenom} ${lucas.nom}` }).click();
    await admin.waitForURL('**/courriel');
    await checkPage(admin, 'admin-changer-courriel');
    const nouvelle = 'l.fabre@boulangerie-moutin.example';
    await field(admin, 'Nouveau courriel').fill(nouvelle);
    await field(admin, 'Confirmation courriel').fill(nouvelle);
    await field(admin, 'Confirmation courriel').blur();
    await waitValid(admin, 'emailConfirm');
    await admin.getByRole('button', { name: 'Valider' }).click();
    await admin.waitForURL('**/gestion/declarants?notice=courriel-envoye');
    const link = await j.mailLink({ to: nouvelle, subject: 'Validation de votre adresse électronique' }, '/validation-courriel?jeton=');
    await lucasPage.goto(link);
    await lucasPage.getByRole('button', { name: 'Valider mon adresse électronique' }).click();
    await lucasPage.waitForLoadState('load');
    await admin.reload();
    expect(await admin.getByRole('cell', { name: nouvelle }).isVisible()).toBe(true);
  });

  it('removal goes through a confirmation page', async () => {
    await admin.getByRole('link', { name: `Supprimer ${lucas.prenom} ${lucas.nom}` }).click();
    await admin.waitForURL('**/supprimer');
    expect(await heading(admin)).toBe('Supprimer un déclarant');
    await checkPage(admin, 'admin-supprimer-confirmation');
    await admin.getByRole('button', { name: 'Confirmer la suppression' }).click();
    await admin.waitForURL('**/gestion/declarants?notice=supprime');
    await checkPage(admin, 'admin-declarant-supprime');
    expect(await admin.getByRole('rowheader', { name: lucas.nom, exact: true }).count()).toBe(0);
    await lucasPage.goto('/menu');
    await lucasPage.waitForURL(/\/connexion\?retour=/);
  });
});
