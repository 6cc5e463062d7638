/**
 * « Mot de passe oublié », three ways: the secret question, a link by e-mail, a request
 * to the administrator. No answer tells whether an account exists (password-reset.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hmac, safeEqual } from '../../../infra/crypto.js';
import { pageContext, redirect, respond, readForm } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { clearCookie, cookieOptions, SESSION_COOKIE } from '../../../http/security.js';
import { parseBody, textField } from '../../../shared/fields.js';
import { invalidForm, problem } from '../../../shared/problem.js';
import { ForgotPage, NewPasswordPage, QUESTION_PROMPT, QUESTION_RULE, SecretQuestionPage } from '../../../web/pages/forgotten-password.js';
import { MessagePage } from '../../../web/pages/public.js';
import { answerSchema, forgotSchema, passwordSchema } from '../contracts.js';
import { answerSecretQuestion, askAdministratorReset, requestResetLink, resetPassword, type Triplet } from '../password-reset.js';
import { peekToken } from '../tokens-repository.js';
import { findUserById } from '../users-repository.js';
import { meta, RESET_COOKIE, RESET_TOKEN_COOKIE, tags } from './common.js';

const SAME = 'Si ces informations correspondent à un compte, la suite de la procédure vous a été envoyée par courriel.';
const TO_ADMIN =
  'Si ces informations correspondent à un compte, votre demande a été transmise aux administrateurs de votre entreprise. Vous recevrez un mot de passe temporaire par courriel.';
/** The way of the secret question: no question shown before the person is identified (docs/regles.md#comptes). */
const ANSWER_PROMPT = `${QUESTION_PROMPT} ${QUESTION_RULE}`;
const WRONG_ANSWER = 'La réponse ne permet pas de vous identifier.';
const RESET_GONE = 'Ce lien de réinitialisation n’est plus valable : il a déjà servi ou a expiré. Faites une nouvelle demande.';
const newPasswordBody = passwordSchema({}).and(z.object({ jeton: z.string().max(100).optional() }));

export async function motDePasseOublieRoutes(app: FastifyInstance) {
  const doc = { tags: tags.oubli, access: 'public' as const };
  app.get('/mot-de-passe-oublie', { schema: { hide: true } }, (req, reply) =>
    respond(req, reply, { page: () => <ForgotPage ctx={pageContext(req)} /> }),
  );
  app.post(
    '/mot-de-passe-oublie',
    route({
      ...doc,
      operationId: 'motDePasseOublie',
      summary: 'Mot de passe oublié : triplet et méthode',
      body: forgotSchema,
      rateLimits: RATE_LIMITS.motDePasseOublie,
    }),
    chooseWay,
  );
  app.post(
    '/mot-de-passe-oublie/question',
    route({
      ...doc,
      rateLimits: RATE_LIMITS.questionSecrete,
      operationId: 'repondreQuestionSecrete',
      summary: 'Mot de passe oublié : réponse à la question secrète',
      body: answerSchema,
    }),
    answer,
  );
  app.get('/mot-de-passe-oublie/nouveau', { schema: { hide: true } }, (req, reply) =>
    req.cookies[RESET_TOKEN_COOKIE]
      ? respond(req, reply, { page: () => <NewPasswordPage ctx={pageContext(req)} action="/mot-de-passe-oublie/nouveau" /> })
      : redirect(reply, '/mot-de-passe-oublie'),
  );
  app.get('/reinitialisation', { schema: { hide: true } }, linkPage);
  const summary = 'Mot de passe oublié : nouveau mot de passe';
  app.post(
    '/mot-de-passe-oublie/nouveau',
    route({ ...doc, operationId: 'nouveauMotDePasseApresQuestion', summary, body: newPasswordBody }),
    (req, reply) => newPassword(req, reply, 'question'),
  );
  app.post('/reinitialisation', route({ ...doc, operationId: 'nouveauMotDePasseParLien', summary, body: newPasswordBody }), (req, reply) =>
    newPassword(req, reply, 'lien'),
  );
}

// ── the triplet of the « question secrète » way, kept 30 minutes in a signed cookie ────────────────
const RESET_COOKIE_MS = 30 * 60_000;

function signTriplet(secret: string, t: Triplet, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ ...t, at: now.getTime() })).toString('base64url');
  return `${payload}.${hmac(secret, `reset:${payload}`)}`;
}

function readTriplet(secret: string, v: string | undefined, now: Date): Triplet | null {
  if (!v || v.length > 600) return null;
  const [payload, sig] = v.split('.');
  if (!payload || !sig || !safeEqual(sig, hmac(secret, `reset:${payload}`))) return null;
  try {
    const t = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Triplet & { at?: number };
    if (typeof t.at !== 'number' || now.getTime() - t.at > RESET_COOKIE_MS) return null;
    return { siret: t.siret, nom: t.nom, prenom: t.prenom };
  } catch {
    return null;
  }
}

