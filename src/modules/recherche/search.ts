/**
 * « Recherche établissement » (PRODUCT.md §4.2): habilitated establishments of one campaign year by
 * name / SIRET / UAI, place (code postal, département, région, commune, or within N km of a commune),
 * formation (title words, niveau, RNCP code, type), category and list; paged, ordered.
 *
 * Two halves: `buildSearchSql` is pure (a resolved plan → one parameterised statement; user input is
 * only ever a bound parameter), `searchEtablissements` does the I/O (campaign year, look-ups, the
 * statement, the page's details).
 *
 * How it stays fast at national scale (17,000 rows of establishments and composantes, 300,000
 * formations), measured with bench/search.ts:
 * - a probe first tells, for each word of the name (and of the formation title), whether it occurs
 *   somewhere as typed. Such a word filters with LIKE '%word%' (cheap, trigram GIN index); only a word
 *   found nowhere (a typo: « raspial ») is matched fuzzily (word similarity ≥ 0.5): on the rows the
 *   other words kept when they are few (FUZZY_FILTER_ROWS), else through the GIN index
 *   (`word <% nom_recherche`, at most FUZZY_CANDIDATES rows) — word_similarity is costly per row, so
 *   it never runs on the whole table. The threshold and `enable_seqscan = off` (the planner otherwise
 *   prefers a sequential scan on a table this small) are set for that statement's transaction only;
 * - formation criteria are joined to `ref_diplomes` (a small table); with another criterion each
 *   remaining row probes its own formations, alone the planner may start from the diplomas' formations;
 *   JIT is off for these statements (see tunedTransaction);
 * - « autour de » filters on a latitude/longitude box before the exact (haversine) distance;
 * - a composante matches for its parent: rows are grouped by their root establishment, 20 roots a
 *   page with the total in the same statement; the page's details come in two small statements.
 * Ordering: exact identifier or exact name first, then relevance (how each word matched: whole word,
 * start of a word, inside a word, or by similarity; in steps of 0.05), then distance (when a centre
 * is known), then establishments matching themselves before those matching through a composante only,
 * then the shorter name (more of it matched), then name.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../infra/db/index.js';
import { boundingBox, EARTH_RADIUS_KM } from '../../domain/geo.js';
import { libelleCategorie, LISTES } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import {
  closestTerritoire,
  departementNom,
  formationCode,
  PAGE_SIZE,
  parsePlace,
  parseQueryTerm,
  placeNameScore,
  regionNom,
  textTerm,
  type Criteria,
  type QueryTerm,
} from './criteria.js';

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

/** A word of a name or title: `fuzzy` when it occurs nowhere as typed (matched by similarity). */
export interface Word {
  word: string;
  fuzzy: boolean;
}

/**
 * The identifier or the name words, resolved. `fuzzyMode` says how fuzzy words are matched: `filter`
 * (the similarity function on the rows the other words selected — few of them), or `candidates` (the
 * trigram index's candidates, computed once, at most FUZZY_CANDIDATES — when no other word narrows).
 */
export type PlanTerm =
  | Exclude<QueryTerm, { kind: 'text' }>
  | { kind: 'text'; key: string; words: Word[]; shortOnly: boolean; fuzzyMode: 'filter' | 'candidates' };

