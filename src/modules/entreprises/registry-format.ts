/**
 * Parsing of « API Recherche d'entreprises » documents (recherche-entreprises.api.gouv.fr, the
 * format of the Annuaire des Entreprises) into rows of the company registry. Pure: no I/O, no clock.
 *
 * Accepted document shapes:
 *  - the search wrapper `{ searchTerms, result: { results: [...] } }`,
 *  - a bare result page `{ results: [...] }`,
 *  - a single result object `{ siren, nom_complet, siege, ... }`,
 *  - a JSON array of result objects.
 *
 * Rules (reasons are in French: they are shown to operators as is):
 *  - a SIREN must be 9 digits, otherwise the company (and its establishments) is rejected;
 *  - a SIRET must be 14 digits and start with its company's SIREN, otherwise it is rejected;
 *  - a SIREN or SIRET failing its check digit is imported with `checksumWarning = true` and a
 *    warning (registries do contain such numbers; La Poste's rule is in `isValidSiret`);
 *  - raison sociale = nom_raison_sociale ?? nom_complet; an establishment is named by its first
 *    enseigne, else its nom commercial, else the company name;
 *  - an establishment listed both as `siege` and in `matching_etablissements` is kept once.
 */
import { z } from 'zod';
import { isValidSiren, isValidSiret } from '../../domain/identifiers.js';

export interface EntrepriseRow {
  siren: string;
  raisonSociale: string;
  sigle: string | null;
  categorieJuridique: string | null;
  /** 'A' active, 'C' ceased */
  etatAdministratif: 'A' | 'C';
  /**
   * how many open établissements the registry counts for the company (`nombre_etablissements_ouverts`),
   * which a document may list only in part; null when it does not say
   */
  nombreEtablissementsOuverts?: number | null;
}

export interface EtablissementRow {
  siret: string;
  siren: string;
  denomination: string;
  estSiege: boolean;
  adresse: string;
  codePostal: string | null;
  codeCommune: string | null;
  libelleCommune: string | null;
  /** 'A' active, 'F' closed */
  etatAdministratif: 'A' | 'F';
  checksumWarning: boolean;
}

export interface RegistryIssue {
  /** what the issue is about: source file and SIREN / SIRET when known */
  ref: string;
  /** French, readable by an operator */
  reason: string;
}

export interface ParsedRegistry {
  entreprises: EntrepriseRow[];
  etablissements: EtablissementRow[];
  rejected: RegistryIssue[];
  warnings: RegistryIssue[];
}

/** The registry masks some fields of non-diffusible companies with this marker. */
export const NON_DIFFUSIBLE = '[NON-DIFFUSIBLE]';

// ── zod schemas: types only, lenient on unknown fields (the API adds fields over time) ──────────

const text = z.string().nullish();
const code = z.union([z.string(), z.number()]).nullish();

const etablissementSchema = z.looseObject({
  siret: code,
  est_siege: z.boolean().nullish(),
  etat_administratif: text,
  date_fermeture: text,
  adresse: text,
  code_postal: code,
  commune: code,
  libelle_commune: text,
  liste_enseignes: z.array(z.string().nullable()).nullish(),
  nom_commercial: text,
});

const resultSchema = z.looseObject({
  siren: code,
  nom_complet: text,
  nom_raison_sociale: text,
  sigle: text,
  nature_juridique: code,
  etat_administratif: text,
  // read leniently: a count the API would send otherwise is unknown, not a reason to reject the company
  nombre_etablissements_ouverts: z.unknown().optional(),
  // the API sends `{}` as siege for an empty record; any object is accepted, the SIRET is checked below
  siege: etablissementSchema.nullish(),
  matching_etablissements: z.array(etablissementSchema).nullish(),
});

type RawEtablissement = z.infer<typeof etablissementSchema>;
type RawResult = z.infer<typeof resultSchema>;

