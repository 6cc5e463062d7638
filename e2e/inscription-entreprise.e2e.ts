/**
 * A baker registers BOULANGERIE MOUTIN (mono-établissement) as a new user would, pressing the guide's
 * words: from the home page, through the eight steps of the inscription (going back once with « Étape
 * précédente »), the dialog « Validation de vos déclarations », the rights table, « Valider
 * l'inscription », the mail's link, the first login, and the menu personnalisé where « SOLTéA -
 * Employeurs » is « Accessible sous 24 heures ». Another person abandons their inscription.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, DEMO_COMPANIES, startJourney, waitValid, type Journey } from './support.js';
import {
  acceptCgu,
  choosePassword,
  confirmIdentification,
  confirmRecap,
  fillCoordonnees,
  field,
  finishInscription,
  heading,
  logIn,
  menuTiles,
  openInscription,
  press,
  stepperState,
  validateEmail,
  type Person,
} from './steps.js';

const claire: Person = {
  siret: DEMO_COMPANIES.boulangerieMoutin.siret,
  raisonSociale: DEMO_COMPANIES.boulangerieMoutin.raisonSociale,
  nom: 'Moutin',
  prenom: 'Claire',
  telephone: '01 23 45 67 89',
  email: 'claire.moutin@boulangerie-moutin.example',
  password: 'Fournil-du-matin-42',
};

let j: Journey;
let page: Page;
beforeAll(async () => {
  j = await startJourney('inscription-entreprise');
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('inscription d’une entreprise (BOULANGERIE MOUTIN)', () => {
  it('the form of step 1 can be filled with the keyboard alone, in reading order', async () => {
    await openInscription(page, 'clavier');
    // The first Tab reaches the skip link « Contenu », which moves the focus to the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Contenu');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('contenu');
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const el = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        const visible = a ? getComputedStyle(a).outlineStyle !== 'none' || getComputedStyle(a).boxShadow !== 'none' : false;
        return { id: a?.id ?? '', tag: a?.tagName ?? '', text: a?.textContent?.trim() ?? '', visible };
      });
      expect(el.visible, `focus visible sur ${el.tag}#${el.id}`).toBe(true);
      reached.push(el.tag === 'BUTTON' ? `button:${el.text}` : el.id);
      if (el.tag === 'BUTTON') break;
    }
    expect(reached).toEqual(['siret', 'nom', 'prenom', 'telephone', 'portable', 'email', 'emailConfirm', 'button:Je m’inscris']);
    // Typed with the keyboard, the fields are checked live as well.
    await page.focus('#nom');
    await page.keyboard.type('Moutin');
    await waitValid(page, 'nom');
  });

  it('shows an error for a wrong SIRET, then the check marks for valid fields', async () => {
    await page.goto('/inscription');
    await field(page, 'Siret').fill('123');
    await field(page, 'Siret').blur();
    await expect.poll(() => page.locator('[data-field="siret"]').getAttribute('class')).toContain('fr-input-group--error');
    expect(await field(page, 'Siret').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'entreprise-siret-errone');
    // A closed company is refused by the live check too.
    await field(page, 'Siret').fill(DEMO_COMPANIES.menuiserieCessee.siret);
    await expect.poll(() => page.locator('#siret-messages').textContent()).toContain('fermé');
    // Submitting with errors: the server answers with the error summary.
    await page.getByRole('button', { name: 'Je m’inscris' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('alert').first().isVisible()).toBe(true);
    await checkPage(page, 'entreprise-erreurs-serveur');
  });

  it('registers, validates the e-mail and logs in', async () => {
    const p = 'entreprise';
    await openInscription(page, p);
    await fillCoordonnees(page, claire, p);
    await acceptCgu(page, p);
    await confirmIdentification(page, claire, p);
    // « Étape précédente » from the password: the identification again, then on
    await press(page, 'Étape précédente');
    await page.waitForURL('**/inscription/identification');
    expect(await stepperState(page)).toEqual([3, 8]);
    await confirmIdentification(page, claire, `${p}-retour`);
    await choosePassword(page, claire, p);
    await confirmRecap(page, claire, p);
    await finishInscription(page, claire, p, { kind: 'Votre entreprise', keep: ['SOLTéA - Employeurs'] });

    // Before the mail's link, the account cannot be used.
    const other = await j.newPerson();
    await logIn(other, claire, claire.password, `${p}-avant-validation`);
    await expect.poll(() => other.getByRole('alert').textContent()).toContain('pas encore validée');
    await checkPage(other, `${p}-connexion-refusee`);

    await validateEmail(j, page, claire, p);
    await page.waitForURL('**/connexion?notice=courriel-valide');
    await checkPage(page, `${p}-connexion-apres-validation`);
    await logIn(page, claire, claire.password, p);
    await page.waitForURL('**/menu');
    await checkPage(page, `${p}-menu`);
    expect(await heading(page)).toBe('Menu personnalisé');
    expect(await page.getByText(claire.raisonSociale).first().isVisible()).toBe(true);
    expect(await menuTiles(page)).toEqual({ 'SOLTéA - Employeurs': 'Accessible sous 24 heures' });
    expect(await page.getByRole('link', { name: 'Claire Moutin - Administrateur' }).isVisible()).toBe(true);
  });

  it('« Abandonner l’inscription » asks for a confirmation, then nothing is left of the inscription', async () => {
    const other = await j.newPerson();
    const p = 'abandon';
    const paul: Person = { ...claire, nom: 'Moutin', prenom: 'Paul', email: 'paul.moutin@boulangerie-moutin.example' };
    await openInscription(other, p);
    await fillCoordonnees(other, paul, p);
    await acceptCgu(other, p);
    await press(other, "Abandonner l'inscription");
    await other.waitForURL('**/inscription/abandonner');
    await checkPage(other, `${p}-confirmation`);
    expect(await heading(other)).toBe('Inscription à net-entreprises');
    expect(await other.getByRole('heading', { level: 2, name: 'Abandonner l’inscription ?' }).isVisible()).toBe(true);
    // « Poursuivre l'inscription » goes back to the step; abandoning is pressed again
    await press(other, "Poursuivre l'inscription");
    await other.waitForURL('**/inscription/identification');
    await press(other, "Abandonner l'inscription");
    await other.waitForURL('**/inscription/abandonner');
    await press(other, "Abandonner l'inscription");
    await other.waitForLoadState('load');
    await checkPage(other, `${p}-fait`);
    expect(await other.getByText('Votre inscription est abandonnée').isVisible()).toBe(true);
    await other.goto('/inscription/identification');
    await checkPage(other, `${p}-plus-rien`);
    expect(await other.getByText('Votre inscription a expiré ou n’existe pas').isVisible()).toBe(true);
  });

  it('the pages around the menu are accessible too', async () => {
    await page.getByRole('link', { name: 'Vos informations personnelles' }).first().click();
    await page.waitForURL('**/menu/informations');
    await checkPage(page, 'entreprise-informations');
    // Each of the three forms asks for the current password: each label names its own field.
    const current = page.getByLabel('Mot de passe actuel');
    expect(await current.count()).toBe(3);
    const forms = ['/menu/informations/mot-de-passe', '/menu/informations/question-secrete', '/menu/informations/courriel'];
    for (const [i, action] of forms.entries()) {
      await page.locator('label', { hasText: 'Mot de passe actuel' }).nth(i).click();
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.form?.getAttribute('action'))).toBe(action);
    }
    await page.goto('/menu/sessions');
    await checkPage(page, 'entreprise-sessions');
    await page.goto('/menu/demandes');
    await checkPage(page, 'entreprise-demandes-vide');
    expect(await page.getByText('Aucune demande en attente.').isVisible()).toBe(true);
    // Small screen: the same menu, nothing overflows horizontally.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto('/menu');
    await checkPage(page, 'entreprise-menu-mobile');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // The header's links are behind « Menu »; the company menu behind its own button.
    expect(await page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).toBe(true);
    await page.waitForFunction(() => document.querySelector('#menu-mobile.fr-modal--opened') !== null);
    await checkPage(page, 'entreprise-menu-mobile-ouvert', { fullPage: false });
    await page.getByRole('button', { name: 'Fermer' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Se déconnecter' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Votre espace entreprise' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Demande en attente' }).isVisible()).toBe(true);
    await page.waitForFunction(() => document.querySelector('#espace-entreprise-liens.fr-collapse--expanded:not(.fr-collapsing)') !== null);
    await page.waitForTimeout(400); // the end of the unfolding animation, for the screenshot
    await checkPage(page, 'entreprise-espace-mobile-ouvert');
    await page.getByRole('link', { name: 'Demande en attente' }).click();
    await page.waitForURL('**/menu/demandes');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
