/**
 * National-scale referential for benchmarks (`npm run cli -- generate-referential`): deterministic
 * fictitious establishments with real diplomas (seed/referentiel/diplomes.csv) in real communes
 * (seed/geo/communes.csv), written as the CSV files of docs/referentiel-format.md so that
 * `import-referential` loads them.
 *
 * - Default size: 12,000 establishments (about 81 of them on the liste nationale, 13°) with their
 *   composantes, 300,000 formations — the order of magnitude of the real referential.
 * - SIRENs start with 998 (a range INSEE has not allocated, distinct from the demo registry's 999):
 *   a generated SIRET never looks like a real organisation's. SIRETs and UAIs pass their checks.
 * - Same options → byte-identical files (seeded PRNG, no clock, no Math.random).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeValidSiren, makeValidSiret, makeValidUai } from '../domain/identifiers.js';
import { SEED_DIR } from '../infra/files.js';
import { csvLine } from '../shared/csv.js';
import type { Commune } from '../modules/referentiel/commune-index.js';
import { readCommunesCsv } from '../modules/referentiel/communes.js';
import { ETABLISSEMENT_COLUMNS, FORMATION_COLUMNS } from '../modules/referentiel/format.js';
import { cachedPerPath, readSeedCsv } from '../modules/referentiel/seed-csv.js';
import { COMPOSANTE_KINDS, de, nameFor, upper, VOIE_NAMES, VOIES } from './referentiel-names.js';
import { createRng, type Rng } from './rng.js';

export const GENERATE_DEFAULTS = { etablissements: 12_000, formations: 300_000, seed: 20260601 } as const;
export const DEFAULT_GENERATE_DIR = 'tmp/referentiel-national';
export const SEED_DIPLOMES_CSV = resolve(SEED_DIR, 'referentiel/diplomes.csv');
/** SIRENs 998xxxxxx: at most this many generated organisations. */
export const GENERATE_MAX_ETABLISSEMENTS = 100_000;
/** Number of organisations on the real liste nationale in 2025 (arrêté of 20 May 2025). */
export const NATIONAL_LIST_SIZE = 81;

/** A diploma of the nomenclature: its codes (CFD, RNCP; empty when none), title and type, and its niveau. */
export type DiplomeRef = Record<'cfd' | 'rncp' | 'intitule' | 'type', string> & { niveau: number | null };

/** A row of the establishments file (canonical column names, values as written). */
export type EtablissementCsvRow = Record<(typeof ETABLISSEMENT_COLUMNS)[number], string>;
/** A row of the formations file. */
export type FormationCsvRow = Record<(typeof FORMATION_COLUMNS)[number], string>;

export interface GeneratedReferentiel {
  etablissements: EtablissementCsvRow[];
  formations: FormationCsvRow[];
  stats: { etablissements: number; composantes: number; formations: number; nationale: number };
}

export interface GenerateOptions {
  etablissements?: number;
  formations?: number;
  seed?: number;
  communes?: readonly Commune[];
  diplomes?: readonly DiplomeRef[];
}

/** Reads `seed/referentiel/diplomes.csv` (the real diploma nomenclature, see seed/SOURCES.md). */
const readDiplomesCsvOnce = cachedPerPath((path): DiplomeRef[] => {
  const rows = readSeedCsv(path, ';').map((r) => ({
    cfd: r.cfd ?? '',
    rncp: r.rncp ?? '',
    intitule: r.intitule ?? '',
    niveau: r.niveau ? Number(r.niveau) : null,
    type: r.type ?? '',
  }));
  return rows;
});

export function readDiplomesCsv(path: string = SEED_DIPLOMES_CSV): DiplomeRef[] {
  return readDiplomesCsvOnce(path);
}

