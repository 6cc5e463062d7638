/**
 * « Mot de passe oublié », the three ways: the secret question, the e-mailed link, and the request
 * to the administrator, who resets the password from « Demande en attente »; the user then logs in
 * with the temporary password from the mail and must choose a new password and secret question.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WAYS } from '../src/web/pages/forgotten-password.js';
import { press, shows } from './guide.js';
import { checkPage, DEMO_COMPANIES, SECRET, startJourney, type Journey } from './support.js';
import {
  field,
  fillPasswordAndQuestion,
  heading,
  logIn,
  logOut,
  openDemandes,
  registerAdministrator,
  registerCandidat,
  temporaryPasswordIn,
  tick,
  type Person,
} from './steps.js';

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
const paul: Person = {
  siret: moutin.siret,
  raisonSociale: moutin.raisonSociale,
  nom: 'Moutin',
  prenom: 'Paul',
  telephone: '01 23 45 67 90',
  email: 'paul.moutin@boulangerie-moutin.example',
  password: 'Levain-et-Seigle-77',
};

let j: Journey;
let page: Page;

/** « Mot de passe oublié » from the home page, as the guide says: the triplet, the way in the guide's words, « Valider ». */
async function forgot(p: Page, who: Person, way: keyof typeof WAYS, prefix: string) {
  await p.goto('/');
  await press(p, 'Mot de passe oublié');
  await p.waitForURL('**/mot-de-passe-oublie');
  expect(await heading(p)).toBe('Mot de passe oublié');
  // the rule of the secret question is stated before the first try, and there is a way back
  expect(await p.getByText('Au-delà de 5 réponses erronées, un délai d’attente de 60 minutes vous sera demandé.').isVisible()).toBe(true);
  expect(await shows(p, 'Annuler')).toBe(true);
  await checkPage(p, `${prefix}-mot-de-passe-oublie`);
  await field(p, 'Siret').fill(who.siret);
  await field(p, 'Nom').fill(who.nom);
  await field(p, 'Prénom').fill(who.prenom);
  await tick(field(p, WAYS[way]));
  await checkPage(p, `${prefix}-mot-de-passe-oublie-rempli`);
  await press(p, 'Valider');
}

/** « Choisissez votre nouveau mot de passe », « Valider »: the guide's « Vous accédez à votre menu personnalisé ». */
async function newPassword(p: Page, password: string, prefix: string) {
  expect(await heading(p)).toBe('Choisissez votre nouveau mot de passe');
  await checkPage(p, `${prefix}-nouveau-mot-de-passe`);
  await fillPasswordAndQuestion(p, password, { label: 'Nouveau mot de passe', question: false });
  await press(p, 'Valider');
  await p.waitForURL('**/menu?notice=mot-de-passe-reinitialise');
  expect(await heading(p)).toBe('Menu personnalisé');
  await checkPage(p, `${prefix}-menu-apres-reinitialisation`);
  expect(await p.getByText('Votre mot de passe a été réinitialisé. Vous êtes connecté').isVisible()).toBe(true);
  await logOut(p);
}

