/**
 * SOLTéA pages over HTTP: the home, the search page (form, results, « Voir la fiche », pagination,
 * aria-live count, messages), the fiche établissement (page and JSON, direct link, other campaigns,
 * profile written by the establishment, 404), the employer's entry (habilitation and the access
 * delay enforced on the server), and the OpenAPI description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, signedInAdministrator, stopHarness } from '../accounts/helpers.js';
import { Client, createHarness, type Harness } from '../harness.js';
import { GRANDMONT, insertFixture, IUT_BLOIS, RASPAIL, UNIV, type Inserted } from './fixture.js';

let h: Harness;
let fx: Inserted;
beforeAll(async () => {
  h = await createHarness();
  fx = await insertFixture(h.ctx.db);
});
afterAll(async () => stopHarness(h));

const get = (url: string, accept = 'text/html') => h.server.inject({ url, headers: { accept } });
const count = (body: string, needle: string) => body.split(needle).length - 1;
/** text of the page without tags (entities decoded for the few the pages use) */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('home', () => {
  it('says what SOLTéA is, gives the two entries through the login, and the search form', async () => {
    const r = await get('/soltea');
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(count(r.body, '<h1')).toBe(1);
    expect(t).toContain('Campagne 2026 : ');
    expect(r.body).toContain('href="/connexion?retour=%2Fsoltea%2Femployeur"');
    expect(r.body).toContain('href="/connexion?retour=%2Fsoltea%2Fetablissement"');
    expect(t).toContain('Employeur');
    expect(t).toContain('Établissement bénéficiaire');
    expect(r.body).toContain('action="/soltea/recherche"');
    expect(t).toContain('Nom de l’établissement, SIRET ou code UAI');
    expect(t).toContain('Ville, code postal ou département');
    expect(t).toContain('Lancer une recherche');
    const j = JSON.parse((await get('/soltea', 'application/json')).body) as { annee: number; etablissementsHabilites: number };
    expect(j.annee).toBe(2026);
    expect(j.etablissementsHabilites).toBeGreaterThan(40);
  });
});

