/**
 * What an operator sees of the running portal: a request id on every request and answer, access logs
 * (pino, JSON, one line per request at `info`, secrets masked) and the Prometheus metrics.
 *
 * - The request id is the caller's `X-Request-Id` when it is a sensible one (a load balancer's, up to
 *   128 characters of letters, digits and `-_.:`), else a new UUID; it is in every log line of the
 *   request (`reqId`) and sent back as `X-Request-Id`.
 * - `GET /metrics` answers the loopback only (a Prometheus agent on the same host), or a scraper that
 *   presents `Authorization: Bearer <METRICS_TOKEN>` when that variable is set; anyone else gets 404.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import type { Db } from '../infra/db/index.js';
import { databaseMetrics, httpRequestDuration, processMetrics, type PoolStats } from '../infra/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's X-Request-Id when sensible, else a UUID. */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Tokens travel in some links (`?jeton=`): never in the logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:jeton|token|code)=)[^&#]*/gi, '$1[masqué]');
}

/** Pino's options for the access logs: level, masked headers, the request reduced to what helps. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.headers["x-inscription"]', 'req.headers.authorization'],
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function mayScrape(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${token}`);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  // the socket's own peer: a request forwarded by a proxy on this host is not a local scraper
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined;
}

export function registerObservability(app: FastifyInstance, db: Db, opts: { poolStats: (() => PoolStats) | null; metricsToken?: string }) {
  const ownMetrics = databaseMetrics(db, opts.poolStats);
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    // the route's pattern, never the address itself (one series per route, not per SIRET)
    const route = req.routeOptions.url ?? 'inconnue';
    httpRequestDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!mayScrape(req, opts.metricsToken)) return reply.callNotFound();
    const all = Registry.merge([processMetrics, ownMetrics]);
    return reply.type(all.contentType).send(await all.metrics());
  });
}
