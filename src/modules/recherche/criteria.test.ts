import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closestTerritoire,
  criteriaQuery,
  editDistance,
  MAX_FIELD_LENGTH,
  parseCriteria,
  parsePlace,
  parseQueryTerm,
  placeNameScore,
  trigramSimilarity,
} from './criteria.js';
import { buildSearchSql, diplomeSql, escapeLike, fuzzyWorthy, withArrondissements, type SearchPlan } from './search.js';

describe('parseQueryTerm: what the first field means', () => {
  it('14 digits → SIRET, 9 → SIREN, 7 + letter → UAI (upper case); spaces and dots allowed', () => {
    expect(parseQueryTerm('197 506 918 00048')).toEqual({ kind: 'siret', siret: '19750691800048' });
    expect(parseQueryTerm('197.506.918')).toEqual({ kind: 'siren', siren: '197506918' });
    expect(parseQueryTerm(' 0750691u ')).toEqual({ kind: 'uai', uai: '0750691U' });
  });

  it('anything else is words: long ones filter, short ones only rank', () => {
    expect(parseQueryTerm('Lycée des Métiers Raspail')).toEqual({
      kind: 'text',
      key: 'lycee des metiers raspail',
      words: ['lycee', 'des', 'metiers', 'raspail'],
      short: [],
    });
    expect(parseQueryTerm("L'École de la 2e chance")).toMatchObject({ words: ['ecole', 'chance'], short: ['l', 'de', 'la', '2e'] });
    expect(parseQueryTerm('12345')).toMatchObject({ kind: 'text', words: ['12345'] });
  });

  it('nothing alphanumeric is no criterion', () => {
    for (const s of ['', '   ', '%', '_', "'", '😀', '<>', '\u0000']) expect(parseQueryTerm(s)).toEqual({ kind: 'none' });
  });

  it('at most 6 filtering words, the longest', () => {
    const t = parseQueryTerm('un deux trois quatre cinq sixieme septieme huitieme neuvieme');
    expect(t.kind === 'text' && t.words.length).toBe(6);
    expect(t.kind === 'text' && t.words).toContain('septieme');
  });
});

describe('parsePlace: what the second field means', () => {
  it('code postal, département code, département or région name', () => {
    expect(parsePlace('37000')).toEqual({ kind: 'codePostal', codePostal: '37000' });
    expect(parsePlace('37000 Tours')).toEqual({ kind: 'codePostal', codePostal: '37000' });
    expect(parsePlace('37')).toMatchObject({ kind: 'departement', code: '37', nom: 'Indre-et-Loire' });
    expect(parsePlace('2b')).toMatchObject({ kind: 'departement', code: '2B' });
    expect(parsePlace('974')).toMatchObject({ kind: 'departement', code: '974' });
    expect(parsePlace('côtes d’armor')).toMatchObject({ kind: 'departement', code: '22' });
    expect(parsePlace('ILE DE FRANCE')).toMatchObject({ kind: 'region', code: '11' });
  });

  it('a name to look up, with an optional département', () => {
    expect(parsePlace('Tours')).toEqual({ kind: 'nom', key: 'tours', departement: null });
    expect(parsePlace('Saint-Denis (974)')).toEqual({ kind: 'nom', key: 'saint denis', departement: '974' });
    expect(parsePlace('Dax')).toEqual({ kind: 'nom', key: 'dax', departement: null }); // 3 letters, not a code
    expect(parsePlace('99')).toEqual({ kind: 'nom', key: '99', departement: null }); // no such département
  });
});