/** Share of each category among generated establishments (13° apart: the national list size). */
const CATEGORY_WEIGHTS = [
  ['1°', 38],
  ['2°', 22],
  ['3°', 3],
  ['4°', 4],
  ['5°', 8],
  ['6°', 9],
  ['7°', 2],
  ['8°', 5],
  ['9°', 4],
  ['10°', 1],
  ['11°', 3],
  ['12°', 1],
] as const;
/** Relative number of formations per establishment of a category. */
const FORMATION_WEIGHT: Record<string, number> = {
  '1°': 14,
  '2°': 11,
  '3°': 80,
  '4°': 30,
  '5°': 30,
  '6°': 8,
  '7°': 3,
  '8°': 3,
  '9°': 3,
  '10°': 2,
  '11°': 2,
  '12°': 4,
  '13°': 40,
};
/** Diploma pools of each category (by type, see seed/referentiel/diplomes.csv). */
const POOLS: Record<string, readonly string[]> = {
  '1°': ['pro', 'bts'],
  '2°': ['pro', 'bts'],
  '3°': ['univ'],
  '4°': ['bts', 'titre'],
  '5°': ['sup', 'bts'],
  '6°': ['sante', 'titre'],
  '7°': ['titre', 'pro'],
  '8°': ['pro'],
  '9°': ['titre', 'pro'],
  '10°': ['pro'],
  '11°': ['titre'],
  '12°': ['pro'],
  '13°': ['titre', 'bts', 'pro'],
};

function poolsOf(diplomes: readonly DiplomeRef[]): Record<string, DiplomeRef[]> {
  const has = (d: DiplomeRef, types: string[]) => d.niveau !== null && types.includes(d.type);
  const sante =
    /\b(SANTE|SOIN|SOINS|SOCIAL|SOCIALE|EDUCATEUR|EDUCATIF|AIDE|ACCOMPAGNANT|AMBULANCIER|PHARMACIE|SPORT|ANIMATION|AUXILIAIRE)\b/i;
  return {
    pro: diplomes.filter((d) => has(d, ['BAC PRO', 'CAP', 'BP', 'MC', 'CS'])),
    bts: diplomes.filter((d) => has(d, ['BTS', 'BTSA'])),
    univ: diplomes.filter((d) => has(d, ['LICENCE PRO', 'BUT', 'MASTER', 'LICENCE', 'DEUST', 'DOCTORAT'])),
    sup: diplomes.filter((d) => has(d, ['TITRE INGENIEUR', 'DIPLOME VISE', 'MASTER'])),
    titre: diplomes.filter((d) => has(d, ['TITRE RNCP'])),
    sante: diplomes.filter((d) => d.niveau !== null && sante.test(d.intitule.normalize('NFD').replace(/[\u0300-\u036f]/g, ''))),
  };
}

interface Entity {
  row: EtablissementCsvRow;
  categorie: string;
  /** SIRET and UAI a formation row uses to point at it */
  siret: string;
  uai: string;
  commune: Commune;
  weight: number;
}

/** What every step of a generation draws from: the PRNG (its draws in a fixed order), the communes, the UAIs. */
interface Generation {
  rng: Rng;
  communes: Commune[];
  pickCommune: () => Commune;
  byDep: Map<string, Commune[]>;
  nextUai: (c: Commune) => string;
  usedNames: Set<string>;
  rows: EtablissementCsvRow[];
  entities: Entity[];
}

