/**
 * Deterministic demo registry: fictitious companies for the demo and the browser tests.
 *
 * - Every SIREN starts with `999` (fixed companies 99900xxxx, generated ones 9991xxxxx–9999xxxxx):
 *   a range the INSEE has not allocated, so a demo SIRET never looks like a real company's.
 *   SIRENs and SIRETs pass their check digit (`makeValidSiren` / `makeValidSiret`).
 * - Names are made up from word lists; addresses are made-up streets in real communes
 *   (`seed/communes.csv`, communes of 2,000 inhabitants or more).
 * - Most companies have 1–3 establishments, a few « réseaux » 50–300; about 3 % of the
 *   establishments are closed and about 1 % of the companies have ceased.
 * - Same `seed` and `count` → exactly the same rows (seeded PRNG, no Math.random, no clock).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { makeValidSiren, makeValidSiret } from '../domain/identifiers.js';
import { SEED_DIR } from '../infra/files.js';
import type { EntrepriseRow, EtablissementRow } from '../modules/entreprises/registry-format.js';

export const SEED_COMMUNES_CSV = resolve(SEED_DIR, 'communes.csv');

/** Default size of the demo: 6,000 companies, about 11,500 establishments. */
export const DEMO_DEFAULT_COUNT = 6000;
export const DEMO_DEFAULT_SEED = 20260504;

// ── fixed, well-known demo companies (used by the seed, the demo script and the browser tests) ──

const GIP_ADRESSE = '86 RUE DE LA FEDERATION 75015 PARIS';

/**
 * Fixed demo companies. Their identifiers are literal so tests and docs can use them; a unit test
 * checks they pass their check digit.
 */
export const DEMO_COMPANIES = {
  /** mono-établissement company: one active SIRET */
  boulangerieMoutin: {
    siren: '999001001',
    raisonSociale: 'BOULANGERIE MOUTIN',
    siret: '99900100100018',
    sirets: ['99900100100018'],
  },
  /**
   * multi-établissement company, 3 active établissements at the same address. The requested SIREN
   * 999005703 fails the Luhn check; 999005705 is the nearest valid number.
   */
  gipMds: {
    siren: '999005705',
    raisonSociale: 'GIP MDS TEST PROJET',
    adresse: GIP_ADRESSE,
    /** siège */
    siret: '99900570500010',
    sirets: ['99900570500010', '99900570500028', '99900570500036'],
  },
  /** accounting firm (tiers-déclarant), 2 active établissements */
  cabinetDurand: {
    siren: '999002009',
    raisonSociale: 'CABINET COMPTABLE DURAND ET ASSOCIES',
    /** siège */
    siret: '99900200900010',
    sirets: ['99900200900010', '99900200900028'],
  },
  /** ceased company ('C'), its only établissement closed ('F') */
  menuiserieCessee: {
    siren: '999003007',
    raisonSociale: 'MENUISERIE LEROUX',
    siret: '99900300700013',
    sirets: ['99900300700013'],
  },
  /** « réseau »: 120 établissements, siège 0001, NIC 0002 closed, the others active */
  transportsGiraudier: {
    siren: '999004005',
    raisonSociale: 'TRANSPORTS GIRAUDIER',
    siret: '99900400500016',
    closedSiret: '99900400500024',
    etablissementCount: 120,
  },
  /**
   * A real habilitated establishment (public lycée, SIRENE data; in the SOLTéA referential of the
   * demo): its people are fictitious. Used by the establishment space (« SOLTéA – Etablissements »).
   */
  lyceeRaspail: {
    siren: '197506918',
    raisonSociale: 'LYCEE DES METIERS RASPAIL',
    siret: '19750691800048',
    sirets: ['19750691800048'],
    uai: '0750691U',
  },
} as const;

// ── communes ────────────────────────────────────────────────────────────────────────────────────

export interface CommuneRef {
  inseeCom: string;
  /** official name, e.g. « Saint-Étienne », « Paris 15e Arrondissement » */
  commune: string;
  codePostal: string;
  inseeDep: string;
}

const communesCache = new Map<string, CommuneRef[]>();

