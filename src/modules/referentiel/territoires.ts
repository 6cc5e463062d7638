/**
 * Names of the French départements and régions (code officiel géographique), for labels and select
 * boxes. Pure: the data is a generated constant (`territoires-data.ts`, Etalab découpage administratif
 * 6.0.0, Licence Ouverte), so this module can also be bundled for the browser.
 */
import { searchKey } from '../../domain/text.js';
import { DEPARTEMENTS_DATA, REGIONS_DATA } from './territoires-data.js';

export interface Region {
  code: string;
  nom: string;
}

export interface Departement {
  code: string;
  nom: string;
  /** code of its région */
  region: string;
}

/** The 18 régions (13 metropolitan + 5 DROM), sorted by name (French collation), for select boxes. */
export const REGIONS: readonly Region[] = [...REGIONS_DATA].sort((a, b) => a.nom.localeCompare(b.nom, 'fr'));

/** The 101 départements, sorted by code (01, 02, …, 2A, 2B, …, 95, 971 … 976), for select boxes. */
export const DEPARTEMENTS: readonly Departement[] = [...DEPARTEMENTS_DATA].sort(
  (a, b) => departementOrder(a.code) - departementOrder(b.code),
);

const regionsByCode = new Map(REGIONS_DATA.map((r) => [r.code, r]));
const departementsByCode = new Map(DEPARTEMENTS_DATA.map((d) => [d.code, d]));

/** Sort key: 2A and 2B between 19 and 21, overseas after 95. */
function departementOrder(code: string): number {
  if (code === '2A') return 200;
  if (code === '2B') return 201;
  return Number(code) * 10;
}

/**
 * Canonical département code: « 1 » → « 01 », « 2a » → « 2A », « 20 » stays unknown (Corsica is 2A/2B);
 * null when it is not a known département.
 */
export function normaliseDepartement(input: string): string | null {
  const s = input.trim().toUpperCase();
  const code = /^\d$/.test(s) ? `0${s}` : s;
  return departementsByCode.has(code) ? code : null;
}

/** « 75 » → « Paris »; null for an unknown code. */
export function departementName(code: string): string | null {
  return departementsByCode.get(normaliseDepartement(code) ?? code)?.nom ?? null;
}

/** « 11 » → « Île-de-France »; null for an unknown code. */
export function regionName(code: string): string | null {
  return regionsByCode.get(code.trim())?.nom ?? null;
}

/** « 75 » → « 11 »; null for an unknown département. */
export function regionOfDepartement(code: string): string | null {
  return departementsByCode.get(normaliseDepartement(code) ?? code)?.region ?? null;
}

/** The départements of a région, sorted by code. */
export function departementsOfRegion(region: string): Departement[] {
  return DEPARTEMENTS.filter((d) => d.region === region);
}

/**
 * The département of a French postal code: its first two digits, 3 overseas (971…976), Corsica
 * (20xxx) → 2A below 20200, 2B from 20200 on. Null when the result is not a known département.
 */
export function departementOfCodePostal(codePostal: string): string | null {
  const cp = codePostal.trim();
  if (!/^\d{5}$/.test(cp)) return null;
  if (cp.startsWith('97')) return normaliseDepartement(cp.slice(0, 3));
  if (cp.startsWith('20')) return Number(cp) < 20200 ? '2A' : '2B';
  return normaliseDepartement(cp.slice(0, 2));
}

/** A région from its code or its name as typed by a person (« ile de france », « Grand-Est »), or null. */
export function regionByName(name: string): Region | null {
  const key = searchKey(name);
  return REGIONS.find((r) => r.code === name.trim() || searchKey(r.nom) === key) ?? null;
}

/** A département from its code or its name as typed by a person (« seine st denis » is not matched: exact words). */
export function departementByName(name: string): Departement | null {
  const code = normaliseDepartement(name);
  if (code) return departementsByCode.get(code) ?? null;
  const key = searchKey(name);
  return DEPARTEMENTS.find((d) => searchKey(d.nom) === key) ?? null;
}
