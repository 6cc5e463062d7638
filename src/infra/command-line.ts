/**
 * What the operators' commands (`npm run cli`) share: the configured database, opened and migrated for
 * one command and closed after it, whatever happens.
 */
import { loadConfig, type Config } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db/index.js';

/** Opens the database of the environment's configuration (migrated), runs `work`, closes it. */
export async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    await migrateDatabase(database);
    return await work(database.db, config);
  } finally {
    await database.close();
  }
}

/** The files of an import command, or the French message when there are none (exit code 2). */
export function noFiles(files: readonly string[]): boolean {
  if (files.length > 0) return false;
  console.error('Indiquez au moins un fichier à importer.');
  return true;
}