const wrapperSchema = z.looseObject({
  searchTerms: z.unknown().optional(),
  result: z.looseObject({ results: z.array(z.unknown()) }),
});
const pageSchema = z.looseObject({ results: z.array(z.unknown()) });

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : 'document';
      const what = issue.code === 'invalid_type' ? `type inattendu (${issue.expected} attendu)` : 'valeur inattendue';
      return `champ « ${path} » : ${what}`;
    })
    .join(' ; ');
}

/** Trimmed string, or null when absent, empty or masked as non-diffusible. */
function clean(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim().replace(/\s+/g, ' ');
  if (s === '' || s === NON_DIFFUSIBLE) return null;
  return s;
}

function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === NON_DIFFUSIBLE;
}

function refOf(source: string | undefined, what: string): string {
  return source ? `${source} (${what})` : what;
}

const NINE_DIGITS = /^\d{9}$/;
const FOURTEEN_DIGITS = /^\d{14}$/;
const CODE_POSTAL = /^\d{5}$/;
const CODE_COMMUNE = /^(\d{5}|2[AB]\d{3})$/;
const CATEGORIE_JURIDIQUE = /^\d{4}$/;

/** The registry's count of open établissements: a whole number, else null (not said, or not a count). */
function openCount(n: unknown): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

// ── document ────────────────────────────────────────────────────────────────────────────────────

/**
 * Parses one recherche-entreprises document (already JSON-decoded). `source` (a file name) is used
 * in the `ref` of rejections and warnings. Never throws on bad data: it reports it.
 */
export function parseRegistryDocument(doc: unknown, source?: string): ParsedRegistry {
  const out: ParsedRegistry = { entreprises: [], etablissements: [], rejected: [], warnings: [] };
  const docRef = source ?? 'document';

  let results: unknown[];
  let searchTerms: unknown;
  if (Array.isArray(doc)) {
    results = doc;
  } else if (wrapperSchema.safeParse(doc).success) {
    const w = wrapperSchema.parse(doc);
    results = w.result.results;
    searchTerms = w.searchTerms;
  } else if (pageSchema.safeParse(doc).success) {
    results = pageSchema.parse(doc).results;
  } else if (doc !== null && typeof doc === 'object' && 'siren' in doc) {
    results = [doc];
  } else {
    out.rejected.push({
      ref: docRef,
      reason:
        'Document non reconnu : un résultat de l’API Recherche d’entreprises est attendu ' +
        '({ result: { results: [...] } }, { results: [...] }, un objet entreprise ou une liste d’entreprises).',
    });
    return out;
  }

  if (results.length === 0) {
    const terms = typeof searchTerms === 'string' ? ` pour la recherche « ${searchTerms} »` : '';
    out.warnings.push({ ref: docRef, reason: `Aucune entreprise dans le document${terms}.` });
    return out;
  }

  const entreprisesBySiren = new Map<string, EntrepriseRow>();
  const etablissementsBySiret = new Map<string, EtablissementRow>();

  results.forEach((raw, index) => {
    const resultRef = refOf(source, `résultat n° ${index + 1}`);
    const parsed = resultSchema.safeParse(raw);
    if (!parsed.success) {
      const siren = raw && typeof raw === 'object' && 'siren' in raw ? String(raw.siren) : null;
      out.rejected.push({
        ref: siren ? refOf(source, `SIREN ${siren}`) : resultRef,
        reason: `Entreprise ignorée, structure inattendue : ${describeIssues(parsed.error)}.`,
      });
      return;
    }
    parseResult(parsed.data, source, resultRef, out, entreprisesBySiren, etablissementsBySiret);
  });

  out.entreprises = [...entreprisesBySiren.values()];
  out.etablissements = [...etablissementsBySiret.values()];
  return out;
}

function parseResult(
  r: RawResult,
  source: string | undefined,
  resultRef: string,
  out: ParsedRegistry,
  entreprisesBySiren: Map<string, EntrepriseRow>,
  etablissementsBySiret: Map<string, EtablissementRow>,
): void {
  const company = parseEntreprise(r, source, resultRef, out);
  if (!company) return;
  entreprisesBySiren.set(company.entreprise.siren, company.entreprise);
  addEtablissements(r, company, source, out, etablissementsBySiret);
}