describe('fuzzy names', () => {
  it('trigram similarity as pg_trgm computes it', () => {
    expect(trigramSimilarity('tours', 'tours')).toBe(1);
    expect(trigramSimilarity('tousr', 'tours')).toBeCloseTo(1 / 3, 5);
    expect(trigramSimilarity('', 'tours')).toBe(0);
  });

  it('edit distance counts a transposition once', () => {
    expect(editDistance('tuors', 'tours')).toBe(1);
    expect(editDistance('tours', 'tours')).toBe(0);
    expect(editDistance('blois', 'bloisx')).toBe(1);
    expect(placeNameScore('tuors', 'tours')).toBeCloseTo(0.8, 5);
    expect(placeNameScore('dax', 'day')).toBeLessThan(0.45);
  });

  it('only a real-looking word is matched fuzzily', () => {
    expect(fuzzyWorthy('raspial')).toBe(true);
    expect(fuzzyWorthy('ab')).toBe(false);
    expect(fuzzyWorthy('eeeeeeee')).toBe(false);
    expect(fuzzyWorthy('abc'.repeat(10))).toBe(false);
  });

  it('Paris, Lyon and Marseille include their arrondissements', () => {
    expect(withArrondissements(['75056'])).toHaveLength(21);
    expect(withArrondissements(['69123', '37261'])).toEqual([
      '69123',
      '69381',
      '69382',
      '69383',
      '69384',
      '69385',
      '69386',
      '69387',
      '69388',
      '69389',
      '37261',
    ]);
  });

  it('closest département or région', () => {
    expect(closestTerritoire('indre et loir')).toMatchObject({ kind: 'departement', code: '37' });
    expect(closestTerritoire('bretagen')).toMatchObject({ kind: 'region', code: '53' });
  });
});

describe('parseCriteria', () => {
  it('reads every field, first value of repeated keys', () => {
    const p = parseCriteria({
      q: ['Raspail', 'x'],
      lieu: 'Paris',
      autourDe: 'Tours',
      rayonKm: '30',
      formation: 'bts',
      niveau: '5',
      rncp: '38362',
      type: 'bts',
      categorie: '1',
      liste: 'nationale',
      page: '2',
      annee: '2025',
    });
    expect(p.errors).toEqual({});
    expect(p.submitted).toBe(true);
    expect(p.criteria).toEqual({
      q: 'Raspail',
      lieu: 'Paris',
      autourDe: 'Tours',
      rayonKm: 30,
      formation: 'bts',
      niveau: 5,
      rncp: 'RNCP38362',
      type: 'BTS',
      categorie: '1°',
      liste: 'nationale',
      page: 2,
      annee: 2025,
    });
  });

  it('nothing sent: not submitted, defaults', () => {
    const p = parseCriteria({});
    expect(p.submitted).toBe(false);
    expect(p.criteria.page).toBe(1);
    expect(p.criteria.rayonKm).toBe(10);
  });

  it('long text is cut to 200 characters with a notice (emoji kept whole)', () => {
    const p = parseCriteria({ q: '😀'.repeat(300) });
    expect(Array.from(p.criteria.q)).toHaveLength(MAX_FIELD_LENGTH);
    expect(p.criteria.q).not.toContain('\ufffd');
    expect(p.notices[0]).toMatch(/limité à 200 caractères/);
  });

  it('a wrong choice gets a French message for its field', () => {
    const p = parseCriteria({
      niveau: '9',
      rncp: 'x',
      categorie: '14',
      liste: 'autre',
      rayonKm: '0',
      page: '-1',
      annee: '99',
      type: '<b>',
    });
    expect(Object.keys(p.errors).sort()).toEqual(['annee', 'categorie', 'liste', 'niveau', 'page', 'rayonKm', 'rncp', 'type']);
    for (const m of Object.values(p.errors)) expect(m).toMatch(/[éèà]|doit|est/);
  });

  it('criteriaQuery round-trips', () => {
    const c = parseCriteria({ q: 'a&b=c', autourDe: 'Tours', rayonKm: '20', niveau: '4', page: '3' }).criteria;
    const again = parseCriteria(Object.fromEntries(new URLSearchParams(criteriaQuery(c)))).criteria;
    expect(again).toEqual(c);
    expect(criteriaQuery(parseCriteria({}).criteria)).toBe('recherche=1');
  });
});