beforeAll(async () => {
  j = await startJourney('mot-de-passe-oublie');
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('mot de passe oublié', () => {
  it('0. the bakery’s administrator registers', async () => {
    await registerAdministrator(j, page, claire, 'claire');
    await logOut(page);
  });

  it('1. by the secret question', async () => {
    await forgot(page, claire, 'question', 'question');
    // The question itself is not shown before the person is identified; the rule is, before the first try.
    await expect
      .poll(() => page.getByText('Répondez à la question secrète renseignée lors de votre inscription, puis validez.').isVisible())
      .toBe(true);
    expect(await page.getByText('Au-delà de 5 réponses erronées, un délai d’attente de 60 minutes vous sera demandé.').isVisible()).toBe(
      true,
    );
    expect(await page.getByText(SECRET.question).count()).toBe(0);
    await checkPage(page, 'question-secrete');
    // A wrong answer first (the answer is case-sensitive).
    await field(page, 'Votre réponse').fill(SECRET.answer.toUpperCase());
    await press(page, 'Valider');
    await expect.poll(() => page.getByText('La réponse ne permet pas de vous identifier.').first().isVisible()).toBe(true);
    await checkPage(page, 'question-secrete-erreur');
    await field(page, 'Votre réponse').fill(SECRET.answer);
    await press(page, 'Valider');
    await page.waitForURL('**/mot-de-passe-oublie/nouveau');
    claire.password = 'Croissant-Beurre-19';
    await newPassword(page, claire.password, 'question');
    await logIn(page, claire, claire.password, 'question-connexion');
    await page.waitForURL('**/menu');
    await checkPage(page, 'question-menu');
    await logOut(page);
  });

  it('2. by a link sent by e-mail', async () => {
    await forgot(page, claire, 'courriel', 'lien');
    expect(await heading(page)).toBe('Mot de passe oublié');
    await expect.poll(() => page.getByText('la suite de la procédure vous a été envoyée par courriel').isVisible()).toBe(true);
    await checkPage(page, 'lien-envoye');
    const link = await j.mailLink({ to: claire.email, subject: 'Réinitialisation de votre mot de passe' }, '/reinitialisation?jeton=');
    await page.goto(link);
    claire.password = 'Pain-de-Campagne-64';
    await newPassword(page, claire.password, 'lien');
    await j.waitForMail({ to: claire.email, subject: 'Votre mot de passe a été modifié' });
    // The link serves once.
    await page.goto(link);
    expect(await heading(page)).toBe('Lien non valide');
    await checkPage(page, 'lien-deja-utilise');
    await logIn(page, claire, claire.password, 'lien-connexion');
    await page.waitForURL('**/menu');
    await checkPage(page, 'lien-menu');
  });

  it('3. by the administrator, then a forced change at the next login', async () => {
    // A second administrator of the bakery, Paul, granted by Claire.
    const paulPage = await j.newPerson();
    await registerCandidat(j, paulPage, paul, 'paul');
    await j.waitForMail({ to: claire.email, subject: 'Demande en attente : nouvel administrateur' });
    await page.goto('/menu');
    await openDemandes(page, 'claire-candidat', 1);
    await page.getByRole('button', { name: 'Accorder la demande de Paul Moutin' }).click();
    await page.waitForURL('**/menu/demandes?notice=accordee');
    await j.waitForMail({ to: paul.email, subject: 'Votre demande d’administration est acceptée' });

    // Paul has forgotten his password and asks his administrator.
    await forgot(paulPage, paul, 'administrateur', 'paul');
    await expect
      .poll(() => paulPage.getByText('votre demande a été transmise aux administrateurs de votre entreprise').isVisible())
      .toBe(true);
    await checkPage(paulPage, 'paul-demande-transmise');

    // Claire sees the request and resets the password.
    await j.waitForMail({ to: claire.email, subject: 'Demande en attente : réinitialisation de mot de passe' });
    await page.goto('/menu');
    await openDemandes(page, 'claire-reinitialisation', 1);
    expect(await page.getByRole('heading', { name: 'Paul Moutin demande la réinitialisation de son mot de passe' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Réinitialiser le mot de passe de Paul Moutin' }).click();
    await page.waitForURL('**/menu/demandes?notice=reinitialise');
    await checkPage(page, 'claire-mot-de-passe-reinitialise');
    expect(await page.getByText('un mot de passe temporaire a été envoyé par courriel').isVisible()).toBe(true);

    // Paul logs in with the temporary password and must choose a new password and secret question.
    const mail = await j.waitForMail({ to: paul.email, subject: 'Votre mot de passe a été réinitialisé par votre administrateur' });
    const temporary = temporaryPasswordIn(mail.text);
    await logIn(paulPage, paul, temporary, 'paul-temporaire');
    await paulPage.waitForURL('**/menu/changement-obligatoire');
    expect(await heading(paulPage)).toBe('Choisissez un nouveau mot de passe et une nouvelle question secrète');
    await checkPage(paulPage, 'paul-changement-obligatoire');
    // Nothing else is reachable before.
    await paulPage.goto('/menu');
    await paulPage.waitForURL('**/menu/changement-obligatoire');
    paul.password = 'Baguette-Tradi-55';
    await fillPasswordAndQuestion(paulPage, paul.password, { label: 'Nouveau mot de passe' });
    await checkPage(paulPage, 'paul-changement-obligatoire-rempli');
    await press(paulPage, 'Valider');
    await paulPage.waitForURL('**/menu?notice=identifiants-changes');
    await checkPage(paulPage, 'paul-menu');
    expect(await paulPage.getByText('Votre nouveau mot de passe et votre nouvelle question secrète sont enregistrés.').isVisible()).toBe(
      true,
    );

    // The temporary password no longer works; the new one does.
    await logOut(paulPage);
    await logIn(paulPage, paul, temporary, 'paul-ancien');
    await expect
      .poll(() => paulPage.getByRole('alert').textContent())
      .toContain('Les informations saisies ne permettent pas de vous identifier');
    await logIn(paulPage, paul, paul.password, 'paul-nouveau');
    await paulPage.waitForURL('**/menu');
    expect(await heading(paulPage)).toBe('Menu personnalisé');
  });
});