/** The company of one result, with its reference in reports and whether its SIREN's key is right; null when rejected. */
interface ParsedCompany {
  entreprise: EntrepriseRow;
  sirenRef: string;
  sirenChecksumOk: boolean;
}

function parseEntreprise(r: RawResult, source: string | undefined, resultRef: string, out: ParsedRegistry): ParsedCompany | null {
  const siren = r.siren === null || r.siren === undefined ? '' : String(r.siren).trim();
  if (!NINE_DIGITS.test(siren)) {
    out.rejected.push({
      ref: siren ? refOf(source, `SIREN ${siren}`) : resultRef,
      reason: siren
        ? `SIREN « ${siren} » invalide : il doit comporter exactement 9 chiffres. Entreprise et établissements ignorés.`
        : 'SIREN absent. Entreprise et établissements ignorés.',
    });
    return null;
  }
  const sirenRef = refOf(source, `SIREN ${siren}`);

  const raisonSociale = clean(r.nom_raison_sociale) ?? clean(r.nom_complet) ?? (isMasked(r.nom_complet) ? NON_DIFFUSIBLE : null);
  if (!raisonSociale) {
    out.rejected.push({
      ref: sirenRef,
      reason:
        'Fiche entreprise vide (ni raison sociale ni nom) : SIREN fictif ou non renseigné dans le registre. ' +
        'Entreprise et établissements ignorés.',
    });
    return null;
  }
  const etat = clean(r.etat_administratif);
  if (etat !== 'A' && etat !== 'C') {
    out.rejected.push({
      ref: sirenRef,
      reason: etat
        ? `État administratif « ${etat} » inconnu (A = active ou C = cessée attendu). Entreprise et établissements ignorés.`
        : 'État administratif de l’entreprise absent. Entreprise et établissements ignorés.',
    });
    return null;
  }

  const sirenChecksumOk = isValidSiren(siren);
  if (!sirenChecksumOk) {
    out.warnings.push({
      ref: sirenRef,
      reason: 'Clé de contrôle du SIREN incorrecte : entreprise importée telle que fournie par le registre, établissements signalés.',
    });
  }
  if (isMasked(r.nom_complet) || isMasked(r.nom_raison_sociale)) {
    out.warnings.push({
      ref: sirenRef,
      reason: 'Entreprise non diffusible : raison sociale et adresse sont masquées dans le registre public.',
    });
  }

  const nature = clean(r.nature_juridique);
  const entreprise: EntrepriseRow = {
    siren,
    raisonSociale,
    sigle: clean(r.sigle),
    categorieJuridique: nature && CATEGORIE_JURIDIQUE.test(nature) ? nature : null,
    etatAdministratif: etat,
    nombreEtablissementsOuverts: openCount(r.nombre_etablissements_ouverts),
  };
  return { entreprise, sirenRef, sirenChecksumOk };
}

/** The siège and the matching establishments of one result, each kept once. */
function addEtablissements(
  r: RawResult,
  company: ParsedCompany,
  source: string | undefined,
  out: ParsedRegistry,
  etablissementsBySiret: Map<string, EtablissementRow>,
): void {
  const siegeSiret = r.siege ? clean(r.siege.siret) : null;
  const candidates: { raw: RawEtablissement; fromSiege: boolean }[] = [];
  if (r.siege && r.siege.siret !== null && r.siege.siret !== undefined) candidates.push({ raw: r.siege, fromSiege: true });
  for (const m of r.matching_etablissements ?? []) candidates.push({ raw: m, fromSiege: false });

  for (const { raw, fromSiege } of candidates) {
    const row = parseEtablissement(raw, fromSiege, siegeSiret, company.entreprise, company.sirenChecksumOk, source, company.sirenRef, out);
    if (!row) continue;
    const previous = etablissementsBySiret.get(row.siret);
    if (previous) {
      // same establishment seen twice (siege + matching_etablissements, or twice in a page):
      // keep the first (the siege record is the most complete one), never lose the siege flag
      previous.estSiege ||= row.estSiege;
      continue;
    }
    etablissementsBySiret.set(row.siret, row);
  }
  if (candidates.length === 0) {
    out.warnings.push({ ref: company.sirenRef, reason: 'Aucun établissement dans le document : seule l’entreprise est importée.' });
  }
}

