/**
 * Allocations of many employer SIRETs at once, from a CSV file (issue 5 §5: tiers-déclarants act for
 * their clients « from a CSV file with a line-by-line report, all or nothing »), and the export of the
 * current allocations in the same format, so that export → edit → import round-trips.
 * Format: docs/attributions-csv-format.md.
 *
 * Three layers:
 * - pure: the file (bytes or text) → lines with their physical line numbers (`readAttributionsCsv`),
 *   and the lines → targets and basis points, given what the database knows (`resolveLines`);
 * - look-ups, set-based: the referential rows of the SIRETs named in the file, their UAIs, and the
 *   formations matching the codes of the file (a handful of queries whatever the file's size);
 * - the use case `importAttributions`: the person's SIRETs (attributions/scope.ts, the tiers-déclarant
 *   rule included), every line checked, then ONE transaction in which `changeChoices` (the only write
 *   path of allocations) replaces the set of each SIRET of the file. Any refusal — a line, or a rule
 *   of one SIRET (100 %, 30 % liste nationale, lock) — rolls the whole file back, and the report names
 *   every problem with the file's line numbers.
 *
 * A SIRET absent from the file is untouched. A SIRET whose lines equal its current allocations is not
 * written (nothing changes, and a re-import of an export does not trip over a locked SIRET).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { checkCalendar } from '../../domain/attribution-rules.js';
import { isValidSiret } from '../../domain/identifiers.js';
import { parsePercent } from '../../domain/money.js';
import { parseCfd, parseRncp } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import { audit } from '../../infra/audit.js';
import type { Tx } from '../../infra/db/index.js';
import type { users } from '../../infra/db/schema.js';
import { formatCsv, parseCsv, type ReportLine } from '../gestion/habilitations-csv.js';
import { currentCampaign } from '../campagnes/repository.js';
import { decodeCsv } from '../referentiel/format.js';
import { calendarOf, changeChoices, type ChangeError, type TargetShare } from './choix.js';
import { employerSirets, type EmployerSiret } from './scope.js';
import { targetMapKey } from './targets.js';

type User = typeof users.$inferSelect;
export type { ReportLine };

/** The four columns every file has, in this order in the model and the export. */
export const REQUIRED_COLUMNS = ['siret_employeur', 'siret_beneficiaire', 'formation', 'pourcentage'] as const;
/** Read when present: they pick one place or one formation when the SIRET or the code is not enough. */
export const SELECTOR_COLUMNS = ['uai', 'lieu'] as const;
/** Written by the export for people, ignored on import (a neutralised formula there does no harm). */
export const INFORMATIVE_COLUMNS = ['nom_employeur', 'nom_beneficiaire', 'intitule_formation', 'statut'] as const;
export const EXPORT_COLUMNS = [...REQUIRED_COLUMNS, ...SELECTOR_COLUMNS, ...INFORMATIVE_COLUMNS] as const;

/** Bounds of an import: lines (header excluded) and bytes of the file. */
export const MAX_IMPORT_LINES = 20_000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const KNOWN_COLUMNS = new Set<string>(EXPORT_COLUMNS);

// ── pure: reading the file ───────────────────────────────────────────────────────────────────────

export interface CsvLine {
  /** physical line number in the file (1 = header) */
  line: number;
  siretEmployeur: string;
  siretBeneficiaire: string;
  formation: string;
  pourcentage: string;
  uai: string;
  lieu: string;
}

export type ReadResult = { ok: true; lines: CsvLine[]; encoding: string } | { ok: false; report: ReportLine[] };

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Bytes (UTF-8 with or without BOM, else Windows-1252 as French spreadsheets write) or text → the
 * lines of the file. Checks the structure only: size, header, columns per line.
 */
