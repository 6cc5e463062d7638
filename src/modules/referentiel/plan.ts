/**
 * The cross-row rules of a referential import, in memory (docs/referentiel-format.md): what the files
 * want for the year, given what the year already holds. Duplicates are warned about (identical) or
 * rejected (different); a composante needs its établissement principal (in the files or already in the
 * year); a formation needs its establishment or composante (SIRET and/or UAI). A row whose parent or
 * establishment is unknown is rejected as a whole.
 *
 * Keys: an establishment is its SIRET; a composante `SIRET/UAI`, or `SIRET/n` for the n-th composante
 * without UAI of that SIRET in file order; a diploma its CFD, else its RNCP code, else its normalised
 * title + niveau; a formation (establishment, diploma, place).
 */
import type { EtablissementInput, FormationInput, RefIssue } from './inputs.js';
import { diplomeCle } from './values.js';

/** What a row of ref_etablissements holds (besides id, annee, cle, parent_id, updated_at). */
export interface EtabData {
  siret: string;
  nom: string;
  adresse: string;
  codePostal: string | null;
  codeCommune: string | null;
  commune: string | null;
  departement: string | null;
  region: string | null;
  lat: number | null;
  lng: number | null;
  categorie: string;
  liste: string;
  checksumWarning: boolean;
}

export interface ExistingEtab extends EtabData {
  id: number;
  cle: string;
  parentId: number | null;
  /** sorted « UAI:0|1 » */
  uais: string[];
}

export interface DesiredEtab {
  cle: string;
  input: EtablissementInput;
  data: EtabData;
  /** composantes: cle of the parent */
  parentCle: string | null;
  uais: string[];
}

/** An establishment or composante of the year after the import: formations are resolved against them. */
interface Entity {
  cle: string;
  siret: string;
  composante: boolean;
  uais: Set<string>;
  codeCommune: string | null;
}

export interface DiplomeData {
  intitule: string;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  type: string | null;
}

export interface WantedFormation {
  input: FormationInput;
  etabCle: string;
  diplome: string;
  codeCommune: string;
  commune: string | null;
}

/** What the files want for the year. */
export interface Plan {
  desired: Map<string, DesiredEtab>;
  formations: WantedFormation[];
  diplomes: Map<string, DiplomeData>;
}

export const sameEtab = (a: EtabData, b: EtabData) =>
  a.siret === b.siret &&
  a.nom === b.nom &&
  a.adresse === b.adresse &&
  (a.codePostal ?? null) === (b.codePostal ?? null) &&
  (a.codeCommune ?? null) === (b.codeCommune ?? null) &&
  (a.commune ?? null) === (b.commune ?? null) &&
  (a.departement ?? null) === (b.departement ?? null) &&
  (a.region ?? null) === (b.region ?? null) &&
  (a.lat ?? null) === (b.lat ?? null) &&
  (a.lng ?? null) === (b.lng ?? null) &&
  a.categorie === b.categorie &&
  a.liste === b.liste &&
  a.checksumWarning === b.checksumWarning;

export const uaiTokens = (uais: { uai: string; checksumWarning: boolean }[]) =>
  uais.map((u) => `${u.uai}:${u.checksumWarning ? 1 : 0}`).sort();
export const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Where the plan reports: the import's rejections and warnings. */
interface Issues {
  annee: number;
  rejected: RefIssue[];
  warnings: RefIssue[];
}

type At = { file: string; line: number };
const reject = (issues: Issues, r: At, reason: string) => issues.rejected.push({ file: r.file, line: r.line, reason });
const warn = (issues: Issues, r: At, reason: string) => issues.warnings.push({ file: r.file, line: r.line, reason });
const where = (r: At, from: At) => (r.file === from.file ? `ligne ${from.line}` : `ligne ${from.line} de ${from.file}`);

