/**
 * CSV format of the referential of habilitated establishments (docs/referentiel-format.md): pure
 * decoding, parsing and row validation, no I/O.
 *
 * Two kinds of file, recognised by their header:
 * - « établissements »: one row per establishment or composante (`type`, `siret`, `siret_parent`,
 *   `uai` — several separated by `|` —, `nom`, address, commune, `categorie`, `liste`…);
 * - « formations »: one row per formation (`siret` and/or `uai` of the establishment or composante,
 *   `intitule`, `cfd`, `rncp`, `niveau`, `type`, place).
 * Separator `;` or `,` (or tab), UTF-8 (with or without BOM) or Windows-1252, header names compared
 * without case, accents or punctuation, with a few aliases.
 *
 * Every data row comes out either fully valid (commune resolved, identifiers canonical) or rejected
 * with its line number and a French reason. A SIRET or UAI that fails only its check digit is kept,
 * with a warning and `checksumWarning` (real lists contain a few); a malformed one rejects the row.
 * Cross-row rules (parents, duplicates, unknown establishments) are checked by import.ts.
 */
import iconv from 'iconv-lite';
import { compactInput, isValidSiret, isValidUai } from '../../domain/identifiers.js';
import { parseCategorie, parseCfd, parseNiveau, parseRncp, type CategorieCode, type ListeCode } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import { resolveCommune, type CommuneIndex, type CommuneResolution } from './commune-index.js';
import { normaliseDepartement, regionByName } from './territoires.js';

export type RefFileKind = 'etablissements' | 'formations';

export interface RefIssue {
  /** file name (no directory) */
  file: string;
  /** physical line number in the file (1 = header); 0 for the file as a whole */
  line: number;
  reason: string;
}

export interface UaiValue {
  uai: string;
  checksumWarning: boolean;
}

export interface EtablissementInput {
  file: string;
  line: number;
  type: 'etablissement' | 'composante';
  /** the row's own SIRET (a composante without one gets its parent's) */
  siret: string;
  /** composantes only */
  siretParent: string | null;
  uais: UaiValue[];
  nom: string;
  adresse: string;
  codePostal: string | null;
  codeCommune: string;
  commune: string;
  departement: string;
  region: string;
  lat: number | null;
  lng: number | null;
  /** null only for a composante that inherits its parent's */
  categorie: CategorieCode | null;
  liste: ListeCode | null;
  /** the SIRET or one of the UAIs failed its check digit */
  checksumWarning: boolean;
}

export interface FormationInput {
  file: string;
  line: number;
  siret: string | null;
  uai: string | null;
  intitule: string;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  type: string | null;
  /** where it is taught, when the file says so */
  lieu: { codeCommune: string; commune: string } | null;
}

export interface ParsedFile {
  file: string;
  kind: RefFileKind | null;
  encoding: 'utf-8' | 'windows-1252';
  delimiter: string;
  /** data rows read (valid + rejected), empty lines excluded */
  rows: number;
  etablissements: EtablissementInput[];
  formations: FormationInput[];
  rejected: RefIssue[];
  warnings: RefIssue[];
}

// ── columns ─────────────────────────────────────────────────────────────────────────────────────

export const ETABLISSEMENT_COLUMNS = [
  'type',
  'siret',
  'siret_parent',
  'uai',
  'nom',
  'adresse',
  'code_postal',
  'code_commune',
  'commune',
  'departement',
  'region',
  'latitude',
  'longitude',
  'categorie',
  'liste',
] as const;

export const FORMATION_COLUMNS = [
  'siret',
  'uai',
  'intitule',
  'cfd',
  'rncp',
  'niveau',
  'type',
  'code_commune',
  'code_postal',
  'commune',
] as const;

type Column = (typeof ETABLISSEMENT_COLUMNS)[number] | (typeof FORMATION_COLUMNS)[number];

