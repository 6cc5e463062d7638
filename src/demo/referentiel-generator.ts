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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { makeValidSiren, makeValidSiret, makeValidUai } from '../domain/identifiers.js';
import { SEED_DIR } from '../infra/files.js';
import { createRng } from './registry.js';
import type { Commune } from '../modules/referentiel/commune-index.js';
import { readCommunesCsv } from '../modules/referentiel/communes.js';
import { csvLine, ETABLISSEMENT_COLUMNS, FORMATION_COLUMNS } from '../modules/referentiel/format.js';

export const GENERATE_DEFAULTS = { etablissements: 12_000, formations: 300_000, seed: 20260601 } as const;
export const DEFAULT_GENERATE_DIR = 'tmp/referentiel-national';
export const SEED_DIPLOMES_CSV = resolve(SEED_DIR, 'referentiel/diplomes.csv');
/** SIRENs 998xxxxxx: at most this many generated organisations. */
export const GENERATE_MAX_ETABLISSEMENTS = 100_000;
/** Number of organisations on the real liste nationale in 2025 (arrêté of 20 May 2025). */
export const NATIONAL_LIST_SIZE = 81;

export interface DiplomeRef {
  cfd: string;
  rncp: string;
  intitule: string;
  niveau: number | null;
  type: string;
}

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

const diplomesCache = new Map<string, DiplomeRef[]>();

/** Reads `seed/referentiel/diplomes.csv` (the real diploma nomenclature, built from the shared data). */
export function readDiplomesCsv(path: string = SEED_DIPLOMES_CSV): DiplomeRef[] {
  const cached = diplomesCache.get(path);
  if (cached) return cached;
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true, delimiter: ';' });
  const rows = parsed.data.map((r) => ({
    cfd: r.cfd ?? '',
    rncp: r.rncp ?? '',
    intitule: r.intitule ?? '',
    niveau: r.niveau ? Number(r.niveau) : null,
    type: r.type ?? '',
  }));
  diplomesCache.set(path, rows);
  return rows;
}

// ── word lists ──────────────────────────────────────────────────────────────────────────────────

