/**
 * An accounting firm, CABINET COMPTABLE DURAND ET ASSOCIES, registers as a tiers-déclarant
 * (« Votre entreprise et vos clients »), pressing the guide's words: nine steps, « Votre inscription en
 * tant qu'entreprise tiers déclarante », « Inscription des déclarants » where a collaborator is added
 * (« Ajout d'un déclarant »), « Valider l'inscription », the mail's link, then the login; the
 * collaborator is invited once the address is validated.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { heading, logIn, logOut, menuTiles, registerAdministrator, type Person } from './steps.js';

const marc: Person = {
  siret: DEMO_COMPANIES.cabinetDurand.siret,
  raisonSociale: DEMO_COMPANIES.cabinetDurand.raisonSociale,
  nom: 'Durand',
  prenom: 'Marc',
  telephone: '04 72 00 11 22',
  email: 'marc.durand@cabinet-durand.example',
  password: 'Bilan&Liasse-2026',
};

const collaborator = { nom: 'Vidal', prenom: 'Anne', email: 'anne.vidal@cabinet-durand.example', telephone: '04 72 00 11 23' };

let j: Journey;
let page: Page;
beforeAll(async () => {
  j = await startJourney('inscription-tiers-declarant');
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('inscription d’un tiers-déclarant (CABINET COMPTABLE DURAND)', () => {
  it('registers « Votre entreprise et vos clients », validates the e-mail and logs in', async () => {
    await registerAdministrator(j, page, marc, 'tiers', {
      kind: 'Votre entreprise et vos clients',
      keep: ['SOLTéA - Employeurs', 'Mon Compte Formation / Elu'],
      declarants: [collaborator],
    });
    const invitation = await j.waitForMail({ to: collaborator.email, subject: 'Vous avez été ajouté comme déclarant sur net-entreprises' });
    expect(invitation.text).toContain('par Marc Durand');
    expect(await menuTiles(page)).toEqual({
      'Mon Compte Formation / Elu': 'Accessible sous 24 heures',
      'SOLTéA - Employeurs': 'Accessible sous 24 heures',
    });
    expect(await page.getByText(marc.raisonSociale).first().isVisible()).toBe(true);
  });

  it('logs out and back in', async () => {
    await logOut(page);
    await checkPage(page, 'tiers-deconnecte');
    expect(await page.getByText('Vous êtes déconnecté.').isVisible()).toBe(true);
    // The login accepts the name and first name whatever their case.
    await logIn(page, { siret: marc.siret, nom: 'DURAND', prenom: 'marc' }, marc.password, 'tiers-retour');
    await page.waitForURL('**/menu');
    expect(await heading(page)).toBe('Menu personnalisé');
    await checkPage(page, 'tiers-menu-retour');
  });

  it('a wrong password gets the generic message', async () => {
    const other = await j.newPerson();
    await logIn(other, marc, 'Mauvais-mot-2-passe', 'tiers-erreur');
    await expect
      .poll(() => other.getByRole('alert').textContent())
      .toContain('Les informations saisies ne permettent pas de vous identifier');
    await checkPage(other, 'tiers-connexion-erreur');
  });
});
