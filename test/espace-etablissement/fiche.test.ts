/**
 * « Présentation et contacts » and « Lien direct » over HTTP: the presentation (≤ 2,000 characters),
 * contacts (add, modify, remove, at least one, at most 20) and websites (http/https only, at most 10),
 * every change audited and told to the administrators; hostile and bad input refused with French
 * messages and nothing saved; two people editing at once; the direct link from PUBLIC_URL or the
 * request's host, with its ready-to-send message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Client, type Harness } from '../harness.js';
import { pageErrors, stopHarness } from '../accounts/helpers.js';
import {
  auditCount,
  createCompany,
  LYCEE,
  notificationsOf,
  profilRow,
  registryCompanies,
  seedReferentiel,
  signIn,
  type TestPerson,
} from './fixtures.js';

let h: Harness;
let admin: TestPerson;
let declarant: TestPerson;
let adminC: Client;
let declC: Client;
const BASE = `/soltea/etablissement/${LYCEE.siret}`;
const CONTACT = {
  fonction: 'Responsable relation entreprise',
  nom: 'Mme Isabelle Roussel',
  courriel: 'relations.entreprises@lycee.example',
  telephone: '01 45 40 12 34',
};

const versionIn = (body: string) => /name="version" value="([^"]*)"/.exec(body)?.[1] ?? '';

beforeAll(async () => {
  h = await createHarness({ env: {} });
  const [other] = await registryCompanies(h.ctx.db, 1);
  await seedReferentiel(h.ctx.db, h.clock.now(), other!.siret);
  const co = await createCompany(h.ctx, {
    siren: LYCEE.siren,
    siret: LYCEE.siret,
    people: [
      { nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' },
      { nom: 'FONTAINE', prenom: 'Julien', role: 'declarant' },
    ],
  });
  [admin, declarant] = co.people as [TestPerson, TestPerson];
  adminC = await signIn(h, admin);
  declC = await signIn(h, declarant);
}, 120_000);
afterAll(async () => stopHarness(h));

describe('presentation', () => {
  it('is saved (line breaks kept), audited, told to the administrators, and shown again', async () => {
    const text = 'Lycée des métiers de l’énergie.\r\n\r\nNos BTS forment aux métiers du froid et de l’électrotechnique.';
    const r = await declC.form(`${BASE}/presentation`, { presentation: text });
    expect(r.statusCode, r.body).toBe(303);
    expect(r.headers.location).toBe(`${BASE}/presentation?notice=presentation`);
    expect((await profilRow(h.ctx.db))!.presentation).toBe(text.replace(/\r\n/g, '\n'));
    expect((await profilRow(h.ctx.db))!.updatedBy).toBe(declarant.id);
    expect(await auditCount(h.ctx.db, 'soltea_etablissement.presentation_changed')).toBe(1);
    expect((await notificationsOf(h.ctx.db, admin.id)).at(-1)).toBe(
      `SOLTéA – ${LYCEE.raisonSociale} : Julien FONTAINE a modifié la présentation de la fiche publique.`,
    );
    const page = await declC.get(`${BASE}/presentation?notice=presentation`);
    expect(page.body).toContain('La présentation est enregistrée');
    expect(page.body).toContain('Nos BTS forment aux métiers du froid');
  });

  it('too long or with control characters: 400, French message, nothing saved', async () => {
    const before = await profilRow(h.ctx.db);
    const long = await adminC.form(`${BASE}/presentation`, { presentation: 'é'.repeat(2001) });
    expect(long.statusCode).toBe(400);
    expect(pageErrors(long.body)).toContain('La présentation : 2000 caractères au maximum.');
    const ctrl = await adminC.json(`${BASE}/presentation`, { presentation: 'a\u0000b' });
    expect(ctrl.statusCode).toBe(400);
    expect(JSON.parse(ctrl.body).errors.presentation).toBe('La présentation contient des caractères non autorisés.');
    const wrongType = await adminC.json(`${BASE}/presentation`, { presentation: { $ne: 1 } });
    expect(wrongType.statusCode).toBe(400);
    expect(await profilRow(h.ctx.db)).toEqual(before);
  });

  it('markup is shown as text, never run', async () => {
    expect((await adminC.form(`${BASE}/presentation`, { presentation: '<script>alert("x")</script> & <b>gras</b>' })).statusCode).toBe(303);
    const page = await adminC.get(`${BASE}/presentation`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert');
  });
});

describe('contacts', () => {
  it('added by the form; bad fields refused one by one with French messages', async () => {
    const bad = await adminC.form(`${BASE}/contacts`, { fonction: '', nom: '<img src=x>', courriel: 'pas-un-courriel', telephone: '12' });
    expect(bad.statusCode).toBe(400);
    const errs = pageErrors(bad.body);
    expect(errs).toContain('La fonction est obligatoire.');
    expect(errs).toContain('Le nom du contact : seuls les lettres, espaces, points, apostrophes et tirets sont acceptés.');
    expect(errs).toContain('Le courriel du contact n’est pas une adresse électronique valide (exemple : nom@domaine.fr).');
    expect(errs).toContain('Le téléphone du contact doit comporter 10 chiffres (exemple : 01 23 45 67 89).');
    expect((await profilRow(h.ctx.db))!.contacts).toEqual([]);
    const ok = await adminC.form(`${BASE}/contacts`, CONTACT);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`${BASE}/presentation?notice=contact-ajoute`);
    const j = await adminC.json(`${BASE}/contacts`, {
      fonction: 'Adjoint gestionnaire',
      nom: 'M. Karim Benali',
      courriel: 'gestion@lycee.example',
    });
    expect(j.statusCode).toBe(201);
    expect((await profilRow(h.ctx.db))!.contacts).toEqual([
      CONTACT,
      { fonction: 'Adjoint gestionnaire', nom: 'M. Karim Benali', courriel: 'gestion@lycee.example', telephone: '' },
    ]);
    expect(await auditCount(h.ctx.db, 'soltea_etablissement.contact_added')).toBe(2);
  });

  it('modified through its page (the version of the fiche travels with the form)', async () => {
    const form = await declC.get(`${BASE}/contacts/1`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Mme Isabelle Roussel"');
    const r = await declC.form(`${BASE}/contacts/1`, { ...CONTACT, telephone: '01 45 40 99 99', version: versionIn(form.body) });
    expect(r.statusCode, r.body).toBe(303);
    expect((await profilRow(h.ctx.db))!.contacts[0]!.telephone).toBe('01 45 40 99 99');
    expect((await notificationsOf(h.ctx.db, admin.id)).at(-1)).toContain(
      'a modifié le contact « Responsable relation entreprise – Mme Isabelle Roussel »',
    );
  });

  it('two people at once: the second form, built from an older fiche, is refused (409) and changes nothing', async () => {
    const a = await adminC.get(`${BASE}/contacts/2`);
    const b = await declC.get(`${BASE}/contacts/2`);
    expect(
      (
        await adminC.form(`${BASE}/contacts/2`, {
          fonction: 'Adjoint gestionnaire',
          nom: 'M. Karim Benali',
          courriel: 'k.benali@lycee.example',
          telephone: '',
          version: versionIn(a.body),
        })
      ).statusCode,
    ).toBe(303);
    const stale = await declC.form(`${BASE}/contacts/2`, {
      fonction: 'Gestionnaire',
      nom: 'M. Autre',
      courriel: 'autre@lycee.example',
      telephone: '',
      version: versionIn(b.body),
    });
    expect(stale.statusCode).toBe(409);
    expect(pageErrors(stale.body)[0]).toMatch(/La fiche a été modifiée par une autre personne/);
    expect((await profilRow(h.ctx.db))!.contacts[1]!.courriel).toBe('k.benali@lycee.example');
  });

  it('removed after confirmation; the last contact cannot be removed', async () => {
    const confirm = await adminC.get(`${BASE}/contacts/2/supprimer`);
    expect(confirm.body).toContain('Voulez-vous supprimer le contact « Adjoint gestionnaire - M. Karim Benali »');
    const r = await adminC.form(`${BASE}/contacts/2/supprimer`, { version: versionIn(confirm.body) });
    expect(r.statusCode).toBe(303);
    expect((await profilRow(h.ctx.db))!.contacts).toHaveLength(1);
    const page = await adminC.get(`${BASE}/presentation`);
    expect(page.body).not.toContain('/contacts/1/supprimer'); // no « Supprimer » on the last contact
    const last = await adminC.form(`${BASE}/contacts/1/supprimer`, { version: '' });
    expect(last.statusCode).toBe(409);
    expect(pageErrors(last.body)[0]).toMatch(/La fiche doit garder au moins un contact/);
    expect((await profilRow(h.ctx.db))!.contacts).toHaveLength(1);
    expect(await auditCount(h.ctx.db, 'soltea_etablissement.contact_removed')).toBe(1);
  });

  it('at most 20 contacts', async () => {
    for (let i = 0; i < 19; i++)
      expect((await adminC.json(`${BASE}/contacts`, { ...CONTACT, nom: `M. Contact ${'abcdefghijklmnopqrs'[i]}` })).statusCode).toBe(201);
    const r = await adminC.json(`${BASE}/contacts`, { ...CONTACT, nom: 'M. De Trop' });
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body).message).toBe('La fiche compte déjà 20 contacts, le maximum : modifiez ou supprimez-en un.');
    expect((await profilRow(h.ctx.db))!.contacts).toHaveLength(20);
    for (let i = 20; i > 1; i--) expect((await adminC.json(`${BASE}/contacts/${i}/supprimer`, {})).statusCode).toBe(200);
  });
});

describe('websites', () => {
  it('http and https only; hostile and malformed addresses refused; at most 10', async () => {
    for (const [url, message] of [
      ['javascript:alert(1)', 'L’adresse du site doit commencer par https:// ou http://.'],
      ['ftp://lycee.example', 'L’adresse du site doit commencer par https:// ou http://.'],
      ['data:text/html,<script>', 'L’adresse du site doit commencer par https:// ou http://.'],
      ['https://user:mdp@lycee.example', 'L’adresse du site ne doit pas contenir d’identifiant ni de mot de passe.'],
      ['https://pas un site', 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).'],
      ['https://localhost', 'L’adresse du site n’est pas valide (exemple : https://www.mon-etablissement.fr).'],
      ['', 'L’adresse du site est obligatoire.'],
      [`https://lycee.example/${'a'.repeat(500)}`, 'L’adresse du site : 500 caractères au maximum.'],
    ] as const) {
      const r = await adminC.json(`${BASE}/sites`, { libelle: 'Site', url });
      expect(r.statusCode, url).toBe(400);
      expect(JSON.parse(r.body).errors.url, url).toBe(message);
    }
    expect((await profilRow(h.ctx.db))!.sites).toEqual([]);
    expect((await adminC.form(`${BASE}/sites`, { libelle: 'Site du lycée', url: 'lycee-raspail.example/formations' })).statusCode).toBe(
      303,
    );
    expect((await profilRow(h.ctx.db))!.sites).toEqual([{ libelle: 'Site du lycée', url: 'https://lycee-raspail.example/formations' }]);
    for (let i = 0; i < 9; i++)
      expect((await adminC.json(`${BASE}/sites`, { libelle: `Site ${i}`, url: `http://site${i}.example` })).statusCode).toBe(201);
    const tooMany = await adminC.json(`${BASE}/sites`, { libelle: 'Site 11', url: 'https://onze.example' });
    expect(tooMany.statusCode).toBe(400);
    expect(JSON.parse(tooMany.body).errors.url).toBe('La fiche compte déjà 10 sites, le maximum : modifiez ou supprimez-en un.');
  });

  it('modified and removed', async () => {
    const form = await adminC.get(`${BASE}/sites/2`);
    expect(
      (await adminC.form(`${BASE}/sites/2`, { libelle: 'Nos BTS', url: 'https://bts.example', version: versionIn(form.body) })).statusCode,
    ).toBe(303);
    expect((await profilRow(h.ctx.db))!.sites[1]).toEqual({ libelle: 'Nos BTS', url: 'https://bts.example/' });
    for (let i = 10; i > 1; i--) expect((await adminC.form(`${BASE}/sites/${i}/supprimer`, { version: '' })).statusCode).toBe(303);
    expect((await profilRow(h.ctx.db))!.sites).toHaveLength(1);
    expect(await auditCount(h.ctx.db, 'soltea_etablissement.site_removed')).toBe(9);
    expect(await auditCount(h.ctx.db, 'soltea_etablissement.site_updated')).toBe(1);
  });
});

describe('« Lien direct »', () => {
  it('« Générer le lien » shows the fiche’s absolute address from the request’s host, and a message with the SIRET and UAI', async () => {
    const before = await adminC.get(`${BASE}/lien`);
    expect(before.body).toContain('Générer le lien');
    expect(before.body).not.toContain('id="lien-direct"');
    const r = await h.server.inject({
      method: 'GET',
      url: `${BASE}/lien?generer=1`,
      headers: { cookie: [...adminC.cookies].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html', host: 'soltea.example:8443' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`value="http://soltea.example:8443/soltea/etablissements/${LYCEE.siret}"`);
    expect(r.body).toContain('197 506 918 00048');
    expect(r.body).toContain('UAI 0750691U');
    expect(r.body).toContain('data-copy="lien-direct"');
    const evil = await h.server.inject({
      method: 'GET',
      url: `${BASE}/lien?generer=1`,
      headers: {
        cookie: [...adminC.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        accept: 'application/json',
        host: 'evil.example/"><script>',
      },
    });
    expect(JSON.parse(evil.body).lien).toBe(`http://localhost:3000/soltea/etablissements/${LYCEE.siret}`);
  });
});

describe('« Lien direct » with PUBLIC_URL', () => {
  it('uses PUBLIC_URL whatever the host', async () => {
    const h2 = await createHarness({ env: { PUBLIC_URL: 'https://soltea.gouv.example/' } });
    try {
      const [other] = await registryCompanies(h2.ctx.db, 1);
      await seedReferentiel(h2.ctx.db, h2.clock.now(), other!.siret);
      const co = await createCompany(h2.ctx, {
        siren: LYCEE.siren,
        siret: LYCEE.siret,
        people: [{ nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' }],
      });
      const c = await signIn(h2, co.people[0]!);
      const r = await c.get(`${BASE}/lien`, 'application/json');
      expect(JSON.parse(r.body)).toMatchObject({ lien: `https://soltea.gouv.example/soltea/etablissements/${LYCEE.siret}` });
      expect(JSON.parse(r.body).message).toContain(
        'LYCEE DES METIERS RASPAIL (SIRET 197 506 918 00048, UAI 0750691U) est habilité à percevoir le solde de la taxe d’apprentissage pour la campagne 2026',
      );
    } finally {
      await stopHarness(h2);
    }
  });
});