export function planImport(
  parsed: { etablissements: EtablissementInput[]; formations: FormationInput[] },
  existing: ExistingEtab[],
  issues: Issues,
): Plan {
  const desired = planEtablissements(parsed.etablissements, new Map(existing.map((e) => [e.cle, e])), issues);
  const entities = entitiesAfter(existing, desired);
  const { formations, diplomes } = planFormations(parsed.formations, entities, issues);
  return { desired, formations, diplomes };
}

/** Establishments first, then composantes (their parent in the files or already in the year). */
function planEtablissements(
  rows: EtablissementInput[],
  existingByCle: Map<string, ExistingEtab>,
  issues: Issues,
): Map<string, DesiredEtab> {
  const desired = new Map<string, DesiredEtab>();
  for (const r of rows) if (r.type === 'etablissement') addDesired(desired, r, r.siret, null, r.categorie!, r.liste!, issues);
  const noUaiRank = new Map<string, number>();
  for (const r of rows) {
    if (r.type !== 'composante') continue;
    let cle: string;
    if (r.uais.length > 0) cle = `${r.siret}/${r.uais[0]!.uai}`;
    else {
      const n = (noUaiRank.get(r.siret) ?? 0) + 1;
      noUaiRank.set(r.siret, n);
      cle = `${r.siret}/${n}`;
    }
    const parentCle = r.siretParent!;
    const parentWanted = desired.get(parentCle);
    const parentExisting = existingByCle.get(parentCle);
    const parent = parentWanted?.data ?? (parentExisting && parentExisting.parentId === null ? parentExisting : undefined);
    if (!parent || (parentWanted && parentWanted.parentCle !== null)) {
      reject(
        issues,
        r,
        `Composante sans établissement principal : le SIRET parent ${parentCle} n’est ni dans les fichiers ni dans le référentiel ${issues.annee}.`,
      );
      continue;
    }
    addDesired(desired, r, cle, parentCle, r.categorie ?? parent.categorie, r.liste ?? parent.liste, issues);
  }
  return desired;
}

/** One wanted row; the same key twice is a duplicate (identical: warned, different: rejected). */
function addDesired(
  desired: Map<string, DesiredEtab>,
  input: EtablissementInput,
  cle: string,
  parentCle: string | null,
  categorie: string,
  liste: string,
  issues: Issues,
): void {
  const { siret, nom, adresse, codePostal, codeCommune, commune, departement, region, lat, lng, checksumWarning } = input;
  const data: EtabData = {
    siret,
    nom,
    adresse,
    codePostal,
    codeCommune,
    commune,
    departement,
    region,
    lat,
    lng,
    categorie,
    liste,
    checksumWarning,
  };
  const uais = uaiTokens(input.uais);
  const prev = desired.get(cle);
  if (!prev) return void desired.set(cle, { cle, input, data, parentCle, uais });
  if (sameEtab(prev.data, data) && sameList(prev.uais, uais) && prev.parentCle === parentCle)
    warn(issues, input, `Ligne en double (identique à la ${where(input, prev.input)}) : ignorée.`);
  else
    reject(
      issues,
      input,
      `${input.type === 'composante' ? `Composante ${cle}` : `SIRET ${cle}`} déjà décrit ${where(input, prev.input)} avec d’autres données : ligne ignorée.`,
    );
}

interface Entities {
  bySiret: Map<string, Entity[]>;
  byUai: Map<string, Entity[]>;
}

/** The year's establishments and composantes after the import, by SIRET and by UAI. */
function entitiesAfter(existing: ExistingEtab[], desired: Map<string, DesiredEtab>): Entities {
  const entities = new Map<string, Entity>();
  for (const e of existing) {
    const uais = new Set(e.uais.map((u) => u.slice(0, 8)));
    entities.set(e.cle, { cle: e.cle, siret: e.siret, composante: e.parentId !== null, uais, codeCommune: e.codeCommune });
  }
  for (const d of desired.values()) {
    const uais = new Set(d.input.uais.map((u) => u.uai));
    entities.set(d.cle, { cle: d.cle, siret: d.data.siret, composante: d.parentCle !== null, uais, codeCommune: d.data.codeCommune });
  }
  const bySiret = new Map<string, Entity[]>();
  const byUai = new Map<string, Entity[]>();
  for (const e of entities.values()) {
    push(bySiret, e.siret, e);
    for (const u of e.uais) push(byUai, u, e);
  }
  return { bySiret, byUai };
}

