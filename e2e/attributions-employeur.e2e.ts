/**
 * An employer allocates the solde of its taxe d’apprentissage (« SOLTéA - Employeurs »), as Claire
 * MOUTIN of BOULANGERIE MOUTIN walks it on 10 June 2025 (period 1 of the 2025 campaign): she logs in,
 * opens the tile « SOLTéA - Employeurs », the list of her SIRET, its empty « Synthèse »; « Recherche
 * établissement » « Raspail », « Attribuer » on the lycée; ticks the establishment and two formations
 * (a percentage with three decimals first: the French message, nothing saved), « Enregistrer mes
 * choix »; the Synthèse shows the three lines in euros « À enregistrer »; « Modifier » one line,
 * « Valider mon attribution », « Enregistrer vos attributions »: « Validée »; « Répliquer les
 * fléchages » of 2024 (one line added, one no longer habilitated); the partage de coordonnées; the
 * « Historique » of both campaigns. At every step the amounts shown reconcile with the crédits.
 *
 * Set-up in the database (attributions-fixtures.ts): the referential, the company with « SOLTéA -
 * Employeurs » open for two days, its 2025 and 2024 envelopes and its 2024 allocations.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading, logIn, tick } from './steps.js';
import {
  BM,
  cents,
  credits,
  dbLines,
  envelopeRow,
  expectReconciled,
  LYCEE,
  norm,
  percentField,
  seedEmployerWorld,
  syntheseFoot,
  syntheseRows,
  type EmployerWorld,
} from './attributions-fixtures.js';

const SYNTHESE = `/soltea/employeur/${BM.siret}`;
const ELEC = 'BTS Électrotechnique';
const FROID = 'BTS Fluides, énergies, domotique option B froid et conditionnement d’air';
const MAINT = 'BTS Maintenance des systèmes option B systèmes énergétiques et fluidiques';

let j: Journey;
let page: Page;
let world: EmployerWorld;

beforeAll(async () => {
  j = await startJourney('attributions-employeur');
  world = await seedEmployerWorld(j);
  page = await j.newPerson();
});
afterAll(async () => j?.stop());

const notice = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });
const sideMenu = (label: string) =>
  page.getByRole('navigation', { name: 'Espace employeur' }).getByRole('link', { name: label, exact: true });
const box = (name: string) => page.getByRole('checkbox', { name: new RegExp(`^${name.replace(/[().*+?^${}|[\]\\/]/g, '\\$&')}`) });

async function choose(name: string, pct: string) {
  const b = box(name);
  await tick(b);
  await (await percentField(b)).fill(pct);
}

describe('an employer allocates its solde (BOULANGERIE MOUTIN, campaign 2025, period 1)', () => {
  it('logs in, opens « SOLTéA - Employeurs » from the menu: its SIRET, its crédits, « À répartir »', async () => {
    await logIn(page, world.claire, world.claire.password, 'connexion');
    await page.waitForURL('**/menu');
    await checkPage(page, 'menu');
    await page.getByRole('link', { name: 'SOLTéA - Employeurs', exact: true }).click();
    await page.waitForURL('**/soltea/employeur');
    expect(await heading(page)).toBe('SOLTéA - Employeurs');
    const row = page.locator('tbody tr', { has: page.getByRole('cell', { name: '999 001 001 00018' }) });
    expect(norm(await row.textContent())).toContain('12 345,67 €');
    expect(norm(await row.locator('.fr-badge').textContent())).toBe('À répartir');
    await checkPage(page, 'liste-des-siret');
  });

  it('opens the empty Synthèse: the envelope, the period, nothing chosen yet', async () => {
    await page.getByRole('link', { name: `Synthèse de ${BM.raisonSociale}` }).click();
    await page.waitForURL(`**${SYNTHESE}`);
    expect(await heading(page)).toBe('Synthèse');
    expect(await credits(page)).toBe('12 345,67 €');
    await expect.poll(() => page.getByText(/La période de répartition 1 est ouverte jusqu’au 27 juin 2025 inclus/).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Vous n’avez encore choisi aucun établissement.', { exact: false }).isVisible()).toBe(true);
    expect(await syntheseRows(page)).toEqual([]);
    await checkPage(page, 'synthese-vide');
  });

  it('« Recherche établissement » « Raspail », then « Attribuer » on the lycée', async () => {
    await sideMenu('Recherche établissement').click();
    await page.waitForURL(`**${SYNTHESE}/recherche`);
    expect(await heading(page)).toBe('Recherche établissement');
    await checkPage(page, 'recherche');
    await field(page, 'Nom de l’établissement, SIRET ou code UAI').fill('Raspail');
    await page.getByRole('button', { name: 'Lancer une recherche' }).click();
    await page.waitForURL(`**${SYNTHESE}/recherche?**`);
    const names = await page.locator('.fr-card__title').allTextContents();
    expect(names).toContain(LYCEE.raisonSociale);
    await checkPage(page, 'recherche-raspail');
    await page.getByRole('link', { name: `Attribuer à ${LYCEE.raisonSociale}`, exact: true }).click();
    await page.waitForURL(`**${SYNTHESE}/attribuer/${LYCEE.siret}`);
    expect(await heading(page)).toBe(`Attribuer à ${LYCEE.raisonSociale}`);
    // the establishment, its composante, its four formations
    expect(
      await page
        .getByRole('group', { name: /Attribuer à la composante \/ établissement secondaire/ })
        .getByRole('checkbox')
        .count(),
    ).toBe(2);
    expect(
      await page
        .getByRole('group', { name: /Attribuer à l’une \/ des formations de l’établissement/ })
        .getByRole('checkbox')
        .count(),
    ).toBe(4);
    await checkPage(page, 'attribuer-lycee');
  });

  it('a percentage with three decimals: its French message, the form kept, nothing saved', async () => {
    await choose(`${LYCEE.raisonSociale} (établissement)`, '20');
    await choose(FROID, '12,345');
    await choose(MAINT, '7,25');
    // the client script: the live total says the typed value is wrong before sending
    await expect.poll(async () => norm(await page.locator('#reste-live').textContent())).toBe('Un pourcentage saisi est incorrect.');
    await checkPage(page, 'attribuer-saisie-incorrecte');
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe(`${SYNTHESE}/attribuer/${LYCEE.siret}`);
    const summary = page.locator('#erreurs');
    expect(norm(await summary.locator('h2').textContent())).toBe('Vos choix n’ont pas été enregistrés');
    const froidField = await percentField(box(FROID));
    const message = norm(await page.locator(`#${await froidField.getAttribute('aria-describedby')}`).textContent());
    expect(message).toMatch(/décimale/);
    expect(
      norm(
        await summary
          .locator('li')
          .allTextContents()
          .then((t) => t.join(' ')),
      ),
    ).toContain(message);
    // what was typed and ticked is kept
    expect(await froidField.inputValue()).toBe('12,345');
    expect(await box(MAINT).isChecked()).toBe(true);
    expect(await (await percentField(box(MAINT))).inputValue()).toBe('7,25');
    expect(await dbLines(j, BM.siret)).toEqual([]);
    await checkPage(page, 'attribuer-erreur');
  });

  it('corrects it and « Enregistrer mes choix »: three lines in the Synthèse, in euros, « À enregistrer »', async () => {
    await (await percentField(box(FROID))).fill('12,5');
    await expect
      .poll(async () => norm(await page.locator('#reste-live').textContent()))
      .toBe('Total après vos choix : 39,75 % ; reste à attribuer : 60,25 %.');
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=choix`);
    await expect.poll(() => notice('Vos choix sont ajoutés à la synthèse').count()).toBe(1);
    const { rows, totalCents } = await expectReconciled(page);
    expect(rows.map((r) => [r.etablissement, r.formation, r.pourcentage, r.statut])).toEqual([
      [LYCEE.raisonSociale, '—', '20 %', 'À enregistrer'],
      [LYCEE.raisonSociale, FROID, '12,5 %', 'À enregistrer'],
      [LYCEE.raisonSociale, MAINT, '7,25 %', 'À enregistrer'],
    ]);
    expect(rows.map((r) => r.montant)).toEqual(['2 469,13 €', '1 543,21 €', '895,06 €']);
    expect(totalCents).toBe(4_907_40);
    expect((await syntheseFoot(page)).total[0]).toBe('39,75 %');
    await expect.poll(() => page.getByRole('heading', { name: 'Attributions non enregistrées' }).isVisible()).toBe(true);
    expect((await dbLines(j, BM.siret)).map((l) => [l[2], l[3]])).toEqual([
      [2000, 'enregistree'],
      [1250, 'enregistree'],
      [725, 'enregistree'],
    ]);
    await checkPage(page, 'synthese-trois-lignes');
  });

  it('« Modifier » the establishment’s line: 25 %, « Valider mon attribution »', async () => {
    const modify = page.getByRole('link', { name: `Modifier ${LYCEE.raisonSociale}`, exact: true });
    expect(await modify.count()).toBe(1);
    await modify.click();
    await page.waitForURL(`**${SYNTHESE}?modifier=*`);
    const input = page.getByLabel(new RegExp(`^Pourcentage attribué à ${LYCEE.raisonSociale}`));
    expect(await input.inputValue()).toBe('20');
    // the row is brought into view (#ligne-…); the field is in the viewport
    await expect.poll(() => input.isVisible()).toBe(true);
    expect(
      await input.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      }),
    ).toBe(true);
    await checkPage(page, 'synthese-modifier');
    await input.fill('25');
    await page.getByRole('button', { name: 'Valider mon attribution' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=modifie`);
    await expect.poll(() => notice('Le pourcentage est modifié.').count()).toBe(1);
    const { rows } = await expectReconciled(page);
    expect(rows.map((r) => r.pourcentage)).toEqual(['25 %', '12,5 %', '7,25 %']);
    expect(rows.map((r) => r.montant)).toEqual(['3 086,41 €', '1 543,21 €', '895,06 €']);
    expect(rows.every((r) => r.statut === 'À enregistrer')).toBe(true);
    await checkPage(page, 'synthese-modifiee');
  });

  it('« Enregistrer vos attributions »: the success notice, every line « Validée »', async () => {
    await page.getByRole('button', { name: 'Enregistrer vos attributions' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=enregistre`);
    await expect.poll(() => notice('Vos attributions sont enregistrées.').count()).toBe(1);
    const { rows } = await expectReconciled(page);
    expect(rows.map((r) => r.statut)).toEqual(['Validée', 'Validée', 'Validée']);
    expect(await page.getByRole('heading', { name: 'Attributions non enregistrées' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Enregistrer vos attributions' }).isDisabled()).toBe(true);
    expect((await dbLines(j, BM.siret)).map((l) => l[3])).toEqual(['validee', 'validee', 'validee']);
    await checkPage(page, 'synthese-validee');
  });

  it('« Répliquer les fléchages » of 2024: one line added, one no longer habilitated, the lycée already there', async () => {
    await page.getByRole('button', { name: 'Répliquer les fléchages' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=replique-1-1`);
    await expect
      .poll(async () => norm(await notice(/fléchage/).textContent()))
      .toBe(
        '1 fléchage de la campagne précédente est ajouté à votre synthèse ; 1 ne peut pas l’être (établissement ou formation qui n’est plus habilité). Vérifiez les pourcentages, puis enregistrez vos attributions.',
      );
    const { rows } = await expectReconciled(page);
    expect(rows.map((r) => [r.formation, r.pourcentage, r.statut])).toEqual([
      ['—', '25 %', 'Validée'],
      [FROID, '12,5 %', 'Validée'],
      [MAINT, '7,25 %', 'Validée'],
      [ELEC, '15 %', 'À enregistrer'],
    ]);
    expect((await syntheseFoot(page)).total[0]).toBe('59,75 %');
    expect(rows.some((r) => r.etablissement.includes('FERME'))).toBe(false);
    await checkPage(page, 'synthese-repliquee');
    await page.getByRole('button', { name: 'Enregistrer vos attributions' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=enregistre`);
    expect((await syntheseRows(page)).every((r) => r.statut === 'Validée')).toBe(true);
  });

  it('the partage de coordonnées: ticked and saved', async () => {
    const partage = page.getByRole('checkbox', {
      name: /^J’accepte que les établissements que j’ai choisis voient le nom et le SIRET de mon entreprise/,
    });
    expect(await partage.isChecked()).toBe(false);
    await tick(partage);
    await page.getByRole('button', { name: 'Enregistrer ce choix' }).click();
    await page.waitForURL(`**${SYNTHESE}?notice=partage-oui`);
    await expect
      .poll(() => notice('Les établissements que vous avez choisis verront le nom et le SIRET de votre entreprise.').count())
      .toBe(1);
    expect(await partage.isChecked()).toBe(true);
    expect((await envelopeRow(j, BM.siret))?.partageCoordonnees).toBe(true);
    await checkPage(page, 'partage-coordonnees');
  });

  it('« Historique »: 2025 as just validated, 2024 with its three lines', async () => {
    await sideMenu('Historique').click();
    await page.waitForURL(`**${SYNTHESE}/historique`);
    expect(await heading(page)).toBe('Historique');
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(
      expect.arrayContaining(['Campagne 2025', 'Campagne 2024']),
    );
    const y2025 = page.getByRole('region', { name: 'Campagne 2025' });
    expect(norm(await y2025.locator('p').first().textContent())).toBe(
      `Crédits à répartir : 12 345,67 € · attribué : 59,75 % (${euros(await totalOf(y2025))})`,
    );
    expect(await y2025.locator('tbody tr').count()).toBe(4);
    const y2024 = page.getByRole('region', { name: 'Campagne 2024' });
    expect(norm(await y2024.locator('p').first().textContent())).toBe('Crédits à répartir : 9 800,00 € · attribué : 65 % (6 370,00 €)');
    const last = (await y2024.locator('tbody tr').allTextContents()).map(norm);
    expect(last).toHaveLength(3);
    expect(last.join(' | ')).toContain('CENTRE DE FORMATION FERME EN 2025');
    await checkPage(page, 'historique');
  });
});

/** The sum of the « Montant attendu » cells of a campaign's table. */
async function totalOf(section: ReturnType<Page['getByRole']>): Promise<number> {
  const texts = await section.locator('tbody tr td:nth-child(4)').allTextContents();
  return texts.reduce((s, t) => s + cents(norm(t)), 0);
}

function euros(c: number): string {
  const whole = Math.floor(c / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${whole},${String(c % 100).padStart(2, '0')} €`;
}
