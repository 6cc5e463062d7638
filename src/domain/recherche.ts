/**
 * « Recherche établissement »: what a visitor typed, checked and understood — a pure rule (no
 * database, no clock). The query string of GET /soltea/recherche (or the same keys as JSON) becomes
 * `Criteria`; every field is bounded and every error is a French message for its field.
 *
 * What the first field means (« Nom de l'établissement, SIRET ou code UAI »):
 *   14 digits (spaces, dots allowed) → a SIRET, matched exactly;
 *   9 digits → a SIREN: every SIRET that starts with it;
 *   7 digits + a letter → a UAI, matched exactly (any case);
 *   anything else → words of the name, tolerant of accents, case and typos.
 * What the second field means (« Ville, code postal ou département ») needs the list of France's
 * territories: src/modules/recherche/criteria.ts. The identifiers are those of docs/regles.md#identifiants
 * and the categories those of article L. 6241-5 du code du travail (docs/regles.md#referentiel).
 */
import type { FieldErrors } from '../shared/fields.js';
import { compactInput } from './identifiers.js';
import { parseCategorie, parseRncp, parseCfd, type CategorieCode, type ListeCode } from './referentiel.js';
import { searchKey, searchWords } from './text.js';

/** Longest text a search field keeps; longer input is cut (and the visitor told). */
export const MAX_FIELD_LENGTH = 200;
/** Results per page. */
export const PAGE_SIZE = 20;
/** Deepest page served (20 × 500 = 10,000 results: beyond, refine the search). */
export const MAX_PAGE = 500;
/** « dans un rayon de » choices (km) and the default. */
export const RAYONS_KM = [5, 10, 20, 30, 50, 100] as const;
export const DEFAULT_RAYON_KM = 10;
export const MAX_RAYON_KM = 200;
/** Words of a name or title that filter; the rest only rank (a 200-character query stays fast). */
export const MAX_FILTER_WORDS = 6;

export const FIELD_LABELS = {
  q: 'Nom de l’établissement, SIRET ou code UAI',
  lieu: 'Ville, code postal ou département',
  autourDe: 'Autour de la commune',
  rayonKm: 'Dans un rayon de',
  formation: 'Intitulé de la formation',
  niveau: 'Niveau de la formation',
  rncp: 'Code RNCP',
  type: 'Type de diplôme',
  categorie: 'Catégorie d’établissement',
  liste: 'Liste d’habilitation',
  page: 'Page',
  annee: 'Campagne',
} as const;

export type CriteriaField = keyof typeof FIELD_LABELS;

export interface Criteria {
  q: string;
  lieu: string;
  autourDe: string;
  rayonKm: number;
  formation: string;
  niveau: number | null;
  rncp: string | null;
  type: string;
  categorie: CategorieCode | null;
  liste: ListeCode | null;
  page: number;
  annee: number | null;
}

export const EMPTY_CRITERIA: Criteria = {
  q: '',
  lieu: '',
  autourDe: '',
  rayonKm: DEFAULT_RAYON_KM,
  formation: '',
  niveau: null,
  rncp: null,
  type: '',
  categorie: null,
  liste: null,
  page: 1,
  annee: null,
};

export interface ParsedCriteria {
  criteria: Criteria;
  /** one French message per wrong field (the search is not run when there is one) */
  errors: FieldErrors;
  /** things the visitor should know but that do not stop the search (text cut to 200 characters…) */
  notices: string[];
  /** whether any criterion was sent at all (a bare GET shows the empty form) */
  submitted: boolean;
}

/** The first value of a query-string key (repeated keys come as arrays), as a string. */
function first(v: unknown): string {
  const x: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '';
}

/** Control characters out, NFC, trimmed, cut to MAX_FIELD_LENGTH (with a notice). */
function cleanText(raw: unknown, field: CriteriaField, notices: string[]): string {
  const s = first(raw)
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .trim();
  if (s.length <= MAX_FIELD_LENGTH) return s;
  notices.push(
    `Le champ « ${FIELD_LABELS[field]} » est limité à ${MAX_FIELD_LENGTH} caractères : la recherche porte sur les ${MAX_FIELD_LENGTH} premiers.`,
  );
  // never cut a surrogate pair in two
  return Array.from(s).slice(0, MAX_FIELD_LENGTH).join('').trim();
}

const KEYS: readonly CriteriaField[] = [
  'q',
  'lieu',
  'autourDe',
  'rayonKm',
  'formation',
  'niveau',
  'rncp',
  'type',
  'categorie',
  'liste',
  'page',
  'annee',
];

