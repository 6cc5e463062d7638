/**
 * The baseline of `bench/search.ts`: the same search on an in-process JavaScript engine (MiniSearch
 * 7), built in the benchmark's process from the same rows the database holds. Same criteria parser
 * (src/domain/recherche.ts), same semantics as the SQL:
 * - name words: MiniSearch on the establishments' and composantes' names, every word required
 *   (combineWith AND), prefix and fuzzy (edit distance 20 % of the word) matching;
 * - SIRET / SIREN / UAI: MiniSearch on an identifiers field (exact, or prefix for a SIREN);
 * - places: code postal, département, région filters; commune names through an exact map, then a
 *   fuzzy MiniSearch index of the communes re-ranked like the server (placeNameScore);
 * - « autour de »: haversine distance filter;
 * - formations: a MiniSearch index of the diplomas, then rows teaching one of them;
 * - rows grouped under their root establishment, ordered exact → score → distance → name, 20 a page,
 *   with the total and the number of matching formations of the page's rows.
 */
import MiniSearch from 'minisearch';
import { sql } from 'drizzle-orm';
import { distanceKm } from '../src/domain/geo.js';
import { searchKey } from '../src/domain/text.js';
import type { Db } from '../src/infra/db/index.js';
import { formationCode, PAGE_SIZE, parseQueryTerm, placeNameScore, textTerm, type Criteria } from '../src/domain/recherche.js';
import { withArrondissements } from '../src/modules/recherche/communes.js';
import { parsePlace } from '../src/modules/recherche/criteria.js';

export interface MsRow {
  id: number;
  root: number;
  nom: string;
  nomKey: string;
  siret: string;
  uais: string;
  codePostal: string | null;
  codeCommune: string | null;
  departement: string | null;
  region: string | null;
  lat: number | null;
  lng: number | null;
  categorie: string;
  liste: string;
  diplomes: Int32Array;
}
interface MsDiplome {
  id: number;
  intitule: string;
  type: string;
  rncp: string | null;
  niveau: number | null;
  cfd: string | null;
}
interface MsCommune {
  id: string;
  nom: string;
  key: string;
  departement: string;
  lat: number | null;
  lng: number | null;
  population: number;
}

export interface MsData {
  rows: MsRow[];
  diplomes: MsDiplome[];
  communes: MsCommune[];
}

/** Reads what the engine indexes: one year's rows with their UAIs and diplomas, the diplomas, the communes. */
export async function loadMsData(db: Db, annee: number): Promise<MsData> {
  const q = async <T>(s: ReturnType<typeof sql>) => ((await db.execute(s)) as unknown as { rows: T[] }).rows;
  const etabs = await q<{
    id: string | number;
    parent_id: string | number | null;
    nom: string;
    nom_recherche: string;
    siret: string;
    code_postal: string | null;
    code_commune: string | null;
    departement: string | null;
    region: string | null;
    lat: number | null;
    lng: number | null;
    categorie: string;
    liste: string;
    uais: string | null;
  }>(sql`
    select e.id, e.parent_id, e.nom, e.nom_recherche, e.siret, e.code_postal, e.code_commune, e.departement, e.region, e.lat, e.lng, e.categorie, e.liste,
           (select string_agg(u.uai, ' ') from ref_etablissement_uais u where u.etablissement_id = e.id) as uais
    from ref_etablissements e where e.annee = ${annee}`);
  const formations = await q<{ etablissement_id: string | number; diplome_id: string | number }>(
    sql`select etablissement_id, diplome_id from ref_formations where annee = ${annee}`,
  );
  const byEtab = new Map<number, number[]>();
  for (const f of formations) {
    const k = Number(f.etablissement_id);
    const list = byEtab.get(k);
    if (list) list.push(Number(f.diplome_id));
    else byEtab.set(k, [Number(f.diplome_id)]);
  }
  const rows: MsRow[] = etabs.map((e) => ({
    id: Number(e.id),
    root: e.parent_id === null ? Number(e.id) : Number(e.parent_id),
    nom: e.nom,
    nomKey: e.nom_recherche,
    siret: e.siret,
    uais: e.uais ?? '',
    codePostal: e.code_postal,
    codeCommune: e.code_commune,
    departement: e.departement,
    region: e.region,
    lat: e.lat === null ? null : Number(e.lat),
    lng: e.lng === null ? null : Number(e.lng),
    categorie: e.categorie,
    liste: e.liste,
    diplomes: Int32Array.from(byEtab.get(Number(e.id)) ?? []),
  }));
  const diplomes = (
    await q<{ id: string | number; intitule: string; type: string | null; rncp: string | null; niveau: number | null; cfd: string | null }>(
      sql`select id, intitule, type, rncp, niveau, cfd from ref_diplomes`,
    )
  ).map((d) => ({
    id: Number(d.id),
    intitule: d.intitule,
    type: d.type ?? '',
    rncp: d.rncp,
    niveau: d.niveau === null ? null : Number(d.niveau),
    cfd: d.cfd,
  }));
  const communes = (
    await q<{
      code: string;
      nom: string;
      nom_recherche: string;
      departement: string;
      lat: number | null;
      lng: number | null;
      population: number | null;
    }>(sql`select code, nom, nom_recherche, departement, lat, lng, population from communes`)
  ).map((c) => ({
    id: c.code,
    nom: c.nom,
    key: c.nom_recherche,
    departement: c.departement,
    lat: c.lat === null ? null : Number(c.lat),
    lng: c.lng === null ? null : Number(c.lng),
    population: Number(c.population ?? 0),
  }));
  return { rows, diplomes, communes };
}

