/**
 * The root of each formation (`ref_formations.racine_id`: ADR 0010), kept by the triggers of migration
 * 0026 whatever writes the formations or moves an establishment under another, and what the search
 * answers from it: for formation criteria alone, the same rows, page by page (order, total, formations
 * counted, composantes listed), as the grouped statement it short-cuts.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReferentiel, referentielCsv } from '../../src/demo/referentiel-generator.js';
import { selectRows } from '../../src/infra/db/index.js';
import { buildSearchSql, type DiplomeCriteria, type SearchPlan } from '../../src/modules/recherche/search-sql.js';
import { importReferentielContents } from '../../src/modules/referentiel/import.js';
import { stopHarness } from '../accounts/helpers.js';
import { createHarness, type Harness } from '../harness.js';
import { insertFixture } from './fixture.js';

let h: Harness;
/** a campaign imported through the real import: the generator's referential (the latest year) */
const GENERATED = 2027;
beforeAll(async () => {
  h = await createHarness();
  await insertFixture(h.ctx.db);
  const csv = referentielCsv(generateReferentiel({ etablissements: 200, formations: 4000 }));
  await importReferentielContents(
    h.ctx.db,
    GENERATED,
    [
      { name: 'etablissements.csv', content: csv.etablissements },
      { name: 'formations.csv', content: csv.formations },
    ],
    { now: h.clock.now() },
  );
}, 120_000);
afterAll(async () => stopHarness(h));

/** Formations whose root differs from their establishment's (expected: none). */
async function staleRoots(): Promise<unknown[]> {
  return selectRows(
    h.ctx.db,
    sql`select f.id, f.racine_id, coalesce(e.parent_id, e.id) as expected
        from ref_formations f join ref_etablissements e on e.id = f.etablissement_id
        where f.racine_id is distinct from coalesce(e.parent_id, e.id)`,
  );
}

describe('the root follows every write', () => {
  it('formations inserted directly and imported have their root', async () => {
    expect(await staleRoots()).toEqual([]);
    const [n] = await selectRows<{ n: number | string }>(
      h.ctx.db,
      sql`select count(*) as n from ref_formations where annee = ${GENERATED} and racine_id <> etablissement_id`,
    );
    expect(Number(n!.n), 'formations of composantes').toBeGreaterThan(0);
  });

  it('a composante moved, promoted to a root and attached again; a formation moved; a root written directly', async () => {
    const db = h.ctx.db;
    const [c] = await selectRows<{ id: number | string; parent_id: number | string }>(
      db,
      sql`select c.id, c.parent_id from ref_etablissements c where c.annee = ${GENERATED} and c.parent_id is not null
            and exists (select 1 from ref_formations f where f.etablissement_id = c.id) order by c.id limit 1`,
    );
    const [other] = await selectRows<{ id: number | string }>(
      db,
      sql`select id from ref_etablissements where annee = ${GENERATED} and parent_id is null and id <> ${c!.parent_id} order by id limit 1`,
    );
    for (const parent of [other!.id, null, c!.parent_id]) {
      await db.execute(sql`update ref_etablissements set parent_id = ${parent} where id = ${c!.id}`);
      expect(await staleRoots(), `parent ${String(parent)}`).toEqual([]);
    }
    const [f] = await selectRows<{ id: number | string }>(db, sql`select id from ref_formations where etablissement_id = ${c!.id} limit 1`);
    await db.execute(sql`update ref_formations set etablissement_id = ${other!.id} where id = ${f!.id}`);
    expect(await staleRoots()).toEqual([]);
    await db.execute(sql`update ref_formations set racine_id = 0 where id = ${f!.id}`);
    expect(await staleRoots()).toEqual([]);
    await db.execute(sql`update ref_formations set etablissement_id = ${c!.id} where id = ${f!.id}`);
    expect(await staleRoots()).toEqual([]);
  });
});

/** a small page: more pages, and pages across the two kinds of roots */
const PAGE = 10;
const criteria = (d: Partial<DiplomeCriteria>): DiplomeCriteria => ({ words: [], cfd: null, niveau: null, rncp: null, type: null, ...d });