export function generateReferentiel(opts: GenerateOptions = {}): GeneratedReferentiel {
  const { count, formationsTotal } = checkedSizes(opts);
  const rng = createRng(opts.seed ?? GENERATE_DEFAULTS.seed);
  const communes = (opts.communes ?? readCommunesCsv()).filter((c) => c.lat !== null && c.lng !== null);
  const pools = poolsOf(opts.diplomes ?? readDiplomesCsv());
  for (const [k, p] of Object.entries(pools)) if (p.length === 0) throw new Error(`generateReferentiel: no diploma of pool ${k}`);
  const g: Generation = {
    rng,
    communes,
    pickCommune: communePicker(rng, communes),
    byDep: byDepartement(communes),
    nextUai: uaiAllocator(),
    usedNames: new Set(),
    rows: [],
    entities: [],
  };
  const nationalCount = Math.min(
    NATIONAL_LIST_SIZE,
    count >= 50 ? Math.max(1, Math.round((count * NATIONAL_LIST_SIZE) / GENERATE_DEFAULTS.etablissements)) : 0,
  );
  const nationalAt = new Set<number>();
  while (nationalAt.size < nationalCount) nationalAt.add(rng.int(count));
  let composantes = 0;
  for (let i = 0; i < count; i++) composantes += addEtablissement(g, i, nationalAt.has(i));
  const formations = withoutDuplicates(generateFormations(g, formationCounts(g.entities, formationsTotal), pools));
  return {
    etablissements: g.rows,
    formations,
    stats: { etablissements: count, composantes, formations: formations.length, nationale: nationalCount },
  };
}

function checkedSizes(opts: GenerateOptions): { count: number; formationsTotal: number } {
  const count = opts.etablissements ?? GENERATE_DEFAULTS.etablissements;
  const formationsTotal = opts.formations ?? GENERATE_DEFAULTS.formations;
  if (!Number.isInteger(count) || count < 1 || count > GENERATE_MAX_ETABLISSEMENTS) {
    throw new Error(`Nombre d’établissements invalide : ${count} (1 à ${GENERATE_MAX_ETABLISSEMENTS}).`);
  }
  if (!Number.isInteger(formationsTotal) || formationsTotal < 0 || formationsTotal > 5_000_000) {
    throw new Error(`Nombre de formations invalide : ${formationsTotal} (0 à 5 000 000).`);
  }
  return { count, formationsTotal };
}

/** Communes weighted by population^0.8: towns get more schools, villages a few. */
function communePicker(rng: Rng, communes: readonly Commune[]): () => Commune {
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of communes) {
    acc += Math.pow(Math.max(c.population ?? 0, 50), 0.8);
    cumulative.push(acc);
  }
  return () => {
    const x = rng.next() * acc;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return communes[lo]!;
  };
}

function byDepartement(communes: readonly Commune[]): Map<string, Commune[]> {
  const byDep = new Map<string, Commune[]>();
  for (const c of communes) {
    const list = byDep.get(c.departement);
    if (list) list.push(c);
    else byDep.set(c.departement, [c]);
  }
  return byDep;
}

/** UAIs in sequence per département: a 4-digit sequence from 8000 on (wrapping), far from most real numbers of small départements. */
function uaiAllocator(): (c: Commune) => string {
  const uaiSeq = new Map<string, number>();
  return (c) => {
    const dep3 =
      c.departement === '2A' ? '620' : c.departement === '2B' ? '720' : c.departement.length === 3 ? c.departement : `0${c.departement}`;
    const n = uaiSeq.get(dep3) ?? 0;
    uaiSeq.set(dep3, n + 1);
    return makeValidUai(`${dep3}${String((8000 + n) % 10000).padStart(4, '0')}`);
  };
}

/** The i-th organisation and its composantes; returns how many composantes it has. */
function addEtablissement(g: Generation, i: number, national: boolean): number {
  const { rng, communes } = g;
  // 7919 is prime to 100,000: a bijection spreading SIRENs over 998 00000 … 998 99999
  const siren = makeValidSiren(`998${String((i * 7919) % GENERATE_MAX_ETABLISSEMENTS).padStart(5, '0')}`);
  const categorie = national ? '13°' : rng.weighted(CATEGORY_WEIGHTS);
  const commune = categorie === '3°' || categorie === '13°' ? pickBigCommune(rng, communes, g.pickCommune) : g.pickCommune();
  let nom = nameFor(rng, categorie, commune);
  for (let k = 2; g.usedNames.has(nom); k++) nom = `${nameFor(rng, categorie, commune)}${k > 4 ? ` ${k}` : ''}`;
  g.usedNames.add(nom);
  const siret = makeValidSiret(siren, '0001');
  const uais = [g.nextUai(commune)];
  if (rng.chance(categorie === '1°' || categorie === '2°' ? 0.15 : 0.04)) uais.push(g.nextUai(commune));
  const row = etabRow(rng, 'etablissement', siret, '', uais, nom, commune, categorie);
  g.rows.push(row);
  g.entities.push({ row, categorie, siret, uai: uais[0]!, commune, weight: FORMATION_WEIGHT[categorie]! * (0.5 + rng.next()) });
  const nComp = composanteCount(rng, categorie);
  for (let k = 0; k < nComp; k++) addComposante(g, { siren, siret, nom, categorie, commune }, k);
  return nComp;
}

