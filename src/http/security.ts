/**
 * Sessions and CSRF.
 * - Session: random 256-bit id in the `__Host-sid` cookie (HttpOnly, Secure, SameSite=Lax, Path=/),
 *   stored hashed in `sessions` with idle (30 min) and absolute (12 h) time-outs; revocable.
 * - CSRF: synchroniser token. Anonymous visitors get a random `__Host-csrf` cookie and forms carry
 *   HMAC(secret, cookie); signed-in users carry their session's token. Checked on every state change
 *   (preHandler, so form bodies are parsed first).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hmac, newToken, safeEqual } from '../infra/crypto.js';
import { loadSession, touchSession, type AuthState } from '../modules/accounts/sessions.js';

export const SESSION_COOKIE = '__Host-sid';
export const CSRF_COOKIE = '__Host-csrf';

const STATIC_PREFIXES = ['/dsfr/', '/assets/', '/api/health', '/favicon.ico', '/api/docs/static/'];

export const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState | null;
    csrfToken: string;
  }
}

export function registerSecurity(app: FastifyInstance) {
  app.decorateRequest('auth', null);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (req, reply) => {
    // Static files and the health probe need neither a session nor a CSRF token.
    if (STATIC_PREFIXES.some((p) => req.url.startsWith(p))) return;
    const ctx = app.ctx;
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) {
      const state = await loadSession(ctx, sid);
      if (state) {
        req.auth = state;
        await touchSession(ctx, state);
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    if (req.auth) {
      req.csrfToken = req.auth.session.csrfToken;
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
      return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage());
    }
  });
}

function forbiddenPage() {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Session expirée - net-entreprises</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-py-4w" role="main"><h1>Votre formulaire a expiré</h1><p>Pour votre sécurité, le formulaire n’a pas été pris en compte. Revenez à la page précédente, rechargez-la et recommencez.</p><p><a class="fr-link" href="/">Retour à l’accueil</a></p></main></body></html>`;
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
      return reply.code(401).send({ message: 'Vous devez vous connecter.' });
    }
    if (auth.user.mustChangeCredentials && !opts.allowForcedChange) {
      if (req.headers.accept?.includes('text/html')) return reply.code(303).header('location', '/menu/changement-obligatoire').send();
      return reply.code(403).send({ message: 'Vous devez d’abord choisir un nouveau mot de passe et une nouvelle question secrète.' });
    }
    if (opts.admin && auth.user.role !== 'administrateur') {
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(
          '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Accès refusé - net-entreprises</title><link rel="stylesheet" href="/dsfr/dsfr.min.css"></head><body><main class="fr-container fr-py-4w" role="main"><h1>Accès refusé</h1><p>Cette page est réservée aux administrateurs de l’entreprise.</p><p><a class="fr-link" href="/menu">Retour au menu personnalisé</a></p></main></body></html>',
        );
    }
  };
}
