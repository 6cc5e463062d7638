/** `npm start`: the portal on PostgreSQL (DATABASE_URL) or embedded PGlite, with the demo data set. */
import { count } from 'drizzle-orm';
import { espaces } from './infra/db/schema.js';
import { createApp, type RunningApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './infra/config.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './demo/seed.js';
import { DEMO_AGENTS } from './demo/operateur.js';
import { formatSiret } from './domain/identifiers.js';
import { ensureCommunes } from './modules/referentiel/communes.js';

/**
 * The demo's default instant: 16 June 2025, 09:00 Paris, in the first allocation period of the 2025
 * campaign (the demo data's), so that every screen of the employer space works out of the box. Set
 * DEMO_NOW to another instant to show another phase; production always follows the real clock.
 */
export const DEMO_DEFAULT_NOW = '2025-06-16T09:00:00+02:00';

async function main() {
  const config = configOrExit();
  const started = Date.now();
  console.log(`Démarrage (${config.NODE_ENV}) sur ${config.DATABASE_URL ? 'PostgreSQL' : `PGlite (${config.PGLITE_DIR})`}…`);
  const app = await createApp(config);
  // the communes (with their centre) are reference data, needed even without the demo data set
  // (« autour de » searches): loaded once, then a single count query at each start
  await ensureCommunes(app.ctx.db);
  if (config.demoSeed) await seedIfEmpty(app);
  const address = await app.server.listen({ port: config.PORT, host: config.HOST });
  const url = config.PUBLIC_URL ?? address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  console.log(`\nPortail prêt en ${((Date.now() - started) / 1000).toFixed(1)} s : ${url}`);
  printDemoGuide(config, url);
  stopOnSignals(app);
}

/** The configuration, or its French errors and exit code 1. The demo's clock starts at DEMO_DEFAULT_NOW unless DEMO_NOW says otherwise. */
function configOrExit(): Config {
  try {
    const config = loadConfig(process.env);
    if (config.demoSeed && !config.isProduction && !process.env.DEMO_NOW) config.demoNow = new Date(DEMO_DEFAULT_NOW);
    return config;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

async function seedIfEmpty(app: RunningApp) {
  const [{ n } = { n: 0 }] = await app.ctx.db.select({ n: count() }).from(espaces);
  if (Number(n) > 0) return;
  console.log('Base vide : chargement du jeu de démonstration…');
  await seedDemo(app.ctx, (l) => console.log(l));
}

/** What a person trying the demo needs: the accounts, the clock, where the mails are. */
function printDemoGuide(config: Config, url: string) {
  if (config.demoSeed) {
    console.log(`\nComptes de démonstration (mot de passe commun : ${DEMO_PASSWORD}) :`);
    for (const e of DEMO_ACCOUNTS)
      for (const p of e.people.filter((x) => x.status !== 'candidat'))
        console.log(
          `  SIRET ${formatSiret(e.siret)}  ${p.nom} ${p.prenom}  (${p.role}${e.kind === 'tiers_declarant' ? ', tiers-déclarant' : ''})`,
        );
  }
  if (config.demoSeed && !config.isProduction) {
    console.log(`\nAgents de l’opérateur (${url}/operateur/connexion, même mot de passe, puis le code de double authentification) :`);
    for (const a of DEMO_AGENTS) console.log(`  ${a.courriel}  ${a.prenom} ${a.nom}  (${a.role})`);
    console.log('  Code actuel : npm run cli -- operateur-code <courriel> (démonstration seulement)');
  }
  if (config.demoNow)
    console.log(
      `\nHorloge de démonstration : ${config.demoNow.toISOString()} (DEMO_NOW${config.devTools ? ` ; ${url}/dev/horloge pour la déplacer` : ''})`,
    );
  if (config.devTools) console.log(`\nCourriels${config.devOutbox ? ' (pas de SMTP_URL)' : ''} : ${url}/dev/boite-mail`);
  else if (config.devOutbox)
    console.log('\nCourriels : gardés dans la boîte d’envoi ; relancez avec DEV_TOOLS=1 npm start pour les lire (et déplacer l’horloge).');
  console.log(`API : ${url}/api/docs`);
}

/** How long in-flight requests may take to finish after SIGTERM before the process gives up on them. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/**
 * Graceful stop on SIGTERM / SIGINT: the server stops accepting connections (new requests on kept-alive
 * ones get 503), requests in flight finish and their connections close, the timers stop, the mail being
 * sent completes (the others wait in the outbox), the database pool closes; then the process exits 0.
 * Past the timeout it exits 1. A second signal exits at once. Proved by test/faults/graceful-stop.test.ts.
 */
function stopOnSignals(app: RunningApp) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal} reçu : arrêt du portail (requêtes en cours terminées, au plus ${SHUTDOWN_TIMEOUT_MS / 1000} s)…`);
    const timer = setTimeout(() => {
      console.error('Arrêt forcé : des requêtes ne se sont pas terminées à temps.');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => {
        console.log('Portail arrêté proprement.');
        process.exit(0);
      },
      (e: unknown) => {
        console.error('Arrêt en erreur :', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