/** Query string (or JSON object) → criteria, errors and notices. Unknown keys are ignored. */
export function parseCriteria(raw: Record<string, unknown> | null | undefined): ParsedCriteria {
  const input = raw && typeof raw === 'object' ? raw : {};
  const errors: FieldErrors = {};
  const notices: string[] = [];
  const c: Criteria = { ...EMPTY_CRITERIA };
  const submitted = KEYS.some((k) => k in input) || 'recherche' in input;

  c.q = cleanText(input.q, 'q', notices);
  c.lieu = cleanText(input.lieu, 'lieu', notices);
  c.autourDe = cleanText(input.autourDe, 'autourDe', notices);
  c.formation = cleanText(input.formation, 'formation', notices);

  const rayon = first(input.rayonKm).trim();
  if (rayon) {
    const n = /^\d{1,3}$/.test(rayon) ? Number(rayon) : Number.NaN;
    if (!(n >= 1 && n <= MAX_RAYON_KM)) errors.rayonKm = `Le rayon doit être un nombre entier de kilomètres, de 1 à ${MAX_RAYON_KM}.`;
    else c.rayonKm = n;
  }

  const niveau = first(input.niveau).trim();
  if (niveau) {
    const m = /^(?:niveau\s*)?([3-8])$/i.exec(niveau);
    if (!m) errors.niveau = 'Le niveau de la formation doit être compris entre 3 (CAP) et 8 (doctorat).';
    else c.niveau = Number(m[1]);
  }

  const rncp = first(input.rncp).trim();
  if (rncp) {
    const r = rncp.length <= 20 ? parseRncp(rncp) : null;
    if (!r) errors.rncp = 'Le code RNCP doit être de la forme RNCP12345 (ou seulement les chiffres, 12345).';
    else c.rncp = r;
  }

  const type = first(input.type).trim();
  if (type) {
    if (type.length > 40 || !/^[\p{L}\p{N} .'’()/-]+$/u.test(type))
      errors.type = 'Le type de diplôme est incorrect : choisissez-le dans la liste.';
    else c.type = type.toUpperCase();
  }

  const categorie = first(input.categorie).trim();
  if (categorie) {
    const code = categorie.length <= 5 ? parseCategorie(categorie) : null;
    if (!code) errors.categorie = 'La catégorie d’établissement est inconnue : choisissez-la dans la liste (1° à 13°).';
    else c.categorie = code;
  }

  const liste = first(input.liste).trim().toLowerCase();
  if (liste) {
    if (liste === 'regionale' || liste === 'régionale') c.liste = 'regionale';
    else if (liste === 'nationale') c.liste = 'nationale';
    else errors.liste = 'La liste d’habilitation doit être « régionale » ou « nationale ».';
  }

  const page = first(input.page).trim();
  if (page) {
    const n = /^\d{1,6}$/.test(page) ? Number(page) : Number.NaN;
    if (!(n >= 1)) errors.page = 'Le numéro de page doit être un nombre entier à partir de 1.';
    else if (n > MAX_PAGE) errors.page = `Seules les ${MAX_PAGE} premières pages de résultats sont affichées : précisez votre recherche.`;
    else c.page = n;
  }

  const annee = first(input.annee).trim();
  if (annee) {
    const n = /^\d{4}$/.test(annee) ? Number(annee) : Number.NaN;
    if (!(n >= 2000 && n <= 2100)) errors.annee = 'La campagne doit être une année sur quatre chiffres, de 2000 à 2100 (exemple : 2025).';
    else c.annee = n;
  }

  return { criteria: c, errors, notices, submitted };
}

/** The criteria as a query string (pagination links, « Voir la fiche » back links). Defaults left out. */
export function criteriaQuery(c: Criteria, over: Partial<Criteria> = {}): string {
  const v = { ...c, ...over };
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.lieu) p.set('lieu', v.lieu);
  if (v.autourDe) {
    p.set('autourDe', v.autourDe);
    p.set('rayonKm', String(v.rayonKm));
  }
  if (v.formation) p.set('formation', v.formation);
  if (v.niveau !== null) p.set('niveau', String(v.niveau));
  if (v.rncp) p.set('rncp', v.rncp);
  if (v.type) p.set('type', v.type);
  if (v.categorie) p.set('categorie', v.categorie);
  if (v.liste) p.set('liste', v.liste);
  if (v.annee !== null) p.set('annee', String(v.annee));
  if (v.page > 1) p.set('page', String(v.page));
  if ([...p.keys()].length === 0) p.set('recherche', '1');
  return p.toString();
}

/** Whether any « Affiner » criterion is set (the fieldset opens by itself then). */
export function hasRefinements(c: Criteria): boolean {
  return Boolean(c.autourDe || c.formation || c.niveau !== null || c.rncp || c.type || c.categorie || c.liste);
}

// ── the first field ────────────────────────────────────────────────────────────────────────────

export type QueryTerm =
  | { kind: 'none' }
  | { kind: 'siret'; siret: string }
  | { kind: 'siren'; siren: string }
  | { kind: 'uai'; uai: string }
  /** key: the whole search key; words: the words that filter (≥ 3 characters, at most MAX_FILTER_WORDS);
   * short: the 1–2 character words (they filter only when there is nothing else) */
  | { kind: 'text'; key: string; words: string[]; short: string[] };

export function parseQueryTerm(input: string): QueryTerm {
  const compact = compactInput(input);
  if (/^\d{14}$/.test(compact)) return { kind: 'siret', siret: compact };
  if (/^\d{9}$/.test(compact)) return { kind: 'siren', siren: compact };
  if (/^\d{7}[a-z]$/i.test(compact)) return { kind: 'uai', uai: compact.toUpperCase() };
  return textTerm(input);
}

/** Words of a name or title: the long ones filter (the longest first when there are too many). */
export function textTerm(input: string): QueryTerm {
  const key = searchKey(input);
  if (!key) return { kind: 'none' };
  const all = searchWords(input);
  const long = all.filter((w) => w.length >= 3);
  const words = long.length > MAX_FILTER_WORDS ? [...long].sort((a, b) => b.length - a.length).slice(0, MAX_FILTER_WORDS) : long;
  return { kind: 'text', key, words, short: all.filter((w) => w.length < 3) };
}

// ── fuzzy match of short names (a few hundred territories, computed here rather than in SQL) ──────

/** pg_trgm's trigrams: each word padded with two spaces before and one after. */
export function trigrams(key: string): Set<string> {
  const out = new Set<string>();
  for (const w of key.split(' ').filter(Boolean)) {
    const p = `  ${w} `;
    for (let i = 0; i + 3 <= p.length; i++) out.add(p.slice(i, i + 3));
  }
  return out;
}

/** pg_trgm's similarity(): shared trigrams over all trigrams. */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

/**
 * Optimal string alignment distance (Levenshtein with adjacent transpositions): « tuors » → « tours »
 * is 1, where trigrams see little in common for such short words.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 3) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The letters of the communes' search keys (searchKey: lowercase, no accent) and the space between words. */
const PLACE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz ';

/**
 * The key and every search key one edit away from it (a letter deleted, inserted or replaced, or two
 * adjacent letters swapped: editDistance 1), each once. A place name typed with one typo is one of
 * these, found by exact look-ups instead of comparing trigrams with thousands of names. A key of
 * length n has at most 1 + n + (n − 1) + 26n + 27(n + 1) of them (about 600 for 11 letters).
 */
export function oneEditVariants(key: string, alphabet = PLACE_ALPHABET): string[] {
  if (!key) return [];
  const out = new Set<string>([key]);
  for (let i = 0; i <= key.length; i++) {
    const [head, tail] = [key.slice(0, i), key.slice(i)];
    for (const c of alphabet) out.add(head + c + tail);
    if (i < key.length) {
      out.add(head + tail.slice(1));
      for (const c of alphabet) out.add(head + c + tail.slice(1));
    }
    if (i + 1 < key.length) out.add(head + tail[1] + tail[0] + tail.slice(2));
  }
  return [...out].filter((v) => v && !v.startsWith(' ') && !v.endsWith(' ') && !v.includes('  '));
}

/** Edits allowed for a place name of this length: none up to 3 letters, 1 up to 8, then 2. */
export const allowedEdits = (length: number) => (length <= 3 ? 0 : length <= 8 ? 1 : 2);

/**
 * How close a typed place name is to a real one, 0 to 1: trigram similarity, or, when the typo is
 * within the allowed edits, 1 − edits / length.
 */
export function placeNameScore(typed: string, name: string): number {
  const sim = trigramSimilarity(typed, name);
  const length = Math.max(typed.length, name.length);
  const allowed = allowedEdits(length);
  // lengths further apart than the edits allowed: no need to count them
  const edits = Math.abs(typed.length - name.length) <= allowed ? editDistance(typed, name) : Infinity;
  return Math.max(sim, edits <= allowed ? 1 - edits / length : 0);
}

/** A CFD typed in the formation field (8 characters with at least one digit) is matched as a code. */
export function formationCode(input: string): string | null {
  const cfd = parseCfd(compactInput(input));
  return cfd && /\d/.test(cfd) ? cfd : null;
}
