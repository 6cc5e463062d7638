/**
 * « Recherche établissement », the place fields (« Ville, code postal ou département », « Autour de la
 * commune »), against France's départements and régions: 5 digits → a code postal; 2 or 3 characters
 * that are a département code (75, 2A, 974) → that département; otherwise the name of a département,
 * a région or a commune (typo tolerant). The other criteria are a pure rule: src/domain/recherche.ts.
 */
import { placeNameScore } from '../../domain/recherche.js';
import { searchKey } from '../../domain/text.js';
import { DEPARTEMENTS_DATA, REGIONS_DATA } from '../referentiel/territoires-data.js';

export type PlaceTerm =
  | { kind: 'none' }
  | { kind: 'codePostal'; codePostal: string }
  | { kind: 'departement'; code: string; nom: string }
  | { kind: 'region'; code: string; nom: string }
  /** a name to look up among the communes (or, fuzzily, the départements and régions) */
  | { kind: 'nom'; key: string; departement: string | null };

const DEPARTEMENTS = DEPARTEMENTS_DATA.map((d) => ({ ...d, key: searchKey(d.nom) }));
const REGIONS = REGIONS_DATA.map((r) => ({ ...r, key: searchKey(r.nom) }));
const DEPARTEMENT_BY_CODE = new Map(DEPARTEMENTS.map((d) => [d.code, d]));
const REGION_BY_CODE = new Map(REGIONS.map((r) => [r.code, r]));

export function departementNom(code: string | null | undefined): string | null {
  return code ? (DEPARTEMENT_BY_CODE.get(code)?.nom ?? null) : null;
}
export function regionNom(code: string | null | undefined): string | null {
  return code ? (REGION_BY_CODE.get(code)?.nom ?? null) : null;
}

/** « 37 », « 2a », « 974 » → the canonical département code when it exists. */
export function departementCode(input: string): string | null {
  const s = input.trim().toUpperCase();
  if (!/^(?:\d{2,3}|2[AB])$/.test(s)) return null;
  return DEPARTEMENT_BY_CODE.has(s) ? s : null;
}

export function parsePlace(input: string): PlaceTerm {
  const s = input.trim();
  if (!s) return { kind: 'none' };
  const cp = /(?:^|\D)(\d{5})(?:\D|$)/.exec(s);
  if (cp) return { kind: 'codePostal', codePostal: cp[1]! };
  const dep = departementCode(s);
  if (dep) return { kind: 'departement', code: dep, nom: DEPARTEMENT_BY_CODE.get(dep)!.nom };
  const key = searchKey(s);
  if (!key) return { kind: 'none' };
  const d = DEPARTEMENTS.find((x) => x.key === key);
  if (d) return { kind: 'departement', code: d.code, nom: d.nom };
  const r = REGIONS.find((x) => x.key === key);
  if (r) return { kind: 'region', code: r.code, nom: r.nom };
  // « Tours (37) », « Saint-Denis 974 »: a commune name with its département
  const hint = /^(.*?)[\s(]+(\d{2,3}|2[ab])\)?$/i.exec(s);
  if (hint) {
    const code = departementCode(hint[2]!);
    const name = searchKey(hint[1]!);
    if (code && name) return { kind: 'nom', key: name, departement: code };
  }
  return { kind: 'nom', key, departement: null };
}

// ── fuzzy match on the (small) lists of départements and régions ─────────────────────────────

/** The département or région whose name is closest to `key` (typos), with its score. */
export function closestTerritoire(key: string): { kind: 'departement' | 'region'; code: string; nom: string; similarity: number } | null {
  let best: { kind: 'departement' | 'region'; code: string; nom: string; similarity: number } | null = null;
  for (const d of DEPARTEMENTS) {
    const s = placeNameScore(key, d.key);
    if (!best || s > best.similarity) best = { kind: 'departement', code: d.code, nom: d.nom, similarity: s };
  }
  for (const r of REGIONS) {
    const s = placeNameScore(key, r.key);
    if (!best || s > best.similarity) best = { kind: 'region', code: r.code, nom: r.nom, similarity: s };
  }
  return best;
}
