/**
 * The operator's login (docs/regles.md#operateur): courriel and password, then the TOTP code — or its
 * enrolment at the first login —, logout, and the single-use link that sets the password. Apart from
 * the companies' login: its own cookie (`__Host-op`), its own pages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, redirect, respond, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { AGENT_SESSION_COOKIE, clearCookie, cookieOptions } from '../../../http/security.js';
import { parseBody, textField } from '../../../shared/fields.js';
import { invalidForm, problem, tooManyRequests, type Problem } from '../../../shared/problem.js';
import { AgentCodePage, AgentEnrolmentPage, AgentLoginPage, AgentPasswordPage } from '../../../web/pages/operateur-connexion.js';
import { passwordSchema } from '../../accounts/contracts.js';
import { agentOfLink, choosePassword, EXPIRED_LINK } from '../agents.js';
import {
  agentCodeStep,
  agentLogout,
  agentPasswordStep,
  enrolmentSecret,
  GENERIC_AGENT_LOGIN_ERROR,
  WRONG_CODE,
  type CodeStepResult,
} from '../connexion.js';
import { agentCodeSchema, agentLoginSchema, agentPasswordSchema } from '../contracts.js';
import { groupedSecret, totpQrSvg } from '../totp.js';
import { meta, notice, safeReturn, tags } from './common.js';

export async function operateurConnexionRoutes(app: FastifyInstance) {
  const doc = { tags: tags.connexion };
  app.get('/operateur/connexion', { schema: { hide: true } }, showLogin);
  app.post(
    '/operateur/connexion',
    route({
      ...doc,
      operationId: 'operateurSeConnecter',
      summary: 'Connexion d’un agent : courriel et mot de passe',
      access: 'public',
      body: agentLoginSchema,
      problems: [401],
    }),
    signIn,
  );
  app.get('/operateur/connexion/code', { schema: { hide: true } }, showCode);
  app.post(
    '/operateur/connexion/code',
    route({
      ...doc,
      operationId: 'operateurCode',
      summary: 'Connexion d’un agent : code TOTP (double authentification)',
      access: 'public',
      body: agentCodeSchema,
      problems: [401],
    }),
    (req, reply) => submitCode(req, reply, false),
  );
  app.get('/operateur/connexion/enrolement', { schema: { hide: true } }, showEnrolment);
  app.post(
    '/operateur/connexion/enrolement',
    route({
      ...doc,
      operationId: 'operateurEnrolement',
      summary: 'Première connexion d’un agent : confirmer l’application d’authentification',
      access: 'public',
      body: agentCodeSchema,
      problems: [401],
      hide: true,
    }),
    (req, reply) => submitCode(req, reply, true),
  );
  app.post(
    '/operateur/deconnexion',
    route({ ...doc, operationId: 'operateurSeDeconnecter', summary: 'Déconnexion d’un agent', access: 'public', changes: true }),
    signOut,
  );
  app.get('/operateur/mot-de-passe', { schema: { hide: true } }, showPassword);
  app.post(
    '/operateur/mot-de-passe',
    route({
      ...doc,
      operationId: 'operateurChoisirMotDePasse',
      summary: 'Choisir son mot de passe d’agent (lien à usage unique)',
      access: 'public',
      body: agentPasswordSchema,
      hide: true,
    }),
    submitPassword,
  );
}

async function showLogin(req: FastifyRequest, reply: FastifyReply) {
  if (req.agent?.stage === 'complete') return redirect(reply, '/operateur');
  const retour = textField(req.query, 'retour') || undefined;
  return respond(req, reply, {
    page: () => <AgentLoginPage ctx={pageContext(req)} notice={notice(req)} {...(retour ? { retour } : {})} />,
  });
}

async function signIn(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const parsed = readForm(req, reply, agentLoginSchema, (wrong) => <AgentLoginPage ctx={pageContext(req)} {...wrong} />);
  if (!parsed.ok) return parsed.answer;
  const r = await agentPasswordStep(ctx, parsed.data, meta(req));
  if (!r.ok) {
    const p =
      r.reason === 'throttled'
        ? tooManyRequests(
            'trop_de_tentatives',
            (wait) => `Trop de tentatives de connexion : réessayez dans ${wait}.`,
            ctx.clock.now(),
            r.retryAt,
          )
        : problem('unauthenticated', 'identifiants_invalides', GENERIC_AGENT_LOGIN_ERROR);
    return respond(req, reply, {
      problem: p,
      page: () => <AgentLoginPage ctx={pageContext(req)} values={{ courriel: parsed.data.courriel }} message={p.message} />,
    });
  }
  reply.setCookie(AGENT_SESSION_COOKIE, r.sessionId, cookieOptions);
  const next = r.enrolled ? '/operateur/connexion/code' : '/operateur/connexion/enrolement';
  const retour = safeReturn(parsed.data.retour);
  return respond(req, reply, {
    json: { message: 'Mot de passe vérifié : saisissez le code de double authentification.', etape: r.enrolled ? 'code' : 'enrolement' },
    redirect: retour === '/operateur' ? next : `${next}?retour=${encodeURIComponent(retour)}`,
  });
}

/** The page of the operator's space asked before the login (`?retour=`), when it is one. */
function returnOf(req: FastifyRequest): string | undefined {
  const r = safeReturn(textField(req.query, 'retour'));
  return r === '/operateur' ? undefined : r;
}

/** The pages of the second factor need a session that passed the password only. */
function pendingOrRedirect(req: FastifyRequest, reply: FastifyReply): boolean {
  if (req.agent?.stage === 'mot_de_passe') return true;
  void redirect(reply, req.agent ? '/operateur' : '/operateur/connexion');
  return false;
}