const PEOPLE = [
  'JEAN MOULIN',
  'VICTOR HUGO',
  'JULES FERRY',
  'MARIE CURIE',
  'LOUIS PASTEUR',
  'JEAN JAURES',
  'ALBERT CAMUS',
  'SIMONE VEIL',
  'GEORGE SAND',
  'EMILE ZOLA',
  'JULES VERNE',
  'PAUL ELUARD',
  'ARAGO',
  'GUSTAVE EIFFEL',
  'LEONARD DE VINCI',
  'ANTOINE DE SAINT-EXUPERY',
  'CHARLES DE GAULLE',
  'JEAN MERMOZ',
  'RENE CASSIN',
  'PIERRE MENDES FRANCE',
  'LOUISE MICHEL',
  'OLYMPE DE GOUGES',
  'JOLIOT-CURIE',
  'AUGUSTE RENOIR',
  'CLAUDE MONET',
  'PAUL CEZANNE',
  'HECTOR BERLIOZ',
  'MAURICE RAVEL',
  'BLAISE PASCAL',
  'RENE DESCARTES',
  'DIDEROT',
  'VOLTAIRE',
  'MONTESQUIEU',
  'JEAN ROSTAND',
  'MARCEL PAGNOL',
  'JEAN GIONO',
  'COLETTE',
  'LAMARTINE',
  'CONDORCET',
  'GAY-LUSSAC',
  'AMPERE',
  'FRANCOIS ARAGO',
  'NIEPCE',
  'LOUIS ARMAND',
  'ANDRE MALRAUX',
  'JACQUES PREVERT',
  'ROBERT SCHUMAN',
  'JEAN MONNET',
  'GASTON BACHELARD',
  'HENRI MATISSE',
  'CAMILLE CLAUDEL',
  'GERMAINE TILLION',
  'LUCIE AUBRAC',
  'JOSEPHINE BAKER',
  'AIME CESAIRE',
  'TOUSSAINT LOUVERTURE',
  'FREDERIC MISTRAL',
  'JEAN-BAPTISTE COROT',
  'NICOLAS APPERT',
  'EUGENE FREYSSINET',
  'HELENE BOUCHER',
] as const;
const SAINTS = [
  'SAINT-JOSEPH',
  'NOTRE-DAME',
  'SAINTE-MARIE',
  'SAINT-LOUIS',
  'SAINT-MICHEL',
  "JEANNE D'ARC",
  'LA SALLE',
  'SAINT-VINCENT',
  'SAINTE-ANNE',
  'SAINT-FRANCOIS',
  'IMMACULEE CONCEPTION',
  'SAINT-JEAN-BAPTISTE',
] as const;
const FIELDS = [
  'SCIENCES ET TECHNIQUES',
  'COMMERCE ET GESTION',
  'ARTS ET METIERS',
  'INGENIEURS',
  'AGRONOMIE',
  'ARCHITECTURE',
  'CHIMIE',
  'INFORMATIQUE',
  'DESIGN',
  'TRAVAUX PUBLICS',
] as const;
const NATIONAL_THEMES = [
  'DES METIERS DU BATIMENT',
  "DE L'INDUSTRIE",
  'DES TRANSPORTS ET DE LA LOGISTIQUE',
  "DE L'ARTISANAT",
  "DE L'AGRICULTURE",
  'DU COMMERCE',
  "DE L'HOTELLERIE ET DE LA RESTAURATION",
  'DE LA SANTE ET DU SOCIAL',
  'DU NUMERIQUE',
  'DE LA MECANIQUE',
  "DES METIERS D'ART",
  "DE L'AUTOMOBILE",
  'DE LA PROPRETE',
  "DU SPORT ET DE L'ANIMATION",
  "DE L'ENERGIE",
  'DES TRAVAUX PUBLICS',
  "DE LA BANQUE ET DE L'ASSURANCE",
] as const;
const NATIONAL_FORMS = [
  (t: string) => `ASSOCIATION NATIONALE POUR LA FORMATION ${t}`,
  (t: string) => `FEDERATION NATIONALE ${t}`,
  (t: string) => `COMITE NATIONAL DE PROMOTION ${t}`,
  (t: string) => `FONDATION POUR LES METIERS ${t.replace(/^DES METIERS /, '').replace(/^(DE L'|DE LA |DU |DES )/, 'DE ')}`,
  (t: string) => `UNION NATIONALE ${t}`,
  (t: string) => `OBSERVATOIRE NATIONAL DES METIERS ${t.replace(/^(DE L'|DE LA |DU |DES )/, '')}`,
] as const;
const VOIES = ['RUE', 'AVENUE', 'BOULEVARD', 'PLACE', 'ALLEE', 'CHEMIN', 'ROUTE', 'QUAI'] as const;
const VOIE_NAMES = [
  'DE LA REPUBLIQUE',
  'VICTOR HUGO',
  'JEAN JAURES',
  'DU GENERAL DE GAULLE',
  'PASTEUR',
  'DE LA GARE',
  'DES ECOLES',
  'DU LYCEE',
  'JULES FERRY',
  'DE LA LIBERATION',
  'DU 8 MAI 1945',
  'DU 11 NOVEMBRE',
  'DE LA MAIRIE',
  'DES TILLEULS',
  'DU MOULIN',
  'GAMBETTA',
  'CARNOT',
  'EMILE ZOLA',
  'ANATOLE FRANCE',
  'DU STADE',
  'DES PRES',
  'DE LA FONTAINE',
  'DU CHATEAU',
  "DE L'UNIVERSITE",
  'DES SCIENCES',
] as const;
const COMPOSANTE_KINDS = {
  '3°': ['IUT', 'UFR DE SCIENCES', 'UFR DE LETTRES', 'UFR DE DROIT ET ECONOMIE', "ECOLE D'INGENIEURS", 'INSPE', 'ANTENNE'],
  '4°': ['CAMPUS', 'CENTRE DE FORMATION', 'ECOLE DE COMMERCE', 'ANTENNE'],
  '5°': ['CAMPUS', 'ANTENNE', 'SITE'],
  '6°': ['ANTENNE', 'SITE'],
  '13°': ['DELEGATION REGIONALE', 'CENTRE', 'ANTENNE'],
  default: ['SITE', 'ANNEXE', 'ANTENNE'],
} as const;

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