/** Formations: their establishment, their diploma (a later row completes it), their place. */
function planFormations(
  rows: FormationInput[],
  entities: Entities,
  issues: Issues,
): { formations: WantedFormation[]; diplomes: Map<string, DiplomeData> } {
  const formations: WantedFormation[] = [];
  const seen = new Map<string, FormationInput>();
  const diplomes = new Map<string, DiplomeData>();
  for (const f of rows) {
    const target = resolveEtablissement(f, entities, issues.annee);
    if (!target.ok) {
      reject(issues, f, target.reason);
      continue;
    }
    const cle = diplomeCle(f);
    const lieu = f.lieu && f.lieu.codeCommune !== target.entity.codeCommune ? f.lieu : null;
    const key = `${target.entity.cle}|${cle}|${lieu?.codeCommune ?? ''}`;
    const prev = seen.get(key);
    if (prev) {
      warn(issues, f, `Formation en double (même établissement, même diplôme et même lieu qu’à la ${where(f, prev)}) : ignorée.`);
      continue;
    }
    seen.set(key, f);
    const d = diplomes.get(cle);
    if (!d) diplomes.set(cle, { intitule: f.intitule, cfd: f.cfd, rncp: f.rncp, niveau: f.niveau, type: f.type });
    else {
      d.rncp ??= f.rncp;
      d.niveau ??= f.niveau;
      d.type ??= f.type;
    }
    formations.push({
      input: f,
      etabCle: target.entity.cle,
      diplome: cle,
      codeCommune: lieu?.codeCommune ?? '',
      commune: lieu?.commune ?? null,
    });
  }
  return { formations, diplomes };
}

type Resolved = { ok: true; entity: Entity } | { ok: false; reason: string };

/**
 * The establishment or composante of a formation row: SIRET + UAI → the composante `SIRET/UAI`, or the
 * entity of that SIRET carrying the UAI; SIRET alone → the establishment of that SIRET (or its only
 * composante when the SIRET is a composante's own); UAI alone → the only entity carrying it.
 */
function resolveEtablissement(f: FormationInput, { bySiret, byUai }: Entities, annee: number): Resolved {
  if (f.siret) {
    const list = bySiret.get(f.siret) ?? [];
    if (list.length === 0)
      return {
        ok: false,
        reason: `Établissement inconnu : SIRET ${f.siret} absent du référentiel ${annee} (ni dans les fichiers ni déjà importé).`,
      };
    if (f.uai) {
      const exact = list.find((e) => e.cle === `${f.siret}/${f.uai}`) ?? list.find((e) => e.uais.has(f.uai!));
      return exact
        ? { ok: true, entity: exact }
        : { ok: false, reason: `Aucun établissement ni composante de SIRET ${f.siret} ne porte l’UAI ${f.uai} en ${annee}.` };
    }
    const principal = list.find((e) => !e.composante);
    if (principal) return { ok: true, entity: principal };
    if (list.length === 1) return { ok: true, entity: list[0]! };
    return { ok: false, reason: `Le SIRET ${f.siret} désigne ${list.length} composantes : indiquez aussi l’UAI.` };
  }
  const list = byUai.get(f.uai!) ?? [];
  if (list.length === 1) return { ok: true, entity: list[0]! };
  if (list.length === 0) return { ok: false, reason: `Établissement inconnu : UAI ${f.uai} absente du référentiel ${annee}.` };
  return { ok: false, reason: `L’UAI ${f.uai} est portée par ${list.length} établissements ou composantes : indiquez aussi le SIRET.` };
}

export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
