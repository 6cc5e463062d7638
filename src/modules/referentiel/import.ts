/**
 * Import of the referential of habilitated establishments for one campaign year (SOLTéA §4.1) from
 * the CSV files of docs/referentiel-format.md.
 *
 * 1. Every file is decoded and every row validated (format.ts); a rejected row is reported with its
 *    line number and reason and nothing of it is written.
 * 2. Cross-row rules, in memory, inside one transaction (serialised per year by an advisory lock):
 *    duplicates, composante → établissement principal (in the files or already in the year), formation →
 *    establishment or composante (SIRET and/or UAI, in the files or already in the year). A row whose
 *    parent or establishment is unknown is rejected as a whole.
 * 3. The year's current rows are read once and compared with the files: only new rows are inserted and
 *    only changed rows rewritten (`updated_at` = `now`); the rest is counted as unchanged, so importing
 *    the same files again writes nothing. Writes are set-based: multi-row INSERT … SELECT FROM
 *    json_to_recordset(…) and UPDATE … FROM json_to_recordset(…), thousands of rows per statement.
 *
 * Keys: an establishment is (annee, SIRET); a composante (annee, `SIRET/UAI`, or `SIRET/n` for the
 * n-th composante without UAI of that SIRET in file order); a diploma (shared by all years) its CFD,
 * else its RNCP code, else its normalised title + niveau; a formation (establishment, diploma, place).
 * An import adds and updates, it never deletes establishments or formations (a year's referential is
 * completed file after file: regional lists, then the national list); the UAIs of an establishment
 * present in the files are replaced by those of its row.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { CategorieCode, ListeCode } from '../../domain/referentiel.js';
import { searchKey } from '../../domain/text.js';
import type { Tx } from '../../infra/db/index.js';
import type { CommuneIndex } from './commune-index.js';
import { ensureCommunes, loadCommuneIndex } from './communes.js';
import { diplomeCle, parseReferentielFile, type EtablissementInput, type FormationInput, type RefIssue } from './format.js';

export interface RefCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ReferentielImportReport {
  annee: number;
  /** files given (read or not) */
  files: number;
  /** data rows read in all files */
  rows: number;
  etablissements: RefCounts;
  composantes: RefCounts;
  formations: RefCounts;
  diplomes: RefCounts;
  uais: { inserted: number; removed: number };
  rejected: RefIssue[];
  warnings: RefIssue[];
  durationMs: number;
}

export interface ImportProgress {
  phase: 'lecture' | 'etablissements' | 'formations';
  done: number;
  total: number;
}

export interface ImportReferentielOptions {
  /** written to updated_at of inserted and changed rows */
  now: Date;
  onProgress?: (p: ImportProgress) => void;
  /** a prebuilt index of the communes (else read from the database) */
  communes?: CommuneIndex;
}

export interface RefFileContent {
  /** file name shown in the report */
  name: string;
  content: Uint8Array | string;
}

export const MIN_ANNEE = 2020;
export const MAX_ANNEE = 2100;

