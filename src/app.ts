/**
 * Composition root: configuration → database (migrated) → mail → HTTP server with every module's
 * routes. Used by `npm start`, the tests and the benchmarks, so they all run the same application.
 * It is the one place that knows every module (and, in development, the developer tools).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AppContext } from './app-context.js';
import type { Config } from './infra/config.js';
import { selectClock, type Clock } from './infra/clock.js';
import { migrateDatabase, openDatabase, type Database } from './infra/db/index.js';
import { createMailDeliverer } from './infra/mail.js';
import { buildServer } from './http/server.js';
import { purgeExpiredDrafts } from './modules/accounts/inscription.js';
import { startScheduler } from './modules/messages/scheduler.js';
import { attachRecapitulatifs } from './modules/attributions/recapitulatif.js';
import { loadSession, touchSession } from './modules/accounts/sessions.js';
import { loadAgentSession, touchAgentSession } from './modules/operateur/sessions.js';
import { operateurRoutes } from './modules/operateur/routes/index.js';
import { accountsRoutes } from './modules/accounts/routes/index.js';
import { attributionsRoutes } from './modules/attributions/routes/index.js';
import { registryRoutes } from './modules/entreprises/routes/index.js';
import { espaceEtablissementRoutes } from './modules/espace-etablissement/routes/index.js';
import { gestionRoutes } from './modules/gestion/routes/index.js';
import { rechercheRoutes } from './modules/recherche/routes/index.js';
import { statistiquesRoutes } from './modules/statistiques/routes/index.js';
import { devRoutes } from './dev/routes/index.js';

export interface RunningApp {
  ctx: AppContext;
  server: FastifyInstance;
  database: Database;
  /**
   * Starts the scheduler of the campaign's messages (every MESSAGES_INTERVAL_S; never under NODE_ENV=test):
   * `npm start` calls it once the database is ready (after the demo data set is loaded, whose openings
   * it would otherwise find empty).
   */
  startScheduler(): void;
  close(): Promise<void>;
}

/** Every module's routes, in the order they are registered. */
const MODULE_ROUTES: FastifyPluginAsync[] = [
  accountsRoutes,
  registryRoutes,
  gestionRoutes,
  rechercheRoutes,
  espaceEtablissementRoutes,
  attributionsRoutes,
  operateurRoutes,
  statistiquesRoutes,
];

export { selectClock } from './infra/clock.js';

export async function createApp(config: Config, opts: { clock?: Clock; database?: Database } = {}): Promise<RunningApp> {
  for (const w of config.warnings) process.stderr.write(`Attention : ${w}\n`);
  const clock = selectClock(config, opts.clock);
  const database =
    opts.database ?? (await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, poolSize: config.DATABASE_POOL_MAX }));
  await migrateDatabase(database);
  const mail = createMailDeliverer(database.db, clock, config.SMTP_URL, config.MAIL_FROM, {
    ratePerSecond: config.MAIL_RATE_PER_SECOND,
    maxAttempts: config.MAIL_MAX_ATTEMPTS,
    // the récapitulatif's PDF, built out of the validating transaction just before it is sent (docs/messages.md)
    prepare: () => attachRecapitulatifs({ db: database.db, clock }),
  });
  const ctx: AppContext = { db: database.db, dbKind: database.kind, config, clock, mail };
  const server = await buildServer(ctx, {
    sessions: { load: loadSession, touch: touchSession },
    agentSessions: { load: loadAgentSession, touch: touchAgentSession },
    routes: config.devTools ? [...MODULE_ROUTES, devRoutes] : MODULE_ROUTES,
    poolStats: database.poolStats,
  });
  let cleaner: NodeJS.Timeout | null = null;
  let scheduler: { stop(): Promise<void> } | null = null;
  if (config.NODE_ENV !== 'test') {
    mail.start(config.MAIL_INTERVAL_MS);
    cleaner = setInterval(() => void purgeExpiredDrafts(ctx).catch(() => undefined), 10 * 60_000);
    cleaner.unref();
  }
  return {
    ctx,
    server,
    database,
    startScheduler() {
      // the campaign's messages (messages/scheduler.ts): due calendar events turned into queued messages, once whatever the instances
      if (config.NODE_ENV !== 'test' && !scheduler) scheduler = startScheduler(ctx, config.MESSAGES_INTERVAL_S * 1000);
    },
    async close() {
      if (cleaner) clearInterval(cleaner);
      await scheduler?.stop();
      await server.close();
      await mail.stop();
      if (!opts.database) await database.close();
    },
  };
}
