/**
 * « Recherche établissement »: habilitated establishments of one campaign year by
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
 *   somewhere as typed. Such a word filters with LIKE '%word%' (cheap, trigram GIN index). A word of
 *   the name found nowhere (a typo: « raspial ») is corrected when the year's names have a word one edit
 *   away (« raspail », corrections.ts) and then filters as typed words do; only a word with no
 *   correction (two typos) is matched fuzzily (word similarity ≥ 0.5): on the rows the
 *   other words kept when they are few (FUZZY_FILTER_ROWS), else through the GIN index
 *   (`word <% nom_recherche`, at most FUZZY_CANDIDATES rows) — word_similarity is costly per row, so
 *   it never runs on the whole table. The threshold and `enable_seqscan = off` (the planner otherwise
 *   prefers a sequential scan on a table this small) are set for that statement's transaction only;
 * - formation criteria are joined to `ref_diplomes` (a small table); with another criterion each
 *   remaining row probes its own formations, alone the planner may start from the diplomas' formations;
 *   JIT is off on the pool's connections (see fuzzyTransaction);
 * - one round trip for most searches: without words, the campaign year is the statement's own
 *   InitPlan (`max(annee)`), read back from its rows;
 * - « autour de » filters on a latitude/longitude box (a GiST index of the positions) before the exact
 *   (haversine) distance;
 * - a composante matches for its parent: rows are grouped by their root establishment, 20 roots a
 *   page with the total in the same statement; the page's details come in two small statements.
 * Ordering: exact identifier or exact name first, then relevance (how each word matched: whole word,
 * start of a word, inside a word, or by similarity; in steps of 0.05), then distance (when a centre
 * is known), then establishments matching themselves before those matching through a composante only,
 * then the shorter name (more of it matched), then name.
 */
import { sql, type SQL } from 'drizzle-orm';
import { selectRows, type Db, type Tx } from '../../infra/db/index.js';
import { formationCode, PAGE_SIZE, parseQueryTerm, textTerm, type Criteria, type QueryTerm } from '../../domain/recherche.js';
import { libelleCategorie } from '../../domain/referentiel.js';
import { dePlace } from '../../domain/text.js';
import { communeLabel, findCommunes, resolveCentre, withArrondissements } from './communes.js';
import { corrections } from './corrections.js';
import type { RefEtablissementColumns } from '../referentiel/read.js';
import { closestTerritoire, parsePlace } from './criteria.js';
import { classementOf, lieuOf, listeLibelle, uaisOf, type EtablissementClasse } from './etablissement-view.js';
import {
  allOf,
  buildSearchSql,
  diplomeFuzzyIndexed,
  diplomeSql,
  escapeLike,
  FUZZY_FILTER_ROWS,
  fuzzyWorthy,
  indexedFuzzyWords,
  PLACE_SIMILARITY_THRESHOLD,
  WORD_SIMILARITY_THRESHOLD,
  wordFilter,
  yearSql,
  type Centre,
  type DiplomeCriteria,
  type PlaceFilter,
  type PlanTerm,
  type SearchPlan,
  type Word,
} from './search-sql.js';

/**
 * Runs `fn`, a statement matching fuzzy words through the trigram index, in a transaction where `<%` uses
 * WORD_SIMILARITY_THRESHOLD and the planner prefers that index to a sequential scan (it would evaluate
 * the costly similarity on every row); the settings end with it. Other statements run as they are, one
 * round trip: JIT, which compiled plans with a per-row subquery on an estimate of many rows (30 ms to
 * 1.5 s of compiling for a few-ms query), is off on every connection of the pool (infra/db; PGlite has none).
 */
async function fuzzyTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true), set_config('enable_seqscan', 'off', true)`,
    );
    return fn(tx);
  });
}

// ── look-ups ────────────────────────────────────────────────────────────────────────────────────

/** The campaign year searched by default: the latest year of the referential (null when empty). */
export async function currentAnnee(db: Tx): Promise<number | null> {
  const [r] = await selectRows<{ annee: number | null }>(db, sql`select max(annee) as annee from ref_etablissements`);
  return r?.annee === null || r?.annee === undefined ? null : Number(r.annee);
}

/** Every campaign year of the referential, newest first (skip scan on the (annee, siret) index). */
export async function anneesDisponibles(db: Tx): Promise<number[]> {
  const r = await selectRows<{ annee: number }>(
    db,
    sql`with recursive y(annee) as (
          select max(annee) from ref_etablissements
          union all
          select (select max(annee) from ref_etablissements where annee < y.annee) from y where y.annee is not null)
        select annee from y where annee is not null`,
  );
  return r.map((x) => Number(x.annee));
}

/** The SOLTéA home page: the latest campaign of the referential and how many establishments (composantes aside) it habilitates. */
export async function accueilSoltea(db: Tx): Promise<{ annee: number | null; etablissements: number }> {
  const annee = await currentAnnee(db);
  if (annee === null) return { annee, etablissements: 0 };
  const [r] = await selectRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from ref_etablissements where annee = ${annee} and parent_id is null`,
  );
  return { annee, etablissements: Number(r?.n ?? 0) };
}