export function readAttributionsCsv(input: string | Uint8Array): ReadResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_IMPORT_BYTES)
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: `Le fichier dépasse ${MAX_IMPORT_BYTES / 1024 / 1024} Mo : découpez-le en plusieurs fichiers (par exemple un par portefeuille).`,
        },
      ],
    };
  const { text, encoding } = typeof input === 'string' ? { text: input, encoding: 'texte' } : decodeCsv(input);
  if (text.replace(/^\uFEFF/, '').trim() === '')
    return {
      ok: false,
      report: [{ line: 1, message: 'Le fichier est vide : il doit contenir la ligne d’en-tête puis une ligne par attribution.' }],
    };
  const parsed = parseCsv(text);
  if (!parsed.ok) {
    const report = parsed.report.map((r) =>
      /dépasse \d+ lignes/.test(r.message)
        ? { line: r.line, message: `Le fichier dépasse ${MAX_IMPORT_LINES} lignes : découpez-le en plusieurs fichiers.` }
        : r,
    );
    return { ok: false, report };
  }
  const { header, rows } = parsed.csv;
  const names = header.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  if (names.length === 1 && /[,\t|]/.test(names[0]!))
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: 'Le séparateur doit être le point-virgule (;) : enregistrez le fichier au format « CSV (séparateur : point-virgule) ».',
        },
      ],
    };
  if (!names.includes('siret_employeur') && names.some((n) => /^\d{9,14}$/.test(n.replace(/\s/g, ''))))
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: `La première ligne doit être la ligne d’en-tête « ${REQUIRED_COLUMNS.join(';')} » : ajoutez-la au début du fichier.`,
        },
      ],
    };
  const index = new Map<string, number>();
  for (const [k, n] of names.entries()) {
    if (!KNOWN_COLUMNS.has(n))
      return {
        ok: false,
        report: [
          {
            line: 1,
            message: `Colonne ${k + 1} : « ${clip(header[k]!)} » n’est pas une colonne connue. Colonnes attendues : ${REQUIRED_COLUMNS.join(';')} (et, facultatives : ${[...SELECTOR_COLUMNS, ...INFORMATIVE_COLUMNS].join(', ')}).`,
          },
        ],
      };
    if (index.has(n)) return { ok: false, report: [{ line: 1, message: `La colonne « ${n} » apparaît deux fois dans l’en-tête.` }] };
    index.set(n, k);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length)
    return {
      ok: false,
      report: [
        {
          line: 1,
          message: `L’en-tête doit contenir les colonnes « ${REQUIRED_COLUMNS.join(';')} » (séparateur point-virgule) ; il manque : ${missing.join(', ')}.`,
        },
      ],
    };
  if (rows.length === 0)
    return { ok: false, report: [{ line: 2, message: 'Le fichier ne contient aucune ligne d’attribution après l’en-tête.' }] };
  if (rows.length > MAX_IMPORT_LINES)
    return {
      ok: false,
      report: [{ line: 1, message: `Le fichier dépasse ${MAX_IMPORT_LINES} lignes : découpez-le en plusieurs fichiers.` }],
    };
  const report: ReportLine[] = [];
  const lines: CsvLine[] = [];
  const cell = (cells: string[], name: string) => {
    const k = index.get(name);
    return k === undefined ? '' : (cells[k] ?? '').trim();
  };
  for (const r of rows) {
    if (r.cells.length !== header.length) {
      report.push({
        line: r.line,
        message: `La ligne compte ${r.cells.length} colonne(s) au lieu de ${header.length} (séparateur point-virgule attendu).`,
      });
      continue;
    }
    lines.push({
      line: r.line,
      siretEmployeur: cell(r.cells, 'siret_employeur'),
      siretBeneficiaire: cell(r.cells, 'siret_beneficiaire'),
      formation: cell(r.cells, 'formation'),
      pourcentage: cell(r.cells, 'pourcentage'),
      uai: cell(r.cells, 'uai'),
      lieu: cell(r.cells, 'lieu'),
    });
  }
  if (report.length) return { ok: false, report };
  return { ok: true, lines, encoding };
}

// ── pure: resolving the lines ────────────────────────────────────────────────────────────────────

export type FormationRef =
  { kind: 'aucune' } | { kind: 'cfd'; code: string } | { kind: 'rncp'; code: string } | { kind: 'intitule'; key: string };

