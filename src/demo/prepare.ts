/**
 * The demo's database made ready: migrated, the communes loaded, the demo data set seeded into an
 * empty database. `npm start` does it in the portal's process on every start (each step finds nothing
 * to do once done), and on the first start of a new PGlite folder in a process of its own that exits
 * before the portal starts (`prepare-demo`, scripts/start.mjs): seeding is the heaviest moment of a
 * demo's life, and its memory goes back to the system with that process.
 */
import { count } from 'drizzle-orm';
import type { AppContext } from '../app-context.js';
import { selectClock } from '../infra/clock.js';
import type { Config } from '../infra/config.js';
import { migrateDatabase, openDatabase } from '../infra/db/index.js';
import { espaces } from '../infra/db/schema.js';
import { createMailDeliverer } from '../infra/mail.js';
import { ensureCommunes } from '../modules/referentiel/communes.js';
import { seedDemo } from './seed.js';

/**
 * The demo's default instant: 16 June 2025, 09:00 Paris, in the first allocation period of the 2025
 * campaign (the demo data's), so that every screen of the employer space works out of the box. Set
 * DEMO_NOW to another instant to show another phase; production always follows the real clock.
 */
export const DEMO_DEFAULT_NOW = '2025-06-16T09:00:00+02:00';

/** The demo's clock starts at DEMO_DEFAULT_NOW unless DEMO_NOW says otherwise (never in production). */
export function withDemoClock(config: Config, env: NodeJS.ProcessEnv = process.env): Config {
  if (config.demoSeed && !config.isProduction && !env.DEMO_NOW) config.demoNow = new Date(DEMO_DEFAULT_NOW);
  return config;
}

/** Seeds the demo data set when the database has no espace yet. */
async function seedIfEmpty(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const [{ n } = { n: 0 }] = await ctx.db.select({ n: count() }).from(espaces);
  if (Number(n) > 0) return;
  log('Base vide : chargement du jeu de démonstration…');
  await seedDemo(ctx, log);
}

/**
 * What every start does after the migrations: the communes (with their centre) are reference data,
 * needed even without the demo data set (« autour de » searches), loaded once, then a single count
 * query at each start; the demo data set when DEMO_SEED is on and the database is empty.
 */
export async function readyForDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  await ensureCommunes(ctx.db);
  if (ctx.config.demoSeed) await seedIfEmpty(ctx, log);
}

/** Opens the configured database, makes it ready as `npm start` needs it, and closes it. */
export async function prepareDemoDatabase(config: Config, log: (line: string) => void): Promise<void> {
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  const clock = selectClock(config);
  const mail = createMailDeliverer(database.db, clock, config.SMTP_URL, config.MAIL_FROM);
  try {
    await migrateDatabase(database);
    await readyForDemo({ db: database.db, dbKind: database.kind, config, clock, mail }, log);
  } finally {
    await mail.stop();
    await database.close();
  }
}