describe('buildSearchSql: user input is only ever a bound parameter', () => {
  const dialect = new PgDialect();
  const plan = (over: Partial<SearchPlan>): SearchPlan => ({
    annee: 2026,
    term: { kind: 'none' },
    place: null,
    around: null,
    centre: null,
    diplome: null,
    categorie: null,
    liste: null,
    limit: 20,
    offset: 0,
    ...over,
  });

  it('escapeLike', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });

  it('for any typed text, the SQL text never contains it', () => {
    // every user string carries a character no SQL template has: it may only show up among the parameters
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).map((x) => `ÿ${x}`),
        fc.boolean(),
        (s, fuzzy) => {
          const main = dialect.sqlToQuery(
            buildSearchSql(
              plan({
                term: {
                  kind: 'text',
                  key: s,
                  words: [
                    { word: s, fuzzy },
                    { word: s, fuzzy: !fuzzy },
                  ],
                  shortOnly: false,
                  fuzzyMode: fuzzy ? 'filter' : 'candidates',
                },
                place: { kind: 'communes', codes: [s] },
                diplome: { criteria: { words: [{ word: s, fuzzy: false }], cfd: null, niveau: 4, rncp: s, type: s } },
                categorie: s,
                liste: s,
              }),
            ),
          );
          expect(main.sql.includes('ÿ')).toBe(false);
          expect(main.params).toContain(s);
          expect(main.params).toContain(`%${escapeLike(s)}%`);
          const dipl = dialect.sqlToQuery(diplomeSql({ words: [{ word: s, fuzzy }], cfd: null, niveau: 5, rncp: s, type: s }));
          expect(dipl.sql.includes('ÿ')).toBe(false);
          expect(dipl.params).toContain(s);
        },
      ),
      { numRuns: 200 },
    );
    for (const term of [{ kind: 'siret', siret: 'ÿ' } as const, { kind: 'uai', uai: 'ÿ' } as const, { kind: 'siren', siren: 'ÿ' } as const])
      expect(dialect.sqlToQuery(buildSearchSql(plan({ term, place: { kind: 'codePostal', codePostal: 'ÿ' } }))).sql.includes('ÿ')).toBe(
        false,
      );
  });

  it('a word found as typed filters with LIKE; a word found nowhere by similarity, on few rows or through the index', () => {
    const words = [
      { word: 'lycee', fuzzy: false },
      { word: 'raspial', fuzzy: true },
    ];
    const indexed = dialect.sqlToQuery(
      buildSearchSql(plan({ term: { kind: 'text', key: 'lycee raspial', words, shortOnly: false, fuzzyMode: 'candidates' } })),
    );
    expect(indexed.sql).toMatch(/e\.nom_recherche like \$\d+/);
    expect(indexed.sql).toMatch(
      /^with fz0 as materialized \(select x\.id from ref_etablissements x where \$\d+ <% x\.nom_recherche limit \$\d+\)/,
    );
    expect((indexed.sql.match(/<%/g) ?? []).length).toBe(1);
    expect(indexed.params).toContain('%lycee%');
    expect(indexed.params).toContain('raspial');
    expect(indexed.params).not.toContain('%raspial%');
    const filtered = dialect.sqlToQuery(
      buildSearchSql(plan({ term: { kind: 'text', key: 'lycee raspial', words, shortOnly: false, fuzzyMode: 'filter' } })),
    );
    expect(filtered.sql).not.toContain('<%');
    expect(filtered.sql).toMatch(/word_similarity\(\$\d+, e\.nom_recherche\) >= \$\d+::float8\)?\s*\)/);
  });

  it('diploma ids travel as one array parameter', () => {
    const q = dialect.sqlToQuery(buildSearchSql(plan({ diplome: { ids: Array.from({ length: 2000 }, (_, i) => i + 1) } })));
    const arrays = q.params.filter((p) => typeof p === 'string' && p.startsWith('{1,2,3'));
    expect(arrays.length).toBeGreaterThan(0);
    expect(new Set(arrays).size).toBe(1);
    expect(q.params.length).toBeLessThan(20);
  });
});