/** The « formation » cell: empty, a CFD (8 characters), an RNCP code (« RNCP12345 »), else a title. */
export function parseFormationRef(cell: string): FormationRef {
  const s = cell.trim().replace(/^'/, '');
  if (s === '') return { kind: 'aucune' };
  if (/^rncp/i.test(s)) {
    const r = parseRncp(s);
    if (r) return { kind: 'rncp', code: r };
  }
  const cfd = parseCfd(s);
  if (cfd) return { kind: 'cfd', code: cfd };
  return { kind: 'intitule', key: searchKey(s) };
}

/** A row of the referential of the campaign (établissement, or composante when `parentId` is set). */
export interface RefPlace {
  id: number;
  siret: string;
  parentId: number | null;
  nom: string;
  uais: string[];
}

export interface RefFormation {
  id: number;
  etablissementId: number;
  codeCommune: string;
  cfd: string | null;
  rncp: string | null;
  intituleKey: string;
}

export interface ResolveContext {
  annee: number;
  /** the person's SIRETs for « SOLTéA - Employeurs » (with the tiers-déclarant rule applied) */
  employers: ReadonlyMap<string, EmployerSiret>;
  /** referential rows of the campaign by SIRET */
  places: ReadonlyMap<string, readonly RefPlace[]>;
  /** formations of those rows (only those matching a code of the file are needed) */
  formations: ReadonlyMap<number, readonly RefFormation[]>;
}

export interface ResolvedLine {
  line: number;
  target: { etablissementId: number; formationId: number | null };
  bp: number;
}

export interface ResolvedFile {
  /** employer SIRET → its lines, in file order; a SIRET with only an empty line has none (cleared) */
  bySiret: Map<string, ResolvedLine[]>;
  /** the first line of each SIRET (where its messages are reported) */
  firstLine: Map<string, number>;
  lines: number;
}

/** The employer SIRET cell: null when fine, else the French reason (never whether it exists elsewhere). */
export function employerRefusal(value: string, employers: ReadonlyMap<string, EmployerSiret>): string | null {
  const v = value.replace(/[\s.]/g, '');
  if (v === '') return 'le SIRET employeur est obligatoire';
  if (!/^\d{14}$/.test(v))
    return `le SIRET employeur « ${clip(value, 20)} » doit comporter 14 chiffres (un tableur supprime parfois les zéros du début : mettez la colonne au format texte)`;
  if (!isValidSiret(v)) return `le SIRET employeur ${v} n’est pas valide (clé de contrôle incorrecte)`;
  const e = employers.get(v);
  if (!e)
    return `le SIRET employeur ${v} ne fait pas partie des établissements pour lesquels vous pouvez répartir le solde (habilitation « SOLTéA - Employeurs » de votre espace)`;
  if (e.indisponible)
    return `SIRET employeur ${v} : ${e.indisponible.charAt(0).toLowerCase()}${e.indisponible.slice(1).replace(/\.$/, '')}`;
  return null;
}

/**
 * Every line → its target and share, or the report of every wrong line (several messages of one line
 * joined). Pure: `ctx` holds what the database knows.
 */
export function resolveLines(
  lines: readonly CsvLine[],
  ctx: ResolveContext,
): { ok: true; file: ResolvedFile } | { ok: false; report: ReportLine[] } {
  const report: ReportLine[] = [];
  const bySiret = new Map<string, ResolvedLine[]>();
  const firstLine = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const l of lines) {
    const msgs: string[] = [];
    const employer = l.siretEmployeur.replace(/[\s.]/g, '');
    const refusal = employerRefusal(l.siretEmployeur, ctx.employers);
    if (refusal) msgs.push(refusal);
    const empty = l.siretBeneficiaire === '' && l.formation === '' && l.pourcentage === '' && l.uai === '' && l.lieu === '';
    if (empty) {
      // « aucune attribution » for this SIRET (the export writes such a line for a client without any)
      if (msgs.length) report.push({ line: l.line, message: `${capitalise(msgs.join(' ; '))}.` });
      else {
        if (!bySiret.has(employer)) bySiret.set(employer, []);
        if (!firstLine.has(employer)) firstLine.set(employer, l.line);
      }
      continue;
    }
    const target = resolveTarget(l, ctx, msgs);
    const p = parsePercent(l.pourcentage);
    if (!p.ok)
      msgs.push(
        l.pourcentage === ''
          ? 'le pourcentage est obligatoire'
          : `pourcentage « ${clip(l.pourcentage, 20)} » : ${p.message.charAt(0).toLowerCase()}${p.message.slice(1).replace(/\.$/, '')}`,
      );
    if (target && !refusal) {
      const key = `${employer}|${targetMapKey(target.etablissementId, target.formationId)}`;
      const first = seen.get(key);
      if (first !== undefined)
        msgs.push(
          `ligne en double : le même bénéficiaire figure déjà à la ligne ${first} pour ce SIRET employeur (une seule ligne par établissement, composante ou formation)`,
        );
      else seen.set(key, l.line);
    }
    if (msgs.length) {
      report.push({ line: l.line, message: `${capitalise(msgs.join(' ; '))}.` });
      continue;
    }
    const list = bySiret.get(employer) ?? [];
    list.push({ line: l.line, target: target!, bp: (p as { bp: number }).bp });
    bySiret.set(employer, list);
    if (!firstLine.has(employer)) firstLine.set(employer, l.line);
  }
  if (report.length) return { ok: false, report };
  return { ok: true, file: { bySiret, firstLine, lines: lines.length } };
}