describe('search page', () => {
  it('a bare visit shows the form, no results', async () => {
    const r = await get('/soltea/recherche');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h1>Recherche établissement</h1>');
    expect(r.body).toContain('method="get"');
    expect(r.body).toContain('Affiner la recherche');
    expect(r.body).not.toContain('id="resultats-nombre"');
    // the diploma types of the referential are offered
    for (const t of ['BAC PRO', 'BTS', 'BUT', 'CAP', 'MASTER']) expect(r.body).toContain(`<option value="${t}">${t}</option>`);
  });

  it('results: count in an aria-live region, cards with SIRET, UAI, commune, category, list, formations, « Voir la fiche »', async () => {
    const r = await get(`/soltea/recherche?q=${encodeURIComponent('lycee raspial')}&lieu=`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(
      /<div role="status" aria-live="polite" aria-atomic="true" id="resultats-nombre"><p[^>]*>1 établissement trouvé pour la campagne 2026\.<\/p>/,
    );
    const t = text(r.body);
    expect(t).toContain('LYCEE DES METIERS RASPAIL');
    expect(t).toContain('SIRET : 197 506 918 00048');
    expect(t).toContain('UAI : 0750691U');
    expect(t).toContain('75014 PARIS');
    expect(t).toContain('Paris (75)');
    expect(t).toContain('Catégorie 1°');
    expect(t).toContain('Liste régionale');
    expect(t).toContain('3 formations');
    expect(r.body).toContain(`href="/soltea/etablissements/${RASPAIL.siret}"`);
    expect(t).toContain('Voir la fiche de LYCEE DES METIERS RASPAIL');
    // the field keeps what was typed
    expect(r.body).toContain('value="lycee raspial"');
  });

  it('distance and the composante that matched are shown', async () => {
    const r = await get('/soltea/recherche?autourDe=Tours&rayonKm=60&formation=informatique');
    const t = text(r.body);
    expect(t).toContain('Autour de Tours (37), dans un rayon de 60 km');
    expect(t).toMatch(/formations? correspondantes?/);
    expect(t).toMatch(/à \d+(,\d)? km/);
    expect(t).toContain('Composantes correspondantes : IUT DE BLOIS');
    expect(t).toMatch(/IUT DE TOURS \(UAI \d{7}[A-Z]\) — TOURS/);
    expect(t).toContain(`IUT DE BLOIS (UAI ${IUT_BLOIS.uai})`);
    // the « Affiner » fieldset opens by itself when one of its criteria is set
    expect(r.body).toMatch(/<details class="fr-mb-3w" open="">/);
  });

  it('pagination (DSFR) keeps the criteria; page 2 has the rest', async () => {
    const r = await get('/soltea/recherche?lieu=Orl%C3%A9ans');
    expect(text(r.body)).toContain('26 établissements trouvés pour la campagne 2026 — page 1 sur 2.');
    expect(r.body).toContain('class="fr-pagination');
    expect(r.body).toContain('href="/soltea/recherche?lieu=Orl%C3%A9ans&amp;page=2"');
    expect(count(r.body, 'Voir la fiche<')).toBe(20);
    const p2 = await get('/soltea/recherche?lieu=Orl%C3%A9ans&page=2');
    expect(count(p2.body, 'Voir la fiche<')).toBe(6);
    expect(p2.body).toContain('aria-current="page" title="Page 2"');
    const past = await get('/soltea/recherche?lieu=Orl%C3%A9ans&page=5');
    expect(past.statusCode).toBe(200);
    expect(text(past.body)).toContain('Aucun résultat sur la page 5.');
    expect(past.body).toContain('Revenir à la première page');
  });

  it('nothing found: a clear French message; an unknown place says which field', async () => {
    const none = await get('/soltea/recherche?q=zzzzyyyyxxxx');
    expect(text(none.body)).toContain('Aucun établissement ne correspond à votre recherche.');
    expect(text(none.body)).toContain('Vérifiez l’orthographe');
    const place = await get('/soltea/recherche?lieu=Qwxzzv');
    expect(place.statusCode).toBe(200);
    const t = text(place.body);
    expect(t).toContain('Un critère n’a pas pu être compris');
    expect(t).toContain('Aucune commune, aucun département ni aucune région ne correspond à « Qwxzzv ».');
    expect(place.body).toMatch(/fr-input-group--error" data-field="lieu"/);
  });

  it('a wrong criterion: 400, the error summary links to the field, the form keeps the values', async () => {
    const r = await get('/soltea/recherche?q=raspail&niveau=12');
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('Un critère de recherche est incorrect');
    expect(r.body).toContain('<a href="#niveau">Le niveau de la formation doit être compris entre 3 (CAP) et 8 (doctorat).</a>');
    expect(r.body).toContain('value="raspail"');
    expect(r.body).not.toContain('id="resultats-nombre"');
  });

  it('hostile text is shown escaped, never as markup', async () => {
    const r = await get(
      `/soltea/recherche?q=${encodeURIComponent('<script>alert(1)</script>')}&lieu=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`,
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('<script>alert(1)</script>');
    expect(r.body).not.toContain('<img src=x');
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('fiche établissement', () => {
  it('identity, UAI, category and list, formations by niveau, profile, direct link', async () => {
    const r = await get(`/soltea/etablissements/${GRANDMONT.siret}`);
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(r.body).toContain('<h1>LYCEE GRANDMONT</h1>');
    expect(t).toContain(`Code UAI ${GRANDMONT.uai}`);
    expect(t).toContain('AVENUE DE SEVIGNE 37200 TOURS');
    expect(t).toContain('Indre-et-Loire (37)');
    expect(t).toContain('Centre-Val de Loire');
    expect(t).toContain('1° Établissements publics d’enseignement du second degré');
    expect(t).toContain('Liste régionale');
    expect(t).toContain('Formations (3)');
    expect(t).toContain('Niveau 4 (baccalauréat, BP) — 1 formation');
    expect(t).toContain('Niveau 5 (BTS, DUT, bac + 2) — 2 formations');
    expect(t.indexOf('Niveau 4')).toBeLessThan(t.indexOf('Niveau 5'));
    expect(t).toContain('Management commercial opérationnel BTS 32031213 RNCP38362');
    // what the establishment wrote: presentation, contacts, websites (a javascript: link is never shown)
    expect(t).toContain('Internat de 200 places.');
    expect(t).toContain('Proviseur Marie Curie proviseur@grandmont.example 02 47 00 00 00');
    expect(r.body).toContain('href="https://grandmont.example"');
    expect(r.body).not.toContain('javascript:');
    // the direct link is absolute and stable
    expect(r.body).toContain(`value="http://localhost:3000/soltea/etablissements/${GRANDMONT.siret}"`);
    expect(t).toContain('Campagne 2025');
  });

  it('another campaign with ?annee=, and a notice that it is not the current one', async () => {
    const r = await get(`/soltea/etablissements/${GRANDMONT.siret}?annee=2025`);
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain('Campagne 2025');
    expect(t).toContain('Formations (1)');
    expect(t).toContain('Cuisine');
    expect(t).toContain('Vous consultez une campagne passée.');
    expect(r.body).toContain(`href="/soltea/etablissements/${GRANDMONT.siret}"`);
  });

  it('an establishment only in a past campaign opens on that campaign, saying so', async () => {
    const siret = fx.sirets.get('ferme')!;
    const r = await get(`/soltea/etablissements/${siret}`);
    expect(r.statusCode).toBe(200);
    expect(text(r.body)).toContain('Cet établissement ne figure pas sur les listes d’établissements habilités de la campagne 2026.');
  });

  it('composantes with their UAI; a composante’s fiche links to its parent', async () => {
    const r = await get(`/soltea/etablissements/${UNIV.siret}`);
    const t = text(r.body);
    expect(t).toContain(
      `IUT DE BLOIS ${IUT_BLOIS.siret.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, '$1 $2 $3 $4')} ${IUT_BLOIS.uai} 41000 BLOIS 2`,
    );
    expect(t).toContain('Formations (4)');
    expect(t).toContain('IUT DE TOURS'); // the place of the BUT
    const c = await get(`/soltea/etablissements/${IUT_BLOIS.siret}`);
    expect(c.statusCode).toBe(200);
    expect(c.body).toContain(`href="/soltea/etablissements/${UNIV.siret}?annee=2026"`);
    expect(text(c.body)).toContain('Composante ou établissement secondaire de UNIVERSITE DE TOURS');
  });

  it('an empty profile says so', async () => {
    const r = await get(`/soltea/etablissements/${RASPAIL.siret}`);
    const t = text(r.body);
    expect(t).toContain('L’établissement n’a pas encore rédigé de présentation.');
    expect(t).toContain('Aucun contact n’est encore renseigné par l’établissement.');
    expect(t).toContain('Aucun site internet n’est encore renseigné par l’établissement.');
    expect(t).toContain('Cet établissement n’a pas de composante déclarée.');
  });

  it('JSON: the same data and the direct link', async () => {
    const r = await get(`/soltea/etablissements/${UNIV.siret}`, 'application/json');
    expect(r.statusCode).toBe(200);
    const f = JSON.parse(r.body) as {
      siret: string;
      annee: number;
      composantes: { nom: string; uais: string[] }[];
      formations: unknown[];
      niveaux: { niveau: number }[];
      lienDirect: string;
      profil: { contacts: unknown[] };
    };
    expect(f.siret).toBe(UNIV.siret);
    expect(f.annee).toBe(2026);
    expect(f.composantes.map((c) => c.nom)).toEqual(['IUT DE BLOIS', 'IUT DE TOURS']);
    expect(f.formations).toHaveLength(4);
    expect(f.niveaux.map((n) => n.niveau)).toEqual([5, 6, 7]);
    expect(f.lienDirect).toBe(`http://localhost:3000/soltea/etablissements/${UNIV.siret}`);
    expect(f.profil.contacts).toEqual([]);
  });

  it('unknown or malformed SIRET: 404 French page (and JSON); wrong annee: 400', async () => {
    for (const siret of ['12345678901234', 'abc', `${RASPAIL.siret}0`, '%27%20or%201%3D1']) {
      const r = await get(`/soltea/etablissements/${siret}`);
      expect(r.statusCode, siret).toBe(404);
      expect(r.body).toContain('<h1>Établissement introuvable</h1>');
    }
    const j = await get('/soltea/etablissements/12345678901234', 'application/json');
    expect(j.statusCode).toBe(404);
    expect(JSON.parse(j.body).message).toBe('Aucun établissement habilité ne porte le SIRET 12345678901234.');
    expect((await get(`/soltea/etablissements/${RASPAIL.siret}?annee=2024`)).statusCode).toBe(404);
    const bad = await get(`/soltea/etablissements/${RASPAIL.siret}?annee=deux`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('quatre chiffres');
  });
});

describe('SOLTéA - Employeurs entry', () => {
  it('anonymous: to the login page and back', async () => {
    const r = await get('/soltea/employeur');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/connexion?retour=%2Fsoltea%2Femployeur');
    expect((await get('/soltea/employeur', 'application/json')).statusCode).toBe(401);
  });

  it('habilitated: closed during the 24-hour delay, then the SIRETs and the search', async () => {
    const admin = await signedInAdministrator(h, { profile: { declarations: ['SOLTEA_EMPLOYEURS'] } });
    const early = await admin.client.get('/soltea/employeur');
    expect(early.statusCode).toBe(403);
    expect(text(early.body)).toContain('Ce service ne vous est pas ouvert');

    h.clock.advance(25 * 3_600_000);
    const c = new Client(h);
    await login(c, admin.person);
    const r = await c.get('/soltea/employeur?q=grandmont');
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(r.body).toContain('<h1>SOLTéA - Employeurs</h1>');
    expect(t).toContain(admin.person.siret.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, '$1 $2 $3 $4'));
    expect(r.body).toContain('action="/soltea/employeur"');
    expect(t).toContain('LYCEE GRANDMONT');
    const j = await c.get('/soltea/employeur?q=grandmont', 'application/json');
    const body = JSON.parse(j.body) as { etablissements: { siret: string }[]; recherche: { total: number } };
    expect(body.etablissements.map((e) => e.siret)).toEqual([admin.person.siret]);
    expect(body.recherche.total).toBeGreaterThan(0);
  });

  it('a user without the declaration: 403', async () => {
    const other = await signedInAdministrator(h, { profile: { declarations: ['DSN'], domains: ['dsn'] } });
    h.clock.advance(25 * 3_600_000);
    const c = new Client(h);
    await login(c, other.person);
    const r = await c.get('/soltea/employeur');
    expect(r.statusCode).toBe(403);
    expect((await c.get('/soltea/employeur', 'application/json')).statusCode).toBe(403);
  });
});

describe('API description', () => {
  it('documents the search, the fiche and the employer entry with their parameters', async () => {
    const doc = JSON.parse((await get('/api/openapi.json', 'application/json')).body) as {
      paths: Record<string, { get?: { parameters?: { name: string }[]; summary?: string } }>;
    };
    const search = doc.paths['/soltea/recherche']!.get!;
    expect(search.summary).toMatch(/Recherche établissement/);
    expect(search.parameters!.map((p) => p.name).sort()).toEqual([
      'annee',
      'autourDe',
      'categorie',
      'formation',
      'lieu',
      'liste',
      'niveau',
      'page',
      'q',
      'rayonKm',
      'rncp',
      'type',
    ]);
    expect(doc.paths['/soltea/etablissements/{siret}']!.get!.summary).toMatch(/Fiche établissement/);
    expect(doc.paths['/soltea/employeur']!.get).toBeDefined();
    expect(doc.paths['/soltea']!.get).toBeDefined();
  });
});