const processTerm = (t: string) => searchKey(t) || null;

export interface MsEngine {
  etabs: MiniSearch<{ id: number; nom: string; ids: string }>;
  diplomes: MiniSearch<{ id: number; intitule: string; type: string }>;
  communes: MiniSearch<{ id: string; key: string }>;
  byId: Map<number, MsRow>;
  diplomeById: Map<number, MsDiplome>;
  communesByKey: Map<string, MsCommune[]>;
  communeById: Map<string, MsCommune>;
  all: MsRow[];
}

export function buildMiniSearch(data: MsData): MsEngine {
  const etabs = new MiniSearch<{ id: number; nom: string; ids: string }>({ fields: ['nom', 'ids'], processTerm });
  etabs.addAll(data.rows.map((r) => ({ id: r.id, nom: r.nom, ids: `${r.siret} ${r.uais}` })));
  const diplomes = new MiniSearch<{ id: number; intitule: string; type: string }>({ fields: ['intitule', 'type'], processTerm });
  diplomes.addAll(data.diplomes.map((d) => ({ id: d.id, intitule: d.intitule, type: d.type })));
  const communes = new MiniSearch<{ id: string; key: string }>({ fields: ['key'], processTerm });
  communes.addAll(data.communes.map((c) => ({ id: c.id, key: c.key })));
  const communesByKey = new Map<string, MsCommune[]>();
  for (const c of data.communes) {
    const l = communesByKey.get(c.key);
    if (l) l.push(c);
    else communesByKey.set(c.key, [c]);
  }
  for (const l of communesByKey.values()) l.sort((a, b) => b.population - a.population);
  return {
    etabs,
    diplomes,
    communes,
    byId: new Map(data.rows.map((r) => [r.id, r])),
    diplomeById: new Map(data.diplomes.map((d) => [d.id, d])),
    communesByKey,
    communeById: new Map(data.communes.map((c) => [c.id, c])),
    all: data.rows,
  };
}

function findCommunes(e: MsEngine, key: string, dep: string | null): { exact: boolean; communes: MsCommune[] } {
  const exact = (e.communesByKey.get(key) ?? []).filter((c) => !dep || c.departement === dep);
  if (exact.length) return { exact: true, communes: exact };
  const hits = e.communes.search(key, { fuzzy: 0.34, prefix: false, combineWith: 'AND' }).slice(0, 100);
  const scored = hits
    .map((h) => e.communeById.get(h.id as string)!)
    .filter((c) => !dep || c.departement === dep)
    .map((c) => ({ c, s: placeNameScore(key, c.key) }))
    .filter((x) => x.s >= 0.45)
    .sort((a, b) => b.s - a.s || b.c.population - a.c.population);
  return { exact: false, communes: scored.slice(0, 5).map((x) => x.c) };
}

export interface MsOutcome {
  total: number;
  results: { root: number; nom: string; score: number; dist: number | null; formations: number }[];
}