/** Reads `seed/communes.csv` (insee_com, commune, code_postal, insee_dep). Cached per path. */
export function loadSeedCommunes(path: string = SEED_COMMUNES_CSV): CommuneRef[] {
  const cached = communesCache.get(path);
  if (cached) return cached;
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  const rows = parsed.data.map((r) => ({
    inseeCom: r.insee_com ?? '',
    commune: r.commune ?? '',
    codePostal: r.code_postal ?? '',
    inseeDep: r.insee_dep ?? '',
  }));
  if (rows.length === 0) throw new Error(`${path}: no commune`);
  communesCache.set(path, rows);
  return rows;
}

/** Commune name as SIRENE writes it: upper case, no accents; arrondissements under the city name. */
export function libelleCommuneSirene(commune: string): string {
  const arrondissement = /^(Paris|Lyon|Marseille) \d+(er|e) Arrondissement$/.exec(commune);
  const name = arrondissement ? arrondissement[1]! : commune;
  return name
    .replace(/Œ/g, 'OE')
    .replace(/œ/g, 'oe')
    .replace(/Æ/g, 'AE')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/’/g, "'")
    .toUpperCase();
}

// ── seeded PRNG ─────────────────────────────────────────────────────────────────────────────────

/** mulberry32: small, fast, good enough for demo data; deterministic for a given seed. */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** integer in [0, n) */
    int: (n: number) => Math.floor(next() * n),
    /** integer in [min, max] */
    between: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** picks a key of `weights` with probability proportional to its weight */
    weighted: <K extends string>(weights: readonly (readonly [K, number])[]): K => {
      const total = weights.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [k, w] of weights) {
        x -= w;
        if (x < 0) return k;
      }
      return weights[weights.length - 1]![0];
    },
  };
}
type Rng = ReturnType<typeof createRng>;

// ── word lists ──────────────────────────────────────────────────────────────────────────────────

const SURNAMES = [
  'MARTIN',
  'BERNARD',
  'THOMAS',
  'PETIT',
  'ROBERT',
  'RICHARD',
  'DUBOIS',
  'MOREAU',
  'LAURENT',
  'SIMON',
  'MICHEL',
  'LEFEBVRE',
  'LEROY',
  'ROUX',
  'DAVID',
  'BERTRAND',
  'MOREL',
  'FOURNIER',
  'GIRARD',
  'BONNET',
  'DUPONT',
  'LAMBERT',
  'FONTAINE',
  'ROUSSEAU',
  'VINCENT',
  'MULLER',
  'FAURE',
  'ANDRE',
  'MERCIER',
  'BLANC',
  'GUERIN',
  'BOYER',
  'GARNIER',
  'CHEVALIER',
  'FRANCOIS',
  'LEGRAND',
  'GAUTHIER',
  'GARCIA',
  'PERRIN',
  'ROBIN',
  'CLEMENT',
  'MORIN',
  'NICOLAS',
  'HENRY',
  'ROUSSEL',
  'MATHIEU',
  'MASSON',
  'MARCHAND',
  'DUVAL',
  'DENIS',
  'DUMONT',
  'LEMAIRE',
  'NOEL',
  'MEYER',
  'DUFOUR',
  'MEUNIER',
  'BRUN',
  'BLANCHARD',
  'GIRAUD',
  'JOLY',
  'RIVIERE',
  'LUCAS',
  'BRUNET',
  'GAILLARD',
  'BARBIER',
  'ARNAUD',
  'MARTINEZ',
  'GERARD',
  'ROCHE',
  'RENARD',
  'SCHMITT',
  'ROY',
  'COLIN',
  'VIDAL',
  'CARON',
  'PICARD',
  'ROGER',
  'FABRE',
  'AUBERT',
  'LEMOINE',
  'RENAUD',
  'DUMAS',
  'LACROIX',
  'OLIVIER',
  'PHILIPPE',
  'BOURGEOIS',
  'BENOIT',
  'REY',
  'LECLERC',
  'PAYET',
  'ROLLAND',
  'LECLERCQ',
  'GUILLAUME',
  'LECOMTE',
  'LOPEZ',
  'DUPUY',
  'GUILLOT',
  'HUBERT',
  'BERGER',
  'CARPENTIER',
  'SANCHEZ',
  'DUPUIS',
  'MOULIN',
  'DESCHAMPS',
  'HUET',
  'VASSEUR',
  'PEREZ',
  'BOUCHER',
  'FLEURY',
  'ROYER',
  'KLEIN',
  'JACQUET',
  'ADAM',
  'POIRIER',
  'MARTY',
  'AUBRY',
  'GUYOT',
  'CARRE',
  'RENAULT',
  'CHARPENTIER',
  'MENARD',
  'MAILLARD',
  'BARON',
  'BERTIN',
  'BAILLY',
  'HERVE',
  'SCHNEIDER',
  'FERNANDEZ',
  'LE GALL',
  'COLLET',
  'LEGER',
  'BOUVIER',
  'JULIEN',
  'PREVOST',
  'MILLET',
  'PERROT',
  'COUSIN',
  'GERMAIN',
  'BRETON',
  'BESSON',
  'LANGLOIS',
  'REMY',
  'LE GOFF',
  'PELLETIER',
  'LEVEQUE',
  'PERRIER',
  'LEBLANC',
  'BARRE',
  'LEBRUN',
  'MARCHAL',
  'WEBER',
  'MALLET',
  'HAMON',
  'JACOB',
  'MONNIER',
  'MICHAUD',
  'RODRIGUEZ',
  'GUICHARD',
  'GILLET',
  'ETIENNE',
  'GRONDIN',
  'POULAIN',
  'TESSIER',
  'COLLIN',
  'CHAUVIN',
  'DA SILVA',
  'BOUCHET',
  'LEMAITRE',
  'BENARD',
  'HUMBERT',
  'REYNAUD',
  'ANTOINE',
  'HOARAU',
  'PERRET',
  'BARTHELEMY',
  'CORDIER',
  'PICHON',
  'LEJEUNE',
  'GILBERT',
  'LAMY',
  'DELAUNAY',
  'PASQUIER',
  'CARLIER',
  'LAPORTE',
  'BRIAND',
  'CHARRIER',
  'TANGUY',
  'KERBRAT',
  'ETCHEVERRY',
  'OLLIVIER',
] as const;

