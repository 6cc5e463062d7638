/**
 * Loads the company registry from recherche-entreprises documents (see registry-format.ts).
 *
 * Rows are upserted (INSERT … ON CONFLICT (pk) DO UPDATE) in multi-row statements inside one
 * transaction: a re-run makes no duplicates and brings existing rows in step with the source (a
 * company that ceased becomes 'C', a closed establishment 'F'). A row whose data did not change is
 * left alone (its updated_at is kept) and counted as `unchanged`.
 *
 * Establishments absent from a source are NOT closed: a search result is not an exhaustive list.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Tx } from '../../infra/db/index.js';
import { entreprises, etablissements } from '../../infra/db/schema.js';
import { parseRegistryJson, type EntrepriseRow, type EtablissementRow, type RegistryIssue } from './registry-format.js';

/** Rows per INSERT statement (11 columns × 500 = 5,500 parameters, far below PostgreSQL's 65,535). */
export const UPSERT_BATCH_SIZE = 500;

/** The company's data columns an import rewrites when they changed. */
const ENTREPRISE_DATA = ['raisonSociale', 'sigle', 'categorieJuridique', 'etatAdministratif', 'nombreEtablissementsOuverts'] as const;
/** The establishment's data columns an import rewrites when they changed. */
const ETABLISSEMENT_DATA = [
  'siren',
  'denomination',
  'estSiege',
  'adresse',
  'codePostal',
  'codeCommune',
  'libelleCommune',
  'etatAdministratif',
  'checksumWarning',
] as const;

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** already present with the same data: not rewritten */
  unchanged: number;
}

export interface RowsImportReport {
  entreprises: UpsertCounts;
  etablissements: UpsertCounts;
}

export interface RegistryImportReport extends RowsImportReport {
  /** number of files read (readable or not) */
  files: number;
  rejected: RegistryIssue[];
  warnings: RegistryIssue[];
}

export interface ImportOptions {
  /** called after each batch with rows written so far and the total number of rows */
  onProgress?: (done: number, total: number) => void;
  /** written to updated_at of every inserted or changed row */
  now: Date;
  /** one rejection and nothing is written (the operator's « Imports »; the command imports the rest) */
  allOrNothing?: boolean;
}

/**
 * Reads and imports recherche-entreprises JSON files. A file that cannot be read or decoded is
 * reported in `rejected`, the others are imported anyway. When the same SIREN / SIRET appears in
 * several files, the last file wins.
 */
export async function importRegistry(db: Tx, files: string[], opts: ImportOptions): Promise<RegistryImportReport> {
  const rejected: RegistryIssue[] = [];
  const warnings: RegistryIssue[] = [];
  const entreprisesBySiren = new Map<string, EntrepriseRow>();
  const etablissementsBySiret = new Map<string, EtablissementRow>();

  for (const file of files) {
    const name = basename(file);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      rejected.push({
        ref: name,
        reason: `Fichier illisible${code === 'ENOENT' ? ' : fichier introuvable' : code === 'EISDIR' ? ' : c’est un dossier' : ''} (${
          e instanceof Error ? e.message : String(e)
        }).`,
      });
      continue;
    }
    const parsed = parseRegistryJson(content, name);
    rejected.push(...parsed.rejected);
    warnings.push(...parsed.warnings);
    for (const e of parsed.entreprises) entreprisesBySiren.set(e.siren, e);
    for (const e of parsed.etablissements) etablissementsBySiret.set(e.siret, e);
  }

  if (opts.allOrNothing && rejected.length) {
    const none = { inserted: 0, updated: 0, unchanged: 0 };
    return { files: files.length, entreprises: none, etablissements: { ...none }, rejected, warnings };
  }
  const counts = await importRegistryRows(
    db,
    { entreprises: [...entreprisesBySiren.values()], etablissements: [...etablissementsBySiret.values()] },
    opts,
  );
  return { files: files.length, ...counts, rejected, warnings };
}

/**
 * Upserts already-validated rows (demo generator, parsed files) in batches of {@link UPSERT_BATCH_SIZE}
 * inside one transaction. Every établissement's SIREN must be among `entreprises` or already in the
 * database (foreign key). Duplicated keys in the input are collapsed (last one wins).
 */