// ── generator ───────────────────────────────────────────────────────────────────────────────────

interface Entity {
  row: EtablissementCsvRow;
  categorie: string;
  /** SIRET and UAI a formation row uses to point at it */
  siret: string;
  uai: string;
  commune: Commune;
  weight: number;
}

export function generateReferentiel(opts: GenerateOptions = {}): GeneratedReferentiel {
  const count = opts.etablissements ?? GENERATE_DEFAULTS.etablissements;
  const formationsTotal = opts.formations ?? GENERATE_DEFAULTS.formations;
  if (!Number.isInteger(count) || count < 1 || count > GENERATE_MAX_ETABLISSEMENTS) {
    throw new Error(`Nombre d’établissements invalide : ${count} (1 à ${GENERATE_MAX_ETABLISSEMENTS}).`);
  }
  if (!Number.isInteger(formationsTotal) || formationsTotal < 0 || formationsTotal > 5_000_000) {
    throw new Error(`Nombre de formations invalide : ${formationsTotal} (0 à 5 000 000).`);
  }
  const rng = createRng(opts.seed ?? GENERATE_DEFAULTS.seed);
  const communes = (opts.communes ?? readCommunesCsv()).filter((c) => c.lat !== null && c.lng !== null);
  const pools = poolsOf(opts.diplomes ?? readDiplomesCsv());
  for (const [k, p] of Object.entries(pools)) if (p.length === 0) throw new Error(`generateReferentiel: no diploma of pool ${k}`);

  // communes weighted by population^0.8: towns get more schools, villages a few
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of communes) {
    acc += Math.pow(Math.max(c.population ?? 0, 50), 0.8);
    cumulative.push(acc);
  }
  const pickCommune = (): Commune => {
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
  const byDep = new Map<string, Commune[]>();
  for (const c of communes) {
    const list = byDep.get(c.departement);
    if (list) list.push(c);
    else byDep.set(c.departement, [c]);
  }
  const uaiSeq = new Map<string, number>();
  const nextUai = (c: Commune): string => {
    const dep3 =
      c.departement === '2A' ? '620' : c.departement === '2B' ? '720' : c.departement.length === 3 ? c.departement : `0${c.departement}`;
    const n = uaiSeq.get(dep3) ?? 0;
    uaiSeq.set(dep3, n + 1);
    // 4-digit sequence from 8000 on (wrapping): far from most real numbers of small départements
    return makeValidUai(`${dep3}${String((8000 + n) % 10000).padStart(4, '0')}`);
  };

  const nationalCount = Math.min(
    NATIONAL_LIST_SIZE,
    count >= 50 ? Math.max(1, Math.round((count * NATIONAL_LIST_SIZE) / GENERATE_DEFAULTS.etablissements)) : 0,
  );
  const nationalAt = new Set<number>();
  while (nationalAt.size < nationalCount) nationalAt.add(rng.int(count));

  const entities: Entity[] = [];
  const rows: EtablissementCsvRow[] = [];
  const usedNames = new Set<string>();
  let composantes = 0;
  for (let i = 0; i < count; i++) {
    // 7919 is prime to 100,000: a bijection spreading SIRENs over 998 00000 … 998 99999
    const siren = makeValidSiren(`998${String((i * 7919) % GENERATE_MAX_ETABLISSEMENTS).padStart(5, '0')}`);
    const categorie = nationalAt.has(i) ? '13°' : rng.weighted(CATEGORY_WEIGHTS);
    const commune = categorie === '3°' || categorie === '13°' ? pickBigCommune(rng, communes, pickCommune) : pickCommune();
    let nom = nameFor(rng, categorie, commune);
    for (let k = 2; usedNames.has(nom); k++) nom = `${nameFor(rng, categorie, commune)}${k > 4 ? ` ${k}` : ''}`;
    usedNames.add(nom);
    const siret = makeValidSiret(siren, '0001');
    const uais = [nextUai(commune)];
    if (rng.chance(categorie === '1°' || categorie === '2°' ? 0.15 : 0.04)) uais.push(nextUai(commune));
    const row = etabRow(rng, 'etablissement', siret, '', uais, nom, commune, categorie);
    rows.push(row);
    entities.push({ row, categorie, siret, uai: uais[0]!, commune, weight: FORMATION_WEIGHT[categorie]! * (0.5 + rng.next()) });

    // composantes / établissements secondaires
    const nComp =
      categorie === '3°'
        ? rng.between(2, 9)
        : categorie === '13°'
          ? rng.between(1, 12)
          : categorie === '4°' || categorie === '5°'
            ? rng.chance(0.5)
              ? rng.between(1, 4)
              : 0
            : rng.chance(0.08)
              ? rng.between(1, 2)
              : 0;
    const kinds = (COMPOSANTE_KINDS as Record<string, readonly string[]>)[categorie] ?? COMPOSANTE_KINDS.default;
    for (let k = 0; k < nComp; k++) {
      const place =
        categorie === '13°'
          ? pickBigCommune(rng, communes, pickCommune)
          : rng.chance(0.6)
            ? rng.pick(byDep.get(commune.departement)!)
            : commune;
      const ownSiret = rng.chance(0.7);
      const compSiret = ownSiret ? makeValidSiret(siren, String(k + 2).padStart(4, '0')) : siret;
      const compUai = nextUai(place);
      const compNom = `${nom} - ${rng.pick(kinds)} ${de(upper(place.nom))}`;
      const crow = etabRow(rng, 'composante', ownSiret ? compSiret : '', siret, [compUai], compNom, place, '');
      rows.push(crow);
      composantes++;
      entities.push({
        row: crow,
        categorie,
        siret: compSiret,
        uai: compUai,
        commune: place,
        weight: FORMATION_WEIGHT[categorie]! * (0.3 + rng.next() * 0.7),
      });
    }
  }

  // formations: the total split in proportion to the weights (largest remainder), then distinct diplomas
  const totalWeight = entities.reduce((s, e) => s + e.weight, 0);
  const quotas = entities.map((e) => (formationsTotal * e.weight) / totalWeight);
  const counts = quotas.map(Math.floor);
  let missing = formationsTotal - counts.reduce((s, n) => s + n, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; missing > 0; k = (k + 1) % order.length, missing--) counts[order[k]![1]]!++;

  const formations: FormationCsvRow[] = [];
  // one pool per category, each diploma once (a diploma may belong to two pools)
  const poolOf = new Map(
    Object.entries(POOLS).map(([cat, names]) => [cat, [...new Map(names.flatMap((p) => pools[p]!).map((d) => [d.cfd, d])).values()]]),
  );
  entities.forEach((e, i) => {
    const n = counts[i]!;
    if (n === 0) return;
    const pool = poolOf.get(e.categorie)!;
    const picked = sample(rng, pool.length, Math.min(n, pool.length));
    const others = n > picked.length ? byDep.get(e.commune.departement)!.filter((x) => x.code !== e.commune.code) : [];
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
  // a place drawn twice for the same diploma would be a duplicate formation: keep the first
  const seen = new Set<string>();
  const unique = formations.filter((f) => {
    const k = `${f.siret}|${f.uai}|${f.cfd || f.rncp || f.intitule}|${f.code_commune}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return {
    etablissements: rows,
    formations: unique,
    stats: { etablissements: count, composantes, formations: unique.length, nationale: nationalCount },
  };
}

/** k distinct indexes of [0, n) in O(k) (Floyd's algorithm). */
function sample(rng: ReturnType<typeof createRng>, n: number, k: number): number[] {
  const s = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    s.add(s.has(t) ? j : t);
  }
  return [...s];
}

function pickBigCommune(rng: ReturnType<typeof createRng>, communes: readonly Commune[], fallback: () => Commune): Commune {
  for (let i = 0; i < 20; i++) {
    const c = fallback();
    if ((c.population ?? 0) >= 20_000) return c;
  }
  return rng.pick(communes);
}

function etabRow(
  rng: ReturnType<typeof createRng>,
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

function upper(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/’/g, "'")
    .toUpperCase();
}

function de(name: string): string {
  if (name.startsWith('LE ')) return `DU ${name.slice(3)}`;
  if (name.startsWith('LES ')) return `DES ${name.slice(4)}`;
  if (/^[AEIOUYH]/.test(name)) return `D'${name}`;
  return `DE ${name}`;
}

function nameFor(rng: ReturnType<typeof createRng>, categorie: string, c: Commune): string {
  const town = upper(c.nom);
  const person = rng.pick(PEOPLE);
  switch (categorie) {
    case '1°':
      return `${rng.pick(['LYCEE PROFESSIONNEL', 'LYCEE GENERAL ET TECHNOLOGIQUE', 'LYCEE POLYVALENT', 'LYCEE DES METIERS', 'LYCEE TECHNOLOGIQUE', 'LYCEE AGRICOLE'] as const)} ${person}`;
    case '2°':
      return rng.chance(0.2)
        ? `MAISON FAMILIALE RURALE ${de(town)}`
        : `${rng.pick(['LYCEE PRIVE', 'INSTITUTION', 'LYCEE PROFESSIONNEL PRIVE', 'ENSEMBLE SCOLAIRE'] as const)} ${rng.pick(SAINTS)}`;
    case '3°':
      return rng.chance(0.5)
        ? `UNIVERSITE ${de(town)}`
        : `${rng.pick(['ECOLE NATIONALE SUPERIEURE', 'INSTITUT NATIONAL', 'ECOLE SUPERIEURE'] as const)} ${rng.pick(FIELDS)} ${de(town)}`;
    case '4°':
      return rng.chance(0.5) ? `CCI ${town} - CENTRE DE FORMATION` : `CAMPUS DES METIERS ET DE L'ARTISANAT ${de(town)}`;
    case '5°':
      return `${rng.pick(['ECOLE SUPERIEURE', 'INSTITUT SUPERIEUR', 'ECOLE PRIVEE'] as const)} ${rng.pick(FIELDS)} ${de(town)}`;
    case '6°':
      return rng.pick([
        `INSTITUT DE FORMATION EN SOINS INFIRMIERS ${de(town)}`,
        `INSTITUT REGIONAL DU TRAVAIL SOCIAL ${de(town)}`,
        `INSTITUT DE FORMATION AIDES-SOIGNANTS ${de(town)}`,
        `CENTRE DE FORMATION AUX METIERS DU SPORT ${de(town)}`,
      ]);
    case '7°':
      return rng.chance(0.7) ? `ECOLE DE LA DEUXIEME CHANCE ${de(town)}` : `CENTRE EPIDE ${de(town)}`;
    case '8°':
      return `INSTITUT MEDICO-EDUCATIF ${person}`;
    case '9°':
      return `ESAT ${person}`;
    case '10°':
      return `ETABLISSEMENT EXPERIMENTAL POUR JEUNES HANDICAPES ${de(town)}`;
    case '11°':
      return rng.chance(0.6) ? `MISSION LOCALE ${de(town)}` : `CENTRE D'INFORMATION ET D'ORIENTATION ${de(town)}`;
    case '12°':
      return `ECOLE DE PRODUCTION ${person}`;
    case '13°':
      return rng.pick(NATIONAL_FORMS)(rng.pick(NATIONAL_THEMES));
    default:
      return `ETABLISSEMENT ${person}`;
  }
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
