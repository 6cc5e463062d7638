/**
 * The SOLTéA establishment space as the lycée's administrator walks it: she logs in, opens the tile
 * « SOLTéA - Etablissements », checks « Mon établissement », fixes a contact's telephone (a wrong
 * number first), generates the direct link and copies it, asks for a code, reads it in the mail,
 * enters new bank details (a foreign non-SEPA IBAN first: the French message), sees « À vérifier »,
 * and looks at the allocations received. Then a tiers-déclarant, CABINET COMPTABLE DURAND, which added
 * the lycée to its portefeuille: its space stays closed until Nadia accepts the cabinet's mandate under
 * « Demande en attente » (docs/regles.md#tiers-declarants); Paul DURAND then enters « Mon
 * établissement »; Nadia revokes the mandate and the space closes again. Every page: screenshot, axe,
 * one h1.
 *
 * Set-up, directly in the database (other journeys walk the inscription): the lycée's rows of the
 * referential, its espace with Nadia GARNIER (administrateur), the declaration open since two days,
 * and the demo seed of the establishment space (fiche, verified bank details, allocations); the cabinet
 * as a tiers-déclarant whose default portefeuille holds « SOLTéA - Etablissements » and the lycée
 * (added through the use case, which asks the lycée's mandate), Paul habilitated, the access delay over.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.js';
import { makeValidFrenchIban } from '../src/domain/iban.js';
import { seedDemoEspaceEtablissement } from '../src/demo/espace-etablissement.js';
import { habilitations, portefeuilles, users } from '../src/infra/db/schema.js';
import { REQUEST_SUBJECT } from '../src/modules/accounts/mandats.js';
import { addClient } from '../src/modules/gestion/portefeuilles-clients.js';
import { setPortefeuilleDeclarations } from '../src/modules/gestion/portefeuilles-declarations.js';
import { ensureDefaultPortefeuille } from '../src/modules/gestion/portefeuilles.js';
import {
  CODE_SUBJECT,
  codeIn,
  createCompany,
  currentBank,
  GIP,
  LYCEE,
  registryCompanies,
  seedReferentiel,
  type TestPerson,
} from '../test/espace-etablissement/fixtures.js';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { field, heading, logIn, openDemandes } from './steps.js';

const BASE = `/soltea/etablissement/${LYCEE.siret}`;
const NEW_IBAN = makeValidFrenchIban('30004', '00819', '00012345678');

let j: Journey;
let page: Page;
let nadia: TestPerson;
let sophie: TestPerson;
let paul: TestPerson;

/**
 * CABINET COMPTABLE DURAND, a tiers-déclarant: its default portefeuille with « SOLTéA - Etablissements »
 * and the lycée as client (which asks the lycée's mandate), Paul habilitated, the access delay over.
 */
async function seedCabinet(ctx: AppContext): Promise<TestPerson> {
  const CD = DEMO_COMPANIES.cabinetDurand;
  const co = await createCompany(ctx, {
    siren: CD.siren,
    siret: CD.siret,
    kind: 'tiers_declarant',
    code: 'DSN',
    people: [{ nom: 'DURAND', prenom: 'Paul', role: 'administrateur', email: 'paul.durand@cabinet-durand.example' }],
  });
  const [admin] = await ctx.db.select().from(users).where(eq(users.id, co.people[0]!.id));
  await ensureDefaultPortefeuille(ctx, admin!);
  const [def] = await ctx.db
    .select()
    .from(portefeuilles)
    .where(and(eq(portefeuilles.espaceId, co.espaceId), eq(portefeuilles.isDefault, true)));
  await setPortefeuilleDeclarations(ctx, admin!, def!.id, ['SOLTEA_ETABLISSEMENTS']);
  await addClient(ctx, admin!, def!.id, LYCEE.siren);
  const twoDaysAgo = new Date(ctx.clock.now().getTime() - 48 * 3_600_000);
  await ctx.db.execute(
    sql`update etablissement_declarations set added_at = ${twoDaysAgo}::timestamptz, accessible_at = ${twoDaysAgo}::timestamptz where espace_id = ${co.espaceId}::uuid`,
  );
  await ctx.db
    .insert(habilitations)
    .values({ userId: admin!.id, siret: LYCEE.siret, declarationCode: 'SOLTEA_ETABLISSEMENTS', declarer: true, grantedAt: twoDaysAgo });
  return co.people[0]!;
}

beforeAll(async () => {
  j = await startJourney('espace-etablissement');
  const ctx = j.app.ctx;
  const [other] = await registryCompanies(ctx.db, 1);
  await seedReferentiel(ctx.db, j.clock.now(), other!.siret);
  const co = await createCompany(ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [{ nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur', email: 'nadia.garnier@lycee-raspail.example' }],
  });
  nadia = co.people[0]!;
  const gip = await createCompany(ctx, {
    siren: GIP.siren,
    siret: GIP.siret,
    sirets: [...GIP.sirets],
    people: [{ nom: 'MARTIN', prenom: 'Sophie', role: 'administrateur' }],
  });
  sophie = gip.people[0]!;
  await seedDemoEspaceEtablissement(ctx);
  paul = await seedCabinet(ctx);
  page = await j.newPerson();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: j.baseUrl });
});
afterAll(async () => j?.stop());