const PRENOMS = [
  'JEAN',
  'MARIE',
  'PIERRE',
  'NATHALIE',
  'ISABELLE',
  'SYLVIE',
  'CATHERINE',
  'PHILIPPE',
  'MICHEL',
  'ALAIN',
  'NICOLAS',
  'CHRISTOPHE',
  'STEPHANE',
  'SEBASTIEN',
  'JULIEN',
  'CELINE',
  'SANDRINE',
  'AURELIE',
  'THOMAS',
  'CAMILLE',
  'LEA',
  'HUGO',
  'LUCAS',
  'MANON',
  'EMMA',
  'KARIM',
  'SAMIR',
  'FATIMA',
  'NADIA',
  'YANN',
  'ERWAN',
  'SOPHIE',
  'VALERIE',
  'LAURENT',
  'FREDERIC',
  'OLIVIER',
  'ELODIE',
  'MATHILDE',
  'ANTOINE',
  'CLAIRE',
] as const;

/** trade words: « BOULANGERIE MARTIN », « GARAGE DU CENTRE » … */
const TRADES = [
  'BOULANGERIE',
  'BOULANGERIE PATISSERIE',
  'TRANSPORTS',
  'MENUISERIE',
  'CABINET',
  'SOCIETE',
  'GARAGE',
  'PHARMACIE',
  'ATELIER',
  'HOTEL',
  'IMPRIMERIE',
  'PLOMBERIE',
  'ELECTRICITE',
  'BOUCHERIE',
  'CHARCUTERIE',
  'MACONNERIE',
  'COIFFURE',
  'RESTAURANT',
  'BRASSERIE',
  'FROMAGERIE',
  'CARROSSERIE',
  'AMBULANCES',
  'TAXIS',
  'FLEURS',
  'OPTIQUE',
  'LIBRAIRIE',
  'PEINTURE',
  'COUVERTURE',
  'CHAUFFAGE',
  'PAYSAGES',
  'AUTO-ECOLE',
  'TRAITEUR',
  'SERRURERIE',
  'ETABLISSEMENTS',
  'ENTREPRISE',
  'CONSTRUCTIONS',
  'AGENCE IMMOBILIERE',
  'CAVE',
  'EPICERIE',
  'QUINCAILLERIE',
  'NETTOYAGE',
  'INFORMATIQUE',
  'LABORATOIRE',
  'PRESSING',
  'VIGNOBLES',
  'CHARPENTE',
  'TERRASSEMENT',
  'ISOLATION',
  'CLINIQUE VETERINAIRE',
  'CABINET DENTAIRE',
  'PATISSERIE',
  'MIROITERIE',
  'TOLERIE',
  'MECANIQUE',
] as const;

