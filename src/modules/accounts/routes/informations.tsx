/**
 * « Vos informations personnelles »: password, secret question and e-mail changes, the list
 * of one's sessions, and the change of credentials forced after an administrator's reset.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, redirect, respond, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody, textField, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, problem, type Problem } from '../../../shared/problem.js';
import { ForcedChangePage, InformationsPage, SessionsPage } from '../../../web/pages/menu.js';
import { currentPasswordField, emailChangeSchema, passwordSchema, secretQuestionSchema } from '../contracts.js';
import { administratorsOf } from '../menu.js';
import { completeForcedChange } from '../password-reset.js';
import { changePassword, changeSecretQuestion, requestEmailChange } from '../personal-information.js';
import { revokeOwnSession, sessionViews } from '../sessions.js';
import { meta, notice, NOTICES, tags } from './common.js';

const passwordChange = passwordSchema({}).and(z.object({ current: currentPasswordField }));
const questionChange = secretQuestionSchema.and(z.object({ current: currentPasswordField }));
const forcedChange = passwordSchema({}).and(secretQuestionSchema);
const sessionParams = z.object({
  ref: z.string().max(16).describe('Référence de la session (16 caractères), donnée par GET /menu/sessions'),
});
type Form = 'password' | 'question' | 'email';

export async function informationsRoutes(app: FastifyInstance) {
  const doc = { tags: tags.infos, access: 'user' as const };
  app.get('/menu/informations', route({ ...doc, operationId: 'pageInformations', summary: '', hide: true }), (req, reply) =>
    respond(req, reply, { page: () => infoPage(req) }),
  );
  app.post(
    '/menu/informations/mot-de-passe',
    route({ ...doc, operationId: 'changerMotDePasse', summary: 'Changer de mot de passe', body: passwordChange }),
    changeOwnPassword,
  );
  app.post(
    '/menu/informations/question-secrete',
    route({ ...doc, operationId: 'changerQuestionSecrete', summary: 'Changer de question secrète', body: questionChange }),
    changeQuestion,
  );
  app.post(
    '/menu/informations/courriel',
    route({
      ...doc,
      operationId: 'changerCourriel',
      summary: 'Changer d’adresse électronique (validée par un lien)',
      body: emailChangeSchema,
    }),
    changeEmail,
  );
  app.get('/menu/sessions', route({ ...doc, operationId: 'vosSessions', summary: 'Vos sessions ouvertes', responses: {} }), showSessions);
  app.post(
    '/menu/sessions/:ref/fermer',
    route({
      ...doc,
      operationId: 'fermerSession',
      summary: 'Fermer une de ses sessions (sur un autre appareil)',
      params: sessionParams,
      changes: true,
    }),
    closeSession,
  );
  app.get(
    '/menu/changement-obligatoire',
    route({ ...doc, operationId: 'pageChangementObligatoire', summary: '', access: 'user-forced-change', hide: true }),
    forcedChangePage,
  );
  app.post(
    '/menu/changement-obligatoire',
    route({
      ...doc,
      operationId: 'changementObligatoire',
      summary: 'Nouveau mot de passe et question secrète imposés après une réinitialisation',
      access: 'user-forced-change',
      body: forcedChange,
    }),
    forceChange,
  );
}

async function infoPage(req: FastifyRequest, extra: { errors?: FieldErrors; form?: Form } = {}) {
  const { user, session } = req.auth!;
  const [admins, sessions] = await Promise.all([
    administratorsOf(req.server.ctx, user.espaceId),
    sessionViews(req.server.ctx, user.id, session.idHash),
  ]);
  return (
    <InformationsPage ctx={pageContext(req)} user={user} administrators={admins} sessions={sessions} notice={notice(req)} {...extra} />
  );
}

/** A refused change: the page again with the form's messages. */
const refused = (req: FastifyRequest, reply: FastifyReply, p: Problem, form: Form) =>
  respond(req, reply, { problem: p, page: () => infoPage(req, { errors: p.errors ?? {}, form }) });
