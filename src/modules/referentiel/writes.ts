/**
 * The referential tables as the import reads and writes them: the year's establishments read once,
 * then set-based writes — multi-row INSERT … SELECT FROM json_to_recordset(…) and UPDATE … FROM
 * json_to_recordset(…), thousands of rows per statement. Only new rows are inserted and only changed
 * rows rewritten (`updated_at` = now); the same files again write nothing.
 */
import { sql } from 'drizzle-orm';
import { searchKey } from '../../domain/text.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import type { RefEtablissementRow } from './read.js';
import type { ImportProgress, ReferentielImportReport } from './import-report.js';
import { push, sameEtab, sameList, type DesiredEtab, type ExistingEtab, type Plan } from './plan.js';

type Id = number | string;

interface EtabRow extends RefEtablissementRow {
  cle: string;
  code_commune: string | null;
  checksum_warning: boolean | string;
}

/** UAIs to add to and remove from an establishment (`id` null: inserted by this import, found by its key). */
interface UaiChange {
  id: number | null;
  cle: string;
  add: { uai: string; cw: boolean }[];
  remove: string[];
}

/** What the writes share: the year, the instant, the ids of the rows by key (filled as rows are inserted). */
export interface Writing {
  tx: Tx;
  annee: number;
  now: string;
  idByCle: Map<string, number>;
  report: ReferentielImportReport;
  progress: (p: ImportProgress) => void;
}

const str = (v: string | null | undefined): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 't' || v === 'true';

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The year's establishments and composantes, with their UAIs (« UAI:0|1 », sorted). */
export async function loadEtablissements(tx: Tx, annee: number): Promise<ExistingEtab[]> {
  const rows = await selectRows<EtabRow>(
    tx,
    sql`select id, cle, siret, parent_id, nom, adresse, code_postal, code_commune, commune, departement, region, lat, lng,
          categorie, liste, checksum_warning
        from ref_etablissements where annee = ${annee}`,
  );
  const uais = await selectRows<{ etablissement_id: Id; uai: string; checksum_warning: boolean | string }>(
    tx,
    sql`select u.etablissement_id, u.uai, u.checksum_warning from ref_etablissement_uais u
        join ref_etablissements e on e.id = u.etablissement_id where e.annee = ${annee}`,
  );
  const byEtab = new Map<number, string[]>();
  for (const u of uais) push(byEtab, Number(u.etablissement_id), `${u.uai}:${bool(u.checksum_warning) ? 1 : 0}`);
  return rows.map((r) => ({
    id: Number(r.id),
    cle: r.cle,
    siret: r.siret,
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    nom: r.nom,
    adresse: r.adresse,
    codePostal: str(r.code_postal),
    codeCommune: str(r.code_commune),
    commune: str(r.commune),
    departement: str(r.departement),
    region: str(r.region),
    lat: r.lat === null ? null : Number(r.lat),
    lng: r.lng === null ? null : Number(r.lng),
    categorie: r.categorie,
    liste: r.liste,
    checksumWarning: bool(r.checksum_warning),
    uais: (byEtab.get(Number(r.id)) ?? []).sort(),
  }));
}

/** Establishments, then composantes (their parent_id), then UAIs. */
export async function writeEtablissements(w: Writing, plan: Plan, existing: ExistingEtab[]): Promise<void> {
  const existingByCle = new Map(existing.map((e) => [e.cle, e]));
  const all = [...plan.desired.values()];
  const total = plan.desired.size;
  const done = { n: 0 };
  w.progress({ phase: 'etablissements', done: 0, total });
  const uaiChanges: UaiChange[] = [];
  for (const [group, counts] of [
    [all.filter((d) => d.parentCle === null), w.report.etablissements],
    [all.filter((d) => d.parentCle !== null), w.report.composantes],
  ] as const) {
    const { inserts, updates } = sortGroup(group, existingByCle, w.idByCle, uaiChanges);
    counts.unchanged += group.length - inserts.length - updates.length;
    await insertEtablissements(w, inserts, () => progressed(w, done, total));
    counts.inserted += inserts.length;
    await updateEtablissements(w, updates, () => progressed(w, done, total));
    counts.updated += updates.length;
    done.n += group.length - inserts.length - updates.length;
  }
  w.progress({ phase: 'etablissements', done: total, total });
  await writeUais(w, uaiChanges);
}