function plan(diplome: SearchPlan['diplome'], offset: number, annee: number | null = GENERATED): SearchPlan {
  return {
    annee,
    term: { kind: 'none' },
    place: null,
    around: null,
    centre: null,
    diplome,
    categorie: null,
    liste: null,
    limit: PAGE,
    offset,
  };
}

/**
 * Every page of the statements, compared row by row with the grouped one: the roots matching themselves
 * found by walking the roots' name index, and by looking each up. Returns the number of roots matching
 * through a composante only, over the pages.
 */
async function samePages(label: string, diplome: SearchPlan['diplome'], annee: number | null = GENERATED): Promise<number> {
  let through = 0;
  for (let offset = 0; ; offset += PAGE) {
    const p = plan(diplome, offset, annee);
    const expected = await selectRows<{ root_matched: boolean | string }>(h.ctx.db, buildSearchSql(p, { grouped: true }));
    for (const walkFrom of [0, 1_000_000]) {
      const shortcut = buildSearchSql(p, { walkFrom });
      expect(new PgDialect().sqlToQuery(shortcut).sql, label).toContain('roots as materialized');
      expect(await selectRows(h.ctx.db, shortcut), `${label}, offset ${offset}, walk from ${walkFrom}`).toEqual(expected);
    }
    through += expected.filter((r) => r.root_matched === false || r.root_matched === 'f').length;
    if (expected.length < PAGE) return through;
  }
}

describe('formation criteria alone: the same pages as the grouped statement', () => {
  it('title words (common and rare), with a niveau, an RNCP code, a niveau and a type, diplomas found beforehand, in composantes only', async () => {
    const db = h.ctx.db;
    // the title words of the year's formations, most frequent first
    const words = await selectRows<{ w: string; n: number | string }>(
      db,
      sql`select w, count(*) as n from ref_formations f join ref_diplomes d on d.id = f.diplome_id,
            regexp_split_to_table(d.intitule_recherche, ' ') w
          where f.annee = ${GENERATED} and length(w) >= 5 group by w order by count(*) desc, w`,
    );
    expect(words.length).toBeGreaterThan(10);
    const picked = [words[0]!, words[Math.floor(words.length / 3)]!, words.at(-1)!].map((x) => x.w);
    const [rncp] = await selectRows<{ rncp: string }>(
      db,
      sql`select d.rncp from ref_formations f join ref_diplomes d on d.id = f.diplome_id
          where f.annee = ${GENERATED} and d.rncp is not null group by d.rncp order by count(*) desc limit 1`,
    );
    const ids = await selectRows<{ id: number | string }>(db, sql`select id from ref_diplomes where niveau = 4 order by id limit 40`);
    let through = 0;
    for (const w of picked) {
      through += await samePages(w, { criteria: criteria({ words: [{ word: w, fuzzy: false }] }) });
      for (const niveau of [4, 6])
        through += await samePages(`${w} + ${niveau}`, { criteria: criteria({ words: [{ word: w, fuzzy: false }], niveau }) });
    }
    through += await samePages('rncp', { criteria: criteria({ rncp: rncp!.rncp }) });
    through += await samePages('niveau + type', { criteria: criteria({ niveau: 5, type: 'BTS' }) });
    through += await samePages('ids', { ids: ids.map((r) => Number(r.id)) });
    // diplomas taught in composantes only: roots matching through them only
    const composantesOnly = await selectRows<{ id: number | string }>(
      db,
      sql`select distinct f.diplome_id as id from ref_formations f where f.annee = ${GENERATED} and f.etablissement_id <> f.racine_id
            and not exists (select 1 from ref_formations g where g.diplome_id = f.diplome_id and g.etablissement_id = g.racine_id)
          order by 1`,
    );
    const inComposantes = await samePages('composantes only', { ids: composantesOnly.map((r) => Number(r.id)) });
    expect(inComposantes, 'roots matching through a composante only').toBeGreaterThan(PAGE);
    through += inComposantes;
    through += await samePages('latest year', { criteria: criteria({ words: [{ word: picked[0]!, fuzzy: false }] }) }, null);
    through += await samePages('another year', { criteria: criteria({ niveau: 5, type: 'BTS' }) }, 2026);
    expect(through, 'roots matching through a composante only, over every page').toBeGreaterThan(0);
  }, 300_000);
});
