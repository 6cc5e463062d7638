/** A migrated fresh database with the communes, for the referential tests (PGlite or TEST_DATABASE_URL). */
import { sql } from 'drizzle-orm';
import { migrateDatabase, selectRows, type Database } from '../../src/infra/db/index.js';
import { ensureCommunes, loadCommuneIndex, type CommuneIndex } from '../../src/modules/referentiel/communes.js';
import { freshDatabase } from '../harness.js';

export interface RefDb {
  database: Database;
  communes: CommuneIndex;
  drop(): Promise<void>;
}

export async function refDatabase(): Promise<RefDb> {
  const fresh = await freshDatabase();
  const database = fresh.database;
  await migrateDatabase(database);
  await ensureCommunes(database.db);
  return { database, communes: await loadCommuneIndex(database.db), drop: () => fresh.drop() };
}

export async function rows<T = Record<string, unknown>>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  return selectRows<T>(db.db, query);
}

export async function counts(db: Database, annee: number) {
  const [r] = await rows<{ etabs: string | number; comps: string | number; formations: string | number; uais: string | number }>(
    db,
    sql`select
      (select count(*) from ref_etablissements where annee = ${annee} and parent_id is null) as etabs,
      (select count(*) from ref_etablissements where annee = ${annee} and parent_id is not null) as comps,
      (select count(*) from ref_formations where annee = ${annee}) as formations,
      (select count(*) from ref_etablissement_uais u join ref_etablissements e on e.id = u.etablissement_id where e.annee = ${annee}) as uais`,
  );
  return { etablissements: Number(r!.etabs), composantes: Number(r!.comps), formations: Number(r!.formations), uais: Number(r!.uais) };
}