/** How many composantes / établissements secondaires an organisation of the category has. */
function composanteCount(rng: Rng, categorie: string): number {
  if (categorie === '3°') return rng.between(2, 9);
  if (categorie === '13°') return rng.between(1, 12);
  if (categorie === '4°' || categorie === '5°') return rng.chance(0.5) ? rng.between(1, 4) : 0;
  return rng.chance(0.08) ? rng.between(1, 2) : 0;
}

/** The k-th composante of an organisation: its own SIRET most of the time, a place in its département. */
function addComposante(
  g: Generation,
  parent: { siren: string; siret: string; nom: string; categorie: string; commune: Commune },
  k: number,
): void {
  const { rng, communes } = g;
  const { categorie, commune } = parent;
  const kinds = (COMPOSANTE_KINDS as Record<string, readonly string[]>)[categorie] ?? COMPOSANTE_KINDS.default;
  const place =
    categorie === '13°'
      ? pickBigCommune(rng, communes, g.pickCommune)
      : rng.chance(0.6)
        ? rng.pick(g.byDep.get(commune.departement)!)
        : commune;
  const ownSiret = rng.chance(0.7);
  const compSiret = ownSiret ? makeValidSiret(parent.siren, String(k + 2).padStart(4, '0')) : parent.siret;
  const compUai = g.nextUai(place);
  const compNom = `${parent.nom} - ${rng.pick(kinds)} ${de(upper(place.nom))}`;
  const row = etabRow(rng, 'composante', ownSiret ? compSiret : '', parent.siret, [compUai], compNom, place, '');
  g.rows.push(row);
  g.entities.push({
    row,
    categorie,
    siret: compSiret,
    uai: compUai,
    commune: place,
    weight: FORMATION_WEIGHT[categorie]! * (0.3 + rng.next() * 0.7),
  });
}

/** The total of formations split in proportion to the weights (largest remainder). */
function formationCounts(entities: readonly Entity[], formationsTotal: number): number[] {
  const totalWeight = entities.reduce((s, e) => s + e.weight, 0);
  const quotas = entities.map((e) => (formationsTotal * e.weight) / totalWeight);
  const counts = quotas.map(Math.floor);
  let missing = formationsTotal - counts.reduce((s, n) => s + n, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; missing > 0; k = (k + 1) % order.length, missing--) counts[order[k]![1]]!++;
  return counts;
}

/** Each entity's formations: distinct diplomas of its category's pool, then the same diplomas at other places. */
function generateFormations(g: Generation, counts: readonly number[], pools: Record<string, DiplomeRef[]>): FormationCsvRow[] {
  const formations: FormationCsvRow[] = [];
  // one pool per category, each diploma once (a diploma may belong to two pools)
  const poolOf = new Map(
    Object.entries(POOLS).map(([cat, names]) => [cat, [...new Map(names.flatMap((p) => pools[p]!).map((d) => [d.cfd, d])).values()]]),
  );
  g.entities.forEach((e, i) => {
    const n = counts[i]!;
    if (n === 0) return;
    const pool = poolOf.get(e.categorie)!;
    const picked = sample(g.rng, pool.length, Math.min(n, pool.length));
    const others = n > picked.length ? g.byDep.get(e.commune.departement)!.filter((x) => x.code !== e.commune.code) : [];
    for (let k = 0; k < n; k++) {
      const d = pool[picked[k % picked.length]!]!;
      // beyond the pool size, the same diploma is taught at other places of the département (round r
      // of the pool → the r-th other commune: distinct places for one diploma)
      const round = Math.floor(k / picked.length);
      const lieu = round > 0 && others.length > 0 ? others[(i * 7 + round - 1) % others.length]! : null;
      formations.push({
        siret: e.siret,
        uai: e.uai,
        intitule: d.intitule,
        cfd: d.cfd,
        rncp: d.rncp,
        niveau: d.niveau === null ? '' : String(d.niveau),
        type: d.type,
        code_commune: lieu && lieu.code !== e.commune.code ? lieu.code : '',
        code_postal: '',
        commune: '',
      });
    }
  });
  return formations;
}

