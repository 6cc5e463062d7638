/**
 * The catalogue behind the referential of habilitated establishments (SOLTéA §4.1).
 *
 * Categories of article L. 6241-5 of the code du travail. 1° to 8° are the verified text; 9° to 12°
 * are reconstructed from R. 6241-21/22 and secondary sources (docs/regles.md#referentiel; to check on
 * Légifrance); 13° is the liste nationale (organismes nationaux, arrêté for three years).
 */
export const CATEGORIES_L6241_5 = [
  { code: '1°', libelle: 'Établissements publics d’enseignement du second degré' },
  { code: '2°', libelle: 'Établissements privés d’enseignement du second degré à but non lucratif' },
  { code: '3°', libelle: 'Établissements publics d’enseignement supérieur ou leurs groupements' },
  { code: '4°', libelle: 'Établissements gérés par une chambre consulaire, enseignement supérieur consulaire' },
  { code: '5°', libelle: 'Établissements privés d’enseignement supérieur à but non lucratif' },
  {
    code: '6°',
    libelle: 'Établissements préparant aux diplômes des ministères de la santé, des affaires sociales, de la jeunesse et des sports',
  },
  { code: '7°', libelle: 'Écoles de la deuxième chance, EPIDE et établissements de nouvelle chance' },
  { code: '8°', libelle: 'Établissements et services d’éducation adaptée' },
  { code: '9°', libelle: 'Établissements et services d’aide par le travail et de réadaptation' },
  { code: '10°', libelle: 'Établissements expérimentaux pour jeunes handicapés' },
  { code: '11°', libelle: 'Organismes du service public de l’orientation tout au long de la vie' },
  { code: '12°', libelle: 'Écoles de production' },
  {
    code: '13°',
    libelle: 'Organismes nationaux de promotion de la formation technologique et professionnelle initiale et des métiers (liste nationale)',
  },
] as const;

export type CategorieCode = (typeof CATEGORIES_L6241_5)[number]['code'];

const categorieCodes = new Set<string>(CATEGORIES_L6241_5.map((c) => c.code));

/** Accepts « 1° », « 1 », « 01 », « 1o », « 13° » … and returns the canonical code, or null. */
export function parseCategorie(input: string): CategorieCode | null {
  const m = /^\s*0*(\d{1,2})\s*(?:°|o|º)?\s*$/i.exec(input);
  if (!m) return null;
  const code = `${Number(m[1])}°`;
  return categorieCodes.has(code) ? (code as CategorieCode) : null;
}

export function libelleCategorie(code: string): string {
  return CATEGORIES_L6241_5.find((c) => c.code === code)?.libelle ?? code;
}

/** Which list an establishment is habilitated by: the préfet de région's, or the national arrêté. */
export const LISTES = [
  { code: 'regionale', libelle: 'Liste régionale' },
  { code: 'nationale', libelle: 'Liste nationale' },
] as const;
export type ListeCode = (typeof LISTES)[number]['code'];

/** The national-list cap: organisations of the liste nationale together get at most 30 % of an
 * employer's solde (L. 6241-5 13°, docs/regles.md#limites-attribution). In basis points. */
export const NATIONAL_LIST_CAP_BP = 3_000;

/** Niveaux of the cadre national des certifications professionnelles (décret 2019-14), 3 to 8. */
export const NIVEAUX = [
  { niveau: 3, libelle: 'Niveau 3 (CAP, BEP)' },
  { niveau: 4, libelle: 'Niveau 4 (baccalauréat, BP)' },
  { niveau: 5, libelle: 'Niveau 5 (BTS, DUT, bac + 2)' },
  { niveau: 6, libelle: 'Niveau 6 (licence, BUT, bac + 3)' },
  { niveau: 7, libelle: 'Niveau 7 (master, diplôme d’ingénieur, bac + 5)' },
  { niveau: 8, libelle: 'Niveau 8 (doctorat)' },
] as const;

/** « Niveau 5 », « 5 », « niv. 5 » → 5; out of 3..8 → null. */
export function parseNiveau(input: string): number | null {
  const m = /(\d)/.exec(input);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 3 && n <= 8 ? n : null;
}

/** RNCP code, stored as « RNCP12345 »; accepts « 12345 », « rncp 12345 ». */
export function parseRncp(input: string): string | null {
  const m = /^\s*(?:rncp\s*)?(\d{1,6})\s*$/i.exec(input);
  return m ? `RNCP${Number(m[1])}` : null;
}

/** Code formation diplôme (BCN): 8 characters, digits and capital letters. */
export function parseCfd(input: string): string | null {
  const s = input.trim().toUpperCase();
  return /^[0-9A-Z]{8}$/.test(s) ? s : null;
}