function parseEtablissement(
  raw: RawEtablissement,
  fromSiege: boolean,
  siegeSiret: string | null,
  entreprise: EntrepriseRow,
  sirenChecksumOk: boolean,
  source: string | undefined,
  sirenRef: string,
  out: ParsedRegistry,
): EtablissementRow | null {
  const siren = entreprise.siren;
  const siret = raw.siret === null || raw.siret === undefined ? '' : String(raw.siret).trim();
  const ref = siret ? refOf(source, `SIRET ${siret}`) : sirenRef;
  if (!FOURTEEN_DIGITS.test(siret)) {
    out.rejected.push({
      ref,
      reason: siret
        ? `SIRET « ${siret} » invalide : il doit comporter exactement 14 chiffres (${siret.length} caractères reçus). Établissement ignoré.`
        : 'Établissement sans SIRET. Établissement ignoré.',
    });
    return null;
  }
  if (!siret.startsWith(siren)) {
    out.rejected.push({
      ref,
      reason: `SIRET ${siret} incohérent : il ne commence pas par le SIREN ${siren} de son entreprise. Établissement ignoré.`,
    });
    return null;
  }

  let checksumWarning = !sirenChecksumOk;
  if (!isValidSiret(siret)) {
    checksumWarning = true;
    out.warnings.push({
      ref,
      reason: 'Clé de contrôle du SIRET incorrecte : établissement importé tel que fourni par le registre et signalé.',
    });
  }

  const rawEtat = clean(raw.etat_administratif);
  let etat: 'A' | 'F';
  if (rawEtat === 'A' || rawEtat === 'F') {
    etat = rawEtat;
  } else {
    etat = clean(raw.date_fermeture) || entreprise.etatAdministratif === 'C' ? 'F' : 'A';
    out.warnings.push({
      ref,
      reason: `État administratif de l’établissement ${rawEtat ? `« ${rawEtat} » inconnu` : 'absent'} : « ${etat} » retenu (${
        etat === 'F' ? 'fermé' : 'actif'
      }).`,
    });
  }

  const cp = clean(raw.code_postal);
  const codePostal = cp && CODE_POSTAL.test(cp) ? cp : null;
  if (cp && !codePostal) {
    out.warnings.push({ ref, reason: `Code postal « ${cp} » invalide : non importé.` });
  }
  const commune = clean(raw.commune);
  const enseigne = (raw.liste_enseignes ?? []).map((e) => clean(e)).find((e) => e !== null) ?? null;

  return {
    siret,
    siren,
    denomination: enseigne ?? clean(raw.nom_commercial) ?? entreprise.raisonSociale,
    estSiege: raw.est_siege ?? (fromSiege || siret === siegeSiret),
    adresse: clean(raw.adresse) ?? '',
    codePostal,
    codeCommune: commune && CODE_COMMUNE.test(commune) ? commune : null,
    libelleCommune: clean(raw.libelle_commune),
    etatAdministratif: etat,
    checksumWarning,
  };
}

/**
 * Decodes and parses the text of one file. Invalid JSON (truncated, not JSON at all) is reported as
 * a rejection of the whole file, never thrown.
 */
export function parseRegistryJson(textContent: string, source?: string): ParsedRegistry {
  let doc: unknown;
  try {
    doc = JSON.parse(textContent.replace(/^\uFEFF/, ''));
  } catch (e) {
    return {
      entreprises: [],
      etablissements: [],
      rejected: [
        {
          ref: source ?? 'document',
          reason: `Fichier illisible : JSON invalide ou tronqué (${e instanceof Error ? e.message : String(e)}).`,
        },
      ],
      warnings: [],
    };
  }
  return parseRegistryDocument(doc, source);
}