async function chooseWay(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const parsed = readForm(req, reply, forgotSchema, (wrong) => <ForgotPage ctx={pageContext(req)} {...wrong} />);
  if (!parsed.ok) return parsed.answer;
  const t: Triplet = { siret: parsed.data.siret, nom: parsed.data.nom, prenom: parsed.data.prenom };
  const told = (json: string, text: string) =>
    respond(req, reply, {
      json: { message: json },
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Mot de passe oublié" type="info">
          {text}
        </MessagePage>
      ),
    });
  switch (parsed.data.methode) {
    case 'question':
      // nothing is looked up here: the same answer for every triplet
      reply.setCookie(RESET_COOKIE, signTriplet(ctx.config.sessionSecret, t, ctx.clock.now()), { ...cookieOptions, maxAge: 1800 });
      return respond(req, reply, { json: { message: ANSWER_PROMPT }, page: () => <SecretQuestionPage ctx={pageContext(req)} /> });
    case 'courriel':
      await requestResetLink(ctx, t, meta(req));
      return told(SAME, `${SAME} Le lien est valable une heure.`);
    case 'administrateur':
      await askAdministratorReset(ctx, t, meta(req));
      return told(TO_ADMIN, TO_ADMIN);
  }
}

async function answer(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const t = readTriplet(ctx.config.sessionSecret, req.cookies[RESET_COOKIE], ctx.clock.now());
  if (!t)
    return respond(req, reply, {
      problem: problem('gone', 'demande_expiree', 'La demande a expiré : recommencez.'),
      redirect: '/mot-de-passe-oublie',
    });
  const parsed = parseBody(answerSchema, req.body);
  if (!parsed.ok)
    return respond(req, reply, {
      problem: invalidForm(parsed.errors, 'La réponse est obligatoire.'),
      page: () => <SecretQuestionPage ctx={pageContext(req)} errors={parsed.errors} />,
    });
  const r = await answerSecretQuestion(ctx, t, parsed.data.answer, meta(req));
  if (!r.ok) {
    // an unknown triplet, a wrong answer and a locked question: one refusal (the rule is on the page)
    const p = problem('invalid', 'reponse_incorrecte', WRONG_ANSWER, { errors: { answer: WRONG_ANSWER } });
    return respond(req, reply, {
      problem: p,
      page: () => <SecretQuestionPage ctx={pageContext(req)} errors={{ answer: WRONG_ANSWER }} refused />,
    });
  }
  clearCookie(reply, RESET_COOKIE);
  reply.setCookie(RESET_TOKEN_COOKIE, r.resetToken, { ...cookieOptions, maxAge: 3600 });
  return respond(req, reply, {
    json: { message: 'Réponse correcte : choisissez un nouveau mot de passe.', jeton: r.resetToken },
    redirect: '/mot-de-passe-oublie/nouveau',
  });
}

async function linkPage(req: FastifyRequest, reply: FastifyReply) {
  const token = textField(req.query, 'jeton');
  if (!(await peekToken(req.server.ctx.db, req.server.ctx, token, 'password_reset')))
    return respond(req, reply, {
      problem: problem('gone', 'lien_expire', RESET_GONE),
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
          Ce lien de réinitialisation n’est plus valable : il a déjà servi ou a expiré (une heure). Faites une nouvelle demande.
        </MessagePage>
      ),
    });
  return respond(req, reply, { page: () => <NewPasswordPage ctx={pageContext(req)} action="/reinitialisation" token={token} /> });
}

/** The new password, after the secret question (token in a cookie, or in the body for programs) or from the link. */
async function newPassword(req: FastifyRequest, reply: FastifyReply, way: 'question' | 'lien') {
  const ctx = req.server.ctx;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const token = way === 'lien' || typeof body.jeton === 'string' ? textField(body, 'jeton') : req.cookies[RESET_TOKEN_COOKIE];
  const action = way === 'lien' ? '/reinitialisation' : '/mot-de-passe-oublie/nouveau';
  const live = await peekToken(ctx.db, ctx, token, 'password_reset');
  const person = live ? await findUserById(ctx.db, live.userId) : null;
  const parsed = readForm(req, reply, passwordSchema(person ? { nom: person.nom, prenom: person.prenom } : {}), (wrong) => (
    <NewPasswordPage ctx={pageContext(req)} action={action} token={way === 'lien' ? token : undefined} errors={wrong.errors} />
  ));
  if (!parsed.ok) return parsed.answer;
  const done = await resetPassword(ctx, token, parsed.data.password, meta(req));
  if (!done) return respond(req, reply, { problem: problem('gone', 'lien_expire', RESET_GONE), title: 'Lien non valide' });
  clearCookie(reply, RESET_TOKEN_COOKIE);
  // signed in with the new password: the menu personnalisé, as the guide says
  reply.setCookie(SESSION_COOKIE, done.sessionId, cookieOptions);
  return respond(req, reply, {
    json: { message: 'Mot de passe réinitialisé.' },
    redirect: '/menu',
    notice: 'mot-de-passe-reinitialise',
  });
}
