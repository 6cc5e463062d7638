/**
 * « Recherche établissement », the statement: a resolved plan (criteria with every look-up done) →
 * ONE parameterised statement. Pure: user input is only ever a bound parameter. How it stays fast and
 * how results are ordered: see search.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { boundingBox, EARTH_RADIUS_KM } from '../../domain/geo.js';
import type { QueryTerm } from '../../domain/recherche.js';

/** word_similarity threshold of a fuzzy word (pg_trgm's default is 0.6). */
export const WORD_SIMILARITY_THRESHOLD = 0.5;
/** A commune or territory name is understood when its score reaches this. */
export const PLACE_SIMILARITY_THRESHOLD = 0.45;

// ── the plan: criteria with every look-up done ──────────────────────────────────────────────────

export interface Centre {
  lat: number;
  lng: number;
}

export type PlaceFilter =
  | { kind: 'codePostal'; codePostal: string }
  | { kind: 'departement'; code: string }
  | { kind: 'region'; code: string }
  | { kind: 'communes'; codes: string[] };

/**
 * A word of a name or title: `fuzzy` when it occurs nowhere as typed (matched by similarity), unless it
 * has `corrections`: the words of the year's names one edit away from it (« famililae » → familiale),
 * matched as typed words are, any of them.
 */
export interface Word {
  word: string;
  fuzzy: boolean;
  corrections?: string[];
}

