/**
 * « Candidat AD »: GIP MDS's first administrator registers; a second person of the company registers
 * on another of its establishments, validates their mail, and waits; the administrator grants the
 * request from « Demande en attente ». A third person's request is refused.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { heading, logIn, openDemandes, registerAdministrator, registerCandidat, type Person } from './steps.js';

const gip = DEMO_COMPANIES.gipMds;
const sophie: Person = {
  siret: gip.siret,
  raisonSociale: gip.raisonSociale,
  nom: 'Lefèvre',
  prenom: 'Sophie',
  telephone: '01 40 00 00 01',
  email: 'sophie.lefevre@gip-mds.example',
  password: 'Portail-Social-88',
};
const karim: Person = {
  siret: gip.sirets[1],
  raisonSociale: gip.raisonSociale,
  nom: 'Benali',
  prenom: 'Karim',
  telephone: '01 40 00 00 02',
  email: 'karim.benali@gip-mds.example',
  password: 'Tableau-Bord-2026',
};
const julie: Person = {
  siret: gip.sirets[2],
  raisonSociale: gip.raisonSociale,
  nom: 'Martin-Roux',
  prenom: 'Julie',
  telephone: '06 12 34 56 78',
  email: 'julie.martin-roux@exemple.example',
  password: 'Essai-Candidat-31',
};

let j: Journey;
let admin: Page;
beforeAll(async () => {
  j = await startJourney('candidat-ad');
  admin = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('candidat administrateur sur GIP MDS', () => {
  it('the first administrator registers the company', async () => {
    await registerAdministrator(j, admin, sophie, 'admin');
  });

  it('a second person registers, validates the mail, and is granted by the administrator', async () => {
    const page = await j.newPerson();
    await registerCandidat(j, page, karim, 'karim');

    // Waiting for the administrator: no login yet.
    await logIn(page, karim, karim.password, 'karim-en-attente');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('en attente de l’accord d’un administrateur');
    await checkPage(page, 'karim-connexion-en-attente');

    // The administrator is told by mail; its link opens « Demande en attente ».
    const link = await j.mailLink({ to: sophie.email, subject: 'Demande en attente : nouvel administrateur' }, '/menu/demandes');
    await admin.goto('/menu');
    await checkPage(admin, 'admin-menu-une-demande');
    expect(await admin.getByText('Karim Benali (karim.benali@gip-mds.example) demande à devenir administrateur').isVisible()).toBe(true);
    await admin.goto(link);
    await checkPage(admin, 'admin-demandes-karim');
    expect(await admin.getByRole('heading', { name: 'Karim Benali demande à devenir administrateur' }).isVisible()).toBe(true);
    await admin.getByRole('button', { name: 'Accorder la demande de Karim Benali' }).click();
    await admin.waitForURL('**/menu/demandes?notice=accordee');
    await checkPage(admin, 'admin-demande-accordee');
    expect(await admin.getByText('La demande a été accordée').isVisible()).toBe(true);
    expect(await admin.getByText('Aucune demande en attente.').isVisible()).toBe(true);

    await j.waitForMail({ to: karim.email, subject: 'Votre demande d’administration est acceptée' });
    await logIn(page, karim, karim.password, 'karim-accorde');
    await page.waitForURL('**/menu');
    expect(await heading(page)).toBe('Menu personnalisé');
    expect(await page.getByRole('link', { name: 'Karim Benali - Administrateur' }).isVisible()).toBe(true);
    await checkPage(page, 'karim-menu');
  });

  it('a third person’s request is refused', async () => {
    const page = await j.newPerson();
    await registerCandidat(j, page, julie, 'julie');
    await j.waitForMail({ to: sophie.email, subject: 'Demande en attente : nouvel administrateur' });
    await admin.goto('/menu');
    await openDemandes(admin, 'admin-julie', 1);
    await admin.getByRole('button', { name: 'Refuser la demande de Julie Martin-Roux' }).click();
    await admin.waitForURL('**/menu/demandes?notice=refusee');
    await checkPage(admin, 'admin-demande-refusee');
    expect(await admin.getByText('La demande a été refusée').isVisible()).toBe(true);

    await j.waitForMail({ to: julie.email, subject: 'Votre demande d’administration est refusée' });
    await logIn(page, julie, julie.password, 'julie-refusee');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Les informations saisies ne permettent pas de vous identifier');
    await checkPage(page, 'julie-connexion-refusee');
  });
});