/** A place drawn twice for the same diploma would be a duplicate formation: the first is kept. */
function withoutDuplicates(formations: FormationCsvRow[]): FormationCsvRow[] {
  const seen = new Set<string>();
  return formations.filter((f) => {
    const k = `${f.siret}|${f.uai}|${f.cfd || f.rncp || f.intitule}|${f.code_commune}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** k distinct indexes of [0, n) in O(k) (Floyd's algorithm). */
function sample(rng: Rng, n: number, k: number): number[] {
  const s = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    s.add(s.has(t) ? j : t);
  }
  return [...s];
}

function pickBigCommune(rng: Rng, communes: readonly Commune[], fallback: () => Commune): Commune {
  for (let i = 0; i < 20; i++) {
    const c = fallback();
    if ((c.population ?? 0) >= 20_000) return c;
  }
  return rng.pick(communes);
}

function etabRow(
  rng: Rng,
  type: 'etablissement' | 'composante',
  siret: string,
  siretParent: string,
  uais: string[],
  nom: string,
  c: Commune,
  categorie: string,
): EtablissementCsvRow {
  const voie = `${rng.between(1, 150)} ${rng.pick(VOIES)} ${rng.pick(VOIE_NAMES)}`;
  // not every school is at the centre of its commune: up to about 2 km away
  const lat = (c.lat! + (rng.next() - 0.5) * 0.036).toFixed(5);
  const lng = (c.lng! + (rng.next() - 0.5) * 0.05).toFixed(5);
  return {
    type,
    siret,
    siret_parent: siretParent,
    uai: uais.join('|'),
    nom,
    adresse: voie,
    code_postal: c.codesPostaux[0] ?? '',
    code_commune: c.code,
    commune: c.nom,
    departement: c.departement,
    region: c.region,
    latitude: lat,
    longitude: lng,
    categorie,
    liste: categorie === '' ? '' : categorie === '13°' ? 'nationale' : 'regionale',
  };
}

// ── files ───────────────────────────────────────────────────────────────────────────────────────

/** The two CSV files (`;`, UTF-8, header line) as strings. */
export function referentielCsv(data: GeneratedReferentiel): { etablissements: string; formations: string } {
  const etab = [csvLine(ETABLISSEMENT_COLUMNS), ...data.etablissements.map((r) => csvLine(ETABLISSEMENT_COLUMNS.map((c) => r[c])))];
  const form = [csvLine(FORMATION_COLUMNS), ...data.formations.map((r) => csvLine(FORMATION_COLUMNS.map((c) => r[c])))];
  return { etablissements: `${etab.join('\n')}\n`, formations: `${form.join('\n')}\n` };
}

/** Writes `etablissements.csv` and `formations.csv` into `dir` and returns their paths (import order). */
export function writeReferentielFiles(dir: string, data: GeneratedReferentiel): string[] {
  mkdirSync(dir, { recursive: true });
  const csv = referentielCsv(data);
  const files = [join(dir, 'etablissements.csv'), join(dir, 'formations.csv')];
  writeFileSync(files[0]!, csv.etablissements, 'utf8');
  writeFileSync(files[1]!, csv.formations, 'utf8');
  return files;
}