function progressed(w: Writing, done: { n: number }, total: number): (n: number) => void {
  return (n) => {
    done.n += n;
    w.progress({ phase: 'etablissements', done: done.n, total });
  };
}

/** New rows, changed rows (the unchanged ones are the rest), and the UAIs each changes. */
function sortGroup(
  group: readonly DesiredEtab[],
  existingByCle: Map<string, ExistingEtab>,
  idByCle: Map<string, number>,
  uaiChanges: UaiChange[],
): { inserts: DesiredEtab[]; updates: { id: number; d: DesiredEtab }[] } {
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
    if (sameEtab(old, d.data) && uaisSame && old.parentId === parentId) continue;
    updates.push({ id: old.id, d });
    if (!uaisSame) uaiChanges.push(uaiChange(old, d));
  }
  return { inserts, updates };
}

/** The UAIs of a row present in the files replace those of the stored row. */
function uaiChange(old: ExistingEtab, d: DesiredEtab): UaiChange {
  const oldSet = new Set(old.uais);
  const newSet = new Set(d.uais);
  return {
    id: old.id,
    cle: d.cle,
    add: d.input.uais
      .filter((u) => !oldSet.has(`${u.uai}:${u.checksumWarning ? 1 : 0}`))
      .map((u) => ({ uai: u.uai, cw: u.checksumWarning })),
    remove: old.uais.filter((t) => !newSet.has(t) && !d.input.uais.some((u) => u.uai === t.slice(0, 8))).map((t) => t.slice(0, 8)),
  };
}

const ETAB_RECORD = sql.raw(
  `annee integer, cle text, siret text, parent_id bigint, nom text, nom_recherche text, adresse text, code_postal text,
   code_commune text, commune text, departement text, region text, lat double precision, lng double precision,
   categorie text, liste text, checksum_warning boolean, updated_at timestamptz`,
);

function etabJson(d: DesiredEtab, w: Writing) {
  return {
    annee: w.annee,
    cle: d.cle,
    siret: d.data.siret,
    parent_id: d.parentCle ? w.idByCle.get(d.parentCle)! : null,
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
    updated_at: w.now,
  };
}

async function insertEtablissements(w: Writing, inserts: DesiredEtab[], onBatch: (n: number) => void): Promise<void> {
  for (const batch of chunks(inserts, 2000)) {
    const rows = batch.map((d) => etabJson(d, w));
    const res = await selectRows<{ id: Id; cle: string }>(
      w.tx,
      sql`insert into ref_etablissements (annee, cle, siret, parent_id, nom, nom_recherche, adresse, code_postal, code_commune, commune,
            departement, region, lat, lng, categorie, liste, checksum_warning, updated_at)
          select annee, cle, siret, parent_id, nom, nom_recherche, adresse, code_postal, code_commune, commune,
            departement, region, lat, lng, categorie, liste, checksum_warning, updated_at
          from json_to_recordset(${JSON.stringify(rows)}::json) as v(${ETAB_RECORD})
          returning id, cle`,
    );
    for (const r of res) w.idByCle.set(r.cle, Number(r.id));
    onBatch(batch.length);
  }
}