/** The search on the JavaScript engine (criteria already parsed). */
export function miniSearchQuery(e: MsEngine, c: Criteria): MsOutcome {
  const filters: ((r: MsRow) => boolean)[] = [];
  let centre: { lat: number; lng: number } | null = null;

  // place
  const p = parsePlace(c.lieu);
  if (p.kind === 'codePostal') filters.push((r) => r.codePostal === p.codePostal);
  else if (p.kind === 'departement') filters.push((r) => r.departement === p.code);
  else if (p.kind === 'region') filters.push((r) => r.region === p.code);
  else if (p.kind === 'nom') {
    const found = findCommunes(e, p.key, p.departement);
    if (!found.communes.length) return { total: 0, results: [] };
    const chosen = found.exact ? found.communes : found.communes.slice(0, 1);
    const codes = new Set(withArrondissements(chosen.map((x) => x.id)));
    filters.push((r) => r.codeCommune !== null && codes.has(r.codeCommune));
    if (chosen.length === 1 && chosen[0]!.lat !== null) centre = { lat: chosen[0]!.lat, lng: chosen[0]!.lng! };
  }
  // around
  if (c.autourDe) {
    const ap = parsePlace(c.autourDe);
    const key = ap.kind === 'nom' ? ap.key : searchKey(c.autourDe);
    const found = key ? findCommunes(e, key, ap.kind === 'nom' ? ap.departement : null).communes : [];
    const commune = found.sort((a, b) => b.population - a.population)[0];
    if (!commune || commune.lat === null || commune.lng === null) return { total: 0, results: [] };
    const ctr = { lat: commune.lat, lng: commune.lng };
    centre = ctr;
    filters.push((r) => r.lat !== null && r.lng !== null && distanceKm(ctr, { lat: r.lat, lng: r.lng }) <= c.rayonKm);
  }
  if (c.categorie) filters.push((r) => r.categorie === c.categorie);
  if (c.liste) filters.push((r) => r.liste === c.liste);

  // formations: diplomas first
  let diplomeSet: Set<number> | null = null;
  if (c.formation || c.niveau !== null || c.rncp || c.type) {
    const cfd = formationCode(c.formation);
    const t = cfd ? null : textTerm(c.formation);
    const words = t && t.kind === 'text' ? (t.words.length ? t.words : t.short) : [];
    let candidates = words.length
      ? e.diplomes.search(words.join(' '), { combineWith: 'AND', prefix: true, fuzzy: 0.2 }).map((h) => e.diplomeById.get(h.id as number)!)
      : [...e.diplomeById.values()];
    candidates = candidates.filter(
      (d) =>
        (!cfd || d.cfd === cfd) &&
        (c.niveau === null || d.niveau === c.niveau) &&
        (!c.rncp || d.rncp === c.rncp) &&
        (!c.type || d.type.toUpperCase() === c.type),
    );
    diplomeSet = new Set(candidates.map((d) => d.id));
    const ds = diplomeSet;
    filters.push((r) => r.diplomes.some((d) => ds.has(d)));
  }
  const pass = (r: MsRow) => filters.every((f) => f(r));

  // identifiers and names
  const term = parseQueryTerm(c.q);
  type Hit = { row: MsRow; score: number; exact: boolean };
  let hits: Hit[];
  if (term.kind === 'siret' || term.kind === 'uai' || term.kind === 'siren') {
    const token = term.kind === 'siret' ? term.siret : term.kind === 'uai' ? term.uai : term.siren;
    hits = e.etabs
      .search(token, { fields: ['ids'], prefix: term.kind === 'siren', fuzzy: false })
      .map((h) => e.byId.get(h.id as number)!)
      .filter(pass)
      .map((row) => ({ row, score: 0, exact: true }));
  } else if (term.kind === 'text') {
    const words = term.words.length ? term.words : term.short;
    hits = e.etabs
      .search(words.join(' '), {
        fields: ['nom'],
        combineWith: 'AND',
        prefix: true,
        fuzzy: (w) => (w.length >= 5 ? 0.2 : false),
        filter: (r) => pass(e.byId.get(r.id as number)!),
      })
      .map((h) => {
        const row = e.byId.get(h.id as number)!;
        return { row, score: h.score, exact: row.nomKey === term.key };
      });
  } else {
    hits = e.etabs
      .search(MiniSearch.wildcard, { filter: (r) => pass(e.byId.get(r.id as number)!) })
      .map((h) => ({ row: e.byId.get(h.id as number)!, score: 0, exact: false }));
  }

  // group under the root, order, page
  const groups = new Map<number, { root: number; score: number; exact: boolean; dist: number | null; ids: number[] }>();
  for (const h of hits) {
    const d = centre && h.row.lat !== null && h.row.lng !== null ? distanceKm(centre, { lat: h.row.lat, lng: h.row.lng }) : null;
    const g = groups.get(h.row.root);
    if (!g) groups.set(h.row.root, { root: h.row.root, score: h.score, exact: h.exact, dist: d, ids: [h.row.id] });
    else {
      g.score = Math.max(g.score, h.score);
      g.exact ||= h.exact;
      if (d !== null && (g.dist === null || d < g.dist)) g.dist = d;
      g.ids.push(h.row.id);
    }
  }
  const ordered = [...groups.values()].sort(
    (a, b) =>
      Number(b.exact) - Number(a.exact) ||
      b.score - a.score ||
      (a.dist ?? Infinity) - (b.dist ?? Infinity) ||
      e.byId.get(a.root)!.nomKey.localeCompare(e.byId.get(b.root)!.nomKey),
  );
  const page = ordered.slice((c.page - 1) * PAGE_SIZE, c.page * PAGE_SIZE);
  const results = page.map((g) => {
    let formations = 0;
    for (const id of g.ids) {
      const r = e.byId.get(id)!;
      formations += diplomeSet ? r.diplomes.filter((d) => diplomeSet.has(d)).length : r.diplomes.length;
    }
    return { root: g.root, nom: e.byId.get(g.root)!.nom, score: g.score, dist: g.dist, formations };
  });
  return { total: ordered.length, results };
}