export interface SearchPlan {
  annee: number;
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

const and = (parts: SQL[]) => (parts.length ? sql.join(parts, sql` and `) : sql`true`);
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
  if (!w.fuzzy) return sql`${column} like ${`%${escapeLike(w.word)}%`}`;
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

/** How well a word matched: whole word 1, start of a word 0.9, inside a word 0.8, by similarity × 0.9. */
function wordScore(column: SQL, w: Word): SQL {
  if (w.fuzzy) return sql`(0.9 * word_similarity(${w.word}, ${column}))`;
  return sql`(case when (' ' || ${column} || ' ') like ${`% ${escapeLike(w.word)} %`} then 1 when (' ' || ${column}) like ${`% ${escapeLike(w.word)}%`} then 0.9 else 0.8 end)`;
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
      const score = sql`(round(((${sql.join(
        term.words.map((w) => wordScore(col, w)),
        sql` + `,
      )}) / ${term.words.length}::float8 * 20)::numeric) / 20 + case when ${col} like ${`${escapeLike(term.key)}%`} then 0.2 else 0 end)::float8`;
      return { where: and(filters), score, tie: sql`length(${col})`, exact: sql`case when ${col} = ${term.key} then 1 else 0 end` };
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
  const where: SQL[] = [sql`e.annee = ${plan.annee}::int`];
  const term = termSql(plan.term, candidates);
  if (plan.place) where.push(placeSql(plan.place));
  if (plan.around) {
    const b = boundingBox(plan.around, plan.around.rayonKm);
    where.push(
      sql`e.lat between ${b.minLat}::float8 and ${b.maxLat}::float8 and e.lng between ${b.minLng}::float8 and ${b.maxLng}::float8`,
    );
    where.push(sql`${distanceSql(plan.around)} <= ${plan.around.rayonKm}::float8`);
  }
  if (plan.categorie) where.push(sql`e.categorie = ${plan.categorie}`);
  if (plan.liste) where.push(sql`e.liste = ${plan.liste}`);
  if (plan.diplome && withFormations) where.push(formationFilter(plan));
  if (term.where) where.push(term.where);
  return and(where);
}

/**
 * `from … where` of the formations of row `id` in the year meeting the formation criteria. Conditions
 * on the diplomas are joined rather than listed as ids: the planner then estimates a probe per
 * establishment rightly (a long `= any(array)` is costed per element and turns probes into scans).
 */
function formationsOf(plan: SearchPlan, id: SQL): SQL {
  const base = sql`ref_formations f where f.etablissement_id = ${id} and f.annee = ${plan.annee}::int`;
  if (!plan.diplome) return base;
  if ('ids' in plan.diplome) return sql`${base} and f.diplome_id = any(${idArray(plan.diplome.ids)})`;
  return sql`ref_formations f join ref_diplomes d on d.id = f.diplome_id where f.etablissement_id = ${id} and f.annee = ${plan.annee}::int and ${diplomeSql(plan.diplome.criteria)}`;
}

/**
 * The formation criteria on a row `e`. Narrowed by another criterion, each remaining row looks at its
 * own formations (a few index probes: a scalar subquery the planner cannot turn into a join). Alone,
 * the planner may start from the formations of the diplomas (a semi-join), better nationwide.
 */
function formationFilter(plan: SearchPlan): SQL {
  return narrowed(plan)
    ? sql`(select 1 from ${formationsOf(plan, sql`e.id`)} limit 1) is not null`
    : sql`exists (select 1 from ${formationsOf(plan, sql`e.id`)})`;
}

/** The fuzzy words of the plan matched through the index (its statement then runs in a fuzzy `tunedTransaction`). */
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
  const details = sql`r.siret, r.nom, r.adresse, r.code_postal, r.commune, r.departement, r.region, r.categorie, r.liste, ${uais('r')} as uais, ${own('r')} as own,
      (select coalesce(sum((select count(*) from ${formationsOf(plan, sql`c.id`)})), 0) from ref_etablissements c where c.parent_id = r.id) as children`;
  const limit = sql`limit ${plan.limit} offset ${plan.offset}`;
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
  // an establishment that matches itself comes before one that matches through a composante only
  const order = sql`exact desc, score desc, dist asc nulls last, root_matched desc, tie asc, nom asc, root asc`;
  // Narrowed, the per-row formation probe sits above a fence (offset 0): it runs only on the rows the
  // other criteria kept, and the planner costs it on those rows only.
  const fenced = plan.diplome !== null && narrowed(plan);
  const from = fenced
    ? sql`(select * from ref_etablissements e where ${whereSql(plan, fz.length > 0, false)} offset 0) e where ${formationFilter(plan)}`
    : sql`ref_etablissements e where ${whereSql(plan, fz.length > 0)}`;
  return sql`with ${sql.join(fz, sql``)}m as (
      select e.id, e.parent_id, e.nom_recherche, ${term.exact} as exact, ${term.score} as score, ${term.tie} as tie, ${dist} as dist
      from ${from}
    ), g as (
      select coalesce(parent_id, id) as root, max(exact) as exact, max(score) as score, min(tie) as tie, min(dist) as dist,
             coalesce(min(case when parent_id is null then nom_recherche end), min(nom_recherche)) as nom, bool_or(parent_id is null) as root_matched
      from m group by 1
    ), page as (
      select g.*, count(*) over () as total from g order by ${order} ${limit}
    )
    select page.root, page.exact, page.score, page.dist, page.root_matched, page.total, ${details},
      (select json_agg(json_build_object('siret', c.siret, 'nom', c.nom, 'commune', c.commune, 'codePostal', c.code_postal, 'uais', ${uais('c')}, 'own', ${own('c')})
                       order by c.nom_recherche, c.id)
         from ref_etablissements c where c.parent_id = page.root and c.id in (select m.id from m where m.parent_id is not null)) as composantes
    from page join ref_etablissements r on r.id = page.root
    order by ${order}`;
}

