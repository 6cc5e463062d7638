/**
 * The HTTP server: Fastify with the security headers, cookies, forms, the OpenAPI document generated
 * from the routes' contracts, the DSFR assets, sessions and CSRF, and one answer for errors and unknown
 * addresses (a page for browsers, a problem document for programs). The routes themselves come from
 * the modules, handed over by the composition root (src/app.ts): this layer knows no module.
 */
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { databaseAnswers, isDatabaseUnavailable } from '../infra/db/index.js';
import { problem, ProblemError, type ProblemKind } from '../shared/problem.js';
import { buildClientAssets } from '../web/client/build.js';
import { MessagePage } from '../web/pages/public.js';
import { pageContext, respond } from './respond.js';
import { registerSecurity, type SessionStore } from './security.js';
import { APP_ROOT } from '../infra/files.js';
import type { PoolStats } from '../infra/metrics.js';
import { loggerOptions, registerObservability, requestIdOf } from './observability.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export interface ServerParts {
  sessions: SessionStore;
  /** the modules' route plugins, in order */
  routes: FastifyPluginAsync[];
  /** the database pool's figures for /metrics (null on PGlite) */
  poolStats: (() => PoolStats) | null;
}

const UNAVAILABLE = 'Le service est momentanément indisponible (base de données injoignable). Réessayez dans quelques instants.';

const ERROR_MESSAGES: Partial<Record<ProblemKind, string>> = {
  too_large: 'Les données envoyées sont trop volumineuses.',
  unsupported_media_type: 'Format de données non pris en charge.',
  invalid: 'La requête est incorrecte.',
  internal: 'Une erreur technique est survenue. Réessayez dans quelques instants.',
};

export async function buildServer(ctx: AppContext, parts: ServerParts): Promise<FastifyInstance> {
  const app = Fastify({
    logger: ctx.config.NODE_ENV === 'test' ? false : loggerOptions(ctx.config.LOG_LEVEL),
    // the load balancer's X-Request-Id when it sends one: one id from the proxy's log to ours
    genReqId: requestIdOf,
    // Client addresses (audit, rate limits) come from X-Forwarded-For only through the proxies named
    // by TRUST_PROXY; nobody else can forge them.
    ...(ctx.config.trustProxy === false ? {} : { trustProxy: ctx.config.trustProxy }),
    bodyLimit: 1024 * 1024,
  });
  app.decorate('ctx', ctx);
  // Schemas document the API (OpenAPI); handlers validate with the same zod contracts themselves, so
  // a browser form gets its page back with French messages instead of a bare 400. Answers are plain
  // JSON: the response schemas describe them, they do not filter them.
  app.setValidatorCompiler(() => (data: unknown) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await registerPlugins(app, ctx);
  await registerAssets(app);
  registerObservability(app, ctx.db, { poolStats: parts.poolStats, metricsToken: ctx.config.METRICS_TOKEN });
  registerSecurity(app, parts.sessions);
  registerErrorAnswers(app);
  // Mails are written in the transaction of the change that causes them; deliver them once it is answered.
  app.addHook('onResponse', async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') void ctx.mail.flush().catch(() => undefined);
  });
  closeConnectionsWhenStopping(app);
  for (const routes of parts.routes) await app.register(routes);
  return app;
}

/**
 * While the server stops (SIGTERM), the requests in flight still get their answers, with `Connection:
 * close`: the connection of a client that keeps connections alive (a load balancer) would otherwise
 * stay open after the answer, and the stop would wait for it until the forced exit.
 */
function closeConnectionsWhenStopping(app: FastifyInstance) {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (stopping) reply.header('connection', 'close');
    return payload;
  });
}

/** Security headers (a strict CSP: no inline script), cookies, forms, and the OpenAPI document with its viewer. */
async function registerPlugins(app: FastifyInstance, ctx: AppContext) {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: ctx.config.isProduction,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  await app.register(fastifySwagger, { openapi: OPENAPI, transform: jsonSchemaTransform });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'net-entreprises et SOLTéA',
    description:
      'API des écrans du portail : chaque route accepte un formulaire ou du JSON. Les refus sont des documents application/problem+json (RFC 9457) avec un code stable et un message en français.',
    version: '0.1.0',
  },
  components: {
    securitySchemes: {
      session: {
        type: 'apiKey' as const,
        in: 'cookie',
        name: '__Host-sid',
        description: 'Cookie de session reçu à la connexion (POST /connexion)',
      },
      csrf: {
        type: 'apiKey' as const,
        in: 'header',
        name: 'x-csrf-token',
        description: 'Jeton anti-CSRF de la session, exigé sur chaque modification',
      },
    },
  },
};

/** The DSFR files, the client script and style (bundled at start), the favicon and the health probe. */
async function registerAssets(app: FastifyInstance) {
  await app.register(fastifyStatic, {
    root: join(APP_ROOT, 'node_modules/@codegouvfr/react-dsfr/dsfr'),
    prefix: '/dsfr/',
    maxAge: '1d',
    decorateReply: false,
  });
  const assets = await buildClientAssets();
  app.get('/assets/app.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(assets.js),
  );
  app.get('/assets/app.css', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(assets.css),
  );
  app.get('/favicon.ico', { schema: { hide: true } }, (_req, reply) => reply.code(204).send());
  // Liveness: the process answers. Readiness: it can serve, its database answers (load balancers use this).
  app.get('/api/health', { schema: { hide: true } }, async () => ({ status: 'ok', database: app.ctx.dbKind }));
  app.get('/api/ready', { schema: { hide: true } }, async (req, reply) =>
    (await databaseAnswers(app.ctx.db))
      ? reply.send({ status: 'ok', database: app.ctx.dbKind })
      : respond(req, reply, { problem: problem('unavailable', 'base_indisponible', UNAVAILABLE, { retryAfterSeconds: 5 }) }),
  );
}

/** Errors and unknown addresses: a page for browsers, a problem document for programs; a problem thrown is answered as such. */
function registerErrorAnswers(app: FastifyInstance) {
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ProblemError) return respond(req, reply, { problem: err.problem });
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'base de données indisponible');
      reply.header('retry-after', '5');
      return respond(req, reply, {
        problem: problem('unavailable', 'base_indisponible', UNAVAILABLE),
        title: 'Service momentanément indisponible',
      });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(err);
    const kind: ProblemKind =
      status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : status < 500 ? 'invalid' : 'internal';
    const message = ERROR_MESSAGES[kind] ?? ERROR_MESSAGES.invalid!;
    const code =
      status === 413
        ? 'trop_volumineux'
        : status === 415
          ? 'format_non_pris_en_charge'
          : status < 500
            ? 'requete_incorrecte'
            : 'erreur_technique';
    return respond(req, reply, {
      problem: problem(kind, code, message),
      page: () => (
        <MessagePage ctx={pageContext(req)} title={status >= 500 ? 'Erreur technique' : 'Requête incorrecte'} type="error">
          {message}
        </MessagePage>
      ),
    });
  });
  app.setNotFoundHandler((req, reply) =>
    respond(req, reply, {
      problem: problem('not_found', 'ressource_introuvable', 'Ressource introuvable.'),
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Page introuvable" type="error">
          La page que vous cherchez n’existe pas ou a été déplacée.
        </MessagePage>
      ),
    }),
  );
}