const PLACES = [
  'DU CENTRE',
  'DE LA GARE',
  'DU PORT',
  'DU MARCHE',
  'DES HALLES',
  'DU CHATEAU',
  'DE LA PLACE',
  'DU PONT',
  'DES VIGNES',
  'DU LAC',
  'DE LA VALLEE',
  'DES ALPES',
  'DU MIDI',
  "DE L'OUEST",
  'DU LITTORAL',
  'DES TROIS RIVIERES',
  'DU PARC',
  'DES FORGES',
  'DU MOULIN',
  "DE L'ABBAYE",
  'DES COTEAUX',
  'DU PLATEAU',
  'DE LA COTE',
  'DU BOCAGE',
] as const;

const SUFFIXES = [
  'CONSEIL',
  'SOLUTIONS',
  'INGENIERIE',
  'DISTRIBUTION',
  'SERVICES',
  'HABITAT',
  'RENOVATION',
  'INDUSTRIE',
  'LOGISTIQUE',
  'PATRIMOINE',
] as const;

const NETWORK_PATTERNS = [
  (n: string) => `TRANSPORTS ${n}`,
  (n: string) => `${n} DISTRIBUTION`,
  (n: string) => `GROUPE ${n} PROPRETE`,
  (n: string) => `AMBULANCES ${n}`,
  (n: string) => `SUPERMARCHES ${n}`,
  (n: string) => `${n} INTERIM`,
  (n: string) => `BOULANGERIES ${n}`,
  (n: string) => `${n} SECURITE`,
  (n: string) => `OPTIQUE ${n}`,
  (n: string) => `${n} AIDE A DOMICILE`,
] as const;

const SPORTS = ['FOOTBALL', 'TENNIS', 'JUDO', 'RUGBY', 'BASKET', 'HANDBALL', 'NATATION', 'CYCLISME', 'PETANQUE', 'GYMNASTIQUE'] as const;

const ASSOCIATION_PATTERNS = [
  (c: string) => `ASSOCIATION SPORTIVE ${de(c)}`,
  (c: string) => `COMITE DES FETES ${de(c)}`,
  (c: string) => `AMICALE LAIQUE ${de(c)}`,
  (c: string) => `FOYER RURAL ${de(c)}`,
  (c: string) => `ECOLE DE MUSIQUE ${de(c)}`,
  (c: string) => `LES AMIS DU PATRIMOINE ${de(c)}`,
  (c: string) => `ASSOCIATION DES PARENTS D'ELEVES ${de(c)}`,
  (c: string) => `CLUB DES AINES ${de(c)}`,
  (c: string) => `AIDE A DOMICILE EN MILIEU RURAL ${de(c)}`,
  (c: string, r: Rng) => `CLUB DE ${r.pick(SPORTS)} ${de(c)}`,
  (c: string, r: Rng) => `${r.pick(SPORTS)} CLUB ${c}`,
] as const;

const MUNICIPAL_SITES = [
  'ECOLE PRIMAIRE PUBLIQUE',
  'SERVICES TECHNIQUES MUNICIPAUX',
  'CRECHE MUNICIPALE',
  'MEDIATHEQUE MUNICIPALE',
  'RESTAURANT SCOLAIRE',
  'STADE MUNICIPAL',
  'PISCINE MUNICIPALE',
  'CAMPING MUNICIPAL',
  'ECOLE MATERNELLE PUBLIQUE',
] as const;

const VOIE_TYPES = [
  ['RUE', 50],
  ['AVENUE', 14],
  ['BOULEVARD', 7],
  ['PLACE', 6],
  ['CHEMIN', 6],
  ['IMPASSE', 4],
  ['ALLEE', 4],
  ['ROUTE', 5],
  ['QUAI', 2],
  ['COURS', 2],
] as const;

