/**
 * French communes with their centre (table `communes`), loaded from the committed
 * `seed/geo/communes.csv` (built by scripts/build-referentiel-seed.py; sources in seed/SOURCES.md).
 *
 * - `ensureCommunes(db)` fills the table at start (set-based: a few multi-row statements in one
 *   transaction); it does nothing when the table already holds every commune of the file.
 * - `loadCommuneIndex(db)` reads the table into memory for the referential import (35,000 rows):
 *   lookups by INSEE code, by postal code and by name.
 * - Arrondissements municipaux of Paris, Lyon and Marseille have no centre in the source and are not
 *   in the table: `resolveCommune` (commune-index.ts, pure) maps their codes to the city.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { count, sql } from 'drizzle-orm';
import { searchKey } from '../../domain/text.js';
import type { Tx } from '../../infra/db/index.js';
import { communes } from '../../infra/db/schema.js';
import { SEED_DIR } from '../../infra/files.js';
import { buildCommuneIndex, type Commune, type CommuneIndex } from './commune-index.js';
import { cachedPerPath, readSeedCsv } from './seed-csv.js';

export * from './commune-index.js';

export const SEED_COMMUNES_GEO_CSV = resolve(SEED_DIR, 'geo/communes.csv');

/** Reads `seed/geo/communes.csv` (cached per path). */
const readCommunesCsvOnce = cachedPerPath((path): Commune[] => {
  const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
  const rows = readSeedCsv(path, ',').map((r) => ({
    code: r.code!,
    nom: r.nom!,
    codesPostaux: r.codes_postaux ? r.codes_postaux.split('|') : [],
    departement: r.departement!,
    region: r.region!,
    lat: num(r.lat),
    lng: num(r.lng),
    population: num(r.population),
  }));
  if (rows.length === 0) throw new Error(`${path}: aucune commune`);
  return rows;
});

export function readCommunesCsv(path: string = SEED_COMMUNES_GEO_CSV): Commune[] {
  return readCommunesCsvOnce(path);
}

/** Rows per statement when loading the table. */
const BATCH = 5000;

/**
 * Makes sure the `communes` table holds every commune of `seed/geo/communes.csv` and returns how many
 * rows the table has. No-op (one count query) when the table is already complete; otherwise upserts the
 * whole file (ON CONFLICT DO UPDATE), so it is safe to call at every start and from several processes.
 */
export async function ensureCommunes(db: Tx, path: string = SEED_COMMUNES_GEO_CSV): Promise<number> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(communes);
  const expected = countDataLines(path);
  if (Number(n) >= expected) return Number(n);
  const rows = readCommunesCsv(path);
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      const json = JSON.stringify(
        rows.slice(i, i + BATCH).map((c) => ({
          code: c.code,
          nom: c.nom,
          nom_recherche: searchKey(c.nom),
          codes_postaux: c.codesPostaux.join('|'),
          departement: c.departement,
          region: c.region,
          lat: c.lat,
          lng: c.lng,
          population: c.population,
        })),
      );
      await tx.execute(sql`
        insert into communes (code, nom, nom_recherche, codes_postaux, departement, region, lat, lng, population)
        select code, nom, nom_recherche, codes_postaux, departement, region, lat, lng, population
        from json_to_recordset(${json}::json) as t(code text, nom text, nom_recherche text, codes_postaux text,
          departement text, region text, lat double precision, lng double precision, population integer)
        on conflict (code) do update set nom = excluded.nom, nom_recherche = excluded.nom_recherche,
          codes_postaux = excluded.codes_postaux, departement = excluded.departement, region = excluded.region,
          lat = excluded.lat, lng = excluded.lng, population = excluded.population`);
    }
  });
  const [{ n: after } = { n: 0 }] = await db.select({ n: count() }).from(communes);
  return Number(after);
}

const lineCounts = new Map<string, number>();
function countDataLines(path: string): number {
  const cached = lineCounts.get(path);
  if (cached !== undefined) return cached;
  const text = readFileSync(path, 'utf8');
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  if (!text.endsWith('\n')) lines++;
  const n = lines - 1; // header
  lineCounts.set(path, n);
  return n;
}

/** Reads the `communes` table into a {@link CommuneIndex}. */
export async function loadCommuneIndex(db: Tx): Promise<CommuneIndex> {
  const rows = await db
    .select({
      code: communes.code,
      nom: communes.nom,
      codesPostaux: communes.codesPostaux,
      departement: communes.departement,
      region: communes.region,
      lat: communes.lat,
      lng: communes.lng,
      population: communes.population,
    })
    .from(communes);
  return buildCommuneIndex(
    rows.map((r) => ({ ...r, codesPostaux: r.codesPostaux ? r.codesPostaux.split('|') : [], lat: num(r.lat), lng: num(r.lng) })),
  );
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
