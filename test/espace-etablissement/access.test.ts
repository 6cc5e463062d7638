/**
 * Who may enter an establishment's space (« SOLTéA - Etablissements »; tenancy: a test proves
 * another company cannot read or change it, docs/regles.md#habilitations): the lycée's administrator and its habilitated déclarant may;
 * a déclarant of the lycée without the habilitation, a company without the declaration, a company
 * whose declaration is younger than 24 hours, another company (GIP MDS) on the lycée's SIRET or with
 * a tampered URL cannot read nor change anything (404), and nothing changes in the database.
 * An open SIRET that is not in the referential gets the explanation (403).
 */
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  codesBancaires,
  coordonneesBancaires,
  type etablissementProfils,
  mailOutbox,
  notifications,
} from '../../src/infra/db/schema.js';
import { createHarness, type Client, type Harness } from '../harness.js';
import { stopHarness } from '../accounts/helpers.js';
import { createCompany, GIP, LYCEE, registryCompanies, seedReferentiel, signIn, type Referentiel, type TestPerson } from './fixtures.js';

let h: Harness;
let ref: Referentiel;
let admin: TestPerson;
let declarant: TestPerson;
let notHabilitated: TestPerson;
let gipAdmin: TestPerson;
let lateAdmin: TestPerson;
let noDeclAdmin: TestPerson;
let adminC: Client;