// ── the search ──────────────────────────────────────────────────────────────────────────────────

export interface ResultComposante {
  siret: string;
  nom: string;
  uais: string[];
  commune: string | null;
  codePostal: string | null;
}

export interface ResultItem extends EtablissementClasse {
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
  // without words, the latest year is read by the search statement itself (one round trip less)
  const annee = c.annee ?? (probe ? probe.annee : null);
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
  if (annee === null && probe) return outcome; // an empty referential

  const planTerm = await nameTerm(db, annee, c, term, nameWords, probe, outcome);
  const lieu = await lieuFilter(db, c, outcome);
  const around = await aroundFilter(db, c, outcome);
  const diplome = await formationFilter(db, c, cfd, formationWords, probe, outcome);
  if (c.categorie) outcome.understood.push(`Catégorie ${c.categorie} : ${libelleCategorie(c.categorie)}`);
  if (c.liste) outcome.understood.push(listeLibelle(c.liste));

  // A criterion that could not be understood finds nothing (rather than everything); so does a
  // formation criterion no diploma meets.
  const blocking = ['lieu', 'autourDe'].some((k) => outcome.fieldMessages[k] && !outcome.fieldMessages[k].includes('ignoré'));
  if (blocking || (diplome && 'ids' in diplome && diplome.ids.length === 0)) return withYear(db, outcome);

  const plan: SearchPlan = {
    annee,
    term: planTerm,
    place: lieu.place,
    around,
    centre: around ? { lat: around.lat, lng: around.lng } : lieu.centre,
    diplome,
    categorie: c.categorie,
    liste: c.liste,
    limit: PAGE_SIZE,
    offset: (c.page - 1) * PAGE_SIZE,
  };
  return runPlan(db, plan, outcome);
}

type Probe = Awaited<ReturnType<typeof probeWords>>;

/** The first field: an identifier as it is, or the name's words, each found as typed or matched fuzzily. */
async function nameTerm(
  db: Db,
  annee: number | null,
  c: Criteria,
  term: QueryTerm,
  nameWords: string[],
  probe: Probe | null,
  outcome: SearchOutcome,
): Promise<PlanTerm> {
  let planTerm: PlanTerm;
  if (term.kind === 'text') {
    const found = nameWords.map((w, i) => ({ word: w, fuzzy: !term.short.includes(w) && !probe!.name[i] && fuzzyWorthy(w) }));
    // a word found nowhere: corrected when the year's names have words one edit away, else fuzzy
    const typos = found.filter((w) => w.fuzzy).map((w) => w.word);
    const fixes = annee !== null && typos.length ? await corrections(db, annee, typos) : new Map<string, string[]>();
    const words: Word[] = found.map((w) => {
      const fixed = fixes.get(w.word);
      return fixed ? { word: w.word, fuzzy: false, corrections: fixed } : w;
    });
    const fuzzy = words.filter((w) => w.fuzzy).map((w) => w.word);
    const strict = words.filter((w) => !w.fuzzy);
    // fuzzy words: checked on the rows the other words select when they are few, else through the index
    const fuzzyMode = fuzzy.length && strict.length && (await strictRows(db, annee, strict)) <= FUZZY_FILTER_ROWS ? 'filter' : 'candidates';
    planTerm = { kind: 'text', key: term.key, words, shortOnly: term.words.length === 0, fuzzyMode };
    outcome.understood.push(`Nom : « ${c.q} »`);
    for (const [typed, fixed] of fixes)
      outcome.understood.push(`Orthographe corrigée : « ${typed} » lu ${fixed.map((f) => `« ${f} »`).join(' ou ')}`);
    if (fuzzy.length) outcome.understood.push(`Nom proche de « ${fuzzy.join(' ')} » (orthographe approchée)`);
  } else planTerm = term;
  if (term.kind === 'siret') outcome.understood.push(`SIRET ${term.siret}`);
  if (term.kind === 'siren') outcome.understood.push(`SIREN ${term.siren} (tous ses établissements)`);
  if (term.kind === 'uai') outcome.understood.push(`Code UAI ${term.uai}`);
  if (c.q && term.kind === 'none') outcome.fieldMessages.q = `« ${c.q} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;
  return planTerm;
}

/** The second field: a code postal, a département, a région or communes (with a centre when there is one). */
async function lieuFilter(db: Db, c: Criteria, outcome: SearchOutcome): Promise<{ place: PlaceFilter | null; centre: Centre | null }> {
  const p = parsePlace(c.lieu);
  switch (p.kind) {
    case 'none':
      if (c.lieu) outcome.fieldMessages.lieu = `« ${c.lieu} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;
      return { place: null, centre: null };
    case 'codePostal':
      outcome.understood.push(`Code postal ${p.codePostal}`);
      return { place: { kind: 'codePostal', codePostal: p.codePostal }, centre: null };
    case 'departement':
      outcome.understood.push(`Département : ${p.nom} (${p.code})`);
      return { place: { kind: 'departement', code: p.code }, centre: null };
    case 'region':
      outcome.understood.push(`Région : ${p.nom}`);
      return { place: { kind: 'region', code: p.code }, centre: null };
    case 'nom':
      return namedPlace(db, c, p, outcome);
  }
}