const VOIE_NAMES = [
  'DE LA REPUBLIQUE',
  'VICTOR HUGO',
  'JEAN JAURES',
  'DU GENERAL DE GAULLE',
  'PASTEUR',
  'DE LA GARE',
  'DES ECOLES',
  "DE L'EGLISE",
  'DU MARECHAL FOCH',
  'GAMBETTA',
  'JULES FERRY',
  'DE LA LIBERATION',
  'DU 8 MAI 1945',
  'DU 11 NOVEMBRE',
  'DE LA MAIRIE',
  'DES LILAS',
  'DES TILLEULS',
  'DU MOULIN',
  'DE LA PAIX',
  'SAINT-MARTIN',
  'CARNOT',
  'DE VERDUN',
  'EMILE ZOLA',
  'ANATOLE FRANCE',
  'DES ROSES',
  'DU STADE',
  'DES PRES',
  'DE LA FONTAINE',
  'DU CHATEAU',
  'DE LA POSTE',
  'NATIONALE',
  'DU COMMERCE',
  "DE L'INDUSTRIE",
  'DES ARTISANS',
  'ARISTIDE BRIAND',
  'GEORGES CLEMENCEAU',
  'DE LA LIBERTE',
  'PIERRE ET MARIE CURIE',
  'DES CHENES',
  'DU PARC',
  'DES VIGNES',
  'DU LAVOIR',
  'JEAN MOULIN',
  'DES ACACIAS',
  'DU PRESSOIR',
  'DES PEUPLIERS',
  'DE LA CROIX BLANCHE',
  'DES VERGERS',
  'DU PORT',
  'LOUIS BLERIOT',
] as const;

/** INSEE catégories juridiques (niveau III) of generated companies, with their share. */
const CATEGORIES = [
  ['5710', 26], // SAS, société par actions simplifiée
  ['5720', 11], // SASU
  ['5499', 20], // SARL
  ['5498', 6], // SARL unipersonnelle (EURL)
  ['1000', 17], // entrepreneur individuel
  ['9220', 10], // association déclarée
  ['6540', 5], // société civile immobilière
  ['5599', 2], // SA à conseil d'administration
  ['5785', 1.5], // société d'exercice libéral par actions simplifiée
  ['6220', 0.5], // GIE
  ['7210', 1], // commune
] as const;
type Categorie = (typeof CATEGORIES)[number][0];

// ── generator ───────────────────────────────────────────────────────────────────────────────────

export interface DemoRegistry {
  entreprises: EntrepriseRow[];
  etablissements: EtablissementRow[];
}

export interface DemoRegistryOptions {
  /** number of generated companies (fixed demo companies come on top); default {@link DEMO_DEFAULT_COUNT} */
  count?: number;
  seed?: number;
  /** defaults to `seed/communes.csv` */
  communes?: readonly CommuneRef[];
}

/** Generated SIRENs: 9991xxxxx … 9999xxxxx, at most this many companies. */
export const DEMO_MAX_COUNT = 90_000;

