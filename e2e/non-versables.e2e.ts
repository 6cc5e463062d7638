/**
 * An employer re-designates a share that could not be paid (D. 6241-27-1): wave 1 of 2025 is issued, the
 * bank rejects the transfer to ETABLISSEMENT 1 (AC04, compte clos); on 20 July 2025 the employer's
 * administrator opens the Synthèse — « Attributions non versables », the line « Non versable » with the
 * reason — clicks « Redésigner », searches an establishment by its SIRET, chooses it and confirms: the
 * Synthèse says so and the line names the new establishment. Every page checked with axe.
 *
 * Set-up in the database: the payments world of test/versements (world.ts, RETOURS_SPEC), the wave
 * prepared, approved and issued through the use cases, the bank's return imported from its fixture.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWave } from '../src/modules/versements/preparation.js';
import { importRetours } from '../src/modules/versements/retours.js';
import { approveWave, issueWave } from '../src/modules/versements/vagues.js';
import { createCompany, type TestPerson } from '../test/espace-etablissement/fixtures.js';
import { ANNEE, RETOURS_SPEC, seedWorld, WAVE_1_DAY, type World } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { field, heading, logIn, tick } from './steps.js';

let j: Journey;
let page: Page;
let w: World;
let admin: TestPerson;

const norm = (s: string | null | undefined) =>
  (s ?? '')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

beforeAll(async () => {
  j = await startJourney('non-versables', { registryCount: 2 });
  const ctx = j.app.ctx;
  j.clock.set(WAVE_1_DAY);
  w = await seedWorld(ctx.db, RETOURS_SPEC, WAVE_1_DAY);
  const siret = w.employeurSirets[0]!;
  const siren = siret.slice(0, 9);
  await ctx.db.execute(sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siren}, 'EMPLOYEUR ZERO', 'A')`);
  await ctx.db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${siret}, ${siren}, 'EMPLOYEUR ZERO', 'A')`,
  );
  const co = await createCompany(ctx, {
    siren,
    siret,
    people: [{ nom: 'LEROY', prenom: 'Agathe', role: 'administrateur', email: 'agathe.leroy@employeur-zero.example' }],
    code: 'SOLTEA_EMPLOYEURS',
  });
  admin = co.people[0]!;
  const r = await prepareWave(ctx, w.gestionnaire, ANNEE, 1);
  if (!r.ok) throw new Error(r.problem.message);
  await approveWave(ctx, w.valideur, r.vagueId);
  await issueWave(ctx, w.gestionnaire, r.vagueId);
  const retour = readFileSync(new URL('../test/versements/fixtures/retours-pain002-rejet.xml', import.meta.url), 'utf8');
  const back = await importRetours(ctx, [{ nom: 'retours-pain002-rejet.xml', contenu: retour }]);
  if (!back.ok) throw new Error(back.problem.message);
  j.clock.set(new Date('2025-07-20T08:00:00Z'));
  page = await j.newPerson();
}, 120_000);
afterAll(async () => j?.stop());

describe('an employer re-designates a share the bank returned', () => {
  it('sees « Non versable » and the reason on the line of its Synthèse', async () => {
    await logIn(page, admin, admin.password, 'connexion');
    await page.waitForURL('**/menu');
    await page.goto(`/soltea/employeur/${w.employeurSirets[0]}`);
    expect(await heading(page)).toBe('Synthèse');
    expect(norm(await page.locator('.fr-alert', { hasText: 'Attributions non versables' }).textContent())).toContain(
      'jusqu’au 26 novembre 2025 inclus',
    );
    const row = page.locator('tbody tr', { hasText: 'ETABLISSEMENT 1' });
    expect(norm(await row.textContent())).toContain('Non versable300,00 € : rejet bancaire (AC04 — Compte clos)');
    await checkPage(page, 'synthese-non-versable');
  });

  it('« Redésigner »: searches an establishment by SIRET, chooses it, confirms', async () => {
    await page.getByRole('link', { name: 'Redésigner la part non versable de ETABLISSEMENT 1' }).click();
    await page.waitForURL('**/non-versables/*');
    expect(await heading(page)).toBe('Redésigner une attribution non versable');
    await checkPage(page, 'redesigner');
    await field(page, 'Rechercher un établissement habilité').fill(w.etablissementSirets[4]!);
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await page.waitForLoadState('load');
    await tick(page.getByRole('radio', { name: /ETABLISSEMENT 4/ }));
    await checkPage(page, 'redesigner-resultats');
    await page.getByRole('button', { name: 'Attribuer cette part à l’établissement choisi' }).click();
    await page.waitForURL(`**/soltea/employeur/${w.employeurSirets[0]}?notice=redesigne`);
    expect(norm(await page.getByRole('status').first().textContent())).toContain(
      'La part non versable est attribuée à l’établissement choisi',
    );
    expect(await page.locator('tbody tr', { hasText: 'ETABLISSEMENT 4' }).count()).toBe(1);
    expect(await page.getByText('Non versable', { exact: true }).count()).toBe(1); // the share of ETABLISSEMENT 3 (no bank details) stays
    await checkPage(page, 'synthese-apres-redesignation');
  });
});
