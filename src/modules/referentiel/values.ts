/**
 * The values of a referential row (docs/referentiel-format.md): cells cleaned, SIRETs and UAIs checked
 * (a failing check digit or letter is a warning, not an error), lists, row types, decimals, and the
 * natural key of a diploma. Pure.
 */
import { compactInput, isValidSiret, isValidUai } from '../../domain/identifiers.js';
import type { ListeCode } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import type { UaiValue } from './inputs.js';

/** Control characters (NUL, line breaks inside quoted cells…) become spaces; runs of spaces collapse. */
const NEEDS_CLEANING = /[\u0000-\u001f\u007f\u00a0]| {2}/;
export function clean(value: string): string {
  const v = value.trim();
  return NEEDS_CLEANING.test(v)
    ? v
        .replace(/[\u0000-\u001f\u007f\u00a0]+/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim()
    : v;
}

/** A pure function of one string, remembered (a file repeats the same SIRET, UAI, CFD… many times). */
export function memo<T>(fn: (s: string) => T): (s: string) => T {
  const m = new Map<string, T>();
  return (s) => {
    const hit = m.get(s);
    if (hit !== undefined || m.has(s)) return hit as T;
    const v = fn(s);
    if (m.size < 200_000) m.set(s, v);
    return v;
  };
}

const SIRET_DIGITS = /^\d{14}$/;
const UAI_FORMAT = /^\d{7}[A-Z]$/;

export type Check<T> = { ok: true; value: T; warning?: string } | { ok: false; reason: string };

/** 14 digits (spaces, dots, dashes ignored); a failing check digit is a warning, not an error. */
export function checkSiret(raw: string, label = 'SIRET'): Check<{ siret: string; checksumWarning: boolean }> {
  const v = compactInput(raw);
  if (!SIRET_DIGITS.test(v)) return { ok: false, reason: `${label} invalide « ${shorten(raw)} » : 14 chiffres attendus` };
  if (isValidSiret(v)) return { ok: true, value: { siret: v, checksumWarning: false } };
  return {
    ok: true,
    value: { siret: v, checksumWarning: true },
    warning: `${label} ${v} : clé de contrôle incorrecte (importé avec un avertissement, à vérifier)`,
  };
}

/** 7 digits + a letter (lower case accepted); a failing check letter is a warning, not an error. */
export function checkUai(raw: string): Check<UaiValue> {
  const v = compactInput(raw).toUpperCase();
  if (!UAI_FORMAT.test(v))
    return { ok: false, reason: `UAI invalide « ${shorten(raw)} » : 7 chiffres suivis d’une lettre attendus (ex. : 0750691U)` };
  if (isValidUai(v)) return { ok: true, value: { uai: v, checksumWarning: false } };
  return {
    ok: true,
    value: { uai: v, checksumWarning: true },
    warning: `UAI ${v} : lettre de contrôle incorrecte (importée avec un avertissement, à vérifier)`,
  };
}

/** « régionale », « Liste nationale », « R », « N » → the list code; null when not recognised. */
export function parseListe(raw: string): ListeCode | null {
  if (raw === 'regionale' || raw === 'nationale') return raw;
  const k = searchKey(raw).replace(/^liste /, '');
  if (k === 'regionale' || k === 'region' || k === 'r' || k === 'regional') return 'regionale';
  if (k === 'nationale' || k === 'national' || k === 'n') return 'nationale';
  return null;
}

/** « etablissement », « principal » / « composante », « secondaire », « établissement secondaire ». */
export function parseRowType(raw: string): 'etablissement' | 'composante' | null {
  if (raw === 'etablissement' || raw === 'composante') return raw;
  const k = searchKey(raw);
  if (['etablissement', 'etablissement principal', 'principal', 'e', 'etab'].includes(k)) return 'etablissement';
  if (['composante', 'etablissement secondaire', 'secondaire', 'c', 'site', 'composante etablissement secondaire'].includes(k))
    return 'composante';
  return null;
}

/** Decimal number with « . » or « , ». */
export function parseDecimal(raw: string): number | null {
  const s = raw.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

/** A value quoted back in a message: cleaned, cut to `max` characters. */
export function shorten(s: string, max = 40): string {
  const t = clean(s);
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Natural key of a diploma in `ref_diplomes`: CFD, else RNCP code, else the normalised title + niveau. */
export function diplomeCle(d: { cfd: string | null; rncp: string | null; intitule: string; niveau: number | null }): string {
  if (d.cfd) return `cfd:${d.cfd}`;
  if (d.rncp) return `rncp:${d.rncp}`;
  return `intitule:${searchKey(d.intitule)}|${d.niveau ?? ''}`;
}