const BASE = `/soltea/etablissement/${LYCEE.siret}`;
const GETS = [
  '',
  '/presentation',
  '/contacts/nouveau',
  '/contacts/1',
  '/contacts/1/supprimer',
  '/sites/nouveau',
  '/sites/1',
  '/sites/1/supprimer',
  '/lien?generer=1',
  '/coordonnees-bancaires',
  '/attributions',
  '/attributions.csv',
];
const POSTS: [string, Record<string, string>][] = [
  ['/presentation', { presentation: 'Piratée' }],
  ['/contacts', { fonction: 'Intrus', nom: 'Mallory', courriel: 'mallory@exemple.fr', telephone: '' }],
  ['/contacts/1', { fonction: 'Intrus', nom: 'Mallory', courriel: 'mallory@exemple.fr', telephone: '', version: '' }],
  ['/contacts/1/supprimer', { version: '' }],
  ['/sites', { libelle: 'Faux site', url: 'https://faux.example' }],
  ['/sites/1', { libelle: 'Faux site', url: 'https://faux.example', version: '' }],
  ['/sites/1/supprimer', { version: '' }],
  ['/coordonnees-bancaires/code', {}],
  ['/coordonnees-bancaires', { iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPP', titulaire: 'Mallory', code: 'ABCD-EFGH' }],
];

async function snapshot() {
  const one = async (
    table:
      | typeof auditEvents
      | typeof codesBancaires
      | typeof coordonneesBancaires
      | typeof etablissementProfils
      | typeof mailOutbox
      | typeof notifications,
  ) => Number((await h.ctx.db.select({ n: count() }).from(table))[0]!.n);
  const profil = await h.ctx.db.execute(sql`select presentation, contacts, sites from etablissement_profils order by siret`);
  return {
    audit: await one(auditEvents),
    codes: await one(codesBancaires),
    bank: await one(coordonneesBancaires),
    profils: JSON.stringify((profil as { rows: unknown[] }).rows),
    mails: await one(mailOutbox),
    notifications: await one(notifications),
  };
}

beforeAll(async () => {
  h = await createHarness();
  const [late, noDecl] = await registryCompanies(h.ctx.db, 2);
  ref = await seedReferentiel(h.ctx.db, h.clock.now(), late!.siret);
  const trio = (x: { people: TestPerson[] }) => x.people as [TestPerson, TestPerson, TestPerson];
  [admin, declarant, notHabilitated] = trio(
    await createCompany(h.ctx, {
      siren: LYCEE.siren,
      siret: LYCEE.siret,
      people: [
        { nom: 'GARNIER', prenom: 'Nadia', role: 'administrateur' },
        { nom: 'FONTAINE', prenom: 'Julien', role: 'declarant' },
        { nom: 'MOREAU', prenom: 'Léa', role: 'declarant', habilitated: false },
      ],
    }),
  );
  [gipAdmin] = trio(
    await createCompany(h.ctx, {
      siren: GIP.siren,
      siret: GIP.siret,
      sirets: [...GIP.sirets],
      people: [{ nom: 'MARTIN', prenom: 'Sophie', role: 'administrateur' }],
    }),
  );
  // in the referential, but its declaration was added 2 hours ago (access delay: 24 hours)
  [lateAdmin] = trio(
    await createCompany(h.ctx, {
      siren: late!.siren,
      siret: late!.siret,
      declarationAddedHoursAgo: 2,
      people: [{ nom: 'RETARD', role: 'administrateur' }],
    }),
  );
  // only « SOLTéA – Employeurs »
  [noDeclAdmin] = trio(
    await createCompany(h.ctx, {
      siren: noDecl!.siren,
      siret: noDecl!.siret,
      code: 'SOLTEA_EMPLOYEURS',
      people: [{ nom: 'EMPLOYEUR', role: 'administrateur' }],
    }),
  );
  // the lycée's fiche has a contact and a site, so that every URL of the list exists
  adminC = await signIn(h, admin);
  expect(
    (
      await adminC.form(`${BASE}/contacts`, {
        fonction: 'Responsable relation entreprise',
        nom: 'Mme Isabelle Roussel',
        courriel: 'ri@lycee.example',
        telephone: '01 45 40 12 34',
      })
    ).statusCode,
  ).toBe(303);
  expect((await adminC.form(`${BASE}/sites`, { libelle: 'Site du lycée', url: 'https://lycee.example' })).statusCode).toBe(303);
}, 120_000);
afterAll(async () => stopHarness(h));

describe('who may enter', () => {
  it('the administrator and the habilitated déclarant read every page of the lycée', async () => {
    for (const p of [admin, declarant]) {
      const c = p === admin ? adminC : await signIn(h, p);
      for (const path of GETS) {
        const r = await c.get(`${BASE}${path}`);
        expect(r.statusCode, `${p.nom} ${path}`).toBe(200);
      }
    }
  });

  it('the tile opens the space; with one establishment the choice is skipped', async () => {
    const r = await adminC.get('/services/SOLTEA_ETABLISSEMENTS');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/soltea/etablissement');
    const c = await adminC.get('/soltea/etablissement');
    expect(c.statusCode).toBe(303);
    expect(c.headers.location).toBe(BASE);
    const page = await adminC.get(BASE);
    expect(page.body).toContain('<h1>Mon établissement</h1>');
    expect(page.body).toContain(LYCEE.uai);
    expect(page.body).toContain('1° Établissements publics d’enseignement du second degré');
    expect(page.body).toContain('UNITE DE FORMATION PAR APPRENTISSAGE RASPAIL');
    expect(page.body).toContain('4 formations');
    expect(page.body).toContain('campagne 2026');
    expect(page.body).not.toContain('ANCIEN NOM');
  });

  it('every route of the space is documented in the OpenAPI document', async () => {
    const r = await h.server.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.statusCode).toBe(200);
    const paths = Object.keys(JSON.parse(r.body).paths as Record<string, unknown>);
    for (const p of [
      '/soltea/etablissement',
      '/soltea/etablissement/{siret}',
      '/soltea/etablissement/{siret}/coordonnees-bancaires',
      '/soltea/etablissement/{siret}/coordonnees-bancaires/code',
      '/soltea/etablissement/{siret}/contacts/{n}',
      '/soltea/etablissement/{siret}/attributions.csv',
    ])
      expect(paths, p).toContain(p);
  });

  it('a visitor is sent to the login page', async () => {
    const r = await h.server.inject({ method: 'GET', url: BASE, headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toMatch(/^\/connexion\?retour=/);
    const j = await h.server.inject({ method: 'GET', url: BASE, headers: { accept: 'application/json' } });
    expect(j.statusCode).toBe(401);
  });
});

describe('who may not', () => {
  const intruders = () =>
    [
      ['a déclarant of the lycée without the habilitation', notHabilitated],
      ['GIP MDS’s administrator (another company)', gipAdmin],
      ['an administrator whose declaration is younger than 24 hours', lateAdmin],
      ['an administrator of a company without the declaration', noDeclAdmin],
    ] as const;

  it('cannot read anything of the lycée (404), nor change anything (404, nothing written)', async () => {
    for (const [who, p] of intruders()) {
      const c = await signIn(h, p);
      const before = await snapshot();
      for (const path of GETS) {
        const r = await c.get(`${BASE}${path}`);
        expect(r.statusCode, `${who} GET ${path}`).toBe(404);
        expect(r.body).not.toContain('Isabelle Roussel');
        const j = await c.get(`${BASE}${path}`, 'application/json');
        expect(j.statusCode, `${who} GET ${path} (JSON)`).toBe(404);
      }
      for (const [path, body] of POSTS) {
        const r = await c.form(`${BASE}${path}`, body);
        expect(r.statusCode, `${who} POST ${path}`).toBe(404);
        const j = await c.json(`${BASE}${path}`, body);
        expect(j.statusCode, `${who} POST ${path} (JSON)`).toBe(404);
        expect(JSON.parse(j.body)).toMatchObject({ message: 'Établissement introuvable.', errors: {}, status: 404 });
      }
      expect(await snapshot(), who).toEqual(before);
    }
  });

  it('without the declaration open on any SIRET, the space itself is refused (403)', async () => {
    for (const p of [notHabilitated, lateAdmin, noDeclAdmin]) {
      const c = await signIn(h, p);
      const r = await c.get('/soltea/etablissement');
      expect(r.statusCode).toBe(403);
      expect(r.body).toContain('Ce service ne vous est pas ouvert');
    }
  });

  it('24 hours after the declaration was added, the late administrator enters its own space, still not the lycée’s', async () => {
    h.clock.advance(21 * 3_600_000); // 23 hours after the declaration was added
    const c = await signIn(h, lateAdmin);
    expect((await c.get(`/soltea/etablissement/${ref.otherSiret}`)).statusCode).toBe(404);
    h.clock.advance(3_600_000);
    const again = await signIn(h, lateAdmin); // sessions end after 30 minutes idle
    expect((await again.get(`/soltea/etablissement/${ref.otherSiret}`)).statusCode).toBe(200);
    expect((await again.get(BASE)).statusCode).toBe(404);
  });

  it('the lycée’s administrator cannot reach another SIRET by changing the URL (GIP MDS, the other establishment, garbage)', async () => {
    adminC = await signIn(h, admin); // the clock moved: a new session
    const before = await snapshot();
    for (const siret of [GIP.siret, ref.otherSiret, '12345678901234', 'abc', `${LYCEE.siret}0`, '../../menu']) {
      for (const path of ['', '/presentation', '/coordonnees-bancaires', '/attributions.csv']) {
        const r = await adminC.get(`/soltea/etablissement/${encodeURIComponent(siret)}${path}`);
        expect(r.statusCode, `${siret}${path}`).toBe(404);
      }
      for (const [path, body] of POSTS)
        expect((await adminC.form(`/soltea/etablissement/${encodeURIComponent(siret)}${path}`, body)).statusCode).toBe(404);
    }
    // positions that do not exist
    for (const path of ['/contacts/2', '/contacts/0', '/contacts/-1', '/contacts/x', '/sites/99', '/contacts/1000'])
      expect((await adminC.get(`${BASE}${path}`)).statusCode, path).toBe(404);
    expect(
      (await adminC.form(`${BASE}/contacts/21`, { fonction: 'Intrus', nom: 'Mallory', courriel: 'm@exemple.fr', version: '' })).statusCode,
    ).toBe(404);
    expect(await snapshot()).toEqual(before);
  });
});

describe('an open SIRET outside the referential (GIP MDS)', () => {
  it('the choice explains that it is not habilitated for the campaign and how to apply; its URL answers 403 with the same explanation', async () => {
    const c = await signIn(h, gipAdmin);
    const r = await c.get('/soltea/etablissement');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Ces établissements ne sont pas habilités');
    expect(r.body).toContain('pour la campagne 2026');
    expect(r.body).toContain('demande d’habilitation');
    for (const s of GIP.sirets) expect(r.body).toContain(s.slice(9));
    const j = await c.get('/soltea/etablissement', 'application/json');
    expect(JSON.parse(j.body).etablissements.map((e: { habilite: boolean }) => e.habilite)).toEqual([false, false, false]);
    const one = await c.get(`/soltea/etablissement/${GIP.siret}`);
    expect(one.statusCode).toBe(403);
    expect(one.body).toContain('Établissement non habilité');
    expect(one.body).toContain('listes des établissements habilités');
    const post = await c.form(`/soltea/etablissement/${GIP.siret}/coordonnees-bancaires/code`, {});
    expect(post.statusCode).toBe(403);
  });
});