/** Whether a criterion besides the formations and the category / list keeps few rows. */
const narrowed = (plan: SearchPlan) => plan.term.kind !== 'none' || plan.place !== null || plan.around !== null;

/** Whether rows are grouped under their root: when a composante may match without its establishment. */
export const grouped = (plan: SearchPlan) =>
  plan.term.kind !== 'none' || plan.place !== null || plan.around !== null || plan.diplome !== null;

/**
 * Runs `fn` in a transaction tuned for the search (settings reset at its end):
 * - always `jit = off`: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost (a
 *   per-row subquery on an estimate of many rows) — 30 ms to 1.5 s of compiling for a few-ms query;
 * - `fuzzy`: `<%` uses WORD_SIMILARITY_THRESHOLD, and the planner prefers the trigram index to a
 *   sequential scan (it would evaluate the costly similarity on every row).
 */
async function tunedTransaction<T>(db: Db, fuzzy: boolean, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      fuzzy
        ? sql`select set_config('jit', 'off', true), set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true), set_config('enable_seqscan', 'off', true)`
        : sql`select set_config('jit', 'off', true)`,
    );
    return fn(tx);
  });
}

// ── look-ups ────────────────────────────────────────────────────────────────────────────────────

type Rows<T> = { rows: T[] };
async function rows<T>(db: Tx, q: SQL): Promise<T[]> {
  return ((await db.execute(q)) as unknown as Rows<T>).rows;
}

/** The campaign year searched by default: the latest year of the referential (null when empty). */
export async function currentAnnee(db: Tx): Promise<number | null> {
  const [r] = await rows<{ annee: number | null }>(db, sql`select max(annee) as annee from ref_etablissements`);
  return r?.annee === null || r?.annee === undefined ? null : Number(r.annee);
}

/** Every campaign year of the referential, newest first (skip scan on the (annee, siret) index). */
export async function anneesDisponibles(db: Tx): Promise<number[]> {
  const r = await rows<{ annee: number }>(
    db,
    sql`with recursive y(annee) as (
          select max(annee) from ref_etablissements
          union all
          select (select max(annee) from ref_etablissements where annee < y.annee) from y where y.annee is not null)
        select annee from y where annee is not null`,
  );
  return r.map((x) => Number(x.annee));
}

export interface Commune {
  code: string;
  nom: string;
  departement: string;
  lat: number | null;
  lng: number | null;
  population: number | null;
}

