/**
 * Sessions and CSRF.
 * - Session: random 256-bit id in the `__Host-sid` cookie (HttpOnly, Secure, SameSite=Lax, Path=/),
 *   stored hashed with idle (30 min) and absolute (12 h) time-outs; revocable. The accounts module
 *   loads it (`SessionStore`, given by the composition root): this layer only carries it.
 * - CSRF: synchroniser token. Anonymous visitors get a random `__Host-csrf` cookie and forms carry
 *   HMAC(secret, cookie); signed-in users carry their session's token. Checked on every state change
 *   (preHandler, so form bodies are parsed first); a JSON client gets a problem document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { hmac, newToken, safeEqual } from '../infra/crypto.js';
import type { AuthState } from '../modules/accounts/sessions.js';
import type { AgentAuthState } from '../modules/operateur/sessions.js';
import { problem } from '../shared/problem.js';
import { pageContext, respond } from './respond.js';
import { MessagePage } from '../web/pages/public.js';

export const SESSION_COOKIE = '__Host-sid';
export const CSRF_COOKIE = '__Host-csrf';
/** the operator's agents' session, apart from the users' (docs/regles.md#operateur) */
export const AGENT_SESSION_COOKIE = '__Host-op';
/** the operator's space: only the agent's session is read there, only the user's elsewhere */
export const OPERATOR_PREFIX = '/operateur';

const inOperatorSpace = (url: string) =>
  url === OPERATOR_PREFIX || url.startsWith(`${OPERATOR_PREFIX}/`) || url.startsWith(`${OPERATOR_PREFIX}?`);

const STATIC_PREFIXES = ['/dsfr/', '/assets/', '/api/health', '/api/ready', '/favicon.ico', '/api/docs/static/', '/metrics'];

export const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };

/** Clears a `__Host-` cookie: browsers only drop it when the clearing carries the same attributes. */
export function clearCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, cookieOptions);
}

export interface SessionStore<S = AuthState> {
  load(ctx: AppContext, cookieValue: string): Promise<S | null>;
  touch(ctx: AppContext, state: S): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState | null;
    /** the operator's agent, under /operateur only (a complete login, or one waiting for its second factor) */
    agent: AgentAuthState | null;
    csrfToken: string;
  }
}

/** Loads the session of `cookie` into the request, or clears a cookie that opens nothing. */
async function carry<S>(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, cookie: string, store: SessionStore<S>) {
  const sid = req.cookies[cookie];
  if (!sid) return null;
  const state = await store.load(app.ctx, sid);
  if (state) await store.touch(app.ctx, state);
  else clearCookie(reply, cookie);
  return state;
}

export function registerSecurity(app: FastifyInstance, sessions: SessionStore, agentSessions: SessionStore<AgentAuthState>) {
  app.decorateRequest('auth', null);
  app.decorateRequest('agent', null);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (req, reply) => {
    // Static files and the probes need neither a session nor a CSRF token.
    if (STATIC_PREFIXES.some((p) => req.url.startsWith(p))) return;
    const ctx = app.ctx;
    // Two separate sessions: a user's never opens the operator's space, an agent's never opens the portal.
    if (inOperatorSpace(req.url)) req.agent = await carry(app, req, reply, AGENT_SESSION_COOKIE, agentSessions);
    else req.auth = await carry(app, req, reply, SESSION_COOKIE, sessions);
    const session = req.agent?.session ?? req.auth?.session;
    if (session) {
      req.csrfToken = session.csrfToken;
    } else {
      let anon = req.cookies[CSRF_COOKIE];
      if (!anon || anon.length > 100) {
        anon = newToken();
        reply.setCookie(CSRF_COOKIE, anon, cookieOptions);
      }
      req.csrfToken = hmac(ctx.config.sessionSecret, `csrf:${anon}`);
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = (req.headers['x-csrf-token'] as string | undefined) ?? (typeof body?._csrf === 'string' ? body._csrf : '');
    if (!sent || !safeEqual(sent, req.csrfToken)) {
      return respond(req, reply, {
        problem: problem(
          'forbidden',
          'jeton_csrf_invalide',
          'Votre formulaire a expiré : pour votre sécurité, il n’a pas été pris en compte. Revenez à la page précédente, rechargez-la et recommencez.',
        ),
        page: () => (
          <MessagePage ctx={pageContext(req)} title="Votre formulaire a expiré" type="error">
            Pour votre sécurité, le formulaire n’a pas été pris en compte. Revenez à la page précédente, rechargez-la et recommencez.
          </MessagePage>
        ),
      });
    }
  });
}

/** Route guard: signed in, e-mail validated, and (unless allowed) no pending forced change. */
export function requireUser(opts: { allowForcedChange?: boolean; admin?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = req.auth;
    if (!auth) {
      if (req.headers.accept?.includes('text/html'))
        return reply
          .code(303)
          .header('location', `/connexion?retour=${encodeURIComponent(req.url)}`)
          .send();
      return respond(req, reply, { problem: problem('unauthenticated', 'non_connecte', 'Vous devez vous connecter.') });
    }
    if (auth.user.mustChangeCredentials && !opts.allowForcedChange) {
      if (req.headers.accept?.includes('text/html')) return reply.code(303).header('location', '/menu/changement-obligatoire').send();
      return respond(req, reply, {
        problem: problem(
          'forbidden',
          'changement_obligatoire',
          'Vous devez d’abord choisir un nouveau mot de passe et une nouvelle question secrète.',
        ),
      });
    }
    if (opts.admin && auth.user.role !== 'administrateur') {
      return respond(req, reply, {
        problem: problem('forbidden', 'reserve_administrateurs', 'Cette page est réservée aux administrateurs de l’entreprise.'),
        title: 'Accès refusé',
      });
    }
  };
}

/**
 * Route guard of the operator's space: an agent who passed both factors, with `role` when given. No
 * session: the login page (browsers) or 401; another role: 403 with the reason.
 */
export function requireAgent(role?: 'gestionnaire' | 'valideur') {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const agent = req.agent;
    if (!agent || agent.stage !== 'complete') {
      if (req.headers.accept?.includes('text/html'))
        return reply
          .code(303)
          .header('location', `${OPERATOR_PREFIX}/connexion?retour=${encodeURIComponent(req.url)}`)
          .send();
      return respond(req, reply, {
        problem: problem('unauthenticated', 'agent_non_connecte', 'Vous devez vous connecter à l’espace opérateur.'),
      });
    }
    if (role && agent.viewer.role !== role) {
      return respond(req, reply, {
        problem: problem(
          'forbidden',
          `role_${role}`,
          role === 'valideur'
            ? 'Cette action est réservée aux agents valideurs de l’opérateur.'
            : 'Cette action est réservée aux agents gestionnaires de l’opérateur.',
        ),
        title: 'Accès refusé',
      });
    }
  };
}
