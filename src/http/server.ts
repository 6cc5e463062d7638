import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { accountsRoutes } from '../modules/accounts/routes.js';
import { declarantsRoutes } from '../modules/gestion/declarants-routes.js';
import { declarationsRoutes } from '../modules/gestion/declarations-routes.js';
import { habilitationsRoutes } from '../modules/gestion/habilitations-routes.js';
import { attributionsImportRoutes } from '../modules/attributions/import-routes.js';
import { portefeuillesRoutes } from '../modules/gestion/portefeuilles-routes.js';
import { registryRoutes } from '../modules/entreprises/routes.js';
import { devRoutes } from '../dev/routes.js';
import { espaceEtablissementRoutes } from '../modules/espace-etablissement/routes.js';
import { attributionsRoutes } from '../modules/attributions/routes.js';
import { rechercheRoutes } from '../modules/recherche/routes.js';
import { buildClientAssets } from '../web/client/build.js';
import { registerSecurity } from './security.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

const root = join(import.meta.dirname, '..', '..');

export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      ctx.config.NODE_ENV === 'test'
        ? false
        : { level: ctx.config.LOG_LEVEL, redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]'] },
    trustProxy: ctx.config.isProduction,
    bodyLimit: 1024 * 1024,
  });
  app.decorate('ctx', ctx);
  // Schemas document the API (OpenAPI); handlers validate with the same zod contracts themselves, so
  // a browser form gets its page back with French messages instead of a bare 400.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(serializerCompiler);

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
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'net-entreprises et SOLTéA',
        description: 'API des écrans du portail : chaque route accepte un formulaire ou du JSON.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-sid' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  await app.register(fastifyStatic, {
    root: join(root, 'node_modules/@codegouvfr/react-dsfr/dsfr'),
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
  app.get('/api/health', { schema: { hide: true } }, async () => ({ status: 'ok', database: ctx.dbKind }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerSecurity(app);

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(err);
    const message =
      status === 413
        ? 'Les données envoyées sont trop volumineuses.'
        : status === 415
          ? 'Format de données non pris en charge.'
          : status < 500
            ? 'La requête est incorrecte.'
            : 'Une erreur technique est survenue. Réessayez dans quelques instants.';
    if (req.headers.accept?.includes('text/html')) {
      return reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(
          `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur - net-entreprises</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-py-4w" role="main"><h1>${status === 500 ? 'Erreur technique' : 'Requête incorrecte'}</h1><p>${message}</p><p><a class="fr-link" href="/">Retour à l’accueil</a></p></main></body></html>`,
        );
    }
    return reply.code(status).send({ message });
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.headers.accept?.includes('text/html'))
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(
          '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Page introuvable - net-entreprises</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-py-4w" role="main"><h1>Page introuvable</h1><p>La page que vous cherchez n’existe pas ou a été déplacée.</p><p><a class="fr-link" href="/">Retour à l’accueil</a></p></main></body></html>',
        );
    return reply.code(404).send({ message: 'Ressource introuvable.' });
  });

  await app.register(accountsRoutes);
  await app.register(registryRoutes);
  await app.register(declarationsRoutes);
  await app.register(declarantsRoutes);
  await app.register(habilitationsRoutes);
  await app.register(portefeuillesRoutes);
  await app.register(rechercheRoutes);
  await app.register(espaceEtablissementRoutes);
  await app.register(attributionsImportRoutes);
  await app.register(attributionsRoutes);
  if (ctx.config.devOutbox) await app.register(devRoutes);
  return app;
}