/** Header names and aliases (after {@link headerKey}) → canonical column. */
const ALIASES: Record<string, Column> = {
  ...Object.fromEntries([...ETABLISSEMENT_COLUMNS, ...FORMATION_COLUMNS].map((c) => [c, c])),
  type_ligne: 'type',
  siret_etablissement: 'siret',
  numero_siret: 'siret',
  n_siret: 'siret',
  siret_parent: 'siret_parent',
  siret_principal: 'siret_parent',
  siret_etablissement_principal: 'siret_parent',
  siret_rattachement: 'siret_parent',
  parent: 'siret_parent',
  uai: 'uai',
  uais: 'uai',
  code_uai: 'uai',
  numero_uai: 'uai',
  n_uai: 'uai',
  nom: 'nom',
  raison_sociale: 'nom',
  denomination: 'nom',
  nom_etablissement: 'nom',
  libelle_etablissement: 'nom',
  adresse: 'adresse',
  adresse_postale: 'adresse',
  code_postal: 'code_postal',
  cp: 'code_postal',
  code_commune: 'code_commune',
  code_insee: 'code_commune',
  insee: 'code_commune',
  code_commune_insee: 'code_commune',
  commune: 'commune',
  ville: 'commune',
  localite: 'commune',
  libelle_commune: 'commune',
  departement: 'departement',
  code_departement: 'departement',
  region: 'region',
  code_region: 'region',
  latitude: 'latitude',
  lat: 'latitude',
  longitude: 'longitude',
  lng: 'longitude',
  lon: 'longitude',
  categorie: 'categorie',
  categorie_l6241_5: 'categorie',
  categorie_l_6241_5: 'categorie',
  liste: 'liste',
  type_liste: 'liste',
  intitule: 'intitule',
  intitule_formation: 'intitule',
  libelle_formation: 'intitule',
  formation: 'intitule',
  cfd: 'cfd',
  code_diplome: 'cfd',
  code_formation_diplome: 'cfd',
  rncp: 'rncp',
  code_rncp: 'rncp',
  niveau: 'niveau',
  niveau_rncp: 'niveau',
  niveau_qualification: 'niveau',
  type_diplome: 'type',
  diplome: 'type',
};

/** « Code postal » → « code_postal », « Catégorie (L. 6241-5) » → « categorie_l_6241_5 ». */
export function headerKey(name: string): string {
  return searchKey(name).replace(/ /g, '_');
}

/** Longest accepted value per column (characters). */
const MAX_LENGTH: Partial<Record<Column, number>> & { default: number } = {
  nom: 250,
  adresse: 300,
  intitule: 300,
  commune: 100,
  uai: 200,
  type: 40,
  default: 60,
};

// ── decoding and CSV tokenising ─────────────────────────────────────────────────────────────────

/** UTF-8 (BOM or not) when the bytes are valid UTF-8, else Windows-1252 (Excel's « CSV » in France). */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(body), 'win1252'), encoding: 'windows-1252' };
  }
}

/** The separator of the header line: the most frequent of `;`, `,` and tab outside quotes (`;` on a tie). */
export function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best = ';';
  for (const d of [',', '\t']) if (counts[d]! > counts[best]!) best = d;
  return best;
}

export interface CsvRecord {
  /** line where the record starts (1-based) */
  line: number;
  cells: string[];
  /** a quoted cell was not closed before the end of the file */
  unterminated?: boolean;
}

/**
 * RFC 4180 records with their starting line; quoted cells may hold separators, quotes ("") and line
 * breaks. Lines without any quote (the vast majority) are split directly.
 */
export function* csvRecords(text: string, delimiter: string): Generator<CsvRecord> {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    let eol = text.indexOf('\n', i);
    if (eol === -1) eol = n;
    const end = eol > i && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const raw = text.slice(i, end);
    if (raw.indexOf('"') === -1) {
      yield { line, cells: raw.split(delimiter) };
      i = eol + 1;
      line++;
      continue;
    }
    // slow path: a record with quotes, possibly over several lines
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
      } else if (ch === '"' && cell.trim() === '') {
        quoted = true;
        cell = '';
        i++;
      } else if (ch === delimiter) {
        cells.push(cell);
        cell = '';
        i++;
      } else if (ch === '\r' || ch === '\n') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        endOfRecord = true;
      } else {
        cell += ch;
        i++;
      }
    }
    cells.push(cell);
    yield quoted ? { line: startLine, cells, unterminated: true } : { line: startLine, cells };
  }
}

// ── values ──────────────────────────────────────────────────────────────────────────────────────

