/**
 * Diplomas (`ref_diplomes`), shared by every year: the import inserts the new ones and completes or
 * corrects the others. A file never erases what another one said: a missing RNCP code, niveau or type
 * keeps the known one.
 */
import { sql } from 'drizzle-orm';
import { searchKey } from '../../domain/text.js';
import { selectRows, type Tx } from '../../infra/db/index.js';
import type { RefCounts } from './import-report.js';
import type { DiplomeData } from './plan.js';
import { chunks } from './writes.js';

interface StoredDiplome extends DiplomeData {
  id: number;
}

interface DiplomeRow {
  id: number | string;
  cle: string;
  intitule: string;
  cfd: string | null;
  rncp: string | null;
  niveau: number | string | null;
  type: string | null;
}

/** Writes the wanted diplomas; returns the id of each, by key. */
export async function upsertDiplomes(tx: Tx, wanted: Map<string, DiplomeData>, counts: RefCounts): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (wanted.size === 0) return ids;
  const existing = await readDiplomes(tx, [...wanted.keys()]);
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  for (const [cle, d] of wanted) {
    const old = existing.get(cle);
    if (!old) {
      inserts.push({ cle, ...d, intitule_recherche: searchKey(d.intitule) });
      continue;
    }
    ids.set(cle, old.id);
    const merged = mergeDiplome(d, old);
    if (merged) updates.push({ id: old.id, ...merged, intitule_recherche: searchKey(merged.intitule) });
    else counts.unchanged++;
  }
  await insertDiplomes(tx, inserts, ids);
  counts.inserted += inserts.length;
  await updateDiplomes(tx, updates);
  counts.updated += updates.length;
  return ids;
}

/** The stored diplomas of these keys. */
async function readDiplomes(tx: Tx, keys: string[]): Promise<Map<string, StoredDiplome>> {
  const existing = new Map<string, StoredDiplome>();
  for (const batch of chunks(keys, 10_000)) {
    const rows = await selectRows<DiplomeRow>(
      tx,
      sql`select d.id, d.cle, d.intitule, d.cfd, d.rncp, d.niveau, d.type from ref_diplomes d
          join json_to_recordset(${JSON.stringify(batch.map((cle) => ({ cle })))}::json) as v(cle text) on v.cle = d.cle`,
    );
    for (const r of rows)
      existing.set(r.cle, {
        id: Number(r.id),
        intitule: r.intitule,
        cfd: r.cfd ?? null,
        rncp: r.rncp ?? null,
        niveau: r.niveau === null ? null : Number(r.niveau),
        type: r.type ?? null,
      });
  }
  return existing;
}

/** The stored diploma completed by the file's, or null when nothing changes. */
function mergeDiplome(d: DiplomeData, old: StoredDiplome): DiplomeData | null {
  const merged: DiplomeData = {
    intitule: d.intitule,
    cfd: d.cfd ?? old.cfd,
    rncp: d.rncp ?? old.rncp,
    niveau: d.niveau ?? old.niveau,
    type: d.type ?? old.type,
  };
  const same =
    merged.intitule === old.intitule &&
    merged.cfd === old.cfd &&
    merged.rncp === old.rncp &&
    merged.niveau === old.niveau &&
    merged.type === old.type;
  return same ? null : merged;
}

async function insertDiplomes(tx: Tx, inserts: Record<string, unknown>[], ids: Map<string, number>): Promise<void> {
  for (const batch of chunks(inserts, 5000)) {
    const rows = await selectRows<{ id: number | string; cle: string }>(
      tx,
      sql`insert into ref_diplomes (cle, intitule, intitule_recherche, cfd, rncp, niveau, type)
          select cle, intitule, intitule_recherche, cfd, rncp, niveau, type
          from json_to_recordset(${JSON.stringify(batch)}::json)
            as v(cle text, intitule text, intitule_recherche text, cfd text, rncp text, niveau integer, type text)
          on conflict (cle) do update set cle = excluded.cle
          returning id, cle`,
    );
    for (const r of rows) ids.set(r.cle, Number(r.id));
  }
}

async function updateDiplomes(tx: Tx, updates: Record<string, unknown>[]): Promise<void> {
  for (const batch of chunks(updates, 5000)) {
    await tx.execute(
      sql`update ref_diplomes d set intitule = v.intitule, intitule_recherche = v.intitule_recherche, cfd = v.cfd, rncp = v.rncp,
            niveau = v.niveau, type = v.type
          from json_to_recordset(${JSON.stringify(batch)}::json)
            as v(id bigint, intitule text, intitule_recherche text, cfd text, rncp text, niveau integer, type text)
          where d.id = v.id`,
    );
  }
}
