/** Home page, « Je me connecte », logout, and the conditions générales as a file. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hmac } from '../../../infra/crypto.js';
import { pageContext, redirect, respond, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { clearCookie, cookieOptions, SESSION_COOKIE } from '../../../http/security.js';
import { problem, tooManyRequests, type Problem } from '../../../shared/problem.js';
import { cguAsText } from '../../../web/pages/cgu-text.js';
import { HomePage, LoginPage } from '../../../web/pages/public.js';
import { loginSchema } from '../contracts.js';
import { GENERIC_LOGIN_ERROR, login, type LoginResult } from '../login.js';
import { logout, logoutEverywhere } from '../personal-information.js';
import { meta, notice, tags } from './common.js';

export async function connexionRoutes(app: FastifyInstance) {
  const doc = { tags: tags.compte };
  app.get('/', { schema: { hide: true } }, showHome);
  app.get('/connexion', { schema: { hide: true } }, showLogin);
  app.post(
    '/connexion',
    route({
      ...doc,
      operationId: 'seConnecter',
      summary: 'Connexion (SIRET, nom, prénom, mot de passe)',
      access: 'public',
      body: loginSchema,
      problems: [401, 403],
    }),
    signIn,
  );
  app.post(
    '/deconnexion',
    route({ ...doc, operationId: 'seDeconnecter', summary: 'Se déconnecter', access: 'public', changes: true }),
    signOut,
  );
  app.post(
    '/deconnexion-partout',
    route({ ...doc, operationId: 'seDeconnecterPartout', summary: 'Se déconnecter partout', access: 'user-forced-change', changes: true }),
    signOutEverywhere,
  );
  app.get('/conditions-generales/telecharger', { schema: { hide: true } }, (_req, reply) => sendCgu(reply, true));
  app.get('/conditions-generales', { schema: { hide: true } }, (_req, reply) => sendCgu(reply, false));
}

/** Where to go back after login: only a local path. */
function safeReturn(r: string | undefined): string {
  return r && /^\/[a-z0-9/_-]*$/i.test(r) && !r.startsWith('//') ? r : '/menu';
}

/** The answer to each refused login (a lock of the account answers like a wrong password). */
function refusal(r: Exclude<LoginResult, { ok: true }>, now: Date): Problem {
  switch (r.reason) {
    case 'invalid':
      return problem('unauthenticated', 'identifiants_invalides', GENERIC_LOGIN_ERROR);
    case 'throttled':
      return tooManyRequests('trop_de_tentatives', (wait) => `Trop de tentatives de connexion : réessayez dans ${wait}.`, now, r.retryAt);
    case 'email_pending':
      return problem(
        'forbidden',
        'courriel_non_valide',
        'Votre adresse électronique n’est pas encore validée : ouvrez le lien reçu par courriel, ou demandez un nouveau courriel.',
      );
    case 'candidat':
      return problem(
        'forbidden',
        'demande_en_attente',
        'Votre demande d’accès est en attente de l’accord d’un administrateur de votre entreprise.',
      );
  }
}

async function showHome(req: FastifyRequest, reply: FastifyReply) {
  if (req.auth) return redirect(reply, '/menu');
  return respond(req, reply, { page: () => <HomePage ctx={pageContext(req)} notice={notice(req)} /> });
}

async function showLogin(req: FastifyRequest, reply: FastifyReply) {
  if (req.auth) return redirect(reply, '/menu');
  const q = req.query as Record<string, string | undefined>;
  return respond(req, reply, { page: () => <LoginPage ctx={pageContext(req)} notice={notice(req)} retour={q.retour} /> });
}

async function signIn(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const parsed = readForm(req, reply, loginSchema, (wrong) => <LoginPage ctx={pageContext(req)} {...wrong} />);
  if (!parsed.ok) return parsed.answer;
  const r = await login(ctx, parsed.data, meta(req));
  if (!r.ok) {
    const values = { siret: parsed.data.siret, nom: parsed.data.nom, prenom: parsed.data.prenom };
    const p = refusal(r, ctx.clock.now());
    // a person whose address is not validated yet may ask for the mail again from the login page
    const resendFor = r.reason === 'email_pending' ? `${r.userId}.${hmac(ctx.config.sessionSecret, `resend:${r.userId}`)}` : undefined;
    return respond(req, reply, {
      problem: p,
      page: () => <LoginPage ctx={pageContext(req)} values={values} message={p.message} {...(resendFor ? { resendFor } : {})} />,
    });
  }
  reply.setCookie(SESSION_COOKIE, r.sessionId, cookieOptions);
  return respond(req, reply, {
    json: { message: 'Connecté.', mustChangeCredentials: r.mustChangeCredentials },
    redirect: r.mustChangeCredentials ? '/menu/changement-obligatoire' : safeReturn(parsed.data.retour),
  });
}

async function signOut(req: FastifyRequest, reply: FastifyReply) {
  if (req.auth) await logout(req.server.ctx, req.auth.user, req.auth.session.idHash, meta(req));
  clearCookie(reply, SESSION_COOKIE);
  return respond(req, reply, { json: { message: 'Déconnecté.' }, redirect: '/connexion', notice: 'deconnecte' });
}

async function signOutEverywhere(req: FastifyRequest, reply: FastifyReply) {
  await logoutEverywhere(req.server.ctx, req.auth!.user, meta(req));
  clearCookie(reply, SESSION_COOKIE);
  return respond(req, reply, {
    json: { message: 'Toutes vos sessions sont fermées.' },
    redirect: '/connexion',
    notice: 'deconnecte-partout',
  });
}

/** The conditions générales, read or downloaded as text (step 2 of the inscription links to them). */
function sendCgu(reply: FastifyReply, download: boolean) {
  return reply
    .header('content-type', 'text/plain; charset=utf-8')
    .header('content-disposition', download ? 'attachment; filename="conditions-generales-net-entreprises.txt"' : 'inline')
    .send(cguAsText());
}