/** A place name: the closest département or région when it is closer than any commune, else the commune(s). */
async function namedPlace(
  db: Db,
  c: Criteria,
  p: { key: string; departement: string | null },
  outcome: SearchOutcome,
): Promise<{ place: PlaceFilter | null; centre: Centre | null }> {
  const found = await findCommunes(db, p.key, p.departement);
  const territoire = p.departement ? null : closestTerritoire(p.key);
  const bestCommune = found.communes[0]?.similarity ?? 0;
  if (!found.exact && territoire && territoire.similarity >= PLACE_SIMILARITY_THRESHOLD && territoire.similarity >= bestCommune) {
    outcome.understood.push(
      territoire.kind === 'departement' ? `Département : ${territoire.nom} (${territoire.code})` : `Région : ${territoire.nom}`,
    );
    return { place: { kind: territoire.kind, code: territoire.code }, centre: null };
  }
  if (found.communes.length === 0) {
    outcome.fieldMessages.lieu = `Aucune commune, aucun département ni aucune région ne correspond à « ${c.lieu} ».`;
    return { place: null, centre: null };
  }
  // exact: every commune of that name; close: the closest one only
  const chosen = found.exact ? found.communes : found.communes.slice(0, 1);
  outcome.understood.push(`Commune : ${chosen.map(communeLabel).join(', ')}`);
  const one = chosen[0]!;
  return {
    place: { kind: 'communes', codes: withArrondissements(chosen.map((x) => x.code)) },
    centre: chosen.length === 1 && one.lat !== null && one.lng !== null ? { lat: one.lat, lng: one.lng } : null,
  };
}

/** « Autour de la commune », « dans un rayon de ». */
async function aroundFilter(db: Db, c: Criteria, outcome: SearchOutcome): Promise<SearchPlan['around']> {
  if (!c.autourDe) return null;
  const commune = await resolveCentre(db, c.autourDe);
  if (!commune) outcome.fieldMessages.autourDe = `Aucune commune ne correspond à « ${c.autourDe} ».`;
  else if (commune.lat === null || commune.lng === null)
    outcome.fieldMessages.autourDe = `La position de ${communeLabel(commune)} n’est pas connue : la recherche autour d’elle est impossible.`;
  else {
    outcome.understood.push(`Autour ${dePlace(communeLabel(commune))}, dans un rayon de ${c.rayonKm} km`);
    return { lat: commune.lat, lng: commune.lng, rayonKm: c.rayonKm };
  }
  return null;
}