export function generateDemoRegistry(opts: DemoRegistryOptions = {}): DemoRegistry {
  const count = opts.count ?? DEMO_DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 0 || count > DEMO_MAX_COUNT) {
    throw new Error(`generateDemoRegistry: count must be an integer in [0, ${DEMO_MAX_COUNT}]`);
  }
  const rng = createRng(opts.seed ?? DEMO_DEFAULT_SEED);
  const communes = opts.communes ?? loadSeedCommunes();
  const byDep = new Map<string, CommuneRef[]>();
  for (const c of communes) {
    const list = byDep.get(c.inseeDep);
    if (list) list.push(c);
    else byDep.set(c.inseeDep, [c]);
  }
  const deps = [...byDep.keys()];

  const out: DemoRegistry = { entreprises: [], etablissements: [] };
  addFixedCompanies(out, rng, communes, byDep);
  const reservedNames = new Set<string>(Object.values(DEMO_COMPANIES).map((c) => c.raisonSociale));
  const communesWithMairie = new Set<string>();

  // a few « réseaux » of 50–300 establishments, at positions chosen by the PRNG
  const networkCount = count === 0 ? 0 : Math.max(1, Math.round(count / 500));
  const networks = new Set<number>();
  while (networks.size < Math.min(networkCount, count)) networks.add(rng.int(count));

  for (let i = 0; i < count; i++) {
    // 7919 is prime to 90,000: a bijection that spreads SIRENs over the range
    const siren = makeValidSiren(String(99_910_000 + ((i * 7919) % DEMO_MAX_COUNT)));
    const home = rng.pick(communes);
    const isNetwork = networks.has(i);
    let categorie: Categorie = isNetwork ? rng.pick(['5710', '5599', '5710'] as const) : rng.weighted(CATEGORIES);
    if (categorie === '7210' && communesWithMairie.has(home.inseeCom)) categorie = '9220';

    const naming = nameCompany(rng, categorie, home, isNetwork, reservedNames);
    if (categorie === '7210') communesWithMairie.add(home.inseeCom);
    const ceased = !isNetwork && rng.chance(0.01);

    out.entreprises.push({
      siren,
      raisonSociale: naming.raisonSociale,
      sigle: naming.sigle,
      categorieJuridique: categorie,
      etatAdministratif: ceased ? 'C' : 'A',
    });

    const n = isNetwork ? rng.between(50, 300) : etablissementCount(rng, categorie);
    // sometimes the siège moved: NIC 0001 is the former siège (closed), 0002 the current one
    const movedSiege = !ceased && n >= 2 && rng.chance(0.1);
    for (let k = 0; k < n; k++) {
      const siret = makeValidSiret(siren, String(k + 1).padStart(4, '0'));
      const estSiege = movedSiege ? k === 1 : k === 0;
      let commune = home;
      if (k > 0) {
        if (categorie === '7210') commune = home;
        else if (isNetwork) commune = rng.chance(0.6) ? rng.pick(byDep.get(home.inseeDep)!) : rng.pick(communes);
        else
          commune = rng.chance(0.5) ? home : rng.chance(0.7) ? rng.pick(byDep.get(home.inseeDep)!) : rng.pick(byDep.get(rng.pick(deps))!);
      }
      const closed = ceased || (movedSiege && k === 0) || (!estSiege && rng.chance(0.025));
      out.etablissements.push({
        siret,
        siren,
        denomination: naming.denomination(k, commune, rng),
        estSiege,
        ...address(rng, commune),
        etatAdministratif: closed ? 'F' : 'A',
        checksumWarning: false,
      });
    }
  }
  return out;
}

function etablissementCount(rng: Rng, categorie: Categorie): number {
  switch (categorie) {
    case '1000':
      return rng.chance(0.95) ? 1 : 2;
    case '6540':
      return 1;
    case '9220':
      return rng.chance(0.85) ? 1 : 2;
    case '7210':
      return rng.between(3, 9);
    default: {
      const x = rng.next();
      if (x < 0.62) return 1;
      if (x < 0.84) return 2;
      if (x < 0.94) return 3;
      if (x < 0.99) return rng.between(4, 8);
      return rng.between(9, 25);
    }
  }
}

interface Naming {
  raisonSociale: string;
  sigle: string | null;
  denomination: (k: number, commune: CommuneRef, rng: Rng) => string;
}

function nameCompany(rng: Rng, categorie: Categorie, home: CommuneRef, isNetwork: boolean, reserved: Set<string>): Naming {
  const communeName = libelleCommuneSirene(home.commune);
  for (let attempt = 0; ; attempt++) {
    const naming = candidateName(rng, categorie, communeName, isNetwork);
    if (!reserved.has(naming.raisonSociale) || attempt > 20) return naming;
  }
}