async function showCode(req: FastifyRequest, reply: FastifyReply) {
  if (!pendingOrRedirect(req, reply)) return reply;
  if (!req.agent!.agent.totpConfirmedAt) return redirect(reply, '/operateur/connexion/enrolement');
  return respond(req, reply, { page: () => <AgentCodePage ctx={pageContext(req)} retour={returnOf(req)} /> });
}

async function enrolmentPage(req: FastifyRequest, errors?: Record<string, string>, message?: string) {
  const secret = (await enrolmentSecret(req.server.ctx, req.agent!.agent)) ?? '';
  const qrSvg = await totpQrSvg(secret, req.agent!.agent.courriel);
  return (
    <AgentEnrolmentPage
      ctx={pageContext(req)}
      qrSvg={qrSvg}
      secret={groupedSecret(secret)}
      retour={returnOf(req)}
      {...(errors ? { errors } : {})}
      {...(message ? { message } : {})}
    />
  );
}

async function showEnrolment(req: FastifyRequest, reply: FastifyReply) {
  if (!pendingOrRedirect(req, reply)) return reply;
  if (req.agent!.agent.totpConfirmedAt) return redirect(reply, '/operateur/connexion/code');
  return respond(req, reply, { page: () => enrolmentPage(req) });
}

function codeRefusal(r: Exclude<CodeStepResult, { ok: true }>, now: Date): Problem {
  if (r.reason === 'throttled')
    return tooManyRequests('trop_de_codes', (wait) => `Trop de codes erronés : réessayez dans ${wait}.`, now, r.retryAt);
  if (r.reason === 'not_pending')
    return problem('unauthenticated', 'agent_non_connecte', 'Saisissez d’abord votre courriel et votre mot de passe.');
  return problem('unauthenticated', 'code_invalide', WRONG_CODE);
}

async function submitCode(req: FastifyRequest, reply: FastifyReply, enrolling: boolean) {
  const ctx = req.server.ctx;
  const state = req.agent;
  const page = (errors?: Record<string, string>, message?: string) =>
    enrolling && state ? (
      enrolmentPage(req, errors, message)
    ) : (
      <AgentCodePage ctx={pageContext(req)} retour={returnOf(req)} {...(errors ? { errors } : {})} {...(message ? { message } : {})} />
    );
  if (!state || state.stage !== 'mot_de_passe')
    return respond(req, reply, {
      problem: codeRefusal({ ok: false, reason: 'not_pending' }, ctx.clock.now()),
      redirect: '/operateur/connexion',
    });
  const parsed = readForm(req, reply, agentCodeSchema, (wrong) => page(wrong.errors));
  if (!parsed.ok) return parsed.answer;
  const r = await agentCodeStep(ctx, state, parsed.data.code, meta(req));
  if (!r.ok) {
    const p = codeRefusal(r, ctx.clock.now());
    return respond(req, reply, { problem: p, page: () => page(r.reason === 'invalid' ? { code: p.message } : undefined, p.message) });
  }
  reply.setCookie(AGENT_SESSION_COOKIE, r.sessionId, cookieOptions);
  return respond(req, reply, { json: { message: 'Connecté à l’espace opérateur.' }, redirect: safeReturn(textField(req.query, 'retour')) });
}

async function signOut(req: FastifyRequest, reply: FastifyReply) {
  if (req.agent) await agentLogout(req.server.ctx, req.agent, meta(req));
  clearCookie(reply, AGENT_SESSION_COOKIE);
  return respond(req, reply, { json: { message: 'Déconnecté.' }, redirect: '/operateur/connexion', notice: 'deconnecte' });
}

async function showPassword(req: FastifyRequest, reply: FastifyReply) {
  const jeton = textField(req.query, 'jeton');
  const agent = await agentOfLink(req.server.ctx, jeton);
  if (!agent) return respond(req, reply, { problem: problem('not_found', 'lien_invalide', EXPIRED_LINK), title: 'Lien expiré' });
  return respond(req, reply, {
    page: () => <AgentPasswordPage ctx={pageContext(req)} jeton={jeton} nom={`${agent.prenom} ${agent.nom}`} />,
  });
}

async function submitPassword(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const parsed = parseBody(agentPasswordSchema, req.body);
  const jeton = textField(req.body, 'jeton');
  const agent = await agentOfLink(ctx, jeton);
  if (!agent) return respond(req, reply, { problem: problem('not_found', 'lien_invalide', EXPIRED_LINK), title: 'Lien expiré' });
  const nom = `${agent.prenom} ${agent.nom}`;
  const policy = parseBody(passwordSchema({ nom: agent.nom, prenom: agent.prenom }), req.body);
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...(policy.ok ? {} : policy.errors) };
  if (!parsed.ok || !policy.ok)
    return respond(req, reply, {
      problem: invalidForm(errors),
      page: () => <AgentPasswordPage ctx={pageContext(req)} jeton={jeton} nom={nom} errors={errors} />,
    });
  const r = await choosePassword(ctx, jeton, parsed.data.password, meta(req));
  if (!r.ok)
    return respond(req, reply, {
      problem: r.problem,
      page: () => (
        <AgentPasswordPage
          ctx={pageContext(req)}
          jeton={jeton}
          nom={nom}
          message={r.problem.message}
          {...(r.problem.errors ? { errors: r.problem.errors } : {})}
        />
      ),
    });
  return respond(req, reply, {
    json: { message: 'Mot de passe enregistré.' },
    redirect: '/operateur/connexion',
    notice: 'mot-de-passe-choisi',
  });
}