function resolveTarget(l: CsvLine, ctx: ResolveContext, msgs: string[]): { etablissementId: number; formationId: number | null } | null {
  const siret = l.siretBeneficiaire.replace(/[\s.]/g, '');
  if (siret === '') {
    msgs.push('le SIRET du bénéficiaire (établissement ou composante habilité) est obligatoire');
    return null;
  }
  if (!/^\d{14}$/.test(siret)) {
    msgs.push(`le SIRET du bénéficiaire « ${clip(l.siretBeneficiaire, 20)} » doit comporter 14 chiffres`);
    return null;
  }
  let places = ctx.places.get(siret) ?? [];
  if (places.length === 0) {
    // the referential keeps a few SIRETs that fail their check digit: looked up first
    msgs.push(
      isValidSiret(siret)
        ? `le bénéficiaire ${siret} n’est pas habilité à recevoir le solde de la taxe d’apprentissage pour la campagne ${ctx.annee}`
        : `le SIRET du bénéficiaire ${siret} n’est pas valide (clé de contrôle incorrecte)`,
    );
    return null;
  }
  const uai = l.uai.trim().toUpperCase();
  if (uai !== '') {
    places = places.filter((p) => p.uais.includes(uai));
    if (places.length === 0) {
      msgs.push(`aucun établissement ni composante habilité de SIRET ${siret} n’a l’UAI « ${clip(l.uai, 12)} »`);
      return null;
    }
  }
  const ref = parseFormationRef(l.formation);
  if (ref.kind === 'aucune') {
    if (l.lieu.trim() !== '') {
      msgs.push('la colonne « lieu » ne sert qu’à préciser une formation : laissez-la vide quand la colonne « formation » est vide');
      return null;
    }
    const heads = places.filter((p) => p.parentId === null);
    const chosen = places.length === 1 ? places[0]! : heads.length === 1 ? heads[0]! : null;
    if (!chosen) {
      msgs.push(`plusieurs composantes habilitées ont le SIRET ${siret} : précisez l’UAI de celle que vous choisissez (colonne « uai »)`);
      return null;
    }
    return { etablissementId: chosen.id, formationId: null };
  }
  const lieu = l.lieu.trim().toUpperCase();
  const matches: RefFormation[] = [];
  for (const p of places)
    for (const f of ctx.formations.get(p.id) ?? []) {
      const same =
        ref.kind === 'cfd' ? f.cfd === ref.code : ref.kind === 'rncp' ? f.rncp === ref.code : ref.key !== '' && f.intituleKey === ref.key;
      if (same && (lieu === '' || f.codeCommune === lieu)) matches.push(f);
    }
  if (matches.length === 0) {
    msgs.push(
      `aucune formation « ${clip(l.formation)} »${lieu ? ` enseignée à ${clip(lieu, 5)}` : ''} n’est proposée par le bénéficiaire ${siret} pour la campagne ${ctx.annee} (code CFD, code RNCP ou intitulé exact attendu)`,
    );
    return null;
  }
  if (matches.length > 1) {
    msgs.push(
      `la formation « ${clip(l.formation)} » est proposée ${matches.length} fois par le bénéficiaire ${siret} : précisez la composante (colonne « uai ») ou le lieu (code commune INSEE, colonne « lieu »)`,
    );
    return null;
  }
  return { etablissementId: matches[0]!.etablissementId, formationId: matches[0]!.id };
}

