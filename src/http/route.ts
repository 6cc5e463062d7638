/**
 * Each route is declared once, with what it takes, what it answers and who may call it:
 *
 *   app.post('/gestion/declarants/nouveau', route({ operationId: 'ajouterDeclarant', summary: '…', tags,
 *     access: 'admin', body: newDeclarantSchema, responses: { 201: created } }), handler)
 *
 * `route` gives Fastify the guard of the access level and the OpenAPI description: the operation's id,
 * its security (session cookie, and the CSRF token on changes), its inputs from the module's zod
 * contracts, its success answers and the problems it may answer (400/401/403/404/409/413/429/503, as
 * RFC 9457 documents). Handlers validate with the same contracts themselves (`parseBody`), so that a
 * browser's wrong form comes back as the page with its French messages rather than a bare 400.
 */
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { takeRateAttempts } from '../infra/throttle.js';
import { messageResponse } from '../shared/fields.js';
import { tooManyRequests } from '../shared/problem.js';
import { respond } from './respond.js';
import { z } from 'zod';
import { problemSchema } from './problems.js';
import { requireAgent, requireUser } from './security.js';

/**
 * Who may call: anyone; a signed-in person with a validated account; one who must first change the
 * credentials an administrator reset (only the pages of that change); an administrator of the company;
 * an agent of the operator (its own session, `/operateur` only), of one `role` when given.
 */
export type Access = 'public' | 'user' | 'user-forced-change' | 'admin' | 'agent';

export interface RouteDoc {
  /** stable, unique, camelCase: what API clients call the operation */
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  /** with `access: 'agent'`: the role the operation is reserved to */
  role?: 'gestionnaire' | 'valideur';
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  /**
   * success answers by status; by default a change answers 200 with its message (`{ message }`, what
   * `respond` sends a program), any other operation 200 described loosely
   */
  responses?: Record<number, z.ZodType>;
  /** a page for browsers only (a form to fill, a confirmation): not an operation of the API */
  hide?: boolean;
  /** the method, when it is not known from the body (for the CSRF security and the 409 answer) */
  changes?: boolean;
  /** problems the handler answers besides those `route` infers (e.g. 401 for wrong credentials) */
  problems?: readonly number[];
  /** limits counted in the database before the handler runs (429 with Retry-After beyond them) */
  rateLimits?: readonly RateLimit[];
}

/**
 * At most `limit` requests per window, per client address (`by: 'address'`), or per target the request
 * names (a SIRET, a triplet: `by` returns the key, or null to not count this request).
 */
export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
  by: 'address' | ((req: FastifyRequest) => string | null);
}

const GUARDS: Record<Exclude<Access, 'public' | 'agent'>, preValidationAsyncHookHandler> = {
  user: requireUser(),
  'user-forced-change': requireUser({ allowForcedChange: true }),
  admin: requireUser({ admin: true }),
};

const anyJson = z.any();

/** The problems an operation may answer, from what it takes and who may call it. */
function problemResponses(doc: RouteDoc, changes: boolean): Record<number, z.ZodType> {
  const statuses = new Set<number>([429, 503]);
  if (doc.body || doc.querystring || doc.params || changes) statuses.add(400);
  if (doc.access !== 'public') [401, 403, 404].forEach((s) => statuses.add(s));
  if (doc.params) statuses.add(404);
  if (changes) [403, 409].forEach((s) => statuses.add(s));
  if (doc.body) statuses.add(413);
  for (const s of doc.problems ?? []) statuses.add(s);
  return Object.fromEntries([...statuses].sort().map((s) => [s, problemSchema]));
}

export function route(doc: RouteDoc) {
  const changes = doc.changes ?? doc.body !== undefined;
  const session = doc.access === 'agent' ? 'agentSession' : 'session';
  const security =
    doc.access === 'public' ? (changes ? [{ csrf: [] }] : []) : changes ? [{ [session]: [], csrf: [] }] : [{ [session]: [] }];
  const schema = doc.hide
    ? { hide: true }
    : {
        operationId: doc.operationId,
        summary: doc.summary,
        ...(doc.description ? { description: doc.description } : {}),
        tags: doc.tags,
        security,
        ...(doc.body ? { body: doc.body } : {}),
        ...(doc.querystring ? { querystring: doc.querystring } : {}),
        ...(doc.params ? { params: doc.params } : {}),
        response: {
          ...(doc.responses && Object.keys(doc.responses).length ? doc.responses : { 200: changes ? messageResponse : anyJson }),
          ...problemResponses(doc, changes),
        },
      };
  const hooks = [
    ...(doc.rateLimits?.length ? [rateLimited(doc.rateLimits)] : []),
    ...(doc.access === 'public' ? [] : [doc.access === 'agent' ? requireAgent(doc.role) : GUARDS[doc.access]]),
  ];
  return { schema, attachValidation: true, ...(hooks.length ? { preValidation: hooks } : {}) };
}

/** The hook that counts a request on each of its limits (one statement) and answers 429 beyond one. */
function rateLimited(limits: readonly RateLimit[]): preValidationAsyncHookHandler {
  return async (req, reply) => {
    const requests = limits.flatMap((l) => {
      const target = l.by === 'address' ? req.ip : l.by(req);
      return target === null
        ? []
        : [{ key: `limite:${l.name}:${target}`, policy: { kind: 'fixed' as const, max: l.limit, windowSeconds: l.windowSeconds } }];
    });
    const now = req.server.ctx.clock.now();
    const outcome = await takeRateAttempts(req.server.ctx.db, now, requests);
    if (outcome.allowed) return;
    const retryAt = new Date(Math.max(...outcome.refused.map((r) => r.retryAt.getTime())));
    return respond(req, reply, {
      problem: tooManyRequests('trop_de_requetes', (wait) => `Trop de demandes en peu de temps : réessayez dans ${wait}.`, now, retryAt),
      title: 'Trop de demandes',
    });
  };
}

/** The declaration of a page only browsers use (a form to fill, a confirmation): not an operation of the API. */
export const browserPage = (operationId: string) => ({ operationId, summary: '', hide: true });