async function sideMenu(label: string, path: string, shot: string) {
  await page.getByRole('navigation', { name: 'Espace établissement' }).getByRole('link', { name: label, exact: true }).click();
  await page.waitForURL(`**${path}`);
  expect(await heading(page)).toBe(label);
  await checkPage(page, shot);
}

describe('the lycée’s administrator in its establishment space', () => {
  it('logs in and opens the tile « SOLTéA - Etablissements »: « Mon établissement » shows the referential', async () => {
    await logIn(page, nadia, nadia.password, 'connexion');
    await page.waitForURL('**/menu');
    await page.getByRole('link', { name: 'SOLTéA - Etablissements', exact: true }).click();
    await page.waitForURL(`**${BASE}`);
    expect(await heading(page)).toBe('Mon établissement');
    await expect.poll(() => page.getByText('0750691U').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('1° Établissements publics d’enseignement du second degré').isVisible()).toBe(true);
    await checkPage(page, 'mon-etablissement');
  });

  it('fixes a contact: a wrong telephone gets its French message, the right one is saved', async () => {
    await sideMenu('Présentation et contacts', `${BASE}/presentation`, 'presentation-et-contacts');
    await page.getByRole('link', { name: 'Modifier le contact Responsable relation entreprise - Mme Isabelle Roussel' }).click();
    await page.waitForURL(`**${BASE}/contacts/1`);
    expect(await heading(page)).toBe('Modifier un contact');
    await checkPage(page, 'contact-formulaire');
    await field(page, 'Téléphone').fill('01 45 40');
    await page.getByRole('button', { name: 'Enregistrer le contact' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('#erreurs').textContent()).toContain('Le téléphone du contact doit comporter 10 chiffres');
    await checkPage(page, 'contact-erreur');
    await field(page, 'Téléphone').fill('01 45 40 56 78');
    await page.getByRole('button', { name: 'Enregistrer le contact' }).click();
    await page.waitForURL(`**${BASE}/presentation?notice=contact-modifie`);
    await expect.poll(() => page.getByText('Le contact est modifié.').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: '01 45 40 56 78' }).isVisible()).toBe(true);
    await checkPage(page, 'contact-modifie');
  });

  it('generates the direct link and copies it', async () => {
    await sideMenu('Lien direct', `${BASE}/lien`, 'lien-direct');
    await page.getByRole('button', { name: 'Générer le lien' }).click();
    await page.waitForURL(`**${BASE}/lien?generer=1`);
    const link = await field(page, 'Lien direct vers la fiche de l’établissement').inputValue();
    expect(link).toBe(`${j.baseUrl}/soltea/etablissements/${LYCEE.siret}`);
    expect(await field(page, 'Message prêt à envoyer').inputValue()).toContain(link);
    await page.getByRole('button', { name: 'Copier le lien' }).click();
    await expect.poll(() => page.locator('#copie-statut').textContent()).toBe('Le lien est copié : collez-le dans votre courriel.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await checkPage(page, 'lien-copie');
  });

  it('asks for a code, reads it in the mail, is refused a foreign IBAN, then enters the new details: « À vérifier »', async () => {
    await sideMenu('Coordonnées bancaires', `${BASE}/coordonnees-bancaires`, 'coordonnees-bancaires');
    await expect.poll(() => page.locator('.fr-badge', { hasText: 'Vérifiée' }).first().isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Demander un code' }).click();
    await page.waitForURL(`**${BASE}/coordonnees-bancaires?notice=code-envoye`);
    await checkPage(page, 'code-demande');
    const mail = await j.waitForMail({ to: nadia.email, subject: CODE_SUBJECT });
    const code = codeIn(mail.text);

    await field(page, 'IBAN').fill('PK36 SCBL 0000 0011 2345 6702');
    await field(page, 'BIC').fill('TRPUFRP1');
    await field(page, 'Titulaire du compte').fill('Lycée des métiers Raspail');
    await field(page, 'Code reçu par courriel').fill(code);
    await page.getByRole('button', { name: 'Enregistrer les coordonnées bancaires' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('#erreurs').textContent()).toContain('Les virements SOLTéA sont des virements SEPA');
    await checkPage(page, 'iban-etranger-refuse');

    await field(page, 'IBAN').fill(NEW_IBAN.replace(/(.{4})/g, '$1 ').trim());
    await field(page, 'BIC').fill('BNPAFRPP');
    expect(await field(page, 'Code reçu par courriel').inputValue()).toBe(code); // kept: it was not the problem
    await page.getByRole('button', { name: 'Enregistrer les coordonnées bancaires' }).click();
    await page.waitForURL(`**${BASE}/coordonnees-bancaires?notice=coordonnees-enregistrees`);
    await expect.poll(() => page.locator('dd .fr-badge').first().textContent()).toBe('À vérifier');
    await expect
      .poll(() =>
        page
          .getByText(`se terminant par ${NEW_IBAN.slice(-4)}`)
          .first()
          .isVisible(),
      )
      .toBe(true);
    expect(await page.content()).not.toContain(NEW_IBAN);
    await checkPage(page, 'coordonnees-a-verifier');
    expect(await currentBank(j.app.ctx.db)).toMatchObject({ iban: NEW_IBAN, bic: 'BNPAFRPP', statut: 'a_verifier' });
    const changed = await j.waitForMail({ to: nadia.email, subject: 'SOLTéA : coordonnées bancaires modifiées' });
    expect(changed.text).toContain(`IBAN se terminant par ${NEW_IBAN.slice(-4)}`);
  });

  it('looks at the allocations received', async () => {
    await sideMenu('Attributions reçues', `${BASE}/attributions`, 'attributions-recues');
    await expect.poll(() => page.getByRole('rowheader', { name: 'Employeur (identité non partagée)' }).first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('BOULANGERIE MOUTIN').first().isVisible()).toBe(true);
  });

  it('GIP MDS, not on the lists of the campaign, is told why it has no establishment space and how to apply', async () => {
    const other = await j.newPerson();
    await logIn(other, sophie, sophie.password, 'gip-connexion');
    await other.waitForURL('**/menu');
    await other.getByRole('link', { name: 'SOLTéA - Etablissements', exact: true }).click();
    await other.waitForURL('**/soltea/etablissement');
    expect(await heading(other)).toBe('SOLTéA - Etablissements');
    await expect.poll(() => other.getByRole('heading', { name: 'Ces établissements ne sont pas habilités' }).isVisible()).toBe(true);
    await expect.poll(() => other.getByText(/demande d’habilitation/).isVisible()).toBe(true);
    await checkPage(other, 'gip-non-habilite');
  });
});

describe('a tiers-déclarant in the lycée’s space: only with the lycée’s mandate', () => {
  let cabinet: Page;

  it('the cabinet added the lycée to its portefeuille: the space stays closed, and says why', async () => {
    const mail = await j.waitForMail({ to: nadia.email, subject: REQUEST_SUBJECT });
    expect(mail.text).toContain('a ajouté votre entreprise à son portefeuille');
    cabinet = await j.newPerson();
    await logIn(cabinet, paul, paul.password, 'cabinet');
    await cabinet.waitForURL('**/menu');
    await cabinet.getByRole('link', { name: 'SOLTéA - Etablissements', exact: true }).click();
    await cabinet.waitForURL('**/soltea/etablissement');
    await expect.poll(() => cabinet.getByText(/aucun de vos clients n’a accepté votre mandat/).isVisible()).toBe(true);
    await checkPage(cabinet, 'cabinet-sans-mandat');
    const res = await cabinet.goto(BASE);
    expect(res?.status()).toBe(404);
    await checkPage(cabinet, 'cabinet-sans-mandat-introuvable');
  });

  it('the lycée’s administrator accepts the mandate under « Demande en attente »', async () => {
    await page.goto('/menu');
    await openDemandes(page, 'mandat', 1);
    await expect
      .poll(() =>
        page
          .getByRole('heading', { name: /Un tiers déclarant, CABINET COMPTABLE DURAND.*, a ajouté votre entreprise à son portefeuille/ })
          .isVisible(),
      )
      .toBe(true);
    await page.getByRole('button', { name: /^Accepter le mandat de CABINET COMPTABLE DURAND/ }).click();
    await page.waitForURL('**/menu/demandes?notice=mandat-accepte');
    await expect.poll(() => page.getByText(/^Le mandat est accepté/).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: /^Révoquer le mandat de CABINET COMPTABLE DURAND/ }).isVisible()).toBe(true);
    await checkPage(page, 'mandat-accepte');
    const told = await j.waitForMail({ to: paul.email, subject: /^Mandat accepté par / });
    expect(told.text).toContain('a accepté');
  });

  it('the cabinet now enters « Mon établissement » of the lycée', async () => {
    await cabinet.goto('/menu');
    await cabinet.getByRole('link', { name: 'SOLTéA - Etablissements', exact: true }).click();
    await cabinet.waitForURL(`**${BASE}`);
    expect(await heading(cabinet)).toBe('Mon établissement');
    await checkPage(cabinet, 'cabinet-mon-etablissement');
  });

  it('the lycée’s administrator revokes the mandate: the space closes again for the cabinet', async () => {
    await page.getByRole('button', { name: /^Révoquer le mandat de CABINET COMPTABLE DURAND/ }).click();
    await page.waitForURL('**/menu/demandes?notice=mandat-revoque');
    await expect.poll(() => page.getByText(/^Le mandat est révoqué/).isVisible()).toBe(true);
    await checkPage(page, 'mandat-revoque');
    await j.waitForMail({ to: paul.email, subject: /^Mandat révoqué par / });
    const res = await cabinet.goto(BASE);
    expect(res?.status()).toBe(404);
  });
});