/** Reads the files (an unreadable file is one rejection) and imports them. */
export async function importReferentiel(
  db: Tx,
  annee: number,
  files: string[],
  opts: ImportReferentielOptions,
): Promise<ReferentielImportReport> {
  const contents: RefFileContent[] = [];
  const unreadable: RefIssue[] = [];
  for (const path of files) {
    try {
      contents.push({ name: basename(path), content: await readFile(path) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'fichier introuvable' : code === 'EISDIR' ? 'c’est un dossier' : e instanceof Error ? e.message : String(e);
      unreadable.push({ file: basename(path), line: 0, reason: `Fichier illisible : ${why}.` });
    }
  }
  const report = await importReferentielContents(db, annee, contents, opts);
  report.files = files.length;
  report.rejected = [...unreadable, ...report.rejected];
  return report;
}

// ── in-memory model ─────────────────────────────────────────────────────────────────────────────

/** What a row of ref_etablissements holds (besides id, annee, cle, parent_id, updated_at). */
interface EtabData {
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

interface ExistingEtab extends EtabData {
  id: number;
  cle: string;
  parentId: number | null;
  /** sorted « UAI:0|1 » */
  uais: string[];
}

interface DesiredEtab {
  cle: string;
  input: EtablissementInput;
  data: EtabData;
  /** composantes: cle of the parent */
  parentCle: string | null;
  uais: string[];
}

interface Entity {
  cle: string;
  siret: string;
  composante: boolean;
  uais: Set<string>;
  codeCommune: string | null;
}

interface DiplomeData {
  intitule: string;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  type: string | null;
}

const sameEtab = (a: EtabData, b: EtabData) =>
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

const uaiTokens = (uais: { uai: string; checksumWarning: boolean }[]) => uais.map((u) => `${u.uai}:${u.checksumWarning ? 1 : 0}`).sort();
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

// ── import ──────────────────────────────────────────────────────────────────────────────────────

/** Files read and validated, ready to be applied to one or several years. */
export interface ParsedReferentiel {
  files: number;
  /** file names in the order given (the report lists issues in that order) */
  names: string[];
  rows: number;
  etablissements: EtablissementInput[];
  formations: FormationInput[];
  rejected: RefIssue[];
  warnings: RefIssue[];
}

/** Decodes and validates files (pure but for the commune index): every row valid or rejected. */
export function parseReferentielContents(
  files: RefFileContent[],
  communes: CommuneIndex,
  onProgress?: (p: ImportProgress) => void,
): ParsedReferentiel {
  const out: ParsedReferentiel = {
    files: files.length,
    names: files.map((f) => f.name),
    rows: 0,
    etablissements: [],
    formations: [],
    rejected: [],
    warnings: [],
  };
  files.forEach((f, i) => {
    onProgress?.({ phase: 'lecture', done: i, total: files.length });
    const parsed = parseReferentielFile(f.content, f.name, { communes });
    out.rows += parsed.rows;
    // loops, not push(...xs): a spread of 300,000 rows overflows the call stack
    for (const x of parsed.rejected) out.rejected.push(x);
    for (const x of parsed.warnings) out.warnings.push(x);
    for (const x of parsed.etablissements) out.etablissements.push(x);
    for (const x of parsed.formations) out.formations.push(x);
  });
  onProgress?.({ phase: 'lecture', done: files.length, total: files.length });
  return out;
}

/** Imports already-read files (tests, benchmarks, the generator). */
export async function importReferentielContents(
  db: Tx,
  annee: number,
  files: RefFileContent[],
  opts: ImportReferentielOptions,
): Promise<ReferentielImportReport> {
  checkAnnee(annee);
  const started = performance.now();
  let communes = opts.communes;
  if (!communes) {
    await ensureCommunes(db);
    communes = await loadCommuneIndex(db);
  }
  const parsed = parseReferentielContents(files, communes, opts.onProgress);
  const report = await applyReferentiel(db, annee, parsed, opts);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

function checkAnnee(annee: number): void {
  if (!Number.isInteger(annee) || annee < MIN_ANNEE || annee > MAX_ANNEE)
    throw new Error(`Année de campagne invalide : ${annee} (${MIN_ANNEE} à ${MAX_ANNEE}).`);
}

/**
 * Applies parsed files to one year, in one transaction (steps 2 and 3 of the module comment). The
 * same {@link ParsedReferentiel} may be applied to several years.
 */
export async function applyReferentiel(
  db: Tx,
  annee: number,
  parsed: ParsedReferentiel,
  opts: Pick<ImportReferentielOptions, 'now' | 'onProgress'>,
): Promise<ReferentielImportReport> {
  checkAnnee(annee);
  const started = performance.now();
  const progress = opts.onProgress ?? (() => undefined);
  const report: ReferentielImportReport = {
    annee,
    files: parsed.files,
    rows: parsed.rows,
    etablissements: { inserted: 0, updated: 0, unchanged: 0 },
    composantes: { inserted: 0, updated: 0, unchanged: 0 },
    formations: { inserted: 0, updated: 0, unchanged: 0 },
    diplomes: { inserted: 0, updated: 0, unchanged: 0 },
    uais: { inserted: 0, removed: 0 },
    rejected: parsed.rejected.slice(),
    warnings: parsed.warnings.slice(),
    durationMs: 0,
  };
  const etabRows = parsed.etablissements;
  const formationRows = parsed.formations;

  await db.transaction(async (tx) => {
    // one import per year at a time (both PostgreSQL and PGlite)
    await tx.execute(sql`select pg_advisory_xact_lock(7301, ${annee}::int)`);
    const existing = await loadEtablissements(tx, annee);
    const existingByCle = new Map(existing.map((e) => [e.cle, e]));

    // 2. establishments and composantes wanted by the files (duplicates and orphans rejected)
    const desired = new Map<string, DesiredEtab>();
    const reject = (r: { file: string; line: number }, reason: string) => report.rejected.push({ file: r.file, line: r.line, reason });
    const warn = (r: { file: string; line: number }, reason: string) => report.warnings.push({ file: r.file, line: r.line, reason });
    const where = (r: { file: string; line: number }, from: { file: string; line: number }) =>
      r.file === from.file ? `ligne ${from.line}` : `ligne ${from.line} de ${from.file}`;
    const noUaiRank = new Map<string, number>();

    const addDesired = (input: EtablissementInput, cle: string, parentCle: string | null, categorie: string, liste: string) => {
      const data: EtabData = {
        siret: input.siret,
        nom: input.nom,
        adresse: input.adresse,
        codePostal: input.codePostal,
        codeCommune: input.codeCommune,
        commune: input.commune,
        departement: input.departement,
        region: input.region,
        lat: input.lat,
        lng: input.lng,
        categorie,
        liste,
        checksumWarning: input.checksumWarning,
      };
      const uais = uaiTokens(input.uais);
      const prev = desired.get(cle);
      if (prev) {
        if (sameEtab(prev.data, data) && sameList(prev.uais, uais) && prev.parentCle === parentCle)
          warn(input, `Ligne en double (identique à la ${where(input, prev.input)}) : ignorée.`);
        else
          reject(
            input,
            `${input.type === 'composante' ? `Composante ${cle}` : `SIRET ${cle}`} déjà décrit ${where(input, prev.input)} avec d’autres données : ligne ignorée.`,
          );
        return;
      }
      desired.set(cle, { cle, input, data, parentCle, uais });
    };

    for (const r of etabRows) if (r.type === 'etablissement') addDesired(r, r.siret, null, r.categorie!, r.liste!);
    for (const r of etabRows) {
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
          r,
          `Composante sans établissement principal : le SIRET parent ${parentCle} n’est ni dans les fichiers ni dans le référentiel ${annee}.`,
        );
        continue;
      }
      addDesired(r, cle, parentCle, r.categorie ?? parent.categorie, r.liste ?? parent.liste);
    }

    // 3. the year's entities after the import: formations are resolved against them
    const entities = new Map<string, Entity>();
    for (const e of existing) {
      entities.set(e.cle, {
        cle: e.cle,
        siret: e.siret,
        composante: e.parentId !== null,
        uais: new Set(e.uais.map((u) => u.slice(0, 8))),
        codeCommune: e.codeCommune,
      });
    }
    for (const d of desired.values()) {
      entities.set(d.cle, {
        cle: d.cle,
        siret: d.data.siret,
        composante: d.parentCle !== null,
        uais: new Set(d.input.uais.map((u) => u.uai)),
        codeCommune: d.data.codeCommune,
      });
    }
    const bySiret = new Map<string, Entity[]>();
    const byUai = new Map<string, Entity[]>();
    for (const e of entities.values()) {
      push(bySiret, e.siret, e);
      for (const u of e.uais) push(byUai, u, e);
    }

    // 4. formations: establishment, diploma, place
    interface WantedFormation {
      input: FormationInput;
      etabCle: string;
      diplome: string;
      codeCommune: string;
      commune: string | null;
    }
    const wantedFormations: WantedFormation[] = [];
    const formationSeen = new Map<string, FormationInput>();
    const diplomes = new Map<string, DiplomeData>();
    for (const f of formationRows) {
      const target = resolveEtablissement(f, bySiret, byUai, annee);
      if (!target.ok) {
        reject(f, target.reason);
        continue;
      }
      const cle = diplomeCle(f);
      const lieu = f.lieu && f.lieu.codeCommune !== target.entity.codeCommune ? f.lieu : null;
      const key = `${target.entity.cle}|${cle}|${lieu?.codeCommune ?? ''}`;
      const prev = formationSeen.get(key);
      if (prev) {
        warn(f, `Formation en double (même établissement, même diplôme et même lieu qu’à la ${where(f, prev)}) : ignorée.`);
        continue;
      }
      formationSeen.set(key, f);
      const d = diplomes.get(cle);
      if (!d) diplomes.set(cle, { intitule: f.intitule, cfd: f.cfd, rncp: f.rncp, niveau: f.niveau, type: f.type });
      else {
        d.rncp ??= f.rncp;
        d.niveau ??= f.niveau;
        d.type ??= f.type;
      }
      wantedFormations.push({
        input: f,
        etabCle: target.entity.cle,
        diplome: cle,
        codeCommune: lieu?.codeCommune ?? '',
        commune: lieu?.commune ?? null,
      });
    }

    // 5. write establishments, then composantes (their parent_id), then UAIs
    const now = opts.now.toISOString();
    const idByCle = new Map(existing.map((e) => [e.cle, e.id]));
    const principals = [...desired.values()].filter((d) => d.parentCle === null);
    const composantes = [...desired.values()].filter((d) => d.parentCle !== null);
    const totalEtabs = desired.size;
    let etabsDone = 0;
    progress({ phase: 'etablissements', done: 0, total: totalEtabs });
    const uaiChanges: { id: number | null; cle: string; add: { uai: string; cw: boolean }[]; remove: string[] }[] = [];
    for (const [group, counts] of [
      [principals, report.etablissements],
      [composantes, report.composantes],
    ] as const) {
      const inserts: DesiredEtab[] = [];
      const updates: { id: number; d: DesiredEtab }[] = [];
      for (const d of group) {
        const old = existingByCle.get(d.cle);
        const parentId = d.parentCle ? idByCle.get(d.parentCle)! : null;
        if (!old) {
          inserts.push(d);
          uaiChanges.push({ id: null, cle: d.cle, add: d.input.uais.map((u) => ({ uai: u.uai, cw: u.checksumWarning })), remove: [] });
          continue;
        }
        const uaisSame = sameList(old.uais, d.uais);
        if (sameEtab(old, d.data) && uaisSame && old.parentId === parentId) {
          counts.unchanged++;
          continue;
        }
        updates.push({ id: old.id, d });
        if (!uaisSame) {
          const oldSet = new Set(old.uais);
          const newSet = new Set(d.uais);
          uaiChanges.push({
            id: old.id,
            cle: d.cle,
            add: d.input.uais
              .filter((u) => !oldSet.has(`${u.uai}:${u.checksumWarning ? 1 : 0}`))
              .map((u) => ({ uai: u.uai, cw: u.checksumWarning })),
            remove: old.uais.filter((t) => !newSet.has(t) && !d.input.uais.some((u) => u.uai === t.slice(0, 8))).map((t) => t.slice(0, 8)),
          });
        }
      }
      for (const batch of chunks(inserts, 2000)) {
        const rows = batch.map((d) => etabJson(d, d.parentCle ? idByCle.get(d.parentCle)! : null, annee, now));
        const res = await exec(
          tx,
          sql`insert into ref_etablissements (annee, cle, siret, parent_id, nom, nom_recherche, adresse, code_postal, code_commune, commune,
                departement, region, lat, lng, categorie, liste, checksum_warning, updated_at)
              select annee, cle, siret, parent_id, nom, nom_recherche, adresse, code_postal, code_commune, commune,
                departement, region, lat, lng, categorie, liste, checksum_warning, updated_at
              from json_to_recordset(${JSON.stringify(rows)}::json) as v(${ETAB_RECORD})
              returning id, cle`,
        );
        for (const r of res) idByCle.set(String(r.cle), Number(r.id));
        counts.inserted += batch.length;
        etabsDone += batch.length;
        progress({ phase: 'etablissements', done: etabsDone, total: totalEtabs });
      }
      for (const batch of chunks(updates, 2000)) {
        const rows = batch.map(({ id, d }) => ({ id, ...etabJson(d, d.parentCle ? idByCle.get(d.parentCle)! : null, annee, now) }));
        await exec(
          tx,
          sql`update ref_etablissements e set siret = v.siret, parent_id = v.parent_id, nom = v.nom, nom_recherche = v.nom_recherche,
                adresse = v.adresse, code_postal = v.code_postal, code_commune = v.code_commune, commune = v.commune,
                departement = v.departement, region = v.region, lat = v.lat, lng = v.lng, categorie = v.categorie,
                liste = v.liste, checksum_warning = v.checksum_warning, updated_at = v.updated_at
              from json_to_recordset(${JSON.stringify(rows)}::json) as v(id bigint, ${ETAB_RECORD})
              where e.id = v.id`,
        );
        counts.updated += batch.length;
        etabsDone += batch.length;
        progress({ phase: 'etablissements', done: etabsDone, total: totalEtabs });
      }
      etabsDone += group.length - inserts.length - updates.length;
    }
    progress({ phase: 'etablissements', done: totalEtabs, total: totalEtabs });

    const uaiRemove = uaiChanges.flatMap((c) => c.remove.map((uai) => ({ etablissement_id: c.id!, uai })));
    for (const batch of chunks(uaiRemove, 5000)) {
      await exec(
        tx,
        sql`delete from ref_etablissement_uais u using json_to_recordset(${JSON.stringify(batch)}::json) as v(etablissement_id bigint, uai text)
            where u.etablissement_id = v.etablissement_id and u.uai = v.uai`,
      );
      report.uais.removed += batch.length;
    }
    const uaiAdd = uaiChanges.flatMap((c) =>
      c.add.map((a) => ({ etablissement_id: c.id ?? idByCle.get(c.cle)!, uai: a.uai, checksum_warning: a.cw })),
    );
    for (const batch of chunks(uaiAdd, 5000)) {
      await exec(
        tx,
        sql`insert into ref_etablissement_uais (etablissement_id, uai, checksum_warning)
            select etablissement_id, uai, checksum_warning
            from json_to_recordset(${JSON.stringify(batch)}::json) as v(etablissement_id bigint, uai text, checksum_warning boolean)
            on conflict (etablissement_id, uai) do update set checksum_warning = excluded.checksum_warning`,
      );
      report.uais.inserted += batch.length;
    }

    // 6. diplomas (shared by every year): insert new ones, complete or correct the others
    const diplomeIds = await upsertDiplomes(tx, diplomes, report.diplomes);

    // 7. formations: INSERT … ON CONFLICT DO UPDATE … WHERE changed, so that the database does the
    // comparison (no need to read the year's 300,000 formations back); RETURNING yields the inserted
    // rows (xmax = 0) and the updated ones, the others are unchanged
    const totalFormations = wantedFormations.length;
    let formationsDone = 0;
    progress({ phase: 'formations', done: 0, total: totalFormations });
    // compact records (annee and updated_at are the same for all): less JSON to build and parse
    const formationRecords = wantedFormations.map((w) => ({
      e: idByCle.get(w.etabCle)!,
      d: diplomeIds.get(w.diplome)!,
      c: w.codeCommune,
      m: w.commune,
    }));
    for (const batch of chunks(formationRecords, 20_000)) {
      const res = await exec(
        tx,
        sql`insert into ref_formations as f (annee, etablissement_id, diplome_id, code_commune, commune, updated_at)
            select ${annee}::int, v.e, v.d, v.c, v.m, ${now}::timestamptz
            from json_to_recordset(${JSON.stringify(batch)}::json) as v(e bigint, d bigint, c text, m text)
            on conflict (etablissement_id, diplome_id, code_commune)
              do update set commune = excluded.commune, updated_at = excluded.updated_at
              where f.commune is distinct from excluded.commune
            returning (xmax = 0) as inserted`,
      );
      let inserted = 0;
      for (const r of res) if (bool(r.inserted)) inserted++;
      report.formations.inserted += inserted;
      report.formations.updated += res.length - inserted;
      report.formations.unchanged += batch.length - res.length;
      formationsDone += batch.length;
      progress({ phase: 'formations', done: formationsDone, total: totalFormations });
    }
    progress({ phase: 'formations', done: totalFormations, total: totalFormations });
  });

  const order = new Map(parsed.names.map((n, i) => [n, i]));
  const byFileLine = (a: RefIssue, b: RefIssue) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line;
  report.rejected.sort(byFileLine);
  report.warnings.sort(byFileLine);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

const ETAB_RECORD = sql.raw(
  `annee integer, cle text, siret text, parent_id bigint, nom text, nom_recherche text, adresse text, code_postal text,
   code_commune text, commune text, departement text, region text, lat double precision, lng double precision,
   categorie text, liste text, checksum_warning boolean, updated_at timestamptz`,
);

function etabJson(d: DesiredEtab, parentId: number | null, annee: number, now: string) {
  return {
    annee,
    cle: d.cle,
    siret: d.data.siret,
    parent_id: parentId,
    nom: d.data.nom,
    nom_recherche: searchKey(d.data.nom),
    adresse: d.data.adresse,
    code_postal: d.data.codePostal,
    code_commune: d.data.codeCommune,
    commune: d.data.commune,
    departement: d.data.departement,
    region: d.data.region,
    lat: d.data.lat,
    lng: d.data.lng,
    categorie: d.data.categorie,
    liste: d.data.liste,
    checksum_warning: d.data.checksumWarning,
    updated_at: now,
  };
}

type Resolved = { ok: true; entity: Entity } | { ok: false; reason: string };

/**
 * The establishment or composante of a formation row: SIRET + UAI → the composante `SIRET/UAI`, or the
 * entity of that SIRET carrying the UAI; SIRET alone → the establishment of that SIRET (or its only
 * composante when the SIRET is a composante's own); UAI alone → the only entity carrying it.
 */
function resolveEtablissement(f: FormationInput, bySiret: Map<string, Entity[]>, byUai: Map<string, Entity[]>, annee: number): Resolved {
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

async function loadEtablissements(tx: Tx, annee: number): Promise<ExistingEtab[]> {
  const rows = await exec(
    tx,
    sql`select id, cle, siret, parent_id, nom, adresse, code_postal, code_commune, commune, departement, region, lat, lng,
          categorie, liste, checksum_warning
        from ref_etablissements where annee = ${annee}`,
  );
  const uais = await exec(
    tx,
    sql`select u.etablissement_id, u.uai, u.checksum_warning from ref_etablissement_uais u
        join ref_etablissements e on e.id = u.etablissement_id where e.annee = ${annee}`,
  );
  const byEtab = new Map<number, string[]>();
  for (const u of uais) push(byEtab, Number(u.etablissement_id), `${String(u.uai)}:${bool(u.checksum_warning) ? 1 : 0}`);
  return rows.map((r) => ({
    id: Number(r.id),
    cle: String(r.cle),
    siret: String(r.siret),
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    nom: String(r.nom),
    adresse: String(r.adresse),
    codePostal: str(r.code_postal),
    codeCommune: str(r.code_commune),
    commune: str(r.commune),
    departement: str(r.departement),
    region: str(r.region),
    lat: r.lat === null ? null : Number(r.lat),
    lng: r.lng === null ? null : Number(r.lng),
    categorie: String(r.categorie) as CategorieCode,
    liste: String(r.liste) as ListeCode,
    checksumWarning: bool(r.checksum_warning),
    uais: (byEtab.get(Number(r.id)) ?? []).sort(),
  }));
}

async function upsertDiplomes(tx: Tx, wanted: Map<string, DiplomeData>, counts: RefCounts): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (wanted.size === 0) return ids;
  const keys = [...wanted.keys()];
  const existing = new Map<string, { id: number } & DiplomeData>();
  for (const batch of chunks(keys, 10_000)) {
    const rows = await exec(
      tx,
      sql`select d.id, d.cle, d.intitule, d.cfd, d.rncp, d.niveau, d.type from ref_diplomes d
          join json_to_recordset(${JSON.stringify(batch.map((cle) => ({ cle })))}::json) as v(cle text) on v.cle = d.cle`,
    );
    for (const r of rows) {
      existing.set(String(r.cle), {
        id: Number(r.id),
        intitule: String(r.intitule),
        cfd: str(r.cfd),
        rncp: str(r.rncp),
        niveau: r.niveau === null ? null : Number(r.niveau),
        type: str(r.type),
      });
    }
  }
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  for (const [cle, d] of wanted) {
    const old = existing.get(cle);
    if (!old) {
      inserts.push({
        cle,
        intitule: d.intitule,
        intitule_recherche: searchKey(d.intitule),
        cfd: d.cfd,
        rncp: d.rncp,
        niveau: d.niveau,
        type: d.type,
      });
      continue;
    }
    ids.set(cle, old.id);
    // a file never erases what another one said: missing values keep the known ones
    const merged: DiplomeData = {
      intitule: d.intitule,
      cfd: d.cfd ?? old.cfd,
      rncp: d.rncp ?? old.rncp,
      niveau: d.niveau ?? old.niveau,
      type: d.type ?? old.type,
    };
    if (
      merged.intitule === old.intitule &&
      merged.cfd === old.cfd &&
      merged.rncp === old.rncp &&
      merged.niveau === old.niveau &&
      merged.type === old.type
    )
      counts.unchanged++;
    else updates.push({ id: old.id, ...merged, intitule_recherche: searchKey(merged.intitule) });
  }
  for (const batch of chunks(inserts, 5000)) {
    const rows = await exec(
      tx,
      sql`insert into ref_diplomes (cle, intitule, intitule_recherche, cfd, rncp, niveau, type)
          select cle, intitule, intitule_recherche, cfd, rncp, niveau, type
          from json_to_recordset(${JSON.stringify(batch)}::json)
            as v(cle text, intitule text, intitule_recherche text, cfd text, rncp text, niveau integer, type text)
          on conflict (cle) do update set cle = excluded.cle
          returning id, cle`,
    );
    for (const r of rows) ids.set(String(r.cle), Number(r.id));
    counts.inserted += batch.length;
  }
  for (const batch of chunks(updates, 5000)) {
    await exec(
      tx,
      sql`update ref_diplomes d set intitule = v.intitule, intitule_recherche = v.intitule_recherche, cfd = v.cfd, rncp = v.rncp,
            niveau = v.niveau, type = v.type
          from json_to_recordset(${JSON.stringify(batch)}::json)
            as v(id bigint, intitule text, intitule_recherche text, cfd text, rncp text, niveau integer, type text)
          where d.id = v.id`,
    );
    counts.updated += batch.length;
  }
  return ids;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function exec(tx: Tx, query: SQL): Promise<Record<string, any>[]> {
  const res = (await tx.execute(query)) as unknown as { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
  return Array.isArray(res) ? res : (res.rows ?? []);
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function bool(v: unknown): boolean {
  return v === true || v === 't' || v === 'true';
}
