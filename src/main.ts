/** `npm start`: the portal on PostgreSQL (DATABASE_URL) or embedded PGlite, with the demo data set. */
import { pino } from 'pino';
import { createApp, type RunningApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './infra/config.js';
import { readyForDemo, withDemoClock } from './demo/prepare.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo/seed.js';
import { DEMO_AGENTS } from './demo/operateur.js';
import { formatSiret } from './domain/identifiers.js';

async function main() {
  const config = configOrExit();
  const say = sayer(config);
  const started = Date.now();
  say.info(`Démarrage (${config.NODE_ENV}) sur ${config.DATABASE_URL ? 'PostgreSQL' : `PGlite (${config.PGLITE_DIR})`}…`);
  const app = await createApp(config);
  await readyForDemo(app.ctx, (l) => say.info(l));
  app.startScheduler();
  const address = await app.server.listen({ port: config.PORT, host: config.HOST });
  const url = config.PUBLIC_URL ?? address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  say.info(`\nPortail prêt en ${((Date.now() - started) / 1000).toFixed(1)} s : ${url}`);
  printDemoGuide(config, url, say);
  stopOnSignals(app, say);
}

/** The configuration, or its French errors and exit code 1. The demo's clock starts at DEMO_DEFAULT_NOW unless DEMO_NOW says otherwise. */
function configOrExit(): Config {
  try {
    return withDemoClock(loadConfig(process.env));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

/** What a person trying the demo needs: the accounts, the clock, where the mails are. */
function printDemoGuide(config: Config, url: string, say: Say) {
  if (config.demoSeed) {
    say.info(`\nComptes de démonstration (mot de passe commun : ${DEMO_PASSWORD}) :`);
    for (const e of DEMO_ACCOUNTS)
      for (const p of e.people.filter((x) => x.status !== 'candidat'))
        say.info(
          `  SIRET ${formatSiret(e.siret)}  ${p.nom} ${p.prenom}  (${p.role}${e.kind === 'tiers_declarant' ? ', tiers-déclarant' : ''})`,
        );
  }
  if (config.demoSeed && !config.isProduction) {
    say.info(`\nAgents de l’opérateur (${url}/operateur/connexion, même mot de passe, puis le code de double authentification) :`);
    for (const a of DEMO_AGENTS) say.info(`  ${a.courriel}  ${a.prenom} ${a.nom}  (${a.role})`);
    say.info(
      config.devTools
        ? `  Code actuel : ${url}/dev/codes-operateur (ou une application d’authentification avec le secret ci-dessous)`
        : '  Code actuel : relancez avec DEV_TOOLS=1 pour le lire sur /dev/codes-operateur, ou ajoutez le secret ci-dessous à une application d’authentification',
    );
    for (const a of DEMO_AGENTS) say.info(`    ${a.courriel} : ${a.totpSecret}`);
  }
  if (config.demoNow)
    say.info(
      `\nHorloge de démonstration : ${config.demoNow.toISOString()} (DEMO_NOW${config.devTools ? ` ; ${url}/dev/horloge pour la déplacer` : ''})`,
    );
  if (config.devTools) say.info(`\nCourriels${config.devOutbox ? ' (pas de SMTP_URL)' : ''} : ${url}/dev/boite-mail`);
  else if (config.devOutbox)
    say.info('\nCourriels : gardés dans la boîte d’envoi ; relancez avec DEV_TOOLS=1 npm start pour les lire (et déplacer l’horloge).');
  say.info(`API : ${url}/api/docs`);
}

interface Say {
  info(line: string): void;
  error(line: string, e?: unknown): void;
}

/**
 * Where the process's own lines go: the terminal as text in development; in production the same JSON
 * stream as the access logs (pino on stdout), so that a log collector reads one format.
 */
function sayer(config: Config): Say {
  if (!config.isProduction)
    return { info: (l) => console.log(l), error: (l, e) => (e === undefined ? console.error(l) : console.error(l, e)) };
  const log = pino({ level: 'info' });
  return { info: (l) => log.info(l.trim()), error: (l, e) => log.error({ err: e }, l) };
}

/** How long in-flight requests may take to finish after SIGTERM before the process gives up on them. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/**
 * Graceful stop on SIGTERM / SIGINT: the server stops accepting connections (new requests on kept-alive
 * ones get 503), requests in flight finish and their connections close, the timers stop, the mail being
 * sent completes (the others wait in the outbox), the database pool closes; then the process exits 0.
 * Past the timeout it exits 1. A second signal exits at once. Proved by test/faults/graceful-stop.test.ts.
 */
function stopOnSignals(app: RunningApp, say: Say) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    say.info(`${signal} reçu : arrêt du portail (requêtes en cours terminées, au plus ${SHUTDOWN_TIMEOUT_MS / 1000} s)…`);
    const timer = setTimeout(() => {
      say.error('Arrêt forcé : des requêtes ne se sont pas terminées à temps.');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => {
        say.info('Portail arrêté proprement.');
        process.exit(0);
      },
      (e: unknown) => {
        say.error('Arrêt en erreur', e);
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