/** What a word found as typed or corrected is matched as: itself, or any of its corrections. */
const formsOf = (w: Word): string[] => (w.corrections?.length ? w.corrections : [w.word]);
const anyOf = (parts: SQL[]): SQL => (parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` or `)})`);

/**
 * The identifier or the name words, resolved. `fuzzyMode` says how fuzzy words are matched: `filter`
 * (the similarity function on the rows the other words selected — few of them), or `candidates` (the
 * trigram index's candidates, computed once, at most FUZZY_CANDIDATES — when no other word narrows).
 */
export type PlanTerm =
  | Exclude<QueryTerm, { kind: 'text' }>
  | { kind: 'text'; key: string; words: Word[]; shortOnly: boolean; fuzzyMode: 'filter' | 'candidates' };

export interface SearchPlan {
  /** the campaign year; null: the latest year of the referential, read by the statement itself (no round trip before it) */
  annee: number | null;
  term: PlanTerm;
  place: PlaceFilter | null;
  /** « autour de »: only rows within rayonKm of the centre */
  around: (Centre & { rayonKm: number }) | null;
  /** a centre for ordering by distance (the « autour de » commune, or the one commune of « lieu ») */
  centre: Centre | null;
  /**
   * The formation criteria: as conditions on the diplomas (`criteria`, joined in the statement), or,
   * when a title word is fuzzy, as the ids of the diplomas found beforehand. null: no such criterion.
   */
  diplome: { criteria: DiplomeCriteria } | { ids: number[] } | null;
  categorie: string | null;
  liste: string | null;
  limit: number;
  offset: number;
}

/** Where a value is compared with LIKE: its metacharacters taken literally (backslash is LIKE's escape). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The plan's year in a statement: the number, or the latest year of the referential (an InitPlan on the (annee, …) indexes). */
export const yearSql = (annee: number | null): SQL =>
  annee === null ? sql`(select max(annee) from ref_etablissements)` : sql`${annee}::int`;
const yearOf = (plan: SearchPlan): SQL => yearSql(plan.annee);

export const allOf = (parts: SQL[]) => (parts.length ? sql.join(parts, sql` and `) : sql`true`);
const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
/** A bigint[] as one parameter (a literal '{1,2,3}'), however many ids. */
const idArray = (ids: readonly number[]) => sql`${`{${ids.map((i) => Math.trunc(i)).join(',')}}`}::bigint[]`;

/** Haversine distance in km from `c` to the row `e` (same formula as domain/geo.ts distanceKm). */
function distanceSql(c: Centre): SQL {
  return sql`(${EARTH_RADIUS_KM}::float8 * 2 * asin(least(1::float8, sqrt(
      power(sin(radians(e.lat - ${c.lat}::float8) / 2), 2)
      + cos(radians(${c.lat}::float8)) * cos(radians(e.lat)) * power(sin(radians(e.lng - ${c.lng}::float8) / 2), 2)))))`;
}

/**
 * One word against a column. `indexed`: the operator form the GIN index serves (`<%` needs the
 * threshold set in the transaction); otherwise the function form (any context, for a few rows).
 */
export function wordFilter(column: SQL, w: Word, indexed: boolean): SQL {
  if (!w.fuzzy) return anyOf(formsOf(w).map((f) => sql`${column} like ${`%${escapeLike(f)}%`}`));
  return indexed ? sql`${w.word} <% ${column}` : sql`word_similarity(${w.word}, ${column}) >= ${WORD_SIMILARITY_THRESHOLD}::float8`;
}

/** Rows a fuzzy word may match through the index, at most: the similarity is costly per row, and a
 * word found nowhere that resembles thousands of names says little (the closest still come first). */
export const FUZZY_CANDIDATES = 1000;
/** Up to this many rows selected by the other words, fuzzy words are checked on those rows only. */
export const FUZZY_FILTER_ROWS = 2000;

/**
 * Whether a word found nowhere is worth a fuzzy match: a real word of a name (3 to 24 letters, not
 * one letter repeated). Anything else (5,000 « é », a pasted token) can only match as typed.
 */
export function fuzzyWorthy(word: string): boolean {
  return word.length >= 3 && word.length <= 24 && new Set(word).size >= 3;
}

/**
 * How well a word matched, in twentieths: whole word 20 (1), start of a word 18 (0.9), inside a word 16
 * (0.8), by similarity 18 × similarity (0.9 × similarity). Integers for the words found as typed, so
 * their mean is exact in float8 and rounds like numeric (see termSql) without numeric arithmetic on
 * every row (a third of a common word's statement).
 */
function wordScore20(column: SQL, w: Word): SQL {
  if (w.fuzzy) return sql`(18 * word_similarity(${w.word}, ${column})::float8)`;
  const scores = formsOf(w).map(
    (f) =>
      sql`(case when (' ' || ${column} || ' ') like ${`% ${escapeLike(f)} %`} then 20 when (' ' || ${column}) like ${`% ${escapeLike(f)}%`} then 18 else 16 end)`,
  );
  return scores.length === 1 ? scores[0]! : sql`greatest(${sql.join(scores, sql`, `)})`;
}

/**
 * The identifier / name condition on `e` and how it ranks (see the ordering above). `candidates`:
 * the fuzzy words' index candidates are the CTEs fz0, fz1… of the statement (else the similarity
 * function filters, after the cheap conditions).
 */
function termSql(term: PlanTerm, candidates: boolean): { where: SQL | null; score: SQL; tie: SQL; exact: SQL } {
  const none = { score: sql`0::float8`, tie: sql`0`, exact: sql`1` };
  switch (term.kind) {
    case 'none':
      return { where: null, ...none, exact: sql`0` };
    case 'siret':
      return { where: sql`e.siret = ${term.siret}`, ...none };
    case 'siren':
      // SIRETs of the SIREN: a range on the (annee, siret) index
      return { where: sql`e.siret >= ${`${term.siren}00000`} and e.siret <= ${`${term.siren}99999`}`, ...none };
    case 'uai':
      return { where: sql`e.id in (select u.etablissement_id from ref_etablissement_uais u where u.uai = ${term.uai})`, ...none };
    case 'text': {
      const col = sql`e.nom_recherche`;
      // only 1–2 letter words (« EM »): a word of the name must start with each
      const strict = term.words.filter((w) => !w.fuzzy);
      const fuzzy = term.words.filter((w) => w.fuzzy);
      const filters = term.shortOnly
        ? term.words.map((w) => sql`(' ' || ${col}) like ${`% ${escapeLike(w.word)}%`}`)
        : [
            ...strict.map((w) => wordFilter(col, w, false)),
            // last: PostgreSQL checks the conditions in order of cost, the costly similarity after the others
            ...fuzzy.map((w, i) => (candidates ? sql`e.id in (select id from ${sql.raw(`fz${i}`)})` : wordFilter(col, w, false))),
          ];
      // the mean word score in steps of 0.05, halves up (floor(x + 0.5): round() of numeric, for x ≥ 0),
      // + 0.2 when the name starts with the words
      const score = sql`(floor((${sql.join(
        term.words.map((w) => wordScore20(col, w)),
        sql` + `,
      )})::float8 / ${term.words.length} + 0.5) / 20 + case when ${col} like ${`${escapeLike(term.key)}%`} then 0.2::float8 else 0 end)::float8`;
      return { where: allOf(filters), score, tie: sql`length(${col})`, exact: sql`case when ${col} = ${term.key} then 1 else 0 end` };
    }
  }
}

function placeSql(p: PlaceFilter): SQL {
  switch (p.kind) {
    case 'codePostal':
      return sql`e.code_postal = ${p.codePostal}`;
    case 'departement':
      return sql`e.departement = ${p.code}`;
    case 'region':
      return sql`e.region = ${p.code}`;
    case 'communes':
      return p.codes.length ? sql`e.code_commune in (${list(p.codes)})` : sql`false`;
  }
}

/**
 * Every condition of the plan on a row `e` (establishment or composante) of the year.
 * `withFormations: false` leaves out the formation criteria (applied above a fence, see buildSearchSql).
 */
export function whereSql(plan: SearchPlan, candidates: boolean, withFormations = true): SQL {
  const where: SQL[] = [sql`e.annee = ${yearOf(plan)}`];
  const term = termSql(plan.term, candidates);
  if (plan.place) where.push(placeSql(plan.place));
  if (plan.around) {
    const b = boundingBox(plan.around, plan.around.rayonKm);
    // the box first, from the position index (ref_etab_position_idx), then the exact distance on its rows
    where.push(
      sql`point(e.lng, e.lat) <@ box(point(${b.minLng}::float8, ${b.minLat}::float8), point(${b.maxLng}::float8, ${b.maxLat}::float8))`,
    );
    where.push(sql`${distanceSql(plan.around)} <= ${plan.around.rayonKm}::float8`);
  }
  if (plan.categorie) where.push(sql`e.categorie = ${plan.categorie}`);
  if (plan.liste) where.push(sql`e.liste = ${plan.liste}`);
  if (plan.diplome && withFormations) where.push(formationFilter(plan));
  if (term.where) where.push(term.where);
  return allOf(where);
}

/**
 * `from … where` of the formations of row `id` in the year meeting the formation criteria. The diplomas
 * meeting them are the statement's CTE `dip`, computed once (see diplomesCte): each formation is then
 * one probe of a hashed set, instead of the title's LIKE conditions evaluated again on every formation
 * of every row (and of every row of the page's details).
 */
function formationsOf(plan: SearchPlan, id: SQL): SQL {
  // no condition on the year: a formation is of its establishment's year (a foreign key, migration 0027),
  // so this reads ref_formations_uq alone (index-only), not each formation's row for its year
  const base = sql`ref_formations f where f.etablissement_id = ${id}`;
  return plan.diplome ? sql`${base} and f.diplome_id in (select dip.id from dip)` : base;
}

/** The CTE `dip` of the statement: the ids of the diplomas meeting the formation criteria (none without). */
function diplomesCte(plan: SearchPlan): SQL {
  if (!plan.diplome) return sql``;
  if ('ids' in plan.diplome) return sql`dip as (select unnest(${idArray(plan.diplome.ids)}) as id), `;
  return sql`dip as materialized (select d.id from ref_diplomes d where ${diplomeSql(plan.diplome.criteria)}), `;
}

/**
 * The formation criteria on a row `e`. Narrowed by another criterion, each remaining row looks at its
 * own formations (a few index probes: a scalar subquery the planner cannot turn into a join). Alone,
 * the planner may start from the formations of the diplomas (a semi-join), better nationwide.
 */
function formationFilter(plan: SearchPlan): SQL {
  const summary = plan.diplome && 'criteria' in plan.diplome ? summaryFilter(plan.diplome.criteria) : null;
  if (summary?.decides) return summary.where;
  const probe = narrowed(plan)
    ? sql`(select 1 from ${formationsOf(plan, sql`e.id`)} limit 1) is not null`
    : sql`exists (select 1 from ${formationsOf(plan, sql`e.id`)})`;
  // the summary first: PostgreSQL checks the cheap conditions before the subquery
  return summary ? sql`${summary.where} and ${probe}` : probe;
}

/**
 * The niveau and type criteria on the row's search summary (`niveaux`, `types`: ADR 0008). A row
 * without such a formation is out without reading its formations. The summary `decides` when the
 * criterion is one niveau or one type alone; with both, or with other criteria, it only pre-filters
 * (a row may have a niveau 5 formation and a BTS of niveau 3).
 */
function summaryFilter(d: DiplomeCriteria, row = 'e', tree = false): { where: SQL; decides: boolean } | null {
  const parts: SQL[] = [];
  const col = (name: string) => sql.raw(`${row}.${name}${tree ? '_arbre' : ''}`);
  if (d.niveau !== null) parts.push(sql`${col('niveaux')} @> array[${d.niveau}::int]`);
  if (d.type) parts.push(sql`${col('types')} @> array[${d.type}::text]`);
  if (!parts.length) return null;
  return { where: allOf(parts), decides: parts.length === 1 && d.words.length === 0 && !d.rncp && !d.cfd };
}

/** The fuzzy words of the plan matched through the index (its statement then runs in `fuzzyTransaction`). */
export function indexedFuzzyWords(plan: SearchPlan): Word[] {
  return plan.term.kind === 'text' && plan.term.fuzzyMode === 'candidates' ? plan.term.words.filter((w) => w.fuzzy) : [];
}

/**
 * The search statement, one round trip: matching rows (establishments and composantes) grouped under
 * their root establishment; one page of roots in order, each with the total, its details (UAIs,
 * formations meeting the formation criteria, its own and its composantes') and the composantes that
 * matched (JSON). See DetailRow.
 */
export function buildSearchSql(plan: SearchPlan): SQL {
  const term = termSql(plan.term, true);
  const dist = plan.centre
    ? sql`case when e.lat is null or e.lng is null then null else ${distanceSql(plan.centre)} end`
    : sql`null::float8`;
  // each fuzzy word's index candidates, computed once (a CTE, not a subquery run again for every row)
  const fz = indexedFuzzyWords(plan).map(
    (w, i) =>
      sql`${sql.raw(`fz${i}`)} as materialized (select x.id from ref_etablissements x where ${w.word} <% x.nom_recherche limit ${FUZZY_CANDIDATES}), `,
  );
  const uais = (row: string) =>
    sql`(select string_agg(u.uai, ' ' order by u.uai) from ref_etablissement_uais u where u.etablissement_id = ${sql.raw(row)}.id)`;
  const own = (row: string) => sql`(select count(*) from ${formationsOf(plan, sql.raw(`${row}.id`))})`;
  const details = sql`r.annee, r.siret, r.nom, r.adresse, r.code_postal, r.commune, r.departement, r.region, r.categorie, r.liste, ${uais('r')} as uais, ${own('r')} as own,
      (select coalesce(sum((select count(*) from ${formationsOf(plan, sql`c.id`)})), 0) from ref_etablissements c where c.parent_id = r.id) as children`;
  const limit = sql`limit ${plan.limit} offset ${plan.offset}`;
  const composantes = sql`(select json_agg(json_build_object('siret', c.siret, 'nom', c.nom, 'commune', c.commune, 'codePostal', c.code_postal, 'uais', ${uais('c')}, 'own', ${own('c')})
                       order by c.nom_recherche, c.id)
         from ref_etablissements c where c.id = any(page.matched_composantes)) as composantes`;
  // an establishment that matches itself comes before one that matches through a composante only
  const order = sql`exact desc, score desc, dist asc nulls last, root_matched desc, tie asc, nom asc, root asc`;
  const tree = treeCriterion(plan);
  if (tree) return treeSearchSql(plan, tree, { details, composantes, order, limit });
  if (!grouped(plan))
    // no criterion a composante could meet without its establishment: the establishments themselves
    return sql`with page as (
        select e.id as root, e.nom_recherche as nom, count(*) over () as total
        from ref_etablissements e
        where e.parent_id is null and ${whereSql(plan, false)}
        order by e.nom_recherche asc, e.id asc
        ${limit}
      )
      select page.root, 0 as exact, 0::float8 as score, null::float8 as dist, true as root_matched, page.total, ${details}, null as composantes
      from page join ref_etablissements r on r.id = page.root
      order by page.nom asc, page.root asc`;
  // Narrowed, the per-row formation probe sits above a fence (offset 0): it runs only on the rows the
  // other criteria kept, and the planner costs it on those rows only.
  const fenced = plan.diplome !== null && narrowed(plan);
  const from = fenced
    ? sql`(select * from ref_etablissements e where ${whereSql(plan, fz.length > 0, false)} offset 0) e where ${formationFilter(plan)}`
    : sql`ref_etablissements e where ${whereSql(plan, fz.length > 0)}`;
  // `m` is read once (each group carries the ids of its matched composantes for the details), so
  // PostgreSQL folds it into `g` instead of writing thousands of rows to a work table first.
  return sql`with ${diplomesCte(plan)}${sql.join(fz, sql``)}m as (
      select e.id, e.parent_id, e.nom_recherche, ${term.exact} as exact, ${term.score} as score, ${term.tie} as tie, ${dist} as dist
      from ${from}
    ), g as (
      select coalesce(parent_id, id) as root, max(exact) as exact, max(score) as score, min(tie) as tie, min(dist) as dist,
             coalesce(min(case when parent_id is null then nom_recherche end), min(nom_recherche)) as nom, bool_or(parent_id is null) as root_matched,
             array_agg(id) filter (where parent_id is not null) as matched_composantes
      from m group by 1
    ), page as (
      select g.*, count(*) over () as total from g order by ${order} ${limit}
    )
    select page.root, page.exact, page.score, page.dist, page.root_matched, page.total, ${details}, ${composantes}
    from page join ref_etablissements r on r.id = page.root
    order by ${order}`;
}

/**
 * A niveau or a type alone, nationwide: the roots in name order from their index, the count from the
 * tree summary (ADR 0009) — no grouping of thousands of rows. Roots matching themselves come first (the
 * same order as the grouped statement: every other key is equal); those matching through a composante
 * only, named after it, are read only when the page reaches them. `tail`: the grouped statement's page
 * details, matched composantes, order and limit.
 */
function treeSearchSql(
  plan: SearchPlan,
  tree: { own: SQL; tree: SQL },
  tail: { details: SQL; composantes: SQL; order: SQL; limit: SQL },
): SQL {
  const { details, composantes, order, limit } = tail;
  const upTo = plan.offset + plan.limit;
  return sql`with ${diplomesCte(plan)}own as (
      select e.id as root, e.nom_recherche as nom, true as root_matched
      from ref_etablissements e where e.parent_id is null and ${whereSql(plan, false)}
      order by e.nom_recherche, e.id limit ${upTo}
    ), other as (
      select r.id as root, (select min(e.nom_recherche) from ref_etablissements e where e.parent_id = r.id and ${whereSql(plan, false)}) as nom,
             false as root_matched
      from ref_etablissements r
      where (select count(*) from own) < ${upTo} and r.parent_id is null and r.annee = ${yearOf(plan)} and ${tree.tree} and not (${tree.own})
      order by nom, root limit ${upTo}
    ), page as (
      select u.root, 0 as exact, 0::float8 as score, null::float8 as dist, 0 as tie, u.nom, u.root_matched,
        (select count(*) from ref_etablissements r where r.parent_id is null and r.annee = ${yearOf(plan)} and ${tree.tree}) as total,
        array(select e.id from ref_etablissements e where e.parent_id = u.root and ${whereSql(plan, false)}) as matched_composantes
      from (select * from own union all select * from other) u
      order by u.root_matched desc, u.nom asc, u.root asc ${limit}
    )
    select page.root, page.exact, page.score, page.dist, page.root_matched, page.total, ${details}, ${composantes}
    from page join ref_etablissements r on r.id = page.root
    order by ${order}`;
}

/**
 * A niveau alone or a type alone, and no other criterion: the conditions of the root itself (`own`) and
 * of its tree (`tree`: the root or one of its composantes) on the summaries of a root `r`. null otherwise
 * (a category or a list applies to each row, so it needs the rows).
 */
function treeCriterion(plan: SearchPlan): { own: SQL; tree: SQL } | null {
  if (narrowed(plan) || plan.categorie || plan.liste || !plan.diplome || !('criteria' in plan.diplome)) return null;
  const own = summaryFilter(plan.diplome.criteria, 'r');
  if (!own?.decides) return null;
  return { own: own.where, tree: summaryFilter(plan.diplome.criteria, 'r', true)!.where };
}

/** Whether a criterion besides the formations and the category / list keeps few rows. */
const narrowed = (plan: SearchPlan) => plan.term.kind !== 'none' || plan.place !== null || plan.around !== null;

/** Whether rows are grouped under their root: when a composante may match without its establishment. */
export const grouped = (plan: SearchPlan) =>
  plan.term.kind !== 'none' || plan.place !== null || plan.around !== null || plan.diplome !== null;

export interface DiplomeCriteria {
  words: Word[];
  cfd: string | null;
  niveau: number | null;
  rncp: string | null;
  type: string | null;
}

/** Whether fuzzy title words go through the trigram index: when nothing else narrows the diplomas. */
export const diplomeFuzzyIndexed = (d: DiplomeCriteria) =>
  d.words.some((w) => w.fuzzy) && !d.words.some((w) => !w.fuzzy) && d.niveau === null && !d.rncp && !d.type && !d.cfd;

/** Conditions on `d` (ref_diplomes) for the formation criteria. */
export function diplomeSql(d: DiplomeCriteria): SQL {
  const parts: SQL[] = [];
  if (d.niveau !== null) parts.push(sql`d.niveau = ${d.niveau}`);
  if (d.rncp) parts.push(sql`d.rncp = ${d.rncp}`);
  if (d.type) parts.push(sql`upper(d.type) = ${d.type}`);
  if (d.cfd) parts.push(sql`d.cfd = ${d.cfd}`);
  else {
    const indexed = diplomeFuzzyIndexed(d);
    // a word of the title, or of the diploma type (« bts », « pro »); fuzzy words last
    for (const w of d.words.filter((x) => !x.fuzzy))
      parts.push(
        sql`(${
          // a 1–2 letter word (only when there is no longer one): the start of a word, not any substring
          w.word.length < 3
            ? sql`(' ' || d.intitule_recherche) like ${`% ${escapeLike(w.word)}%`}`
            : wordFilter(sql`d.intitule_recherche`, w, false)
        } or d.type_recherche like ${`% ${escapeLike(w.word)} %`})`,
      );
    for (const w of d.words.filter((x) => x.fuzzy)) parts.push(wordFilter(sql`d.intitule_recherche`, w, indexed));
  }
  return allOf(parts);
}
