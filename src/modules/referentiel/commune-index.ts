/**
 * Pure lookups of French communes (no I/O): an in-memory index by INSEE code, postal code and name,
 * and the resolution of what a file gives (code INSEE, or code postal + nom) to one commune.
 * Arrondissements municipaux of Paris, Lyon and Marseille have no centre in the source data and are
 * not in the table: their codes (75101…75120, 69381…69389, 13201…13216) resolve to the city.
 */
import { searchKey } from '../../domain/text.js';
import { departementOfCodePostal } from './territoires.js';

export interface Commune {
  /** INSEE code */
  code: string;
  nom: string;
  /** postal codes */
  codesPostaux: string[];
  departement: string;
  region: string;
  lat: number | null;
  lng: number | null;
  population: number | null;
}

// ── arrondissements municipaux ──────────────────────────────────────────────────────────────────

/** The city of an arrondissement municipal code (Paris, Lyon, Marseille), else null. */
export function cityOfArrondissement(code: string): string | null {
  if (!/^\d{5}$/.test(code)) return null;
  const n = Number(code);
  if (n >= 75101 && n <= 75120) return '75056';
  if (n >= 69381 && n <= 69389) return '69123';
  if (n >= 13201 && n <= 13216) return '13055';
  return null;
}

// ── in-memory index ─────────────────────────────────────────────────────────────────

export interface CommuneIndex {
  byCode: Map<string, Commune>;
  /** postal code → communes having it */
  byCodePostal: Map<string, Commune[]>;
  /** département + searchKey(nom) → communes */
  byDepName: Map<string, Commune[]>;
  /** searchKey(nom) → communes (all France) */
  byName: Map<string, Commune[]>;
  /** INSEE code → nameKey(nom), computed once */
  keyOf: Map<string, string>;
}

export function buildCommuneIndex(rows: readonly Commune[]): CommuneIndex {
  const index: CommuneIndex = { byCode: new Map(), byCodePostal: new Map(), byDepName: new Map(), byName: new Map(), keyOf: new Map() };
  const push = <K>(m: Map<K, Commune[]>, k: K, c: Commune) => {
    const list = m.get(k);
    if (list) list.push(c);
    else m.set(k, [c]);
  };
  for (const c of rows) {
    index.byCode.set(c.code, c);
    for (const cp of c.codesPostaux) push(index.byCodePostal, cp, c);
    const key = nameKey(c.nom);
    index.keyOf.set(c.code, key);
    push(index.byDepName, `${c.departement}|${key}`, c);
    push(index.byName, key, c);
  }
  return index;
}

/**
 * Name key used to compare commune names: searchKey plus the usual abbreviations of postal
 * addresses (« ST » → saint, « STE » → sainte) and without a trailing « cedex ».
 */
export function nameKey(nom: string): string {
  return searchKey(nom)
    .replace(/\bcedex( \d+)?$/, '')
    .replace(/\bste\b/g, 'sainte')
    .replace(/\bst\b/g, 'saint')
    .replace(/^(paris|lyon|marseille)( \d+(er|e|eme)?)?( arrondissement)?$/, '$1')
    .trim();
}

export type CommuneResolution = { ok: true; commune: Commune } | { ok: false; message: string };

/**
 * Finds a commune from what a file gives: an INSEE code (an arrondissement municipal code gives its
 * city), else a postal code and/or a name (CEDEX codes are looked up by name in their département).
 */
export function resolveCommune(
  index: CommuneIndex,
  input: { codeCommune?: string | null; codePostal?: string | null; nom?: string | null; departement?: string | null },
): CommuneResolution {
  const code = input.codeCommune?.trim().toUpperCase() ?? '';
  if (code) {
    const c = index.byCode.get(code) ?? index.byCode.get(cityOfArrondissement(code) ?? '');
    return c
      ? { ok: true, commune: c }
      : { ok: false, message: `commune inconnue : code INSEE « ${code} » absent du code officiel géographique` };
  }
  const cp = input.codePostal?.trim() ?? '';
  const nom = input.nom?.trim() ?? '';
  const key = nom ? nameKey(nom) : '';
  if (cp) {
    const candidates = index.byCodePostal.get(cp) ?? [];
    if (key) {
      const same = candidates.filter((c) => index.keyOf.get(c.code) === key);
      if (same.length >= 1) return { ok: true, commune: same[0]! };
      // a commune nouvelle that kept the old name as its first words (« Louhans » → « Louhans-Châteaurenaud »)
      const longer = candidates.filter((c) => index.keyOf.get(c.code)!.startsWith(`${key} `));
      if (longer.length === 1) return { ok: true, commune: longer[0]! };
    }
    if (candidates.length === 1 && !key) return { ok: true, commune: candidates[0]! };
    // CEDEX or special postal codes: the name inside the département of the postal code
    const dep = departementOfCodePostal(cp);
    if (key && dep) {
      const byName = index.byDepName.get(`${dep}|${key}`) ?? [];
      if (byName.length === 1) return { ok: true, commune: byName[0]! };
    }
    if (candidates.length === 1 && key) {
      // the postal code has one commune; the name is a hamlet or an old commune name
      return { ok: true, commune: candidates[0]! };
    }
    if (candidates.length > 1 && !key)
      return {
        ok: false,
        message: `commune ambiguë : le code postal ${cp} couvre ${candidates.length} communes, indiquez le nom ou le code INSEE`,
      };
    return { ok: false, message: nom ? `commune inconnue : « ${nom} » (${cp})` : `commune inconnue : code postal ${cp}` };
  }
  if (key) {
    const dep = input.departement?.trim() ?? '';
    const list = dep ? (index.byDepName.get(`${dep}|${key}`) ?? []) : (index.byName.get(key) ?? []);
    if (list.length === 1) return { ok: true, commune: list[0]! };
    if (list.length > 1)
      return {
        ok: false,
        message: `commune ambiguë : « ${nom} » existe dans ${list.length} communes, indiquez le code postal ou le code INSEE`,
      };
    return { ok: false, message: `commune inconnue : « ${nom} »` };
  }
  return { ok: false, message: 'commune manquante : indiquez le code INSEE, ou le code postal et le nom de la commune' };
}