/** Paris, Lyon and Marseille: a search on the city includes its arrondissements' codes. */
const ARRONDISSEMENTS: Record<string, string[]> = {
  '75056': Array.from({ length: 20 }, (_, i) => String(75101 + i)),
  '69123': Array.from({ length: 9 }, (_, i) => String(69381 + i)),
  '13055': Array.from({ length: 16 }, (_, i) => String(13201 + i)),
};
export function withArrondissements(codes: readonly string[]): string[] {
  return [...new Set(codes.flatMap((c) => [c, ...(ARRONDISSEMENTS[c] ?? [])]))];
}

const communeColumns = sql`code, nom, departement, lat, lng, population`;

/**
 * Communes named exactly `key` (most populous first), else the closest names: trigram candidates
 * (similarity ≥ 0.15 for a short name, 0.3 for a longer one, set for this transaction only), ranked
 * again by `placeNameScore` (a transposition in a short name: « tuors » → Tours), kept from
 * PLACE_SIMILARITY_THRESHOLD.
 */
export async function findCommunes(
  db: Db,
  key: string,
  departement: string | null,
): Promise<{ exact: boolean; communes: (Commune & { similarity: number })[] }> {
  const dep = departement ? sql` and departement = ${departement}` : sql``;
  const exact = await rows<Commune>(
    db,
    sql`select ${communeColumns} from communes where nom_recherche = ${key}${dep} order by population desc nulls last, code limit 50`,
  );
  if (exact.length) return { exact: true, communes: exact.map((c) => ({ ...normCommune(c), similarity: 1 })) };
  const candidates = await db.transaction(async (tx) => {
    // short names need a low threshold (« tuors »: 0.2 with « tours »); longer ones keep more trigrams
    await tx.execute(
      sql`select set_config('pg_trgm.similarity_threshold', ${key.length <= 8 ? '0.15' : '0.3'}, true), set_config('enable_seqscan', 'off', true)`,
    );
    return rows<Commune & { nom_recherche: string }>(
      tx,
      sql`select ${communeColumns}, nom_recherche from communes
          where nom_recherche % ${key}${dep} order by similarity(nom_recherche, ${key}) desc, population desc nulls last, code limit 100`,
    );
  });
  const communes = candidates
    .map((c) => ({ ...normCommune(c), similarity: placeNameScore(key, c.nom_recherche) }))
    .filter((c) => c.similarity >= PLACE_SIMILARITY_THRESHOLD)
    .sort((a, b) => b.similarity - a.similarity || (b.population ?? 0) - (a.population ?? 0));
  return { exact: false, communes: communes.slice(0, 5) };
}

/** The most populous commune with this code postal. */
export async function communeOfCodePostal(db: Tx, codePostal: string): Promise<Commune | null> {
  const [c] = await rows<Commune>(
    db,
    sql`select ${communeColumns} from communes where ('|' || codes_postaux || '|') like ${`%|${escapeLike(codePostal)}|%`} order by population desc nulls last, code limit 1`,
  );
  return c ? normCommune(c) : null;
}

function normCommune(c: Commune): Commune {
  return {
    code: c.code,
    nom: c.nom,
    departement: c.departement,
    lat: c.lat === null ? null : Number(c.lat),
    lng: c.lng === null ? null : Number(c.lng),
    population: c.population === null ? null : Number(c.population),
  };
}

const communeLabel = (c: Commune) => `${c.nom} (${c.departement})`;

// ── the search ──────────────────────────────────────────────────────────────────────────────────

export interface ResultComposante {
  siret: string;
  nom: string;
  uais: string[];
  commune: string | null;
  codePostal: string | null;
}

export interface ResultItem {
  siret: string;
  nom: string;
  uais: string[];
  adresse: string;
  codePostal: string | null;
  commune: string | null;
  departement: string | null;
  departementNom: string | null;
  region: string | null;
  regionNom: string | null;
  categorie: string;
  categorieLibelle: string;
  liste: string;
  listeLibelle: string;
  /** formations matching the formation criteria (all of them without): of the establishment and its
   * composantes, or, with a place criterion, of those of them in that place */
  formations: number;
  /** km from the centre, one decimal; null without a centre */
  distanceKm: number | null;
  /** the composantes that matched (the establishment itself may not have) */
  composantes: ResultComposante[];
  /** whether the establishment matched the identifier or its exact name */
  exact: boolean;
}

