import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestTerritoire, parsePlace } from './criteria.js';
import { withArrondissements } from './communes.js';
import { buildSearchSql, diplomeSql, escapeLike, fuzzyWorthy, type SearchPlan } from './search-sql.js';

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