// ── look-ups (set-based) ─────────────────────────────────────────────────────────────────────────

type Q = Tx;
async function rows<T>(db: Q, q: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(q)) as unknown as { rows: T[] }).rows;
}

/** A PostgreSQL array literal of texts (one parameter, whatever the number of values). */
function textArray(values: Iterable<string>): string {
  return `{${[...values].map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The referential rows of `sirets` for `annee` and the formations matching the codes of `lines`. */
export async function loadReferentialFor(
  db: Q,
  annee: number,
  lines: readonly CsvLine[],
): Promise<Pick<ResolveContext, 'places' | 'formations'>> {
  const sirets = new Set(lines.map((l) => l.siretBeneficiaire.replace(/[\s.]/g, '')).filter((s) => /^\d{14}$/.test(s)));
  const places = new Map<string, RefPlace[]>();
  const formations = new Map<number, RefFormation[]>();
  if (sirets.size === 0) return { places, formations };
  const found = await rows<{
    id: string | number;
    siret: string;
    parent_id: string | number | null;
    nom: string;
    uais: string[] | string | null;
  }>(
    db,
    sql`select e.id, e.siret, e.parent_id, e.nom,
          coalesce((select array_agg(u.uai order by u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id), '{}') as uais
        from ref_etablissements e where e.annee = ${annee} and e.siret = any(${textArray(sirets)}::text[]) order by e.id`,
  );
  const ids: number[] = [];
  for (const r of found) {
    const p: RefPlace = {
      id: Number(r.id),
      siret: r.siret,
      parentId: r.parent_id === null ? null : Number(r.parent_id),
      nom: r.nom,
      uais: pgArray(r.uais),
    };
    ids.push(p.id);
    places.set(p.siret, [...(places.get(p.siret) ?? []), p]);
  }
  const refs = lines.map((l) => parseFormationRef(l.formation));
  const codes = new Set(refs.flatMap((r) => (r.kind === 'cfd' || r.kind === 'rncp' ? [r.code] : [])));
  const keys = new Set(refs.flatMap((r) => (r.kind === 'intitule' && r.key !== '' ? [r.key] : [])));
  if (ids.length && (codes.size || keys.size)) {
    const forms = await rows<{
      id: string | number;
      etablissement_id: string | number;
      code_commune: string;
      cfd: string | null;
      rncp: string | null;
      intitule_recherche: string;
    }>(
      db,
      sql`select f.id, f.etablissement_id, f.code_commune, d.cfd, d.rncp, d.intitule_recherche
          from ref_formations f join ref_diplomes d on d.id = f.diplome_id
          where f.annee = ${annee} and f.etablissement_id = any(${`{${ids.join(',')}}`}::int8[])
            and (d.cfd = any(${textArray(codes)}::text[]) or d.rncp = any(${textArray(codes)}::text[]) or d.intitule_recherche = any(${textArray(keys)}::text[]))
          order by f.id`,
    );
    for (const f of forms) {
      const v: RefFormation = {
        id: Number(f.id),
        etablissementId: Number(f.etablissement_id),
        codeCommune: f.code_commune,
        cfd: f.cfd,
        rncp: f.rncp,
        intituleKey: f.intitule_recherche,
      };
      formations.set(v.etablissementId, [...(formations.get(v.etablissementId) ?? []), v]);
    }
  }
  return { places, formations };
}

/** node-postgres gives arrays, PGlite may give the text form `{a,b}`. */
function pgArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
}

// ── the use case ─────────────────────────────────────────────────────────────────────────────────

export interface ClientSummary {
  siret: string;
  denomination: string | null;
  lignes: number;
  totalBp: number;
  statut: 'modifie' | 'inchange';
  ajoutees: number;
  modifiees: number;
  supprimees: number;
  /** members of its group that received the same allocations */
  membres: number;
}

export type ImportOutcome =
  | { ok: true; annee: number; lignes: number; clients: ClientSummary[]; modifies: number }
  | { ok: false; status: 400 | 403; message: string; report: ReportLine[] };

export const NO_EMPLOYER_MESSAGE =
  'Ce service ne vous est pas ouvert : vous n’êtes habilité à « SOLTéA - Employeurs » pour aucun établissement, ou le délai d’accès de 24 heures n’est pas écoulé.';
export const REJECTED_MESSAGE =
  'Le fichier contient des erreurs : aucune attribution n’a été enregistrée. Corrigez les lignes ci-dessous puis importez à nouveau le fichier complet.';

class Rejected extends Error {
  constructor(readonly report: ReportLine[]) {
    super('import rejected');
  }
}

/** « lignes 3 à 7 », « lignes 3, 5 et 9 », « ligne 4 » (at most 10 numbers listed). */
export function describeLines(numbers: readonly number[]): string {
  const n = [...numbers].sort((a, b) => a - b);
  if (n.length === 0) return '';
  if (n.length === 1) return `ligne ${n[0]}`;
  if (n[n.length - 1]! - n[0]! === n.length - 1) return `lignes ${n[0]} à ${n[n.length - 1]}`;
  if (n.length > 10) return `lignes ${n.slice(0, 10).join(', ')}… (${n.length} lignes)`;
  return `lignes ${n.slice(0, -1).join(', ')} et ${n[n.length - 1]}`;
}

/** A refusal of `changeChoices` for one SIRET → report lines with the file's line numbers. */
function mapErrors(siret: string, lines: readonly ResolvedLine[], firstLine: number, errors: readonly ChangeError[]): ReportLine[] {
  return errors.map((e) => {
    const at = e.index !== undefined ? lines[e.index] : undefined;
    const message = e.message.replace(/^Ligne \d+ : /, '');
    if (at) return { line: at.line, message: `SIRET employeur ${siret} : ${message}` };
    const where = lines.length ? describeLines(lines.map((l) => l.line)) : `ligne ${firstLine}`;
    return { line: lines[0]?.line ?? firstLine, message: `SIRET employeur ${siret} (${where}) : ${message}` };
  });
}

async function currentLines(tx: Tx, annee: number, siret: string) {
  return rows<{ etablissement_id: string | number; formation_id: string | number | null; points_base: number; statut: string }>(
    tx,
    sql`select etablissement_id, formation_id, points_base, statut from attributions where annee = ${annee} and siret_employeur = ${siret}`,
  );
}

/** True when the file's lines for a SIRET are exactly what it has (and, when validating, all validated). */
function sameAsCurrent(current: Awaited<ReturnType<typeof currentLines>>, wanted: readonly ResolvedLine[], valider: boolean): boolean {
  if (current.length !== wanted.length) return false;
  const have = new Map(
    current.map((c) => [targetMapKey(Number(c.etablissement_id), c.formation_id === null ? null : Number(c.formation_id)), c]),
  );
  return wanted.every((w) => {
    const c = have.get(targetMapKey(w.target.etablissementId, w.target.formationId));
    return c !== undefined && Number(c.points_base) === w.bp && (!valider || c.statut === 'validee');
  });
}

/**
 * Imports `input` (the file's bytes or text) for `user`: all or nothing. `valider`: the lines are
 * validated in the same step (« Valider les attributions », default on the form).
 */
export async function importAttributions(
  ctx: AppContext,
  user: User,
  input: { content: string | Uint8Array; valider: boolean; ip?: string | null },
): Promise<ImportOutcome> {
  const campaign = await currentCampaign(ctx);
  const annee = campaign.annee;
  const mine = await employerSirets(ctx, user, annee);
  if (mine.length === 0) return { ok: false, status: 403, message: NO_EMPLOYER_MESSAGE, report: [] };
  const read = readAttributionsCsv(input.content);
  if (!read.ok) return { ok: false, status: 400, message: REJECTED_MESSAGE, report: read.report };

  const calendar = checkCalendar({ campaign: await calendarOf(ctx.db, annee), now: ctx.clock.now(), validatedFullInPeriod: null });
  if (!calendar.ok)
    return { ok: false, status: 400, message: `${calendar.errors[0]!.message} Aucune attribution n’a été enregistrée.`, report: [] };

  const employers = new Map(mine.map((m) => [m.siret, m]));
  const lookups = await loadReferentialFor(ctx.db, annee, read.lines);
  const resolved = resolveLines(read.lines, { annee, employers, ...lookups });
  if (!resolved.ok) return { ok: false, status: 400, message: REJECTED_MESSAGE, report: resolved.report };
  const file = resolved.file;

  const actor = { userId: user.id, espaceId: user.espaceId, ip: input.ip ?? null };
  const sirets = [...file.bySiret.keys()].sort(); // one order for every import: no deadlock between two
  try {
    const clients = await ctx.db.transaction(async (tx) => {
      const report: ReportLine[] = [];
      const out: ClientSummary[] = [];
      for (const siret of sirets) {
        const lines = file.bySiret.get(siret)!;
        const base = {
          siret,
          denomination: employers.get(siret)?.denomination ?? null,
          lignes: lines.length,
          totalBp: lines.reduce((s, l) => s + l.bp, 0),
        };
        if (sameAsCurrent(await currentLines(tx, annee, siret), lines, input.valider)) {
          out.push({ ...base, statut: 'inchange', ajoutees: 0, modifiees: 0, supprimees: 0, membres: 0 });
          continue;
        }
        const items: TargetShare[] = lines.map((l) => ({ target: l.target, bp: l.bp }));
        const r = await changeChoices(
          ctx,
          {
            annee,
            siret,
            actor,
            expectedVersion: null,
            change: { kind: 'remplacer', items, valider: input.valider },
            source: 'import_csv',
          },
          tx,
        );
        if (!r.ok) {
          report.push(...mapErrors(siret, lines, file.firstLine.get(siret)!, r.errors));
          continue;
        }
        out.push({
          ...base,
          statut: r.changed || r.validated ? 'modifie' : 'inchange',
          ajoutees: r.added,
          modifiees: r.updated,
          supprimees: r.removed,
          membres: r.membres,
        });
      }
      if (report.length) throw new Rejected(report.sort((a, b) => a.line - b.line));
      const modifies = out.filter((c) => c.statut === 'modifie').length;
      await audit(tx, ctx.clock, {
        action: 'attributions.imported',
        actorUserId: user.id,
        espaceId: user.espaceId,
        ip: input.ip ?? null,
        details: {
          annee,
          source: 'import_csv',
          lignes: file.lines,
          clients: out.length,
          modifies,
          inchanges: out.length - modifies,
          valider: input.valider,
          encodage: read.encoding,
        },
      });
      return out;
    });
    return { ok: true, annee, lignes: file.lines, clients, modifies: clients.filter((c) => c.statut === 'modifie').length };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, status: 400, message: REJECTED_MESSAGE, report: e.report };
    throw e;
  }
}

// ── export ───────────────────────────────────────────────────────────────────────────────────────

/** Basis points → « 12,5 » (the file's form: no « % », decimal comma, at most two decimals). */
export function percentCell(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = bp % 100;
  return frac === 0 ? String(whole) : `${whole},${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}

/**
 * The current allocations of every SIRET the person may allocate for (available ones, with an
 * envelope, not a member of a group: those follow their reference SIRET), in the import format. A
 * SIRET without allocation gets one line with only its SIRET (« aucune attribution »), to fill in.
 */
export async function exportAttributions(ctx: AppContext, user: User): Promise<{ annee: number; csv: string; sirets: number } | null> {
  const annee = (await currentCampaign(ctx)).annee;
  const mine = await employerSirets(ctx, user, annee);
  if (mine.length === 0) return null;
  const usable = mine.filter((m) => m.indisponible === null);
  const list = textArray(usable.map((m) => m.siret));
  const data = await ctx.db.transaction(async (tx) => {
    const withEnvelope = await rows<{ siret: string }>(
      tx,
      sql`select e.siret from enveloppes e where e.annee = ${annee} and e.siret = any(${list}::text[])
          and not exists (select 1 from groupe_membres m join groupes g on g.id = m.groupe_id where m.annee = ${annee} and m.siret = e.siret and g.siret_reference <> e.siret)
          order by e.siret`,
    );
    const lines = await rows<{
      siret_employeur: string;
      points_base: number;
      statut: string;
      siret: string;
      nom: string;
      parent_id: string | number | null;
      uai: string | null;
      shared: boolean;
      code_commune: string | null;
      cfd: string | null;
      rncp: string | null;
      intitule: string | null;
    }>(
      tx,
      sql`select a.siret_employeur, a.points_base, a.statut, e.siret, e.nom, e.parent_id,
            (select min(u.uai) from ref_etablissement_uais u where u.etablissement_id = e.id) as uai,
            exists (select 1 from ref_etablissements o where o.annee = e.annee and o.siret = e.siret and o.id <> e.id) as shared,
            f.code_commune, d.cfd, d.rncp, d.intitule
          from attributions a
          join ref_etablissements e on e.id = a.etablissement_id
          left join ref_formations f on f.id = a.formation_id
          left join ref_diplomes d on d.id = f.diplome_id
          where a.annee = ${annee} and a.siret_employeur = any(${list}::text[])
          order by a.siret_employeur, a.id`,
    );
    return { withEnvelope: withEnvelope.map((r) => r.siret), lines };
  });
  const nameOf = new Map(usable.map((m) => [m.siret, m.denomination ?? '']));
  const bySiret = new Map<string, string[][]>();
  for (const l of data.lines) {
    const formation = l.intitule === null ? '' : (l.cfd ?? l.rncp ?? l.intitule);
    // the UAI only when the SIRET alone does not designate the row (a composante sharing its SIRET)
    const uai = l.parent_id !== null && l.shared ? (l.uai ?? '') : '';
    const row = [
      l.siret_employeur,
      l.siret,
      formation,
      percentCell(Number(l.points_base)),
      uai,
      l.intitule === null ? '' : (l.code_commune ?? ''),
      nameOf.get(l.siret_employeur) ?? '',
      l.nom,
      l.intitule ?? '',
      l.statut === 'validee' ? 'validée' : 'enregistrée',
    ];
    bySiret.set(l.siret_employeur, [...(bySiret.get(l.siret_employeur) ?? []), row]);
  }
  const out: string[][] = [];
  for (const siret of data.withEnvelope)
    out.push(...(bySiret.get(siret) ?? [[siret, '', '', '', '', '', nameOf.get(siret) ?? '', '', '', '']]));
  return { annee, csv: formatCsv(EXPORT_COLUMNS, out), sirets: data.withEnvelope.length };
}

/** The downloadable model: the header and two example lines (to replace by real SIRETs). */
export function modelCsv(): string {
  return formatCsv(REQUIRED_COLUMNS, [
    ['SIRET de votre client (14 chiffres)', 'SIRET de l’établissement habilité', '', '60'],
    ['SIRET de votre client (14 chiffres)', 'SIRET de l’établissement habilité', 'code CFD ou RNCP de la formation', '40'],
  ]);
}