export interface SearchOutcome {
  /** the campaign searched; null when the referential is empty */
  annee: number | null;
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  results: ResultItem[];
  /** how the criteria were understood (« Autour de Tours (37), dans un rayon de 10 km ») */
  understood: string[];
  /** per field: why it found nothing (an unknown commune…) — the search then answers no result */
  fieldMessages: Record<string, string>;
}

const listeLibelle = (code: string) => LISTES.find((l) => l.code === code)?.libelle ?? code;

/**
 * Resolves the criteria (campaign year, places, words, diplomas) and runs the search. Never throws on
 * user input: what cannot be understood answers an empty page with a message for its field.
 */
export async function searchEtablissements(db: Db, c: Criteria): Promise<SearchOutcome> {
  const term = parseQueryTerm(c.q);
  const cfd = formationCode(c.formation);
  const formationTerm = cfd ? null : textTerm(c.formation);
  const formationWords =
    formationTerm && formationTerm.kind === 'text' ? (formationTerm.words.length ? formationTerm.words : formationTerm.short) : [];
  const nameWords = term.kind === 'text' ? (term.words.length ? term.words : term.short) : [];

  // one round trip for the campaign year and, with words, which words occur somewhere as typed
  const probe = nameWords.length || formationWords.length ? await probeWords(db, c.annee === null, nameWords, formationWords) : null;
  const annee = c.annee ?? (probe ? probe.annee : await currentAnnee(db));
  const outcome: SearchOutcome = {
    annee,
    total: 0,
    page: c.page,
    pages: 0,
    pageSize: PAGE_SIZE,
    results: [],
    understood: [],
    fieldMessages: {},
  };
  if (annee === null) return outcome; // an empty referential

  let planTerm: PlanTerm;
  if (term.kind === 'text') {
    const words = nameWords.map((w, i) => ({ word: w, fuzzy: !term.short.includes(w) && !probe!.name[i] && fuzzyWorthy(w) }));
    const fuzzy = words.filter((w) => w.fuzzy).map((w) => w.word);
    const strict = words.filter((w) => !w.fuzzy);
    // fuzzy words: checked on the rows the other words select when they are few, else through the index
    const fuzzyMode = fuzzy.length && strict.length && (await strictRows(db, annee, strict)) <= FUZZY_FILTER_ROWS ? 'filter' : 'candidates';
    planTerm = { kind: 'text', key: term.key, words, shortOnly: term.words.length === 0, fuzzyMode };
    outcome.understood.push(`Nom : « ${c.q} »`);
    if (fuzzy.length) outcome.understood.push(`Nom proche de « ${fuzzy.join(' ')} » (orthographe approchée)`);
  } else planTerm = term;
  if (term.kind === 'siret') outcome.understood.push(`SIRET ${term.siret}`);
  if (term.kind === 'siren') outcome.understood.push(`SIREN ${term.siren} (tous ses établissements)`);
  if (term.kind === 'uai') outcome.understood.push(`Code UAI ${term.uai}`);
  if (c.q && term.kind === 'none') outcome.fieldMessages.q = `« ${c.q} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;

  let place: PlaceFilter | null = null;
  let centre: Centre | null = null;
  const p = parsePlace(c.lieu);
  switch (p.kind) {
    case 'none':
      if (c.lieu) outcome.fieldMessages.lieu = `« ${c.lieu} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;
      break;
    case 'codePostal':
      place = { kind: 'codePostal', codePostal: p.codePostal };
      outcome.understood.push(`Code postal ${p.codePostal}`);
      break;
    case 'departement':
      place = { kind: 'departement', code: p.code };
      outcome.understood.push(`Département : ${p.nom} (${p.code})`);
      break;
    case 'region':
      place = { kind: 'region', code: p.code };
      outcome.understood.push(`Région : ${p.nom}`);
      break;
    case 'nom': {
      const found = await findCommunes(db, p.key, p.departement);
      const territoire = p.departement ? null : closestTerritoire(p.key);
      const bestCommune = found.communes[0]?.similarity ?? 0;
      if (!found.exact && territoire && territoire.similarity >= PLACE_SIMILARITY_THRESHOLD && territoire.similarity >= bestCommune) {
        place = { kind: territoire.kind, code: territoire.code };
        outcome.understood.push(
          territoire.kind === 'departement' ? `Département : ${territoire.nom} (${territoire.code})` : `Région : ${territoire.nom}`,
        );
      } else if (found.communes.length) {
        // exact: every commune of that name; close: the closest one only
        const chosen = found.exact ? found.communes : found.communes.slice(0, 1);
        place = { kind: 'communes', codes: withArrondissements(chosen.map((x) => x.code)) };
        outcome.understood.push(`Commune : ${chosen.map(communeLabel).join(', ')}`);
        const one = chosen[0]!;
        if (chosen.length === 1 && one.lat !== null && one.lng !== null) centre = { lat: one.lat, lng: one.lng };
      } else {
        outcome.fieldMessages.lieu = `Aucune commune, aucun département ni aucune région ne correspond à « ${c.lieu} ».`;
      }
      break;
    }
  }

  let around: SearchPlan['around'] = null;
  if (c.autourDe) {
    const commune = await resolveCentre(db, c.autourDe);
    if (!commune) outcome.fieldMessages.autourDe = `Aucune commune ne correspond à « ${c.autourDe} ».`;
    else if (commune.lat === null || commune.lng === null)
      outcome.fieldMessages.autourDe = `La position de ${communeLabel(commune)} n’est pas connue : la recherche autour d’elle est impossible.`;
    else {
      around = { lat: commune.lat, lng: commune.lng, rayonKm: c.rayonKm };
      centre = { lat: commune.lat, lng: commune.lng };
      outcome.understood.push(`Autour de ${communeLabel(commune)}, dans un rayon de ${c.rayonKm} km`);
    }
  }

  let diplome: SearchPlan['diplome'] = null;
  if (c.formation && !cfd && formationWords.length === 0)
    outcome.fieldMessages.formation = `« ${c.formation} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;
  if (formationWords.length || cfd || c.niveau !== null || c.rncp || c.type) {
    const words = formationWords.map((w, i) => ({ word: w, fuzzy: !probe!.formation[i] && fuzzyWorthy(w) }));
    const criteria: DiplomeCriteria = { words, cfd, niveau: c.niveau, rncp: c.rncp, type: c.type || null };
    diplome = words.some((w) => w.fuzzy) ? { ids: await findDiplomes(db, criteria) } : { criteria };
    const parts = [
      cfd ? `code diplôme ${cfd}` : formationWords.length ? `« ${c.formation} »` : null,
      c.niveau !== null ? `niveau ${c.niveau}` : null,
      c.rncp,
      c.type || null,
    ].filter(Boolean);
    outcome.understood.push(`Formation : ${parts.join(', ')}`);
  }
  if (c.categorie) outcome.understood.push(`Catégorie ${c.categorie} : ${libelleCategorie(c.categorie)}`);
  if (c.liste) outcome.understood.push(listeLibelle(c.liste));

  // A criterion that could not be understood finds nothing (rather than everything); so does a
  // formation criterion no diploma meets.
  const blocking = ['lieu', 'autourDe'].some((k) => outcome.fieldMessages[k] && !outcome.fieldMessages[k]!.includes('ignoré'));
  if (blocking || (diplome && 'ids' in diplome && diplome.ids.length === 0)) return outcome;

  const plan: SearchPlan = {
    annee,
    term: planTerm,
    place,
    around,
    centre,
    diplome,
    categorie: c.categorie,
    liste: c.liste,
    limit: PAGE_SIZE,
    offset: (c.page - 1) * PAGE_SIZE,
  };
  return runPlan(db, plan, outcome);
}

/**
 * The latest campaign year (when asked) and, for each word of the name and of the formation title,
 * whether it occurs somewhere as typed — one statement of EXISTS probes (each stops at its first hit).
 */
async function probeWords(
  db: Db,
  wantAnnee: boolean,
  nameWords: string[],
  formationWords: string[],
): Promise<{ annee: number | null; name: boolean[]; formation: boolean[] }> {
  const cols: SQL[] = [wantAnnee ? sql`(select max(annee) from ref_etablissements) as annee` : sql`null::int as annee`];
  nameWords.forEach((w, i) =>
    cols.push(sql`exists (select 1 from ref_etablissements e where e.nom_recherche like ${`%${escapeLike(w)}%`}) as ${sql.raw(`n${i}`)}`),
  );
  formationWords.forEach((w, i) =>
    cols.push(
      sql`exists (select 1 from ref_diplomes d where d.intitule_recherche like ${`%${escapeLike(w)}%`} or (' ' || lower(coalesce(d.type, '')) || ' ') like ${`% ${escapeLike(w)} %`}) as ${sql.raw(`f${i}`)}`,
    ),
  );
  const [r] = await rows<Record<string, unknown>>(db, sql`select ${sql.join(cols, sql`, `)}`);
  const yes = (v: unknown) => v === true || v === 't';
  return {
    annee: r?.annee === null || r?.annee === undefined ? null : Number(r.annee),
    name: nameWords.map((_, i) => yes(r?.[`n${i}`])),
    formation: formationWords.map((_, i) => yes(r?.[`f${i}`])),
  };
}

/** How many rows of the year the strict words select (counted up to FUZZY_FILTER_ROWS + 1). */
async function strictRows(db: Db, annee: number, words: Word[]): Promise<number> {
  const [r] = await rows<{ n: number | string }>(
    db,
    sql`select count(*) as n from (select 1 from ref_etablissements e where e.annee = ${annee} and ${and(words.map((w) => wordFilter(sql`e.nom_recherche`, w, false)))} limit ${FUZZY_FILTER_ROWS + 1}) t`,
  );
  return Number(r?.n ?? 0);
}

export interface DiplomeCriteria {
  words: Word[];
  cfd: string | null;
  niveau: number | null;
  rncp: string | null;
  type: string | null;
}

/** Whether fuzzy title words go through the trigram index: when nothing else narrows the diplomas. */
const diplomeFuzzyIndexed = (d: DiplomeCriteria) =>
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
        } or (' ' || lower(coalesce(d.type, '')) || ' ') like ${`% ${escapeLike(w.word)} %`})`,
      );
    for (const w of d.words.filter((x) => x.fuzzy)) parts.push(wordFilter(sql`d.intitule_recherche`, w, indexed));
  }
  return and(parts);
}