function candidateName(rng: Rng, categorie: Categorie, communeName: string, isNetwork: boolean): Naming {
  const same = (name: string) => () => name;
  if (isNetwork) {
    const name = rng.pick(NETWORK_PATTERNS)(rng.pick(SURNAMES));
    const sigle = rng.chance(0.3) ? initials(name) : null;
    return {
      raisonSociale: name,
      sigle,
      denomination: (k, commune) => (k === 0 ? name : `${name} ${libelleCommuneSirene(commune.commune)}`),
    };
  }
  switch (categorie) {
    case '1000': {
      const raisonSociale = `${rng.pick(PRENOMS)} ${rng.pick(SURNAMES)}`;
      const surname = raisonSociale.slice(raisonSociale.indexOf(' ') + 1);
      const enseigne = rng.chance(0.6) ? `${rng.pick(TRADES)} ${surname}` : raisonSociale;
      return { raisonSociale, sigle: null, denomination: same(enseigne) };
    }
    case '9220': {
      const name = rng.pick(ASSOCIATION_PATTERNS)(communeName, rng);
      return { raisonSociale: name, sigle: rng.chance(0.15) ? initials(name) : null, denomination: same(name) };
    }
    case '6540': {
      const name = rng.chance(0.6)
        ? `SCI ${rng.pick(SURNAMES)}`
        : `SCI ${rng
            .pick(PLACES)
            .replace(/^(DU|DE LA|DES|DE L') ?/, 'LES ')
            .trim()}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    case '7210': {
      const name = `COMMUNE ${de(communeName)}`;
      return {
        raisonSociale: name,
        sigle: null,
        denomination: (k, _c, r) => (k === 0 ? 'MAIRIE' : r.pick(MUNICIPAL_SITES)),
      };
    }
    case '6220': {
      const name = `GIE ${rng.pick(SURNAMES)} ${rng.pick(SUFFIXES)}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    case '5785': {
      const name = rng.chance(0.5)
        ? `CABINET ${rng.pick(SURNAMES)} ET ASSOCIES`
        : `SELAS ${rng.pick(['PHARMACIE', 'CABINET DENTAIRE', 'CLINIQUE VETERINAIRE', 'LABORATOIRE'] as const)} ${rng.pick(SURNAMES)}`;
      return { raisonSociale: name, sigle: null, denomination: same(name) };
    }
    default: {
      const trade = rng.pick(TRADES);
      const x = rng.next();
      let name: string;
      if (x < 0.4) name = `${trade} ${rng.pick(SURNAMES)}`;
      else if (x < 0.52) name = `${trade} ${rng.pick(SURNAMES)} ET FILS`;
      else if (x < 0.66) name = `${trade} ${rng.pick(PLACES)}`;
      else if (x < 0.76) name = `${trade} ${de(communeName)}`;
      else if (x < 0.84) name = `${trade} ${rng.pick(SURNAMES)}-${rng.pick(SURNAMES)}`;
      else if (x < 0.9) name = `SOCIETE NOUVELLE ${trade} ${rng.pick(SURNAMES)}`;
      else name = `${rng.pick(SURNAMES)} ${rng.pick(SUFFIXES)}`;
      const sigle = name.split(' ').length >= 3 && rng.chance(0.05) ? initials(name) : null;
      return { raisonSociale: name, sigle, denomination: same(name) };
    }
  }
}

/** « DE » + name with French elision and contraction: D'ORLEANS, DU HAVRE, DES MUREAUX, DE LA ROCHELLE. */
function de(name: string): string {
  if (name.startsWith('LE ')) return `DU ${name.slice(3)}`;
  if (name.startsWith('LES ')) return `DES ${name.slice(4)}`;
  if (/^[AEIOUY]/.test(name)) return `D'${name}`;
  return `DE ${name}`;
}

const SMALL_WORDS = new Set(['DE', 'DU', 'DES', 'LA', 'LE', 'LES', 'ET', 'EN', 'A', "D'", "L'"]);

function initials(name: string): string {
  return name
    .split(/[\s-]+/)
    .filter((w) => !SMALL_WORDS.has(w) && !/^[DL]'/.test(w))
    .map((w) => w[0])
    .join('');
}

function address(rng: Rng, commune: CommuneRef): Pick<EtablissementRow, 'adresse' | 'codePostal' | 'codeCommune' | 'libelleCommune'> {
  const type = rng.weighted(VOIE_TYPES);
  const numero = type === 'PLACE' || type === 'CHEMIN' ? rng.between(1, 30) : rng.between(1, 180);
  const indice = rng.chance(0.04) ? rng.pick([' BIS', ' TER'] as const) : '';
  const libelleCommune = libelleCommuneSirene(commune.commune);
  const voie = `${numero}${indice} ${type} ${rng.pick(VOIE_NAMES)}`;
  return {
    adresse: `${voie} ${commune.codePostal} ${libelleCommune}`,
    codePostal: commune.codePostal,
    codeCommune: commune.inseeCom,
    libelleCommune,
  };
}

function fixedCommune(communes: readonly CommuneRef[], inseeCom: string, codePostal: string): CommuneRef {
  const c = communes.find((x) => x.inseeCom === inseeCom && x.codePostal === codePostal);
  if (!c) throw new Error(`demo registry: commune ${inseeCom} ${codePostal} missing from the communes list`);
  return c;
}

function addFixedCompanies(out: DemoRegistry, rng: Rng, communes: readonly CommuneRef[], byDep: Map<string, CommuneRef[]>): void {
  const at = (numeroEtVoie: string, c: CommuneRef) => {
    const libelleCommune = libelleCommuneSirene(c.commune);
    return {
      adresse: `${numeroEtVoie} ${c.codePostal} ${libelleCommune}`,
      codePostal: c.codePostal,
      codeCommune: c.inseeCom,
      libelleCommune,
    };
  };
  const etab = (
    siret: string,
    denomination: string,
    estSiege: boolean,
    addr: Pick<EtablissementRow, 'adresse' | 'codePostal' | 'codeCommune' | 'libelleCommune'>,
    etat: 'A' | 'F' = 'A',
  ): EtablissementRow => ({
    siret,
    siren: siret.slice(0, 9),
    denomination,
    estSiege,
    ...addr,
    etatAdministratif: etat,
    checksumWarning: false,
  });

  const { boulangerieMoutin: bm, gipMds: gip, cabinetDurand: cd, menuiserieCessee: mc, transportsGiraudier: tg } = DEMO_COMPANIES;

  out.entreprises.push({
    siren: bm.siren,
    raisonSociale: bm.raisonSociale,
    sigle: null,
    categorieJuridique: '5499',
    etatAdministratif: 'A',
  });
  out.etablissements.push(etab(bm.siret, bm.raisonSociale, true, at('25 RUE NATIONALE', fixedCommune(communes, '37261', '37000'))));

  out.entreprises.push({
    siren: gip.siren,
    raisonSociale: gip.raisonSociale,
    sigle: 'GIP MDS',
    categorieJuridique: '7410',
    etatAdministratif: 'A',
  });
  const paris15 = fixedCommune(communes, '75115', '75015');
  gip.sirets.forEach((siret, k) =>
    out.etablissements.push(etab(siret, gip.raisonSociale, k === 0, at('86 RUE DE LA FEDERATION', paris15))),
  );

  out.entreprises.push({
    siren: cd.siren,
    raisonSociale: cd.raisonSociale,
    sigle: null,
    categorieJuridique: '5785',
    etatAdministratif: 'A',
  });
  out.etablissements.push(
    etab(cd.sirets[0], cd.raisonSociale, true, at('15 RUE DE LA REPUBLIQUE', fixedCommune(communes, '69382', '69002'))),
  );
  out.etablissements.push(
    etab(cd.sirets[1], cd.raisonSociale, false, at('7 AVENUE HENRI BARBUSSE', fixedCommune(communes, '69266', '69100'))),
  );

  out.entreprises.push({
    siren: mc.siren,
    raisonSociale: mc.raisonSociale,
    sigle: null,
    categorieJuridique: '5499',
    etatAdministratif: 'C',
  });
  out.etablissements.push(
    etab(mc.siret, mc.raisonSociale, true, at('3 IMPASSE DES ARTISANS', fixedCommune(communes, '44109', '44000')), 'F'),
  );

  out.entreprises.push({
    siren: tg.siren,
    raisonSociale: tg.raisonSociale,
    sigle: null,
    categorieJuridique: '5710',
    etatAdministratif: 'A',
  });
  const rhoneAlpes = [...(byDep.get('69') ?? []), ...(byDep.get('38') ?? []), ...(byDep.get('42') ?? []), ...(byDep.get('01') ?? [])];
  for (let k = 0; k < tg.etablissementCount; k++) {
    const siret = makeValidSiret(tg.siren, String(k + 1).padStart(4, '0'));
    const commune = k === 0 ? fixedCommune(communes, '69266', '69100') : rng.pick(rhoneAlpes.length ? rhoneAlpes : communes);
    const addr = address(rng, commune);
    out.etablissements.push(
      etab(
        siret,
        k === 0 ? tg.raisonSociale : `${tg.raisonSociale} ${addr.libelleCommune}`,
        k === 0,
        addr,
        siret === tg.closedSiret ? 'F' : 'A',
      ),
    );
  }

  const lr = DEMO_COMPANIES.lyceeRaspail;
  out.entreprises.push({
    siren: lr.siren,
    raisonSociale: lr.raisonSociale,
    sigle: null,
    categorieJuridique: '7331',
    etatAdministratif: 'A',
  });
  out.etablissements.push(
    etab(lr.siret, lr.raisonSociale, true, at('5 BIS AVENUE MAURICE D OCAGNE', fixedCommune(communes, '75114', '75014'))),
  );
}