/** Control characters (NUL, line breaks inside quoted cells…) become spaces; runs of spaces collapse. */
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001f\u007f\u00a0]| {2}/;
function clean(value: string): string {
  const v = value.trim();
  // eslint-disable-next-line no-control-regex
  return NEEDS_CLEANING.test(v)
    ? v
        .replace(/[\u0000-\u001f\u007f\u00a0]+/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim()
    : v;
}

/** A pure function of one string, remembered (a file repeats the same SIRET, UAI, CFD… many times). */
function memo<T>(fn: (s: string) => T): (s: string) => T {
  const m = new Map<string, T>();
  return (s) => {
    const hit = m.get(s);
    if (hit !== undefined || m.has(s)) return hit as T;
    const v = fn(s);
    if (m.size < 200_000) m.set(s, v);
    return v;
  };
}

interface Checks {
  siret: (raw: string) => ReturnType<typeof checkSiret>;
  uai: (raw: string) => ReturnType<typeof checkUai>;
  cfd: (raw: string) => string | null;
  rncp: (raw: string) => string | null;
  niveau: (raw: string) => number | null;
  lieu: (key: string) => CommuneResolution;
}

const SIRET_DIGITS = /^\d{14}$/;
const UAI_FORMAT = /^\d{7}[A-Z]$/;

type Check<T> = { ok: true; value: T; warning?: string } | { ok: false; reason: string };

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
function parseRowType(raw: string): 'etablissement' | 'composante' | null {
  if (raw === 'etablissement' || raw === 'composante') return raw;
  const k = searchKey(raw);
  if (['etablissement', 'etablissement principal', 'principal', 'e', 'etab'].includes(k)) return 'etablissement';
  if (['composante', 'etablissement secondaire', 'secondaire', 'c', 'site', 'composante etablissement secondaire'].includes(k))
    return 'composante';
  return null;
}

/** Decimal number with « . » or « , ». */
function parseDecimal(raw: string): number | null {
  const s = raw.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

function shorten(s: string, max = 40): string {
  const t = clean(s);
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Natural key of a diploma in `ref_diplomes`: CFD, else RNCP code, else the normalised title + niveau. */
export function diplomeCle(d: { cfd: string | null; rncp: string | null; intitule: string; niveau: number | null }): string {
  if (d.cfd) return `cfd:${d.cfd}`;
  if (d.rncp) return `rncp:${d.rncp}`;
  return `intitule:${searchKey(d.intitule)}|${d.niveau ?? ''}`;
}

// ── file parsing ────────────────────────────────────────────────────────────────────────────────

export interface ParseOptions {
  /** communes to resolve places (code INSEE, or code postal + nom) */
  communes: CommuneIndex;
}

/**
 * Decodes, recognises and validates one referential file. Never throws on content: a file that
 * cannot be recognised is reported as one rejection at line 0 or 1.
 */
export function parseReferentielFile(bytes: Uint8Array | string, file: string, opts: ParseOptions): ParsedFile {
  const { text, encoding } =
    typeof bytes === 'string' ? { text: bytes.replace(/^\uFEFF/, ''), encoding: 'utf-8' as const } : decodeCsv(bytes);
  const delimiter = detectDelimiter(text);
  const out: ParsedFile = {
    file,
    kind: null,
    encoding,
    delimiter,
    rows: 0,
    etablissements: [],
    formations: [],
    rejected: [],
    warnings: [],
  };
  const records = csvRecords(text, delimiter);
  let header: CsvRecord | undefined;
  // not a for…of: breaking out of it would close the generator before the data rows
  for (let it = records.next(); !it.done; it = records.next()) {
    if (it.value.cells.some((c) => c.trim() !== '')) {
      header = it.value;
      break;
    }
  }
  if (!header) {
    out.rejected.push({ file, line: 0, reason: 'Fichier vide : aucune ligne d’en-tête.' });
    return out;
  }
  const columns = header.cells.map((h) => ALIASES[headerKey(h)] ?? null);
  const present = new Set(columns.filter((c): c is Column => c !== null));
  const kind: RefFileKind | null = present.has('intitule')
    ? 'formations'
    : present.has('nom') || present.has('categorie')
      ? 'etablissements'
      : null;
  if (!kind) {
    const seen = header.cells.length <= 1 ? ` Une seule colonne lue : le séparateur doit être « ; » ou « , ».` : '';
    out.rejected.push({
      file,
      line: header.line,
      reason: `Type de fichier non reconnu : l’en-tête doit contenir « nom » et « categorie » (établissements) ou « intitule » (formations).${seen}`,
    });
    return out;
  }
  out.kind = kind;
  const required: Column[] = kind === 'etablissements' ? ['siret', 'nom', 'categorie'] : ['intitule'];
  const missing = required.filter((c) => !present.has(c));
  if (kind === 'formations' && !present.has('siret') && !present.has('uai')) missing.push('siret');
  if (kind === 'etablissements' && !present.has('code_commune') && !present.has('commune') && !present.has('code_postal'))
    missing.push('code_commune');
  if (missing.length > 0) {
    out.rejected.push({
      file,
      line: header.line,
      reason: `Colonne${missing.length > 1 ? 's' : ''} obligatoire${missing.length > 1 ? 's' : ''} absente${missing.length > 1 ? 's' : ''} : ${missing.join(', ')}.`,
    });
    return out;
  }
  const allowed = new Set<Column>(kind === 'etablissements' ? ETABLISSEMENT_COLUMNS : FORMATION_COLUMNS);
  const index = new Map<Column, number>();
  columns.forEach((c, i) => {
    const raw = header.cells[i]!.trim();
    if (c === null || !allowed.has(c)) {
      if (raw !== '')
        out.warnings.push({
          file,
          line: header.line,
          reason: `Colonne « ${shorten(raw)} » ignorée (inconnue pour un fichier de ${kind}).`,
        });
    } else if (index.has(c)) {
      out.warnings.push({ file, line: header.line, reason: `Colonne « ${shorten(raw)} » en double : seule la première est lue.` });
    } else index.set(c, i);
  });
  const width = header.cells.length;
  const checks: Checks = {
    siret: memo((raw) => checkSiret(raw)),
    uai: memo(checkUai),
    cfd: memo((raw) => parseCfd(raw.replace(/[\s-]/g, ''))),
    rncp: memo((raw) => {
      const r = parseRncp(raw);
      return r === 'RNCP0' ? null : r;
    }),
    niveau: memo((raw) => (/^\D*\d\D*$/.test(raw) ? parseNiveau(raw) : null)),
    lieu: memo((key) => {
      const [codeCommune, codePostal, nom] = key.split('\u0001');
      return resolveCommune(opts.communes, { codeCommune, codePostal, nom });
    }),
  };
  const cols = [...index];

  for (const rec of records) {
    if (rec.cells.every((c) => c.trim() === '')) continue;
    out.rows++;
    const reject = (reason: string) => out.rejected.push({ file, line: rec.line, reason });
    if (rec.unterminated) {
      reject('Guillemet ouvrant sans guillemet fermant : la ligne et la suite du fichier ne peuvent pas être lues.');
      break;
    }
    if (rec.cells.length < width) {
      reject(
        `${rec.cells.length} colonne${rec.cells.length > 1 ? 's' : ''} au lieu de ${width} (séparateur « ${delimiter === '\t' ? 'tabulation' : delimiter} »).`,
      );
      continue;
    }
    if (rec.cells.length > width && rec.cells.slice(width).some((c) => c.trim() !== '')) {
      reject(
        `${rec.cells.length} colonnes au lieu de ${width} : une valeur contient-elle le séparateur « ${delimiter} » sans guillemets ?`,
      );
      continue;
    }
    const values: Partial<Record<Column, string>> = {};
    let tooLong: string | null = null;
    for (const [c, i] of cols) {
      const v = clean(rec.cells[i] ?? '');
      const max = MAX_LENGTH[c] ?? MAX_LENGTH.default;
      if (v.length > max && !tooLong) tooLong = `Valeur trop longue pour « ${c} » : ${v.length} caractères (${max} au plus).`;
      values[c] = v;
    }
    if (tooLong) {
      reject(tooLong);
      continue;
    }
    const get = (c: Column) => values[c] ?? '';
    const result =
      kind === 'etablissements' ? validateEtablissement(get, file, rec.line, opts) : validateFormation(get, file, rec.line, checks);
    if (!result.ok) {
      reject(result.reason);
      continue;
    }
    for (const w of result.warnings) out.warnings.push({ file, line: rec.line, reason: w });
    if (kind === 'etablissements') out.etablissements.push(result.value as EtablissementInput);
    else out.formations.push(result.value as FormationInput);
  }
  return out;
}

type RowResult<T> = { ok: true; value: T; warnings: string[] } | { ok: false; reason: string };

function validateEtablissement(get: (c: Column) => string, file: string, line: number, opts: ParseOptions): RowResult<EtablissementInput> {
  const warnings: string[] = [];
  const rawType = get('type');
  const siretParentRaw = get('siret_parent');
  let type: 'etablissement' | 'composante';
  if (rawType) {
    const t = parseRowType(rawType);
    if (!t) return { ok: false, reason: `Type de ligne inconnu « ${shorten(rawType)} » : « etablissement » ou « composante » attendu.` };
    type = t;
  } else type = siretParentRaw ? 'composante' : 'etablissement';

  const nom = get('nom');
  if (!nom) return { ok: false, reason: 'Nom de l’établissement manquant.' };

  let siretParent: string | null = null;
  if (type === 'composante') {
    if (!siretParentRaw) return { ok: false, reason: 'Composante sans établissement principal : indiquez « siret_parent ».' };
    const p = checkSiret(siretParentRaw, 'SIRET parent');
    if (!p.ok) return { ok: false, reason: `${p.reason}.` };
    siretParent = p.value.siret;
  }
  const siretRaw = get('siret');
  let siret: string;
  let checksumWarning = false;
  if (!siretRaw) {
    if (type === 'etablissement') return { ok: false, reason: 'SIRET manquant.' };
    siret = siretParent!;
  } else {
    const s = checkSiret(siretRaw);
    if (!s.ok) return { ok: false, reason: `${s.reason}.` };
    siret = s.value.siret;
    checksumWarning = s.value.checksumWarning;
    if (s.warning) warnings.push(`${s.warning}.`);
  }
  if (type === 'etablissement' && siretParentRaw && siretParent === null) {
    const p = checkSiret(siretParentRaw, 'SIRET parent');
    if (!p.ok || p.value.siret !== siret)
      return {
        ok: false,
        reason: 'Un établissement principal n’a pas de « siret_parent » : indiquez « composante » dans la colonne « type ».',
      };
  }

  const uais: UaiValue[] = [];
  for (const part of get('uai')
    .split(/[|/\s]+/)
    .filter(Boolean)) {
    const u = checkUai(part);
    if (!u.ok) return { ok: false, reason: `${u.reason}.` };
    if (u.warning) warnings.push(`${u.warning}.`);
    if (u.value.checksumWarning) checksumWarning = true;
    if (!uais.some((x) => x.uai === u.value.uai)) uais.push(u.value);
  }

  let categorie: CategorieCode | null = null;
  const rawCategorie = get('categorie');
  if (rawCategorie) {
    categorie = parseCategorie(rawCategorie);
    if (!categorie)
      return {
        ok: false,
        reason: `Catégorie inconnue « ${shorten(rawCategorie)} » : 1° à 13° de l’article L. 6241-5 du code du travail attendu.`,
      };
  } else if (type === 'etablissement')
    return { ok: false, reason: 'Catégorie manquante (1° à 13° de l’article L. 6241-5 du code du travail).' };

  let liste: ListeCode | null = null;
  const rawListe = get('liste');
  if (rawListe) {
    liste = parseListe(rawListe);
    if (!liste) return { ok: false, reason: `Liste inconnue « ${shorten(rawListe)} » : « regionale » ou « nationale » attendu.` };
  }
  if (categorie) {
    const expected: ListeCode = categorie === '13°' ? 'nationale' : 'regionale';
    if (liste && liste !== expected) {
      return {
        ok: false,
        reason:
          categorie === '13°'
            ? 'Incohérence : la catégorie 13° (organismes nationaux) relève de la liste nationale.'
            : `Incohérence : la liste nationale est réservée à la catégorie 13° (catégorie lue : ${categorie}).`,
      };
    }
    liste = expected;
  } else if (liste) return { ok: false, reason: 'Liste indiquée sans catégorie : indiquez aussi la catégorie.' };

  const codePostalRaw = get('code_postal').replace(/\s/g, '');
  if (codePostalRaw && !/^\d{5}$/.test(codePostalRaw))
    return { ok: false, reason: `Code postal invalide « ${shorten(codePostalRaw)} » : 5 chiffres attendus.` };
  const depRaw = get('departement');
  const res = resolveCommune(opts.communes, {
    codeCommune: get('code_commune'),
    codePostal: codePostalRaw,
    nom: get('commune'),
    departement: depRaw ? normaliseDepartement(depRaw) : null,
  });
  if (!res.ok) return { ok: false, reason: `${capitalise(res.message)}.` };
  const c = res.commune;

  let departement = c.departement;
  if (depRaw) {
    const d = normaliseDepartement(depRaw);
    if (!d) warnings.push(`Département « ${shorten(depRaw)} » inconnu : celui de la commune (${c.departement}) est retenu.`);
    else if (d !== c.departement)
      warnings.push(`Département ${d} différent de celui de la commune ${c.nom} (${c.departement}) : celui de la commune est retenu.`);
    departement = c.departement;
  }
  const regRaw = get('region');
  if (regRaw) {
    const r = regionByName(regRaw);
    if (!r) warnings.push(`Région « ${shorten(regRaw)} » inconnue : celle de la commune est retenue.`);
    else if (r.code !== c.region)
      warnings.push(`Région « ${shorten(regRaw)} » différente de celle de la commune ${c.nom} : celle de la commune est retenue.`);
  }

  const latRaw = get('latitude');
  const lngRaw = get('longitude');
  let lat = c.lat;
  let lng = c.lng;
  if (latRaw || lngRaw) {
    const la = parseDecimal(latRaw);
    const lo = parseDecimal(lngRaw);
    if (la === null || lo === null || la < -90 || la > 90 || lo < -180 || lo > 180) {
      return {
        ok: false,
        reason: `Coordonnées invalides « ${shorten(latRaw)} ; ${shorten(lngRaw)} » : latitude et longitude en degrés décimaux attendues (ex. : 48.8412 ; 2.3003).`,
      };
    }
    lat = la;
    lng = lo;
  }

  return {
    ok: true,
    warnings,
    value: {
      file,
      line,
      type,
      siret,
      siretParent,
      uais,
      nom,
      adresse: get('adresse'),
      codePostal: codePostalRaw || (c.codesPostaux.length === 1 ? c.codesPostaux[0]! : null),
      codeCommune: c.code,
      commune: c.nom,
      departement,
      region: c.region,
      lat,
      lng,
      categorie,
      liste,
      checksumWarning,
    },
  };
}

function validateFormation(get: (c: Column) => string, file: string, line: number, checks: Checks): RowResult<FormationInput> {
  const warnings: string[] = [];
  const intitule = get('intitule');
  if (!intitule) return { ok: false, reason: 'Intitulé de la formation manquant.' };
  const siretRaw = get('siret');
  const uaiRaw = get('uai');
  if (!siretRaw && !uaiRaw)
    return { ok: false, reason: 'Établissement manquant : indiquez le SIRET (et l’UAI d’une composante) ou l’UAI.' };
  let siret: string | null = null;
  if (siretRaw) {
    const s = checks.siret(siretRaw);
    if (!s.ok) return { ok: false, reason: `${s.reason}.` };
    siret = s.value.siret;
  }
  let uai: string | null = null;
  if (uaiRaw) {
    const u = checks.uai(uaiRaw);
    if (!u.ok) return { ok: false, reason: `${u.reason}.` };
    uai = u.value.uai;
  }
  let cfd: string | null = null;
  const cfdRaw = get('cfd');
  if (cfdRaw) {
    cfd = checks.cfd(cfdRaw);
    if (!cfd)
      return { ok: false, reason: `Code diplôme (CFD) invalide « ${shorten(cfdRaw)} » : 8 chiffres ou lettres attendus (ex. : 32031212).` };
  }
  let rncp: string | null = null;
  const rncpRaw = get('rncp');
  if (rncpRaw) {
    rncp = checks.rncp(rncpRaw);
    if (!rncp)
      return {
        ok: false,
        reason: `Code RNCP invalide « ${shorten(rncpRaw)} » : « RNCP » suivi de 1 à 6 chiffres attendu (ex. : RNCP38368).`,
      };
  }
  let niveau: number | null = null;
  const niveauRaw = get('niveau');
  if (niveauRaw) {
    niveau = checks.niveau(niveauRaw);
    if (niveau === null)
      return {
        ok: false,
        reason: `Niveau invalide « ${shorten(niveauRaw)} » : un niveau de 3 à 8 du cadre national des certifications attendu.`,
      };
  }
  const typeRaw = get('type');
  const type = typeRaw ? typeRaw.toUpperCase() : null;

  let lieu: FormationInput['lieu'] = null;
  const codeCommune = get('code_commune');
  const codePostal = get('code_postal').replace(/\s/g, '');
  const commune = get('commune');
  if (codeCommune || codePostal || commune) {
    if (codePostal && !/^\d{5}$/.test(codePostal))
      return { ok: false, reason: `Code postal du lieu de formation invalide « ${shorten(codePostal)} » : 5 chiffres attendus.` };
    const res = checks.lieu(`${codeCommune}\u0001${codePostal}\u0001${commune}`);
    if (!res.ok) return { ok: false, reason: `Lieu de formation : ${res.message}.` };
    lieu = { codeCommune: res.commune.code, commune: res.commune.nom };
  }
  return { ok: true, warnings, value: { file, line, siret, uai, intitule, cfd, rncp, niveau, type, lieu } };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ── writing (generator, exports) ────────────────────────────────────────────────────────────────

/** One CSV cell with `;` as separator: quoted when it holds `;`, a quote or a line break. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvCell).join(';');
}
