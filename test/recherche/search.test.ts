/**
 * « Recherche établissement » over HTTP (JSON answers) on a small referential: every criterion,
 * combinations, ordering (exact identifier or name first, relevance, distance, name), accents, case
 * and typos, radius, composantes shown under their parent, paging, campaign year, and hostile input.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopHarness } from '../accounts/helpers.js';
import { createHarness, type Harness } from '../harness.js';
import { ANNEE, GRANDMONT, insertFixture, IUT_BLOIS, RASPAIL, UNIV, UNIV_SIREN } from './fixture.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await insertFixture(h.ctx.db);
});
afterAll(async () => stopHarness(h));

interface Result {
  siret: string;
  nom: string;
  uais: string[];
  formations: number;
  distanceKm: number | null;
  exact: boolean;
  composantes: { nom: string; siret: string; uais: string[] }[];
  departement: string | null;
  lien: string;
  categorie: string;
  liste: string;
}
interface Answer {
  annee: number;
  total: number;
  page: number;
  pages: number;
  resultats: Result[];
  criteresRetenus: string[];
  messages: Record<string, string>;
  avertissements: string[];
}

async function search(params: Record<string, string>): Promise<Answer> {
  const res = await h.server.inject({
    url: `/soltea/recherche?${new URLSearchParams(params).toString()}`,
    headers: { accept: 'application/json' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body) as Answer;
}
const names = (a: Answer) => a.resultats.map((r) => r.nom);
const sirets = (a: Answer) => a.resultats.map((r) => r.siret);

describe('name, SIRET, SIREN, UAI', () => {
  it('finds a name despite a typo, accents and case (« lycee raspial » → RASPAIL)', async () => {
    for (const q of ['lycee raspial', 'Lycée Raspail', 'LYCEE DES METIERS RASPAIL', 'raspail', 'RASPAILL lycée']) {
      const a = await search({ q });
      expect(names(a)[0], q).toBe(RASPAIL.nom);
    }
    for (const q of ['emile zola', 'ÉMILE ZOLA', 'Lycee Emile Zolla']) expect(names(await search({ q })), q).toContain('LYCÉE ÉMILE ZOLA');
  });

  it('requires every long word of the name, not any', async () => {
    const a = await search({ q: 'lycee choiseul' });
    expect(names(a)).toEqual(['LYCEE CHOISEUL']);
  });

  it('a SIRET (spaces or dots allowed) is matched exactly', async () => {
    for (const q of ['19750691800048', '197 506 918 00048', '197.506.918.00048']) {
      const a = await search({ q });
      expect(sirets(a), q).toEqual([RASPAIL.siret]);
      expect(a.resultats[0]!.exact).toBe(true);
      expect(a.criteresRetenus).toContain(`SIRET ${RASPAIL.siret}`);
    }
    expect((await search({ q: '19750691800049' })).total).toBe(0);
  });

  it('a SIREN finds its establishment and composantes, grouped under the establishment', async () => {
    const a = await search({ q: UNIV_SIREN });
    expect(sirets(a)).toEqual([UNIV.siret]);
    expect(a.resultats[0]!.composantes.map((c) => c.nom).sort()).toEqual(['IUT DE BLOIS', 'IUT DE TOURS']);
  });

  it('a UAI is matched exactly, in any case; a composante’s UAI shows its parent with the composante', async () => {
    for (const q of [RASPAIL.uai, RASPAIL.uai.toLowerCase(), ` ${RASPAIL.uai} `])
      expect(sirets(await search({ q })), q).toEqual([RASPAIL.siret]);
    const a = await search({ q: IUT_BLOIS.uai });
    expect(sirets(a)).toEqual([UNIV.siret]);
    expect(a.resultats[0]!.composantes).toEqual([
      expect.objectContaining({ nom: 'IUT DE BLOIS', uais: [IUT_BLOIS.uai], siret: IUT_BLOIS.siret }),
    ]);
  });

  it('a composante’s own SIRET shows its parent', async () => {
    const a = await search({ q: IUT_BLOIS.siret });
    expect(sirets(a)).toEqual([UNIV.siret]);
    expect(a.resultats[0]!.composantes.map((c) => c.nom)).toEqual(['IUT DE BLOIS']);
  });

  it('a composante’s name finds its parent', async () => {
    const a = await search({ q: 'iut blois' });
    expect(sirets(a)).toEqual([UNIV.siret]);
    expect(a.resultats[0]!.composantes.map((c) => c.nom)).toEqual(['IUT DE BLOIS']);
  });
});

describe('place', () => {
  it('code postal', async () => {
    const a = await search({ lieu: '37200' });
    expect(names(a).sort()).toEqual([GRANDMONT.nom, UNIV.nom]);
    expect(a.criteresRetenus).toContain('Code postal 37200');
  });

  it('département by code or by name, accents and hyphens optional', async () => {
    const expected = [
      'LYCEE CHOISEUL',
      'LYCEE DU MONT SAINT-CYR',
      'LYCEE GRANMONT',
      GRANDMONT.nom,
      'LYCEE LEONARD DE VINCI',
      "LYCEE PROFESSIONNEL D'ARSONVAL",
      'LYCEE SANS COORDONNEES',
      UNIV.nom,
    ].sort();
    for (const lieu of ['37', 'Indre-et-Loire', 'indre et loire', 'INDRE ET LOIRE'])
      expect(names(await search({ lieu })).sort(), lieu).toEqual(expected);
    expect(names(await search({ lieu: '2a' }))).toEqual(['LYCEE LAETITIA BONAPARTE']);
  });

  it('région by name, with a typo too', async () => {
    const a = await search({ lieu: 'Centre-Val de Loire' });
    expect(a.total).toBe(8 + 1 + 26); // Indre-et-Loire 8 (the university once, with its IUT de Blois), Blois 1, Orléans 26
    expect(a.criteresRetenus).toContain('Région : Centre-Val de Loire');
    const typo = await search({ lieu: 'centre val de loir' });
    expect(typo.total).toBe(a.total);
  });

  it('commune by name, with a typo; a commune in another département is not a département', async () => {
    expect(names(await search({ lieu: 'Tours' })).sort()).toEqual(
      ['LYCEE CHOISEUL', 'LYCEE GRANMONT', GRANDMONT.nom, 'LYCEE SANS COORDONNEES', UNIV.nom].sort(),
    );
    const typo = await search({ lieu: 'Tuors' });
    expect(typo.criteresRetenus).toContain('Commune : Tours (37)');
    expect(typo.total).toBe(5);
    // one typo anywhere (a letter missing, added, replaced, two swapped), also with a département;
    // two typos in a longer name: the trigram candidates still find it
    const understood = async (lieu: string) => (await search({ lieu })).criteresRetenus.join(' | ');
    for (const [lieu, commune] of <const>[
      ['Toursi', 'Tours (37)'],
      ['Torus (37)', 'Tours (37)'],
      ['Blos', 'Blois (41)'],
      ['Amboisr', 'Amboise (37)'],
      ['Poiitiers', 'Poitiers (86)'],
      ['Saint Cir sur Loir', 'Saint-Cyr-sur-Loire (37)'],
    ])
      expect(await understood(lieu), lieu).toContain(`Commune : ${commune}`);
    expect(await understood('Torus (86)')).not.toContain('Tours');
    // « Vienne » is a département (86) and a commune (38): the département wins; « Vienne (38) » is the commune
    expect(names(await search({ lieu: 'Vienne' }))).toEqual(['LYCÉE ÉMILE ZOLA']);
    expect(names(await search({ lieu: 'Vienne (38)' }))).toEqual(['LYCEE PONSARD']);
  });

  it('a composante in the commune shows its parent (the university of Tours under Blois)', async () => {
    const a = await search({ lieu: 'Blois' });
    expect(names(a).sort()).toEqual(['LYCEE AUGUSTIN THIERRY', UNIV.nom]);
    const univ = a.resultats.find((r) => r.nom === UNIV.nom)!;
    expect(univ.composantes.map((c) => c.nom)).toEqual(['IUT DE BLOIS']);
    // formations counted in Blois only (the IUT's two), not the university's elsewhere
    expect(univ.formations).toBe(2);
  });

  it('an unknown place answers no result and says why', async () => {
    const a = await search({ lieu: 'Zzyzxqwv' });
    expect(a.total).toBe(0);
    expect(a.messages.lieu).toMatch(/Aucune commune.*ne correspond à « Zzyzxqwv »/);
  });
});

describe('autour de', () => {
  it('10 km around Tours, nearest first, with the distance; the box does not leak Amboise (22 km)', async () => {
    const a = await search({ autourDe: 'Tours', rayonKm: '10' });
    expect(a.criteresRetenus).toContain('Autour de Tours (37), dans un rayon de 10 km');
    expect(names(a)).toEqual([
      'LYCEE GRANMONT',
      'LYCEE CHOISEUL',
      GRANDMONT.nom,
      UNIV.nom,
      'LYCEE DU MONT SAINT-CYR',
      "LYCEE PROFESSIONNEL D'ARSONVAL",
    ]);
    const d = a.resultats.map((r) => r.distanceKm!);
    expect(d.every((x) => x <= 10)).toBe(true);
    expect([...d].sort((x, y) => x - y)).toEqual(d);
    expect(d[0]).toBe(0);
    expect(d[4]).toBeGreaterThan(1.5);
    expect(d[4]).toBeLessThan(3);
    // without coordinates, never « within N km »
    expect(names(a)).not.toContain('LYCEE SANS COORDONNEES');
  });

  it('a wider radius reaches Amboise, then Blois (via the university’s composante)', async () => {
    expect(names(await search({ autourDe: 'Tours', rayonKm: '30' }))).toContain('LYCEE LEONARD DE VINCI');
    const far = await search({ autourDe: 'Tours', rayonKm: '60' });
    expect(names(far)).toContain('LYCEE AUGUSTIN THIERRY');
  });

  it('the commune may have a typo, a département or be a code postal; the default radius is 10 km', async () => {
    for (const autourDe of ['Tousr', 'tours (37)', '37000', 'TOURS']) {
      const a = await search({ autourDe });
      expect(a.criteresRetenus, autourDe).toContain('Autour de Tours (37), dans un rayon de 10 km');
      expect(a.total).toBe(6);
    }
    // « d’ » before a vowel
    expect((await search({ autourDe: 'Orleasn' })).criteresRetenus).toContain('Autour d’Orléans (45), dans un rayon de 10 km');
  });

  it('an unknown commune answers no result and says why', async () => {
    const a = await search({ autourDe: 'Qwxzzv', rayonKm: '50' });
    expect(a.total).toBe(0);
    expect(a.messages.autourDe).toBe('Aucune commune ne correspond à « Qwxzzv ».');
  });
});

describe('formations', () => {
  const mco = [
    'LYCEE DES METIERS RASPAIL',
    GRANDMONT.nom,
    'LYCEE LEONARD DE VINCI',
    'LYCEE JEAN MONNET',
    'LYCEE LAETITIA BONAPARTE',
  ].sort();

  it('title words, with accents, case and a typo; the CFD; the RNCP code; niveau; type', async () => {
    expect(names(await search({ formation: 'management commercial' })).sort()).toEqual(mco);
    expect(names(await search({ formation: 'MANAGEMENT Commercial Opérationel' })).sort()).toEqual(mco);
    expect(names(await search({ formation: '32031213' })).sort()).toEqual(mco);
    expect(names(await search({ rncp: 'RNCP38362' })).sort()).toEqual(mco);
    expect(names(await search({ rncp: '38362' })).sort()).toEqual(mco);
    expect(names(await search({ niveau: '6' }))).toEqual([UNIV.nom]);
    const cap = await search({ niveau: '3' });
    expect(names(cap)).toContain("LYCEE PROFESSIONNEL D'ARSONVAL");
    expect(names(cap)).not.toContain(GRANDMONT.nom);
    const bacpro = await search({ type: 'bac pro' });
    expect(names(bacpro)).toContain('LYCEE CHOISEUL');
    expect(names(bacpro)).not.toContain('LYCEE LEONARD DE VINCI');
  });

  it('a diploma type word in the title field (« bts informatique »)', async () => {
    const a = await search({ formation: 'bts informatique' });
    expect(names(a).sort()).toEqual(['LYCEE AUGUSTIN THIERRY', 'LYCEE DES METIERS RASPAIL', GRANDMONT.nom, UNIV.nom].sort());
    // the university only through its IUT de Blois (BTS SIO), not the BUT of the IUT de Tours
    expect(a.resultats.find((r) => r.nom === UNIV.nom)!.composantes.map((c) => c.nom)).toEqual(['IUT DE BLOIS']);
  });

  it('counts the matching formations of each establishment', async () => {
    const a = await search({ q: GRANDMONT.siret, niveau: '5' });
    expect(a.resultats[0]!.formations).toBe(2);
    const all = await search({ q: GRANDMONT.siret });
    expect(all.resultats[0]!.formations).toBe(3);
    const univ = await search({ q: UNIV.siret });
    expect(univ.resultats[0]!.formations).toBe(4); // the university's own and its composantes'
  });
});

describe('category, list, combinations', () => {
  it('category and list', async () => {
    expect(names(await search({ categorie: '13' }))).toEqual(['ASSOCIATION NATIONALE POUR LA PROMOTION DES METIERS']);
    expect(names(await search({ liste: 'nationale' }))).toEqual(['ASSOCIATION NATIONALE POUR LA PROMOTION DES METIERS']);
    expect(names(await search({ categorie: '7°' }))).toEqual(['ECOLE DE LA DEUXIEME CHANCE DU LOIRET']);
    expect(names(await search({ categorie: '3°', lieu: '41' }))).toEqual([UNIV.nom]);
  });

  it('filters combine (name + département + niveau; radius + formation)', async () => {
    expect(names(await search({ q: 'lycee', lieu: '37', niveau: '3' })).sort()).toEqual([
      'LYCEE DU MONT SAINT-CYR',
      'LYCEE GRANMONT',
      "LYCEE PROFESSIONNEL D'ARSONVAL",
    ]);
    expect(names(await search({ autourDe: 'Tours', rayonKm: '30', formation: 'management commercial' }))).toEqual([
      GRANDMONT.nom,
      'LYCEE LEONARD DE VINCI',
    ]);
    expect((await search({ q: 'raspail', lieu: '37' })).total).toBe(0);
  });
});

describe('ordering', () => {
  it('the exact name first, then the others by relevance', async () => {
    const a = await search({ q: 'lycee jean monnet' });
    expect(names(a)).toEqual(['LYCEE JEAN MONNET', 'LYCEE JEAN MONNET ANNEXE HOTELIERE']);
    expect(a.resultats[0]!.exact).toBe(true);
    expect(a.resultats[1]!.exact).toBe(false);
  });

  it('relevance before distance, distance before name', async () => {
    // « mont »: a whole word of LYCEE DU MONT SAINT-CYR (2.2 km), inside a word of GRANMONT (0 km) and GRANDMONT (0.3 km)
    const r = await search({ q: 'mont', autourDe: 'Tours' });
    expect(names(r)).toEqual(['LYCEE DU MONT SAINT-CYR', 'LYCEE GRANMONT', GRANDMONT.nom]);
    expect(r.resultats.map((x) => x.distanceKm)).toEqual([2.2, 0, 0.3]);
    // equally relevant names: nearest first
    const a = await search({ q: 'lycee', autourDe: 'Tours', rayonKm: '30' });
    const d = a.resultats.map((x) => x.distanceKm!);
    expect(d.length).toBeGreaterThan(5);
    expect([...d].sort((x, y) => x - y)).toEqual(d);
    // with a place of one commune, its centre orders the results too; then the name
    const b = await search({ lieu: 'Tours' });
    expect(b.resultats.map((x) => x.distanceKm)).toEqual([0, 0.3, 0.3, 0.3, null]);
    expect(names(b).slice(1, 4)).toEqual(['LYCEE CHOISEUL', GRANDMONT.nom, UNIV.nom]);
  });

  it('a word found nowhere is corrected when a word of the names is one edit away, else matched by similarity', async () => {
    const a = await search({ q: 'granmond' });
    expect(names(a)).toEqual(['LYCEE GRANMONT']);
    expect(a.criteresRetenus).toContain('Orthographe corrigée : « granmond » lu « granmont »');
    const b = await search({ q: 'grandmond' });
    expect(names(b)[0]).toBe(GRANDMONT.nom);
    // two typos: no word one edit away, the closest by similarity first
    const c = await search({ q: 'granmomd' });
    expect(names(c)[0]).toBe('LYCEE GRANMONT');
    expect(c.criteresRetenus).toContain('Nom proche de « granmomd » (orthographe approchée)');
  });

  it('the exact name is marked exact and comes first', async () => {
    const a = await search({ q: 'lycee du mont saint cyr' });
    expect(names(a)[0]).toBe('LYCEE DU MONT SAINT-CYR');
    expect(a.resultats[0]!.exact).toBe(true);
  });
});

describe('pages and campaign', () => {
  it('20 a page with the total; the next page has the rest; past the end is empty with the total', async () => {
    const p1 = await search({ lieu: 'Orléans' });
    expect(p1.total).toBe(26);
    expect(p1.pages).toBe(2);
    expect(p1.resultats).toHaveLength(20);
    const p2 = await search({ lieu: 'Orléans', page: '2' });
    expect(p2.page).toBe(2);
    expect(p2.resultats).toHaveLength(6);
    expect(new Set([...sirets(p1), ...sirets(p2)]).size).toBe(26);
    const p9 = await search({ lieu: 'Orléans', page: '9' });
    expect(p9.resultats).toHaveLength(0);
    expect(p9.total).toBe(26);
  });

  it('the latest campaign by default; another with annee', async () => {
    const now = await search({ lieu: 'Tours' });
    expect(now.annee).toBe(ANNEE);
    expect(names(now)).not.toContain('LYCEE FERME EN 2026');
    const before = await search({ lieu: 'Tours', annee: '2025' });
    expect(before.annee).toBe(2025);
    expect(names(before).sort()).toEqual(['LYCEE FERME EN 2026', GRANDMONT.nom]);
    expect((await search({ lieu: 'Tours', annee: '2010' })).total).toBe(0);
  });

  it('no criterion at all lists every establishment of the campaign (composantes under their parent)', async () => {
    const a = await search({});
    const [n] = (
      (await h.ctx.db.execute(
        sql`select count(*)::int as n from ref_etablissements where annee = ${ANNEE} and parent_id is null`,
      )) as unknown as {
        rows: { n: number }[];
      }
    ).rows;
    expect(a.total).toBe(n!.n);
  });

  it('links to the fiche', async () => {
    const a = await search({ q: RASPAIL.uai });
    expect(a.resultats[0]!.lien).toBe(`/soltea/etablissements/${RASPAIL.siret}`);
  });
});

describe('bad input', () => {
  const HOSTILE = [
    '%',
    '_',
    '%%%',
    '_%_',
    "'",
    '"',
    '\\',
    "' OR 1=1 --",
    "'; DROP TABLE ref_etablissements; --",
    'lycee%',
    'raspail_',
    'a'.repeat(5000),
    'lycée '.repeat(800),
    '😀🎓🏫',
    'Lycée 🎓 Raspail',
    '<script>alert(1)</script>',
    '\u0000\u0007\u001b',
    '\u202e\u200b',
    'NULL',
    '$1',
    '?',
    '*',
    '0750691U%',
    '((((((((',
    'ﬁ Œuvre ß',
  ];

  it('hostile strings in every text field answer 200 with a list, change nothing, and stay fast', async () => {
    const before = await h.ctx.db.execute(
      sql`select (select count(*) from ref_etablissements)::int as e, (select count(*) from ref_formations)::int as f`,
    );
    for (const s of HOSTILE)
      for (const field of ['q', 'lieu', 'autourDe', 'formation']) {
        const t = performance.now();
        const res = await h.server.inject({
          url: `/soltea/recherche?${new URLSearchParams({ [field]: s }).toString()}`,
          headers: { accept: 'application/json' },
        });
        const ms = performance.now() - t;
        expect(res.statusCode, `${field}=${s.slice(0, 40)}: ${res.body.slice(0, 300)}`).toBe(200);
        const a = JSON.parse(res.body) as Answer;
        expect(Array.isArray(a.resultats)).toBe(true);
        expect(ms, `${field}=${s.slice(0, 40)}`).toBeLessThan(2000);
      }
    const after = await h.ctx.db.execute(
      sql`select (select count(*) from ref_etablissements)::int as e, (select count(*) from ref_formations)::int as f`,
    );
    expect((after as { rows: unknown[] }).rows).toEqual((before as { rows: unknown[] }).rows);
  });

  it('LIKE metacharacters are taken literally', async () => {
    expect((await search({ q: '%' })).messages.q).toMatch(/ni lettre ni chiffre/);
    expect((await search({ q: 'lycee%' })).total).toBeGreaterThan(0); // « lycee »: % is punctuation
    expect((await search({ formation: '_' })).messages.formation).toMatch(/ni lettre ni chiffre/);
  });

  it('5,000 characters are cut to 200, and the visitor is told', async () => {
    const a = await search({ q: `raspail ${'x'.repeat(5000)}` });
    expect(a.avertissements[0]).toMatch(/limité à 200 caractères/);
    const html = await h.server.inject({ url: `/soltea/recherche?q=${'b'.repeat(5000)}`, headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('limité à 200 caractères');
  });

  it('a wrong choice is a 400 with a French message for its field (JSON and page)', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ niveau: '12' }, 'niveau', /entre 3 \(CAP\) et 8/],
      [{ niveau: "5' or 1=1" }, 'niveau', /entre 3/],
      [{ rncp: 'ABC' }, 'rncp', /RNCP12345/],
      [{ categorie: '99' }, 'categorie', /inconnue/],
      [{ liste: 'departementale' }, 'liste', /régionale/],
      [{ rayonKm: '-5', autourDe: 'Tours' }, 'rayonKm', /de 1 à 200/],
      [{ rayonKm: '100000', autourDe: 'Tours' }, 'rayonKm', /de 1 à 200/],
      [{ page: 'abc' }, 'page', /numéro de page/],
      [{ page: '0' }, 'page', /numéro de page/],
      [{ page: '999999' }, 'page', /500 premières pages/],
      [{ annee: '20x6' }, 'annee', /quatre chiffres/],
      [{ type: '<script>' }, 'type', /type de diplôme/i],
    ];
    for (const [params, field, message] of cases) {
      const res = await h.server.inject({
        url: `/soltea/recherche?${new URLSearchParams(params).toString()}`,
        headers: { accept: 'application/json' },
      });
      expect(res.statusCode, JSON.stringify(params)).toBe(400);
      const body = JSON.parse(res.body) as { message: string; errors: Record<string, string> };
      expect(body.message).toBe('Un critère de recherche est incorrect.');
      expect(body.errors[field], JSON.stringify(params)).toMatch(message);
      const page = await h.server.inject({
        url: `/soltea/recherche?${new URLSearchParams(params).toString()}`,
        headers: { accept: 'text/html' },
      });
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('Un critère de recherche est incorrect');
    }
  });

  it('repeated keys take the first value', async () => {
    const res = await h.server.inject({ url: `/soltea/recherche?q=${RASPAIL.uai}&q=autre`, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(res.body) as Answer).resultats[0]!.siret).toBe(RASPAIL.siret);
  });
});