const done = (req: FastifyRequest, reply: FastifyReply, notice: string) =>
  respond(req, reply, { json: { message: NOTICES[notice] }, redirect: '/menu/informations', notice });

async function changeOwnPassword(req: FastifyRequest, reply: FastifyReply) {
  const { user, session } = req.auth!;
  const parsed = parseBody(
    passwordSchema({ nom: user.nom, prenom: user.prenom }).and(z.object({ current: currentPasswordField })),
    req.body,
  );
  if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'password');
  const r = await changePassword(
    req.server.ctx,
    user,
    session.idHash,
    { current: parsed.data.current, password: parsed.data.password },
    meta(req),
  );
  return r.ok ? done(req, reply, 'mot-de-passe-change') : refused(req, reply, r.problem, 'password');
}

async function changeQuestion(req: FastifyRequest, reply: FastifyReply) {
  const parsed = parseBody(questionChange, req.body);
  if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'question');
  const r = await changeSecretQuestion(req.server.ctx, req.auth!.user, parsed.data, meta(req));
  return r.ok ? done(req, reply, 'question-changee') : refused(req, reply, r.problem, 'question');
}

async function changeEmail(req: FastifyRequest, reply: FastifyReply) {
  const parsed = parseBody(emailChangeSchema, req.body);
  if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'email');
  const r = await requestEmailChange(req.server.ctx, req.auth!.user, parsed.data, meta(req));
  return r.ok ? done(req, reply, 'courriel-envoye') : refused(req, reply, r.problem, 'email');
}

async function showSessions(req: FastifyRequest, reply: FastifyReply) {
  const { user, session } = req.auth!;
  const sessions = await sessionViews(req.server.ctx, user.id, session.idHash);
  return respond(req, reply, {
    json: { sessions },
    page: () => <SessionsPage ctx={pageContext(req)} sessions={sessions} notice={notice(req)} />,
  });
}

/** « Fermer cette session »: another of the person's sessions ends at once (a lost phone, a shared computer). */
async function closeSession(req: FastifyRequest, reply: FastifyReply) {
  const ref = textField(req.params, 'ref');
  const { user, session } = req.auth!;
  if (session.idHash.startsWith(ref))
    return respond(req, reply, {
      problem: problem('conflict', 'session_en_cours', 'Pour fermer la session en cours, utilisez « Se déconnecter ».'),
    });
  if (!(await revokeOwnSession(req.server.ctx, user, ref, meta(req))))
    return respond(req, reply, { problem: problem('not_found', 'session_introuvable', 'Cette session est introuvable ou déjà fermée.') });
  return respond(req, reply, { json: { message: NOTICES['session-fermee'] }, redirect: '/menu/informations', notice: 'session-fermee' });
}

async function forcedChangePage(req: FastifyRequest, reply: FastifyReply) {
  const u = req.auth!.user;
  if (!u.mustChangeCredentials) return redirect(reply, '/menu');
  return respond(req, reply, { page: () => <ForcedChangePage ctx={pageContext(req)} nom={u.nom} prenom={u.prenom} /> });
}

async function forceChange(req: FastifyRequest, reply: FastifyReply) {
  const { user, session } = req.auth!;
  if (!user.mustChangeCredentials) return respond(req, reply, { json: { message: 'Rien à changer.' }, redirect: '/menu' });
  const parsed = readForm(req, reply, passwordSchema({ nom: user.nom, prenom: user.prenom }).and(secretQuestionSchema), (wrong) => (
    <ForcedChangePage ctx={pageContext(req)} nom={user.nom} prenom={user.prenom} {...wrong} />
  ));
  if (!parsed.ok) return parsed.answer;
  await completeForcedChange(req.server.ctx, user, parsed.data, session.idHash, meta(req));
  return respond(req, reply, { json: { message: NOTICES['identifiants-changes'] }, redirect: '/menu', notice: 'identifiants-changes' });
}