async function updateEtablissements(w: Writing, updates: { id: number; d: DesiredEtab }[], onBatch: (n: number) => void): Promise<void> {
  for (const batch of chunks(updates, 2000)) {
    const rows = batch.map(({ id, d }) => ({ id, ...etabJson(d, w) }));
    await w.tx.execute(
      sql`update ref_etablissements e set siret = v.siret, parent_id = v.parent_id, nom = v.nom, nom_recherche = v.nom_recherche,
            adresse = v.adresse, code_postal = v.code_postal, code_commune = v.code_commune, commune = v.commune,
            departement = v.departement, region = v.region, lat = v.lat, lng = v.lng, categorie = v.categorie,
            liste = v.liste, checksum_warning = v.checksum_warning, updated_at = v.updated_at
          from json_to_recordset(${JSON.stringify(rows)}::json) as v(id bigint, ${ETAB_RECORD})
          where e.id = v.id`,
    );
    onBatch(batch.length);
  }
}

async function writeUais(w: Writing, uaiChanges: UaiChange[]): Promise<void> {
  const uaiRemove = uaiChanges.flatMap((c) => c.remove.map((uai) => ({ etablissement_id: c.id!, uai })));
  for (const batch of chunks(uaiRemove, 5000)) {
    await w.tx.execute(
      sql`delete from ref_etablissement_uais u using json_to_recordset(${JSON.stringify(batch)}::json) as v(etablissement_id bigint, uai text)
          where u.etablissement_id = v.etablissement_id and u.uai = v.uai`,
    );
    w.report.uais.removed += batch.length;
  }
  const uaiAdd = uaiChanges.flatMap((c) =>
    c.add.map((a) => ({ etablissement_id: c.id ?? w.idByCle.get(c.cle)!, uai: a.uai, checksum_warning: a.cw })),
  );
  for (const batch of chunks(uaiAdd, 5000)) {
    await w.tx.execute(
      sql`insert into ref_etablissement_uais (etablissement_id, uai, checksum_warning)
          select etablissement_id, uai, checksum_warning
          from json_to_recordset(${JSON.stringify(batch)}::json) as v(etablissement_id bigint, uai text, checksum_warning boolean)
          on conflict (etablissement_id, uai) do update set checksum_warning = excluded.checksum_warning`,
    );
    w.report.uais.inserted += batch.length;
  }
}

/**
 * Formations: INSERT … ON CONFLICT DO UPDATE … WHERE changed, so that the database does the comparison
 * (no need to read the year's 300,000 formations back); RETURNING yields the inserted rows (xmax = 0)
 * and the updated ones, the others are unchanged.
 */
export async function writeFormations(w: Writing, plan: Plan, diplomeIds: Map<string, number>): Promise<void> {
  const total = plan.formations.length;
  let done = 0;
  w.progress({ phase: 'formations', done: 0, total });
  // compact records (annee and updated_at are the same for all): less JSON to build and parse
  const records = plan.formations.map((f) => ({
    e: w.idByCle.get(f.etabCle)!,
    d: diplomeIds.get(f.diplome)!,
    c: f.codeCommune,
    m: f.commune,
  }));
  const counts = w.report.formations;
  for (const batch of chunks(records, 20_000)) {
    const res = await selectRows<{ inserted: boolean | string }>(
      w.tx,
      sql`insert into ref_formations as f (annee, etablissement_id, diplome_id, code_commune, commune, updated_at)
          select ${w.annee}::int, v.e, v.d, v.c, v.m, ${w.now}::timestamptz
          from json_to_recordset(${JSON.stringify(batch)}::json) as v(e bigint, d bigint, c text, m text)
          on conflict (etablissement_id, diplome_id, code_commune)
            do update set commune = excluded.commune, updated_at = excluded.updated_at
            where f.commune is distinct from excluded.commune
          returning (xmax = 0) as inserted`,
    );
    const inserted = res.filter((r) => bool(r.inserted)).length;
    counts.inserted += inserted;
    counts.updated += res.length - inserted;
    counts.unchanged += batch.length - res.length;
    done += batch.length;
    w.progress({ phase: 'formations', done, total });
  }
  w.progress({ phase: 'formations', done: total, total });
}
