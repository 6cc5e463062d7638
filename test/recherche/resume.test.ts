/**
 * The search summary of ref_etablissements (`niveaux`, `types`: ADR 0008), kept by the triggers of
 * ref_formations and ref_diplomes whatever writes them (the import, a direct insert, a deletion, a
 * diploma corrected), and what the search answers from it: the same establishments, totals and pages
 * as the definition it replaces (« has a formation of that niveau / type in the year »), computed here
 * straight from the formations.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReferentiel, referentielCsv } from '../../src/demo/referentiel-generator.js';
import { selectRows } from '../../src/infra/db/index.js';
import { importReferentielContents } from '../../src/modules/referentiel/import.js';
import { stopHarness } from '../accounts/helpers.js';
import { createHarness, type Harness } from '../harness.js';
import { ANNEE, DIPLOMES, GRANDMONT, insertFixture } from './fixture.js';

let h: Harness;
/** a second campaign, imported through the real import: the generator's referential */
const GENERATED = 2027;
beforeAll(async () => {
  h = await createHarness();
  await insertFixture(h.ctx.db);
  const csv = referentielCsv(generateReferentiel({ etablissements: 150, formations: 2500 }));
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

interface Answer {
  total: number;
  pages: number;
  resultats: { siret: string; formations: number }[];
}

async function search(params: Record<string, string>): Promise<Answer> {
  const res = await h.server.inject({
    url: `/soltea/recherche?${new URLSearchParams(params).toString()}`,
    headers: { accept: 'application/json' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body) as Answer;
}

/** Rows whose summary differs from the one computed from scratch (expected: none). */
async function staleSummaries(): Promise<unknown[]> {
  return selectRows(
    h.ctx.db,
    sql`select e.id, e.niveaux, e.types, s.niveaux as expected_niveaux, s.types as expected_types
        from ref_etablissements e cross join lateral (
          select coalesce(array_agg(distinct d.niveau order by d.niveau) filter (where d.niveau is not null), '{}') as niveaux,
                 coalesce(array_agg(distinct upper(d.type) order by upper(d.type)) filter (where d.type is not null), '{}') as types
          from ref_formations f join ref_diplomes d on d.id = f.diplome_id where f.etablissement_id = e.id and f.annee = e.annee) s
        where e.niveaux <> s.niveaux or e.types <> s.types`,
  );
}

/** Rows whose tree summary (ADR 0009: the row's and its composantes') differs from the one computed from scratch. */
async function staleTrees(): Promise<unknown[]> {
  return selectRows(
    h.ctx.db,
    sql`select e.id, e.niveaux_arbre, e.types_arbre, s.niveaux as expected_niveaux, s.types as expected_types
        from ref_etablissements e cross join lateral (
          select coalesce(array_agg(distinct d.niveau order by d.niveau) filter (where d.niveau is not null), '{}') as niveaux,
                 coalesce(array_agg(distinct upper(d.type) order by upper(d.type)) filter (where d.type is not null), '{}') as types
          from ref_etablissements x join ref_formations f on f.etablissement_id = x.id and f.annee = x.annee join ref_diplomes d on d.id = f.diplome_id
          where x.id = e.id or x.parent_id = e.id) s
        where e.niveaux_arbre <> s.niveaux or e.types_arbre <> s.types`,
  );
}

/** Both summaries are right (expected: no stale row). */
async function stale(): Promise<unknown[]> {
  return [...(await staleSummaries()), ...(await staleTrees())];
}

/** SIRETs of the establishments with a formation (own or of a composante) meeting `condition` on `d`, in the year. */
async function expectedSirets(annee: number, condition: ReturnType<typeof sql>): Promise<string[]> {
  const rows = await selectRows<{ siret: string }>(
    h.ctx.db,
    sql`select distinct r.siret from ref_formations f join ref_diplomes d on d.id = f.diplome_id
          join ref_etablissements e on e.id = f.etablissement_id join ref_etablissements r on r.id = coalesce(e.parent_id, e.id)
        where f.annee = ${annee} and ${condition}`,
  );
  return rows.map((r) => r.siret).sort();
}

/** Every page of a search, in order: the SIRETs, and the total each page gave. */
async function allPages(params: Record<string, string>): Promise<{ sirets: string[]; totals: Set<number>; pages: number }> {
  const first = await search(params);
  const sirets = first.resultats.map((r) => r.siret);
  const totals = new Set([first.total]);
  for (let page = 2; page <= first.pages; page++) {
    const a = await search({ ...params, page: String(page) });
    totals.add(a.total);
    sirets.push(...a.resultats.map((r) => r.siret));
  }
  return { sirets, totals, pages: first.pages };
}

describe('the summary follows every write', () => {
  it('rows inserted directly and rows imported have their niveaux and types', async () => {
    expect(await stale()).toEqual([]);
    const [grandmont] = await selectRows<{ niveaux: number[]; types: string[] }>(
      h.ctx.db,
      sql`select niveaux, types from ref_etablissements where siret = ${GRANDMONT.siret} and annee = ${ANNEE}`,
    );
    expect(grandmont!.niveaux.length).toBeGreaterThan(0);
    const [counted] = await selectRows<{ n: number | string }>(
      h.ctx.db,
      sql`select count(*) as n from ref_etablissements where annee = ${GENERATED} and cardinality(niveaux) > 0`,
    );
    expect(Number(counted!.n)).toBeGreaterThan(100);
  });

  it('a diploma whose niveau or type is corrected, formations deleted and added again', async () => {
    const db = h.ctx.db;
    const cle = DIPLOMES.mco.cle;
    const niveau7 = { niveau: '7', annee: String(ANNEE) };
    const before = await search(niveau7);
    const [mco] = await selectRows<{ id: number | string }>(db, sql`select id from ref_diplomes where cle = ${cle}`);
    const holders = await expectedSirets(ANNEE, sql`d.cle = ${cle}`);
    expect(holders.length).toBeGreaterThan(0);

    await db.execute(sql`update ref_diplomes set niveau = 7, type = 'master' where cle = ${cle}`);
    expect(await stale()).toEqual([]);
    const after = await search(niveau7);
    expect(after.resultats.map((r) => r.siret).sort()).toEqual(await expectedSirets(ANNEE, sql`d.niveau = 7`));
    expect(after.total).toBeGreaterThan(before.total);
    expect((await search({ type: 'MASTER', annee: String(ANNEE) })).resultats.map((r) => r.siret)).toEqual(expect.arrayContaining(holders));

    const removed = await selectRows<{ etablissement_id: number; diplome_id: number; annee: number; updated_at: string }>(
      db,
      sql`delete from ref_formations where diplome_id = ${mco!.id} returning etablissement_id, diplome_id, annee, updated_at`,
    );
    expect(await stale()).toEqual([]);
    expect((await search(niveau7)).total).toBe(before.total);

    await db.execute(
      sql`insert into ref_formations (etablissement_id, diplome_id, annee, updated_at)
          select (r->>'etablissement_id')::bigint, (r->>'diplome_id')::bigint, (r->>'annee')::int, (r->>'updated_at')::timestamptz
          from json_array_elements(${JSON.stringify(removed)}::json) r`,
    );
    await db.execute(sql`update ref_diplomes set niveau = 5, type = 'BTS' where cle = ${cle}`);
    expect(await stale()).toEqual([]);
    expect((await search(niveau7)).total).toBe(before.total);
  });

  it('a deleted establishment takes its formations with it, and the others keep their summary', async () => {
    const db = h.ctx.db;
    const [victim] = await selectRows<{ id: number | string; siret: string }>(
      db,
      sql`select id, siret from ref_etablissements where annee = ${GENERATED} and parent_id is null and cardinality(niveaux) > 0 order by id desc limit 1`,
    );
    const niveau = (await selectRows<{ n: number }>(db, sql`select niveaux[1] as n from ref_etablissements where id = ${victim!.id}`))[0]!
      .n;
    await db.execute(sql`delete from ref_etablissements where parent_id = ${victim!.id}`);
    await db.execute(sql`delete from ref_etablissements where id = ${victim!.id}`);
    expect(await stale()).toEqual([]);
    const a = await allPages({ niveau: String(niveau), annee: String(GENERATED) });
    expect(a.sirets).not.toContain(victim!.siret);
  });
});

describe('the tree summary follows the composantes', () => {
  it('a composante moved to another establishment, and one deleted, move their niveaux with them', async () => {
    const db = h.ctx.db;
    // a composante whose niveaux its establishment does not have itself
    const [c] = await selectRows<{ id: number | string; parent_id: number | string; niveau: number }>(
      db,
      sql`select c.id, c.parent_id, n as niveau from ref_etablissements c join ref_etablissements p on p.id = c.parent_id, unnest(c.niveaux) n
          where c.annee = ${GENERATED} and not p.niveaux @> array[n] order by c.id limit 1`,
    );
    expect(c).toBeDefined();
    const [other] = await selectRows<{ id: number | string }>(
      db,
      sql`select id from ref_etablissements where annee = ${GENERATED} and parent_id is null and id <> ${c!.parent_id}
            and not niveaux_arbre @> array[${c!.niveau}::int] order by id limit 1`,
    );
    await db.execute(sql`update ref_etablissements set parent_id = ${other!.id} where id = ${c!.id}`);
    expect(await stale()).toEqual([]);
    await db.execute(sql`update ref_etablissements set parent_id = null where id = ${c!.id}`);
    expect(await stale()).toEqual([]);
    await db.execute(sql`update ref_etablissements set parent_id = ${c!.parent_id} where id = ${c!.id}`);
    expect(await stale()).toEqual([]);
    await db.execute(sql`delete from ref_etablissements where id = ${c!.id}`);
    expect(await stale()).toEqual([]);
  });
});

/**
 * The order of the grouped statement, computed here: establishments matching themselves first, then those
 * matching through a composante only (named after the first such composante), each part by name.
 */
async function expectedOrder(annee: number, niveau: number): Promise<string[]> {
  const rows = await selectRows<{ siret: string }>(
    h.ctx.db,
    sql`select r.siret from ref_etablissements r
          cross join lateral (select min(c.nom_recherche) as nom from ref_etablissements c where c.parent_id = r.id and c.niveaux @> array[${niveau}::int]) c
        where r.annee = ${annee} and r.parent_id is null and (r.niveaux @> array[${niveau}::int] or c.nom is not null)
        order by r.niveaux @> array[${niveau}::int] desc, case when r.niveaux @> array[${niveau}::int] then r.nom_recherche else c.nom end, r.id`,
  );
  return rows.map((r) => r.siret);
}

describe('what the search answers from it', () => {
  it('a niveau alone, nationwide: the pages in the order of the grouped search, across the two parts', async () => {
    const [through] = await selectRows<{ n: number | string }>(
      h.ctx.db,
      sql`select count(*) as n from ref_etablissements where annee = ${GENERATED} and parent_id is null and niveaux_arbre <> niveaux`,
    );
    expect(Number(through!.n), 'establishments matching through a composante only').toBeGreaterThan(0);
    for (const niveau of [3, 5, 7]) {
      const expected = await expectedOrder(GENERATED, niveau);
      const a = await allPages({ niveau: String(niveau), annee: String(GENERATED) });
      expect(a.sirets, `niveau ${niveau}`).toEqual(expected);
    }
  });

  it('niveau alone, type alone, niveau and type: the same establishments as the formations say, each once over the pages', async () => {
    for (const [params, condition] of [
      [{ niveau: '5' }, sql`d.niveau = 5`],
      [{ niveau: '3' }, sql`d.niveau = 3`],
      [{ type: 'BTS' }, sql`upper(d.type) = 'BTS'`],
      [{ niveau: '6', type: 'LICENCE PRO' }, sql`d.niveau = 6 and upper(d.type) = 'LICENCE PRO'`],
      [{ niveau: '5', type: 'MASTER' }, sql`d.niveau = 5 and upper(d.type) = 'MASTER'`],
    ] as const) {
      const label = JSON.stringify(params);
      const expected = await expectedSirets(GENERATED, condition);
      const a = await allPages({ ...params, annee: String(GENERATED) });
      expect([...a.totals], label).toEqual([expected.length]);
      expect(new Set(a.sirets).size, label).toBe(a.sirets.length);
      expect([...a.sirets].sort(), label).toEqual(expected);
      expect(a.pages, label).toBe(Math.ceil(expected.length / 20));
    }
  });

  it('a page past the last one is empty and still gives the total', async () => {
    const first = await search({ niveau: '5', annee: String(GENERATED) });
    expect(first.pages).toBeGreaterThan(1);
    const past = await search({ niveau: '5', annee: String(GENERATED), page: String(first.pages + 3) });
    expect(past.resultats).toEqual([]);
    expect(past.total).toBe(first.total);
  });

  it('the formations counted are those of the criterion, as before the summary', async () => {
    const a = await search({ niveau: '5', annee: String(GENERATED) });
    for (const r of a.resultats.slice(0, 5)) {
      const [n] = await selectRows<{ n: number | string }>(
        h.ctx.db,
        sql`select count(*) as n from ref_formations f join ref_diplomes d on d.id = f.diplome_id join ref_etablissements e on e.id = f.etablissement_id
            left join ref_etablissements p on p.id = e.parent_id
            where f.annee = ${GENERATED} and d.niveau = 5 and coalesce(p.siret, e.siret) = ${r.siret}`,
      );
      expect(r.formations, r.siret).toBe(Number(n!.n));
    }
  });
});