/** The formation criteria: conditions on the diplomas, or the diplomas' ids when a title word is fuzzy. */
async function formationFilter(
  db: Db,
  c: Criteria,
  cfd: string | null,
  formationWords: string[],
  probe: Probe | null,
  outcome: SearchOutcome,
): Promise<SearchPlan['diplome']> {
  if (c.formation && !cfd && formationWords.length === 0)
    outcome.fieldMessages.formation = `« ${c.formation} » ne contient ni lettre ni chiffre : ce critère est ignoré.`;
  if (!(formationWords.length || cfd || c.niveau !== null || c.rncp || c.type)) return null;
  const words = formationWords.map((w, i) => ({ word: w, fuzzy: !probe!.formation[i] && fuzzyWorthy(w) }));
  const criteria: DiplomeCriteria = { words, cfd, niveau: c.niveau, rncp: c.rncp, type: c.type || null };
  const diplome = words.some((w) => w.fuzzy) ? { ids: await findDiplomes(db, criteria) } : { criteria };
  const parts = [
    cfd ? `code diplôme ${cfd}` : formationWords.length ? `« ${c.formation} »` : null,
    c.niveau !== null ? `niveau ${c.niveau}` : null,
    c.rncp,
    c.type || null,
  ].filter(Boolean);
  outcome.understood.push(`Formation : ${parts.join(', ')}`);
  return diplome;
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
      sql`exists (select 1 from ref_diplomes d where d.intitule_recherche like ${`%${escapeLike(w)}%`} or d.type_recherche like ${`% ${escapeLike(w)} %`}) as ${sql.raw(`f${i}`)}`,
    ),
  );
  const [r] = await selectRows<Record<string, unknown>>(db, sql`select ${sql.join(cols, sql`, `)}`);
  const yes = (v: unknown) => v === true || v === 't';
  return {
    annee: r?.annee === null || r?.annee === undefined ? null : Number(r.annee),
    name: nameWords.map((_, i) => yes(r?.[`n${i}`])),
    formation: formationWords.map((_, i) => yes(r?.[`f${i}`])),
  };
}

/** How many rows of the year the strict words select (counted up to FUZZY_FILTER_ROWS + 1). */
async function strictRows(db: Db, annee: number | null, words: Word[]): Promise<number> {
  const [r] = await selectRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from (select 1 from ref_etablissements e where e.annee = ${yearSql(annee)} and ${allOf(words.map((w) => wordFilter(sql`e.nom_recherche`, w, false)))} limit ${FUZZY_FILTER_ROWS + 1}) t`,
  );
  return Number(r?.n ?? 0);
}

/** Ids of the diplomas meeting the formation criteria (the table is small: a few thousand rows). */
async function findDiplomes(db: Db, d: DiplomeCriteria): Promise<number[]> {
  const q = sql`select d.id from ref_diplomes d where ${diplomeSql(d)}`;
  const found = diplomeFuzzyIndexed(d)
    ? await fuzzyTransaction(db, (tx) => selectRows<{ id: number | string }>(tx, q))
    : await selectRows<{ id: number | string }>(db, q);
  return found.map((r) => Number(r.id));
}

/** A row of the search statement: a root of the page with its details. */
interface DetailRow extends RefEtablissementColumns {
  /** the campaign year of the row */
  annee: number | string;
  root: number | string;
  exact: number | string;
  score: number | string;
  dist: number | string | null;
  root_matched: boolean | string;
  total: number | string;
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
  const run = (statement: SQL) =>
    indexedFuzzyWords(plan).length > 0
      ? fuzzyTransaction(db, (tx) => selectRows<DetailRow>(tx, statement))
      : selectRows<DetailRow>(db, statement);
  const page = await run(buildSearchSql(plan));
  if (page.length === 0) {
    if (plan.offset > 0) {
      // past the last page: the total all the same
      const [r] = await run(buildSearchSql({ ...plan, offset: 0, limit: 1 }));
      outcome.total = r ? Number(r.total) : 0;
      outcome.pages = Math.ceil(outcome.total / PAGE_SIZE);
      if (r && plan.annee === null) outcome.annee = Number(r.annee);
    }
    return withYear(db, outcome);
  }
  // the year the statement searched when it was left to it (its rows carry it)
  if (plan.annee === null) outcome.annee = Number(page[0]!.annee);
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
      ...lieuOf(e),
      ...classementOf(e),
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

/**
 * The outcome of a search whose year was left to the statement and that read no row: the latest year
 * of the referential, or, when it is empty, no year and nothing understood (there is nothing to search).
 */
async function withYear(db: Db, outcome: SearchOutcome): Promise<SearchOutcome> {
  if (outcome.annee !== null) return outcome;
  const annee = await currentAnnee(db);
  return annee === null ? { ...outcome, understood: [], fieldMessages: {} } : { ...outcome, annee };
}

function jsonArray<T>(v: unknown): T[] {
  if (v === null || v === undefined) return [];
  const x = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(x) ? (x as T[]) : [];
}

/** Diploma types present in the referential (the « Type de diplôme » list). */
export async function diplomeTypes(db: Tx): Promise<string[]> {
  const r = await selectRows<{ type: string }>(
    db,
    sql`select distinct upper(type) as type from ref_diplomes where type is not null and type <> '' order by 1`,
  );
  return r.map((x) => x.type);
}
