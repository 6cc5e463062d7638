/**
 * The communes of the demo registry (`seed/communes.csv`, communes of 2,000 inhabitants or more), and
 * their names as SIRENE writes them.
 */
import { resolve } from 'node:path';
import { SEED_DIR } from '../infra/files.js';
import { cachedPerPath, readSeedCsv } from '../modules/referentiel/seed-csv.js';

export const SEED_COMMUNES_CSV = resolve(SEED_DIR, 'communes.csv');

export interface CommuneRef {
  inseeCom: string;
  /** official name, e.g. « Saint-Étienne », « Paris 15e Arrondissement » */
  commune: string;
  codePostal: string;
  inseeDep: string;
}

/** Reads `seed/communes.csv` (insee_com, commune, code_postal, insee_dep). Cached per path. */
const loadSeedCommunesOnce = cachedPerPath((path): CommuneRef[] => {
  const rows = readSeedCsv(path, ',').map((r) => ({
    inseeCom: r.insee_com ?? '',
    commune: r.commune ?? '',
    codePostal: r.code_postal ?? '',
    inseeDep: r.insee_dep ?? '',
  }));
  if (rows.length === 0) throw new Error(`${path}: no commune`);
  return rows;
});

export function loadSeedCommunes(path: string = SEED_COMMUNES_CSV): CommuneRef[] {
  return loadSeedCommunesOnce(path);
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
