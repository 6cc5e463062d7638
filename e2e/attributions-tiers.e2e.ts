/**
 * A tiers-déclarant allocates for its clients (« SOLTéA - Employeurs »), as Paul DURAND of CABINET
 * COMPTABLE DURAND walks it on 10 June 2025 (period 1 of the 2025 campaign): the list of « SOLTéA -
 * Employeurs » shows his two clients, the second « Indisponible » with the reason (its DSN was last
 * filed by the cabinet more than six months ago) and out of reach by URL; he opens client 1's
 * Synthèse, searches « Raspail », « Attribuer », « Enregistrer mes choix », « Enregistrer vos
 * attributions »; then « Répartir pour plusieurs clients à partir d’un fichier CSV »: a file with one
 * wrong line (client 2) gets the line-by-line report and changes nothing; the corrected file gets the
 * summary, and client 1's Synthèse shows the imported lines, validated, the amounts reconciled.
 *
 * Set-up in the database (attributions-fixtures.ts): the referential; the cabinet as a tiers-déclarant,
 * its default portefeuille with « SOLTéA - Employeurs » and the two clients, Paul habilitated on them;
 * the clients' envelopes saying who filed their DSN and when.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSiret } from '../src/domain/identifiers.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading, logIn, tick } from './steps.js';
import {
  credits,
  dbLines,
  expectReconciled,
  LYCEE,
  norm,
  percentField,
  seedTiersWorld,
  syntheseRows,
  type TiersWorld,
} from './attributions-fixtures.js';

const HEADER = 'siret_employeur;siret_beneficiaire;formation;pourcentage';
const CFD_FROID = '32022710';
const FROID = 'BTS Fluides, énergies, domotique option B froid et conditionnement d’air';
const OTHER = 'LYCEE POLYVALENT DE DEMONSTRATION';

let j: Journey;
let page: Page;
let world: TiersWorld;
let synthese1: string;

beforeAll(async () => {
  j = await startJourney('attributions-tiers');
  world = await seedTiersWorld(j);
  synthese1 = `/soltea/employeur/${world.client1.siret}`;
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

const notice = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });
const rowOf = (siret: string) => page.locator('tbody tr', { has: page.getByRole('cell', { name: formatSiret(siret), exact: true }) });
const csv = (...lines: string[]) => [HEADER, ...lines].join('\r\n') + '\r\n';

async function upload(name: string, content: string) {
  await page
    .getByLabel(/^Fichier CSV des attributions/)
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
  expect(await page.getByRole('checkbox', { name: /^Valider les attributions/ }).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Importer', exact: true }).click();
  await page.waitForLoadState('load');
}

describe('a tiers-déclarant allocates for a client (CABINET COMPTABLE DURAND)', () => {
  it('lists its clients: client 1 « À répartir », client 2 « Indisponible » with the reason', async () => {
    await logIn(page, world.paul, world.paul.password, 'connexion');
    await page.waitForURL('**/menu');
    await page.getByRole('link', { name: 'SOLTéA - Employeurs', exact: true }).click();
    await page.waitForURL('**/soltea/employeur');
    expect(await heading(page)).toBe('SOLTéA - Employeurs');
    expect(await page.locator('table').first().locator('tbody tr').count()).toBe(2);
    const r1 = rowOf(world.client1.siret);
    expect(norm(await r1.textContent())).toContain('Client de vos portefeuilles');
    expect(norm(await r1.textContent())).toContain('4 567,89 €');
    expect(norm(await r1.locator('.fr-badge').textContent())).toBe('À répartir');
    expect(await r1.getByRole('link', { name: /^Synthèse de / }).count()).toBe(1);
    const r2 = rowOf(world.client2.siret);
    expect(norm(await r2.locator('.fr-badge').textContent())).toBe('Indisponible');
    expect(norm(await r2.textContent())).toContain(
      'Votre dernier dépôt de DSN pour ce client date de plus de six mois : l’entreprise doit répartir son solde elle-même, ou vous confier à nouveau ses déclarations.',
    );
    expect(await r2.getByRole('link').count()).toBe(0);
    await checkPage(page, 'liste-des-clients');
  });

  it('client 2 is out of reach by URL too: « SIRET introuvable »', async () => {
    const res = await page.goto(`/soltea/employeur/${world.client2.siret}`);
    expect(res?.status()).toBe(404);
    expect(await heading(page)).toBe('SIRET introuvable');
    await checkPage(page, 'client-2-introuvable');
    await page.goBack();
  });

  it('opens client 1’s Synthèse: acting as its tiers-déclarant, its crédits', async () => {
    await rowOf(world.client1.siret)
      .getByRole('link', { name: /^Synthèse de / })
      .click();
    await page.waitForURL(`**${synthese1}`);
    expect(await heading(page)).toBe('Synthèse');
    await expect.poll(() => page.getByText(/vous agissez pour ce client en tant que tiers-déclarant/).isVisible()).toBe(true);
    expect(await credits(page)).toBe('4 567,89 €');
    await checkPage(page, 'synthese-client-1');
  });

  it('searches « Raspail », « Attribuer » 40 % to the lycée, saves and validates', async () => {
    await page.getByRole('link', { name: 'Rechercher un établissement', exact: true }).first().click();
    await page.waitForURL(`**${synthese1}/recherche`);
    await field(page, 'Nom de l’établissement, SIRET ou code UAI').fill('Raspail');
    await page.getByRole('button', { name: 'Lancer une recherche' }).click();
    await page.waitForURL(`**${synthese1}/recherche?**`);
    await checkPage(page, 'recherche-raspail');
    await page.getByRole('link', { name: `Attribuer à ${LYCEE.raisonSociale}`, exact: true }).click();
    await page.waitForURL(`**${synthese1}/attribuer/${LYCEE.siret}`);
    const box = page.getByRole('checkbox', { name: new RegExp(`^${LYCEE.raisonSociale} \\(établissement\\)`) });
    await tick(box);
    await (await percentField(box)).fill('40');
    await checkPage(page, 'attribuer-lycee');
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.waitForURL(`**${synthese1}?notice=choix`);
    expect((await syntheseRows(page)).map((r) => [r.etablissement, r.pourcentage, r.statut])).toEqual([
      [LYCEE.raisonSociale, '40 %', 'À enregistrer'],
    ]);
    await page.getByRole('button', { name: 'Enregistrer vos attributions' }).click();
    await page.waitForURL(`**${synthese1}?notice=enregistre`);
    await expect.poll(() => notice('Vos attributions sont enregistrées.').count()).toBe(1);
    const { rows } = await expectReconciled(page);
    expect(rows.map((r) => [r.pourcentage, r.montant, r.statut])).toEqual([['40 %', '1 827,15 €', 'Validée']]);
    expect((await dbLines(j, world.client1.siret)).map((l) => [l[2], l[3]])).toEqual([[4000, 'validee']]);
    await checkPage(page, 'synthese-client-1-validee');
  });

  it('opens « Répartir pour plusieurs clients à partir d’un fichier CSV »: the format, client 2 listed as unavailable', async () => {
    await page.getByRole('navigation', { name: 'vous êtes ici :' }).getByRole('link', { name: 'SOLTéA - Employeurs' }).click();
    await page.waitForURL('**/soltea/employeur');
    await page.getByRole('link', { name: 'Répartir pour plusieurs clients à partir d’un fichier CSV' }).click();
    await page.waitForURL('**/soltea/employeur/import');
    expect(await heading(page)).toBe('Importer des attributions (fichier CSV)');
    const unavailable = page.getByRole('table', { name: /SIRET de vos portefeuilles : leurs lignes seraient refusées/ });
    expect(norm(await unavailable.locator('tbody').textContent())).toContain(formatSiret(world.client2.siret));
    // the export of the current allocations, in the import's format
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Exportez les attributions actuelles (CSV)' }).click(),
    ]);
    const exported = await streamText(await download.createReadStream());
    expect(exported).toContain(`${world.client1.siret};${LYCEE.siret};;40`);
    await checkPage(page, 'import');
  });

  it('a file with one wrong line (client 2): the line-by-line report, nothing saved', async () => {
    const before = await dbLines(j, world.client1.siret);
    await upload(
      'attributions-juin.csv',
      csv(
        `${world.client1.siret};${LYCEE.siret};;40`,
        `${world.client1.siret};${LYCEE.siret};${CFD_FROID};20`,
        `${world.client1.siret};${world.w.otherSiret};;10`,
        `${world.client2.siret};${LYCEE.siret};;50`,
      ),
    );
    expect(new URL(page.url()).pathname).toBe('/soltea/employeur/import');
    const alert = page.locator('#erreurs');
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(norm(await alert.textContent())).toContain('Fichier : attributions-juin.csv');
    const report = alert.getByRole('table', { name: /Compte rendu ligne par ligne \(1 problème\)/ });
    const rows = (await report.locator('tbody tr').allTextContents()).map(norm);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      new RegExp(`^5 ?SIRET employeur ${world.client2.siret} : votre dernier dépôt de DSN pour ce client date de plus de six mois`),
    );
    expect(await dbLines(j, world.client1.siret)).toEqual(before);
    expect(await dbLines(j, world.client2.siret)).toEqual([]);
    await checkPage(page, 'import-refuse');
  });

  it('the corrected file: the summary per client, and client 1’s Synthèse shows the imported lines', async () => {
    await upload(
      'attributions-juin.csv',
      csv(
        `${world.client1.siret};${LYCEE.siret};;40`,
        `${world.client1.siret};${LYCEE.siret};${CFD_FROID};20`,
        `${world.client1.siret};${world.w.otherSiret};;10`,
      ),
    );
    await expect
      .poll(() => page.getByRole('heading', { name: 'Import terminé : 1 SIRET mis à jour, 3 lignes lues.' }).isVisible())
      .toBe(true);
    const summary = page.getByRole('table', { name: 'Résultat par SIRET employeur' });
    expect((await summary.locator('tbody tr').allTextContents()).map(norm)).toEqual([
      expect.stringMatching(new RegExp(`^${formatSiret(world.client1.siret)}.*3\\s?70 %\\s?Mis à jour$`)),
    ]);
    expect(await page.locator('#erreurs').count()).toBe(0);
    await checkPage(page, 'import-termine');

    await page.goto(synthese1);
    const { rows } = await expectReconciled(page);
    expect(rows.map((r) => [r.etablissement, r.formation, r.pourcentage, r.statut])).toEqual([
      [LYCEE.raisonSociale, '—', '40 %', 'Validée'],
      [LYCEE.raisonSociale, FROID, '20 %', 'Validée'],
      [OTHER, '—', '10 %', 'Validée'],
    ]);
    expect(rows.map((r) => r.montant)).toEqual(['1 827,15 €', '913,58 €', '456,79 €']);
    expect((await dbLines(j, world.client1.siret)).map((l) => [l[2], l[3]])).toEqual([
      [4000, 'validee'],
      [2000, 'validee'],
      [1000, 'validee'],
    ]);
    expect(await dbLines(j, world.client2.siret)).toEqual([]);
    await checkPage(page, 'synthese-client-1-importee');
  });
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
