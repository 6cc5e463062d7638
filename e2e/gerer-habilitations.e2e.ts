/**
 * « Gérer les habilitations »: GIP MDS's administrator registers, opens Gestion → « Gérer les
 * habilitations », chooses a déclarant, « Rechercher », « Tout (dé)cocher » the Déclarer column,
 * checks one « Payer », « Valider »; the déclarant is mailed. Then the history, and the bulk import:
 * a wrong file gets its line-by-line report, the corrected one is applied.
 */
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/infra/crypto.js';
import { espaces, etablissementDeclarations, users } from '../src/infra/db/schema.js';
import { loginKey } from '../src/modules/accounts/login-key.js';
import { checkPage, DEMO_COMPANIES, startJourney, type Journey } from './support.js';
import { field, heading, registerAdministrator, tick, type Person } from './steps.js';

const gip = DEMO_COMPANIES.gipMds;
const [S0, S1] = gip.sirets as unknown as [string, string];
const sophie: Person = {
  siret: gip.siret,
  raisonSociale: gip.raisonSociale,
  nom: 'Lefèvre',
  prenom: 'Sophie',
  telephone: '01 40 00 00 01',
  email: 'sophie.lefevre@gip-mds.example',
  password: 'Portail-Social-88',
};
const helene = { nom: 'DUPONT', prenom: 'Hélène', email: 'helene.dupont@gip-mds.example' };

let j: Journey;
let admin: Page;
beforeAll(async () => {
  j = await startJourney('gerer-habilitations');
  admin = await j.newPerson();
});
afterAll(async () => j?.stop());

describe('gérer les habilitations de GIP MDS', () => {
  it('the administrator registers; the company has a déclarant and Mon Compte Formation on two établissements', async () => {
    await registerAdministrator(j, admin, sophie, 'admin');
    // « Gérer les déclarants » and « Gérer les déclarations » are other journeys: set up directly
    const db = j.app.ctx.db;
    const [e] = await db.select().from(espaces).where(eq(espaces.siren, gip.siren));
    const now = j.clock.now();
    await db.insert(users).values({
      espaceId: e!.id,
      siret: gip.siret,
      nom: helene.nom,
      prenom: helene.prenom,
      loginKey: loginKey(helene.nom, helene.prenom),
      email: helene.email,
      role: 'declarant',
      status: 'active',
      passwordHash: await hashSecret('Declarante-Gip-2026'),
      emailValidatedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    for (const siret of [S0, S1])
      await db
        .insert(etablissementDeclarations)
        .values({ espaceId: e!.id, siret, declarationCode: 'MCF_ELU', addedAt: now, accessibleAt: now });
  });

  it('Gestion → « Gérer les habilitations »: the criteria, « Rechercher », the grid', async () => {
    await admin.goto('/menu');
    await admin.getByRole('link', { name: 'Gérer les habilitations', exact: true }).click();
    await admin.waitForURL('**/gestion/habilitations');
    expect(await heading(admin)).toBe('Gérer les habilitations');
    await checkPage(admin, 'criteres');
    expect(await field(admin, 'Administrateur').inputValue()).toBe('Lefèvre Sophie');
    await field(admin, 'Déclarants').selectOption({ label: `${helene.nom} ${helene.prenom}` });
    await admin.getByRole('button', { name: 'Rechercher' }).click();
    await admin.waitForURL('**/gestion/habilitations?**');
    await checkPage(admin, 'grille');
    const rows = admin.getByRole('table').locator('tbody tr');
    expect(await rows.count()).toBe(3); // MCF on S0 and S1, SOLTéA Employeurs on S0
  });

  it('« Tout (dé)cocher » the Déclarer column, one « Payer », « Valider »: saved, and the déclarant is told', async () => {
    await admin.getByRole('button', { name: 'Tout (dé)cocher la colonne Déclarer' }).click();
    await admin.waitForLoadState('load');
    const declarer = admin.locator('input[data-colonne="declarer"]');
    await expect
      .poll(async () => (await declarer.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked))).every(Boolean))
      .toBe(true);
    await checkPage(admin, 'grille-tout-coche');
    await tick(admin.getByRole('checkbox', { name: `Payer Mon Compte Formation / Elu pour ${helene.nom} ${helene.prenom} sur ${S0}` }));
    await admin.getByRole('button', { name: 'Valider' }).click();
    await admin.waitForURL('**notice=enregistre');
    await expect.poll(() => admin.getByText('Les habilitations ont été enregistrées').isVisible()).toBe(true);
    await checkPage(admin, 'grille-enregistree');
    const mail = await j.waitForMail({ to: helene.email, subject: 'Vos habilitations ont changé' });
    expect(mail.text).toContain('Vos habilitations ont été modifiées');
  });

  it('the history tells who changed what and when', async () => {
    await admin.goto('/gestion/habilitations');
    await admin.getByRole('link', { name: 'Historique des habilitations' }).click();
    await admin.waitForURL('**/gestion/habilitations/historique');
    await checkPage(admin, 'historique');
    const first = await admin.getByRole('table').locator('tbody tr').first().textContent();
    expect(first).toContain('Lefèvre Sophie');
    expect(first).toContain(`${helene.nom} ${helene.prenom}`);
  });

  it('bulk import: a wrong file gets a line-by-line report and nothing is applied; the corrected file is applied', async () => {
    await admin.goto('/gestion/habilitations');
    await admin.getByRole('link', { name: 'Importer un fichier d’habilitations modifié' }).click();
    await admin.waitForURL('**/gestion/habilitations/import');
    await checkPage(admin, 'import');
    const exported = await (await admin.request.get('/gestion/habilitations/export.csv')).text();
    const lines = exported
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('siret;nom;prenom;courriel;MCF_ELU;MCF_ELU_payer;SOLTEA_EMPLOYEURS');
    const heleneS1 = lines.find((l) => l.startsWith(`${S1};`) && l.includes(helene.email))!;
    expect(heleneS1).toBe(`${S1};${helene.nom};${helene.prenom};${helene.email};1;0;`);
    const changed = heleneS1.replace(/;1;0;$/, ';1;1;');

    await field(admin, 'Contenu du fichier CSV').fill([lines[0], changed, changed, `${S1};=cmd;x;${helene.email};1;1;`].join('\n'));
    await admin.getByRole('button', { name: 'Importer' }).click();
    await admin.waitForLoadState('load');
    await expect.poll(() => admin.getByRole('alert').textContent()).toContain('aucune habilitation n’a été modifiée');
    const report = await admin.getByRole('table', { name: 'Compte rendu ligne par ligne' }).locator('tbody tr').allTextContents();
    expect(report).toEqual(['3Ligne en double avec la ligne 2.', '4Les formules (cellule commençant par =, +, - ou @) sont refusées.']);
    await checkPage(admin, 'import-compte-rendu');

    await field(admin, 'Contenu du fichier CSV').fill([lines[0], changed].join('\n'));
    await admin.getByRole('button', { name: 'Importer' }).click();
    await admin.waitForURL('**/gestion/habilitations/import?notice=**');
    await expect.poll(() => admin.getByText('Import terminé : 1 ligne(s) lue(s), 1 habilitation(s) modifiée(s).').isVisible()).toBe(true);
    await checkPage(admin, 'import-termine');
  });
});