/** Ids of the diplomas meeting the formation criteria (the table is small: a few thousand rows). */
async function findDiplomes(db: Db, d: DiplomeCriteria): Promise<number[]> {
  const q = sql`select d.id from ref_diplomes d where ${diplomeSql(d)}`;
  const found = diplomeFuzzyIndexed(d)
    ? await tunedTransaction(db, true, (tx) => rows<{ id: number | string }>(tx, q))
    : await rows<{ id: number | string }>(db, q);
  return found.map((r) => Number(r.id));
}

/** « Tours », « tours 37 », « Tours (37) », « 37000 », or a typo: one commune, the most populous. */
export async function resolveCentre(db: Db, input: string): Promise<Commune | null> {
  const p = parsePlace(input);
  if (p.kind === 'codePostal') return communeOfCodePostal(db, p.codePostal);
  const key = p.kind === 'nom' ? p.key : searchKey(input);
  if (!key) return null;
  const found = await findCommunes(db, key, p.kind === 'nom' ? p.departement : null);
  return found.communes[0] ?? null;
}

/** A row of the search statement: a root of the page with its details. */
interface DetailRow {
  root: number | string;
  exact: number | string;
  score: number | string;
  dist: number | string | null;
  root_matched: boolean | string;
  total: number | string;
  siret: string;
  nom: string;
  adresse: string;
  code_postal: string | null;
  commune: string | null;
  departement: string | null;
  region: string | null;
  categorie: string;
  liste: string;
  uais: string | null;
  /** formations of the row (meeting the formation criteria) */
  own: number | string;
  /** formations of its composantes (meeting the formation criteria) */
  children: number | string;
  /** the composantes that matched (json_agg: parsed by the drivers, or text) */
  composantes: unknown;
}