export async function importRegistryRows(
  db: Tx,
  rows: { entreprises: readonly EntrepriseRow[]; etablissements: readonly EtablissementRow[] },
  opts: ImportOptions,
): Promise<RowsImportReport> {
  const ents = dedupe(rows.entreprises, (r) => r.siren);
  const etabs = dedupe(rows.etablissements, (r) => r.siret);
  const total = ents.length + etabs.length;
  const report: RowsImportReport = {
    entreprises: { inserted: 0, updated: 0, unchanged: 0 },
    etablissements: { inserted: 0, updated: 0, unchanged: 0 },
  };
  let done = 0;
  opts.onProgress?.(0, total);

  const progress = (n: number) => {
    done += n;
    opts.onProgress?.(done, total);
  };
  await db.transaction(async (tx) => {
    await upsertInBatches(ents, report.entreprises, progress, (batch) =>
      tx
        .insert(entreprises)
        .values(batch.map((r) => ({ ...r, nombreEtablissementsOuverts: r.nombreEtablissementsOuverts ?? null, updatedAt: opts.now })))
        .onConflictDoUpdate({ target: entreprises.siren, ...updateWhenChanged(entreprises, ENTREPRISE_DATA) })
        .returning({ inserted: sql<boolean>`(xmax = 0)` }),
    );
    await upsertInBatches(etabs, report.etablissements, progress, (batch) =>
      tx
        .insert(etablissements)
        .values(batch.map((r) => ({ ...r, updatedAt: opts.now })))
        .onConflictDoUpdate({ target: etablissements.siret, ...updateWhenChanged(etablissements, ETABLISSEMENT_DATA) })
        .returning({ inserted: sql<boolean>`(xmax = 0)` }),
    );
  });
  return report;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function dedupe<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(key(r), r);
  return m.size === rows.length ? [...rows] : [...m.values()];
}

/** Writes `rows` {@link UPSERT_BATCH_SIZE} at a time with `write`, counting in `counts` and reporting progress. */
async function upsertInBatches<R>(
  rows: readonly R[],
  counts: UpsertCounts,
  progress: (n: number) => void,
  write: (batch: R[]) => Promise<{ inserted: boolean | string }[]>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += UPSERT_BATCH_SIZE) {
    const batch = rows.slice(i, i + UPSERT_BATCH_SIZE);
    tally(counts, await write(batch), batch.length);
    progress(batch.length);
  }
}

/** ON CONFLICT DO UPDATE of the `keys` columns and updated_at, only where one of `keys` changed. */
function updateWhenChanged<T extends TableWithColumns>(table: T, keys: readonly string[]): { set: Record<string, SQL>; setWhere: SQL } {
  return { set: excludedSet(table, [...keys, 'updatedAt']), setWhere: changed(table, keys) };
}

/** RETURNING only yields inserted rows and rows actually updated (setWhere true); the rest are unchanged. */
function tally(counts: UpsertCounts, returned: { inserted: boolean | string }[], batchSize: number): void {
  let inserted = 0;
  for (const r of returned) if (r.inserted === true || r.inserted === 't' || r.inserted === 'true') inserted++;
  counts.inserted += inserted;
  counts.updated += returned.length - inserted;
  counts.unchanged += batchSize - returned.length;
}

type TableWithColumns = typeof entreprises | typeof etablissements;

function columnsOf<T extends TableWithColumns>(table: T, keys: readonly string[]): PgColumn[] {
  const cols = getTableColumns(table) as Record<string, PgColumn>;
  return keys.map((k) => {
    const c = cols[k];
    if (!c) throw new Error(`unknown column ${k}`);
    return c;
  });
}

/** `{ col: excluded.col, ... }` for ON CONFLICT DO UPDATE SET. */
function excludedSet<T extends TableWithColumns>(table: T, keys: readonly string[]): Record<string, SQL> {
  const cols = columnsOf(table, keys);
  return Object.fromEntries(keys.map((k, i) => [k, sql.raw(`excluded."${cols[i]!.name}"`)]));
}

/** `(t.a, t.b) IS DISTINCT FROM (excluded.a, excluded.b)`: update only rows whose data changed. */
function changed<T extends TableWithColumns>(table: T, keys: readonly string[]): SQL {
  const names = columnsOf(table, keys).map((c) => c.name);
  const current = sql.join(
    names.map((n) => sql`${table}.${sql.identifier(n)}`),
    sql`, `,
  );
  const incoming = sql.raw(names.map((n) => `excluded."${n}"`).join(', '));
  return sql`(${current}) IS DISTINCT FROM (${incoming})`;
}

/** The French report of a registry import (`import-registry`, and the operator's « Imports »). */
export function formatRegistryReport(report: RegistryImportReport): string[] {
  return [
    `Fichiers lus : ${report.files}`,
    `Entreprises : ${report.entreprises.inserted} ajoutées, ${report.entreprises.updated} mises à jour`,
    `Établissements : ${report.etablissements.inserted} ajoutés, ${report.etablissements.updated} mis à jour`,
    ...report.warnings.map((w) => `Avertissement ${w.ref} : ${w.reason}`),
    ...report.rejected.map((r) => `Rejet ${r.ref} : ${r.reason}`),
    `${report.rejected.length} rejet(s), ${report.warnings.length} avertissement(s).`,
  ];
}
