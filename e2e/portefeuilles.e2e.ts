/**
 * « Gérer vos portefeuilles »: CABINET COMPTABLE DURAND registers as a tiers-déclarant, gets the demo
 * portefeuilles (seedDemoPortefeuilles), then, from the menu: « Vos portefeuilles », « Ajouter un
 * portefeuille », « Composer le portefeuille » (add by SIREN, refusals), « Choisir les établissements »,
 * « Gérer les déclarations de l’entreprise », « Transférer », and the récapitulatif. Each client was
 * asked for the cabinet's mandate (docs/regles.md#tiers-declarants): the composition shows it
 * « en attente »; BOULANGERIE MOUTIN's administrator accepts it under « Demande en attente », and the
 * composition then shows it accepted.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { hashSecret } from '../src/infra/crypto.js';
import { users } from '../src/infra/db/schema.js';
import { loginKey } from '../src/modules/accounts/login-key.js';
import { seedDemoPortefeuilles } from '../src/demo/portefeuilles.js';
import { REQUEST_SUBJECT } from '../src/modules/accounts/mandats.js';
import { createCompany } from '../test/espace-etablissement/fixtures.js';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { field, heading, logIn, openDemandes, registerAdministrator, tick, type Person } from './steps.js';

const { boulangerieMoutin: BM, gipMds: GIP, cabinetDurand: CD } = DEMO_COMPANIES;
const paul: Person = {
  siret: CD.siret,
  raisonSociale: CD.raisonSociale,
  nom: 'Durand',
  prenom: 'Paul',
  telephone: '04 72 00 11 22',
  email: 'paul.durand@cabinet-durand.example',
  password: 'Bilan&Liasse-2026',
};

let j: Journey;
let page: Page;
beforeAll(async () => {
  j = await startJourney('portefeuilles');
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

const row = (name: string) => page.locator('tbody tr', { has: page.locator('th', { hasText: name }) });

describe('« Gérer vos portefeuilles » (CABINET COMPTABLE DURAND)', () => {
  it('registers the cabinet, gets its demo portefeuilles and opens « Vos portefeuilles » from the menu', async () => {
    await registerAdministrator(j, page, paul, 'pf', { kind: 'Votre entreprise et vos clients', keep: ['SOLTéA - Employeurs'] });
    // a déclarant of the cabinet, to be moved between the two lists of « Ajout de portefeuille »
    const [admin] = await j.app.ctx.db.select().from(users).where(eq(users.siret, CD.siret));
    await j.app.ctx.db.insert(users).values({
      espaceId: admin!.espaceId,
      siret: CD.siret,
      nom: 'PETIT',
      prenom: 'Inès',
      loginKey: loginKey('PETIT', 'Inès'),
      email: 'ines.petit@cabinet-durand.example',
      role: 'declarant',
      status: 'active',
      passwordHash: await hashSecret('Declarante-2026'),
      emailValidatedAt: new Date(),
    });
    await seedDemoPortefeuilles(j.app.ctx);
    await page.getByRole('link', { name: 'Gérer vos portefeuilles' }).click();
    await page.waitForURL('**/gestion/portefeuilles');
    await checkPage(page, 'pf-liste');
    expect(await heading(page)).toBe('Vos portefeuilles');
    expect((await row('Portefeuille par défaut').locator('td').first().textContent())?.trim()).toBe('5');
    expect((await row('CLIENTS').locator('td').first().textContent())?.trim()).toBe('1');
  });

  it('searches by a client’s SIREN', async () => {
    await page.getByLabel('Critères de recherche').selectOption({ label: 'SIREN d’un client' });
    await field(page, 'Valeur').fill(GIP.siren);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-recherche');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await row('CLIENTS').count()).toBe(1);
  });

  it('adds the portefeuille « ARTISANS »; an empty name is refused first', async () => {
    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Ajouter un portefeuille' }).click();
    await page.waitForURL('**/gestion/portefeuilles/ajouter');
    await checkPage(page, 'pf-ajout');
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-ajout-erreur');
    expect(await page.getByRole('alert').first().textContent()).toContain('Le nom du portefeuille est obligatoire.');
    await field(page, 'Nom du portefeuille').fill('ARTISANS');
    await field(page, 'Commentaire').fill('Artisans du quartier');
    // « Déclarants disponibles » → « Déclarants sélectionnés » with the arrow (moved in the page)
    const available = page.getByRole('group', { name: 'Déclarants disponibles' });
    const selected = page.getByRole('group', { name: 'Déclarants sélectionnés' });
    await tick(available.getByLabel('PETIT Inès'));
    await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
    expect(await selected.getByLabel('PETIT Inès').count()).toBe(1);
    await checkPage(page, 'pf-ajout-declarant');
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL('**/gestion/portefeuilles?notice=cree');
    expect(await page.getByText('Le portefeuille a été ajouté.').isVisible()).toBe(true);
    expect(await row('ARTISANS').count()).toBe(1);
    await page.getByRole('link', { name: 'Gérer les déclarants du portefeuille « ARTISANS »' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('group', { name: 'Déclarants sélectionnés' }).getByLabel('PETIT Inès').count()).toBe(1);
    await checkPage(page, 'pf-declarants');
    await page.getByRole('link', { name: 'Annuler' }).click();
    await page.waitForURL('**/gestion/portefeuilles');
  });

  it('composes « ARTISANS »: a client of another portefeuille is refused with its name, then the boulangerie is transferred there', async () => {
    await page.getByRole('link', { name: 'Composer le portefeuille « ARTISANS »' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-composition-vide');
    expect(await heading(page)).toBe('Composition du portefeuille');
    await field(page, 'Siren').fill(BM.siren);
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-composition-erreur');
    expect(await page.getByRole('alert').first().textContent()).toContain('« Portefeuille par défaut »');

    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Composer le portefeuille « Portefeuille par défaut »' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-composition-defaut');
    expect(await page.getByText('Mono-établissement').first().isVisible()).toBe(true);
    expect(await page.getByText('Multi-établissements').first().isVisible()).toBe(true);
    await page.getByRole('link', { name: /^Transférer l’entreprise BOULANGERIE MOUTIN/ }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-transfert');
    await page.getByLabel('Portefeuille de destination').selectOption({ label: 'ARTISANS' });
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL('**?notice=transferee');
    await checkPage(page, 'pf-transfere');
    expect(await page.getByText('Nom du portefeuille : ARTISANS').isVisible()).toBe(true);
    expect(await row('999 001 001').count()).toBe(1);
    // the boulangerie has no espace yet: no one has decided the cabinet's mandate
    expect((await row('999 001 001').locator('.fr-badge').textContent())?.trim()).toBe('Mandat en attente');
  });

  it('chooses the établissements and the declarations of GIP MDS in « CLIENTS »', async () => {
    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Composer le portefeuille « CLIENTS »' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: /^Choisir les établissements de l’entreprise GIP MDS/ }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-etablissements');
    await tick(page.locator(`#siret-${GIP.sirets[2]}`), false);
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL('**?notice=etablissements');
    expect((await row('999 005 705').locator('td').nth(2).textContent())?.trim()).toBe('2 sur 3');

    await page.getByRole('link', { name: /^Gérer les déclarations de l’entreprise GIP MDS/ }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'pf-declarations-entreprise');
    expect(await page.getByLabel(/SOLTéA - Employeurs/).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL('**?notice=declarations-entreprise');
    await checkPage(page, 'pf-composition-clients');
  });

  it('consults and prints the récapitulatif', async () => {
    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Consulter le récapitulatif' }).click();
    await page.waitForURL('**/gestion/portefeuilles/recapitulatif');
    await checkPage(page, 'pf-recapitulatif');
    expect(await page.getByRole('cell', { name: GIP.sirets[0] }).isVisible()).toBe(true);
    expect(await page.getByRole('cell', { name: GIP.sirets[2] }).count()).toBe(0);
    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Imprimer le récapitulatif' }).click();
    await page.waitForURL('**/recapitulatif?impression=1');
    await checkPage(page, 'pf-recapitulatif-impression');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.fr-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Imprimer' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
  });

  it('BOULANGERIE MOUTIN’s administrator accepts the cabinet’s mandate; the composition shows it accepted', async () => {
    // the boulangerie registers later (set up in the database: other journeys walk the inscription)
    const bm = await createCompany(j.app.ctx, {
      siren: BM.siren,
      siret: BM.siret,
      code: 'DSN',
      people: [{ nom: 'MOUTIN', prenom: 'Claire', role: 'administrateur', email: 'claire.moutin@boulangerie-moutin.example' }],
    });
    const claire = bm.people[0]!;
    const other = await j.newPerson();
    await logIn(other, claire, claire.password, 'bm');
    await other.waitForURL('**/menu');
    await openDemandes(other, 'bm', 1);
    await other.getByRole('button', { name: new RegExp(`^Accepter le mandat de ${CD.raisonSociale}`) }).click();
    await other.waitForURL('**/menu/demandes?notice=mandat-accepte');
    await checkPage(other, 'bm-mandat-accepte');
    await j.waitForMail({ to: paul.email, subject: new RegExp(`^Mandat accepté par ${BM.raisonSociale}`) });
    expect(j.mails.some((m) => m.to === claire.email && m.subject === REQUEST_SUBJECT)).toBe(false); // asked before she had an espace

    await page.goto('/gestion/portefeuilles');
    await page.getByRole('link', { name: 'Composer le portefeuille « ARTISANS »' }).click();
    await page.waitForLoadState('load');
    expect((await row('999 001 001').locator('.fr-badge').textContent())?.trim()).toBe('Mandat accepté');
    await checkPage(page, 'pf-composition-mandat-accepte');
  });
});