interface ComposanteJson {
  siret: string;
  nom: string;
  commune: string | null;
  codePostal: string | null;
  uais: string | null;
  own: number;
}

async function runPlan(db: Db, plan: SearchPlan, outcome: SearchOutcome): Promise<SearchOutcome> {
  const indexed = indexedFuzzyWords(plan).length > 0;
  // formation criteria: per-row subqueries (JIT-prone estimates); fuzzy words: index settings
  const tuned = indexed || plan.diplome !== null;
  const run = (statement: SQL) =>
    tuned ? tunedTransaction(db, indexed, (tx) => rows<DetailRow>(tx, statement)) : rows<DetailRow>(db, statement);
  const page = await run(buildSearchSql(plan));
  if (page.length === 0) {
    if (plan.offset > 0) {
      // past the last page: the total all the same
      const [r] = await run(buildSearchSql({ ...plan, offset: 0, limit: 1 }));
      outcome.total = r ? Number(r.total) : 0;
      outcome.pages = Math.ceil(outcome.total / PAGE_SIZE);
    }
    return outcome;
  }
  outcome.total = Number(page[0]!.total);
  outcome.pages = Math.ceil(outcome.total / PAGE_SIZE);
  // Formations counted: with a place criterion, those of the matching rows only (a university's
  // composante elsewhere does not count); otherwise those of the establishment and all its composantes.
  const restricted = plan.place !== null || plan.around !== null;
  outcome.results = page.map((e) => {
    const composantes = jsonArray<ComposanteJson>(e.composantes);
    const rootMatched = e.root_matched === true || e.root_matched === 't';
    const formations = restricted
      ? (rootMatched ? Number(e.own) : 0) + composantes.reduce((n, c) => n + Number(c.own), 0)
      : Number(e.own) + Number(e.children);
    return {
      siret: e.siret,
      nom: e.nom,
      uais: uaisOf(e.uais),
      adresse: e.adresse,
      codePostal: e.code_postal,
      commune: e.commune,
      departement: e.departement,
      departementNom: departementNom(e.departement),
      region: e.region,
      regionNom: regionNom(e.region),
      categorie: e.categorie,
      categorieLibelle: libelleCategorie(e.categorie),
      liste: e.liste,
      listeLibelle: listeLibelle(e.liste),
      formations,
      distanceKm: e.dist === null ? null : Math.round(Number(e.dist) * 10) / 10,
      composantes: composantes.map((c) => ({
        siret: c.siret,
        nom: c.nom,
        uais: uaisOf(c.uais),
        commune: c.commune,
        codePostal: c.codePostal,
      })),
      exact: Number(e.exact) === 1,
    };
  });
  return outcome;
}

function jsonArray<T>(v: unknown): T[] {
  if (v === null || v === undefined) return [];
  const x = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(x) ? (x as T[]) : [];
}

const uaisOf = (s: string | null) => (s ? s.split(' ') : []);

/** Diploma types present in the referential (the « Type de diplôme » list). */
export async function diplomeTypes(db: Tx): Promise<string[]> {
  const r = await rows<{ type: string }>(
    db,
    sql`select distinct upper(type) as type from ref_diplomes where type is not null and type <> '' order by 1`,
  );
  return r.map((x) => x.type);
}
