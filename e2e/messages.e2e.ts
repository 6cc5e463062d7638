/**
 * The campaign's messages in the browser (docs/messages.md): 7 days before period 1 of 2025 ends, the
 * scheduler runs; the employer, who has saved but not validated her allocations, receives the reminder
 * in the local SMTP server, logs in, reads the same message on her tableau de bord, follows the mail's
 * link to her space and opens the printable récapitulatif (and its PDF). The lycée's administrator
 * turns the daily digest off in « Mes courriels ». Every page: screenshot, axe, one h1.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeChoices } from '../src/modules/attributions/choix.js';
import { tick } from '../src/modules/messages/scheduler.js';
import { LYCEE } from '../test/espace-etablissement/fixtures.js';
import { ANNEE } from '../test/attributions/fixtures.js';
import { parsePdf } from '../test/messages/pdf-reader.js';
import { seedMessagesWorld, type MessagesWorld } from '../test/messages/fixtures.js';
import { checkPage, startJourney, type Journey } from './support.js';
import { heading, logIn } from './steps.js';

let j: Journey;
let m: MessagesWorld;
let page: Page;

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  j = await startJourney('messages');
  m = await seedMessagesWorld({ ctx: j.app.ctx, clock: j.clock });
  j.clock.set(new Date('2025-06-10T08:00:00Z'));
  await changeChoices(j.app.ctx, {
    annee: ANNEE,
    siret: m.A.siret,
    actor: { userId: m.alice.id, espaceId: '00000000-0000-0000-0000-000000000000' },
    expectedVersion: null,
    change: { kind: 'remplacer', items: [{ target: { etablissementId: m.w.lyceeId, formationId: null }, bp: 5000 }], valider: false },
  });
  page = await j.newPerson();
}, 120_000);
afterAll(async () => j?.stop());

describe('an employer is reminded that period 1 ends in 7 days', () => {
  it('receives the mail in the local SMTP server', async () => {
    j.clock.set(new Date('2025-06-20T06:00:00Z'));
    const r = await tick(j.app.ctx);
    expect(r.traites, JSON.stringify(r.traites)).toContainEqual({ cle: 'fin-periode:2025:1:j7:employeurs', messages: 2 });
    await j.app.ctx.mail.flush();
    const mail = await j.waitForMail({ to: m.alice.email, subject: 'SOLTéA : la période de répartition 1 se termine le 27 juin 2025' });
    expect(mail.text.replace(/\s+/g, ' ')).toContain(
      'se termine dans 7 jours, le 27 juin 2025 : vous n’avez pas validé l’attribution de 100 %',
    );
    const link = j.linkIn(mail, `/soltea/employeur/${m.A.siret}`);

    await logIn(page, m.alice, m.alice.password, 'connexion');
    await page.waitForURL('**/menu');
    const notifications = page.locator('h3', { hasText: 'Vos notifications' }).locator('..');
    await expect(notifications.textContent()).resolves.toContain('La période de répartition 1 de la campagne 2025 se termine dans 7 jours');
    await checkPage(page, 'tableau-de-bord', { fullPage: true });

    await page.goto(link);
    await page.waitForLoadState('load');
    expect(await heading(page)).toBe('Synthèse');
    await checkPage(page, 'synthese');
  });

  it('opens the printable récapitulatif and downloads its PDF', async () => {
    await page.getByRole('link', { name: 'Récapitulatif imprimable' }).click();
    await page.waitForURL(`**/soltea/employeur/${m.A.siret}/recapitulatif`);
    expect(await heading(page)).toBe('Récapitulatif de vos attributions');
    const table = page.getByRole('table', { name: 'Attributions de la campagne 2025' });
    expect(await table.textContent()).toContain('50');
    await checkPage(page, 'recapitulatif', { fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le récapitulatif (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`soltea-recapitulatif-${m.A.siret}-2025.pdf`);
    const pdf = parsePdf(await bytesOf(await download.createReadStream()));
    expect(pdf.texts.flat()).toContain('SOLTéA – Récapitulatif de vos attributions');
  });
});

describe('an establishment turns the daily digest off', () => {
  it('in « Mes courriels »', async () => {
    const lea = await j.newPerson();
    await logIn(lea, m.lea, m.lea.password, 'etablissement-connexion');
    await lea.waitForURL('**/menu');
    await lea.goto(`/soltea/etablissement/${LYCEE.siret}/courriels`);
    expect(await heading(lea)).toBe('Mes courriels');
    const box = lea.getByRole('checkbox', { name: /Recevoir chaque matin le récapitulatif des attributions reçues la veille/ });
    expect(await box.isChecked()).toBe(true);
    await checkPage(lea, 'mes-courriels');
    await lea.locator('label[for="resumeQuotidien"]').click();
    await lea.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await lea.waitForURL('**/courriels?notice=resume-non');
    expect(await lea.getByRole('checkbox', { name: /Recevoir chaque matin/ }).isChecked()).toBe(false);
    await expect(lea.textContent('body')).resolves.toContain('Vous ne recevrez plus le récapitulatif quotidien');
    await checkPage(lea, 'mes-courriels-desactive');
  });
});
