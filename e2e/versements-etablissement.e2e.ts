/**
 * The establishment sees its payment: wave 1 of the payments world (test/versements/world.ts) is
 * issued; the lycée's administrator reads the mail of the payment, follows its link to « Versements »,
 * sees the transfer of 611,10 € with the employers it comes from (the one that shares its identity
 * named), and downloads the CSV. Every page: screenshot, axe, one h1.
 *
 * Set-up, directly in the database: the world (referential, envelopes, funds, lines, agents), the
 * lycée's registry rows and espace with its administrator, employer 1 sharing its identity; the wave
 * prepared, approved and issued through the use cases.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany, type TestPerson } from '../test/espace-etablissement/fixtures.js';
import { issuedWave, SUIVI_SPEC } from '../test/versements/suivi-world.js';
import { seedWorld, WAVE_1_DAY, type World } from '../test/versements/world.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { heading, logIn } from './steps.js';

let j: Journey;
let page: Page;
let w: World;
let admin: TestPerson;
let s0: string;

const plain = (s: string | null) => (s ?? '').replace(/\u202f|\u00a0/g, ' ');

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function registered(siret: string, nom: string) {
  const db = j.app.ctx.db;
  await db.execute(sql`insert into entreprises (siren, raison_sociale, etat_administratif) values (${siret.slice(0, 9)}, ${nom}, 'A')`);
  await db.execute(
    sql`insert into etablissements (siret, siren, denomination, etat_administratif) values (${siret}, ${siret.slice(0, 9)}, ${nom}, 'A')`,
  );
}

beforeAll(async () => {
  j = await startJourney('versements-etablissement');
  j.clock.set(WAVE_1_DAY);
  const ctx = j.app.ctx;
  w = await seedWorld(ctx.db, SUIVI_SPEC, WAVE_1_DAY);
  s0 = w.etablissementSirets[0]!;
  await registered(s0, 'ETABLISSEMENT 0');
  await registered(w.employeurSirets[1]!, 'BOULANGERIE DU TEST');
  await ctx.db.execute(sql`update enveloppes set partage_coordonnees = true where siret = ${w.employeurSirets[1]!}`);
  const co = await createCompany(ctx, {
    siren: s0.slice(0, 9),
    siret: s0,
    people: [{ nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur', email: 'nadia.garnier@etablissement-0.example' }],
  });
  admin = co.people[0]!;
  page = await j.newPerson();
}, 120_000);
afterAll(async () => j?.stop());

describe('the establishment follows its payment', () => {
  it('is mailed when wave 1 is issued, logs in and follows the link to « Versements »', async () => {
    await issuedWave(j.app.ctx, w, 1);
    const link = await j.mailLink(
      { to: admin.email, subject: 'SOLTéA : versement de 611,10 € le 11 juillet 2025' },
      `/soltea/etablissement/${s0}/versements`,
    );
    await logIn(page, admin, admin.password, 'connexion');
    await page.waitForURL('**/menu');
    await page.goto(link);
    expect(await heading(page)).toBe('Versements');
    const table = page.getByRole('table', { name: /Virements reçus pour la campagne 2025/ });
    const text = plain(await table.textContent());
    expect(text).toContain('Virement du 11 juillet 2025 : 611,10 €');
    expect(text).toContain(`TAXE- APPRENTISSAGE - ${s0} - 2025 - 1`);
    expect(text).toContain('BOULANGERIE DU TEST');
    expect(text).toContain('Employeur (identité non partagée)');
    expect(text).toContain('Total reçu711,10 €');
    await checkPage(page, 'versements', { fullPage: true });
  });

  it('downloads the CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger les versements (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`versements-${s0}-2025.csv`);
    const csv = await streamText(await download.createReadStream());
    expect(csv.replace(/^\ufeff/, '').split('\r\n')[1]).toBe(
      `2025;11/07/2025;1;TAXE- APPRENTISSAGE - ${s0} - 2025 - 1;${s0};611,10;Versé;Employeur;BOULANGERIE DU TEST;${w.employeurSirets[1]};111,10`,
    );
  });
});
