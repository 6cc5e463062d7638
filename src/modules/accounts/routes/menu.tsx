/**
 * The menu personnalisé (PRODUCT §3.3): « Votre tableau de bord » with the declaration tiles, the entry
 * of each service, « Vos informations personnelles » (password, secret question, e-mail), the list of
 * one's sessions, and the change of credentials forced after an administrator's reset.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findDeclaration } from '../../../domain/declarations.js';
import { pageContext, redirect, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { messageResponse, parseBody, type FieldErrors } from '../../../shared/fields.js';
import { invalidForm, problem, type Problem } from '../../../shared/problem.js';
import { ForcedChangePage, InformationsPage, MenuPage, SessionsPage } from '../../../web/pages/menu.js';
import { ServicePage } from '../../../web/pages/service.js';
import { espaceOf } from '../../gestion/scope.js';
import { listPendingDemandes } from '../candidat.js';
import { currentPasswordField, emailChangeSchema, passwordSchema, secretQuestionSchema } from '../contracts.js';
import { administratorsOf, menuTiles, openSiretsFor, recentNotifications } from '../menu.js';
import { completeForcedChange } from '../password-reset.js';
import { changePassword, changeSecretQuestion, requestEmailChange } from '../personal-information.js';
import { listActiveSessions } from '../sessions.js';
import { meta, notice, NOTICES, tags } from './common.js';

const passwordChange = passwordSchema({}).and(z.object({ current: currentPasswordField }));
const questionChange = secretQuestionSchema.and(z.object({ current: currentPasswordField }));
const forcedChange = passwordSchema({}).and(secretQuestionSchema);

/** SOLTéA has its own screens: its tiles open the employer's or the establishment's space. */
const SPACES: Record<string, string> = { SOLTEA_EMPLOYEURS: '/soltea/employeur', SOLTEA_ETABLISSEMENTS: '/soltea/etablissement' };

export async function menuRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  app.get(
    '/menu',
    route({
      operationId: 'menuPersonnalise',
      summary: 'Menu personnalisé : tuiles des déclarations, notifications',
      tags: tags.menu,
      access: 'user',
    }),
    async (req, reply) => {
      const user = req.auth!.user;
      const [tiles, notifs, admins, pending, espace] = await Promise.all([
        menuTiles(ctx, user),
        recentNotifications(ctx, user.id),
        administratorsOf(ctx, user.espaceId),
        user.role === 'administrateur' ? listPendingDemandes(ctx, user.espaceId) : Promise.resolve([]),
        espaceOf(ctx.db, user),
      ]);
      return respond(req, reply, {
        json: {
          declarations: tiles,
          notifications: notifs,
          administrateurs: admins.map((a) => ({ nom: a.nom, prenom: a.prenom })),
          demandesEnAttente: pending.length,
        },
        page: () => (
          <MenuPage
            ctx={pageContext(req)}
            tiles={tiles}
            notifications={notifs}
            isAdmin={user.role === 'administrateur'}
            isTiers={espace.kind === 'tiers_declarant'}
            pending={pending.length}
            administrators={admins}
            notice={notice(req)}
          />
        ),
      });
    },
  );

  app.get(
    '/services/:code',
    route({
      operationId: 'ouvrirService',
      summary: 'Entrée d’un service (tuile) : établissements ouverts pour l’utilisateur',
      tags: tags.menu,
      access: 'user',
      params: z.object({ code: z.string().max(40) }),
    }),
    async (req, reply) => {
      const decl = findDeclaration(String((req.params as { code: string }).code).toUpperCase());
      const sirets = decl ? await openSiretsFor(ctx, req.auth!.user, decl.code) : [];
      if (!decl || sirets.length === 0)
        return respond(req, reply, {
          problem: problem(
            'forbidden',
            'service_non_ouvert',
            'Ce service ne vous est pas ouvert : vous n’y êtes pas habilité, ou le délai d’accès de 24 heures n’est pas écoulé.',
          ),
          title: 'Service non accessible',
        });
      const space = SPACES[decl.code];
      if (space) return respond(req, reply, { json: { declaration: decl, etablissements: sirets }, redirect: space });
      return respond(req, reply, {
        json: { declaration: decl, etablissements: sirets },
        page: () => <ServicePage ctx={pageContext(req)} declaration={decl} sirets={sirets} />,
      });
    },
  );

  // ── Vos informations personnelles ───────────────────────────────────────────────────────────────
  const infoPage = async (req: FastifyRequest, extra: { errors?: FieldErrors; form?: 'password' | 'question' | 'email' } = {}) => {
    const u = req.auth!.user;
    const admins = await administratorsOf(ctx, u.espaceId);
    return <InformationsPage ctx={pageContext(req)} user={u} administrators={admins} notice={notice(req)} {...extra} />;
  };
  /** A refused change of « Vos informations personnelles »: the page again with the form's messages. */
  const refused = (req: FastifyRequest, reply: FastifyReply, p: Problem, form: 'password' | 'question' | 'email') =>
    respond(req, reply, { problem: p, page: () => infoPage(req, { errors: p.errors ?? {}, form }) });

  app.get(
    '/menu/informations',
    route({ operationId: 'informationsPersonnelles', summary: '', tags: tags.infos, access: 'user', hide: true }),
    async (req, reply) => respond(req, reply, { page: () => infoPage(req) }),
  );

  app.post(
    '/menu/informations/mot-de-passe',
    route({
      operationId: 'changerMotDePasse',
      summary: 'Changer de mot de passe',
      tags: tags.infos,
      access: 'user',
      body: passwordChange,
      responses: { 200: messageResponse },
    }),
    async (req, reply) => {
      const { user, session } = req.auth!;
      const parsed = parseBody(
        passwordSchema({ nom: user.nom, prenom: user.prenom }).and(z.object({ current: currentPasswordField })),
        req.body,
      );
      if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'password');
      const r = await changePassword(
        ctx,
        user,
        session.idHash,
        { current: parsed.data.current, password: parsed.data.password },
        meta(req),
      );
      if (!r.ok) return refused(req, reply, r.problem, 'password');
      return respond(req, reply, {
        json: { message: NOTICES['mot-de-passe-change'] },
        redirect: '/menu/informations',
        notice: 'mot-de-passe-change',
      });
    },
  );

  app.post(
    '/menu/informations/question-secrete',
    route({
      operationId: 'changerQuestionSecrete',
      summary: 'Changer de question secrète',
      tags: tags.infos,
      access: 'user',
      body: questionChange,
      responses: { 200: messageResponse },
    }),
    async (req, reply) => {
      const parsed = parseBody(questionChange, req.body);
      if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'question');
      const r = await changeSecretQuestion(ctx, req.auth!.user, parsed.data, meta(req));
      if (!r.ok) return refused(req, reply, r.problem, 'question');
      return respond(req, reply, {
        json: { message: NOTICES['question-changee'] },
        redirect: '/menu/informations',
        notice: 'question-changee',
      });
    },
  );

  app.post(
    '/menu/informations/courriel',
    route({
      operationId: 'changerCourriel',
      summary: 'Changer d’adresse électronique (validée par un lien)',
      tags: tags.infos,
      access: 'user',
      body: emailChangeSchema,
      responses: { 200: messageResponse },
    }),
    async (req, reply) => {
      const parsed = parseBody(emailChangeSchema, req.body);
      if (!parsed.ok) return refused(req, reply, invalidForm(parsed.errors), 'email');
      const r = await requestEmailChange(ctx, req.auth!.user, parsed.data, meta(req));
      if (!r.ok) return refused(req, reply, r.problem, 'email');
      return respond(req, reply, {
        json: { message: NOTICES['courriel-envoye'] },
        redirect: '/menu/informations',
        notice: 'courriel-envoye',
      });
    },
  );

  app.get(
    '/menu/sessions',
    route({ operationId: 'vosSessions', summary: 'Vos sessions ouvertes', tags: tags.infos, access: 'user' }),
    async (req, reply) => {
      const { user, session } = req.auth!;
      const list = (await listActiveSessions(ctx, user.id)).map((s) => ({
        current: s.idHash === session.idHash,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        ip: s.ip,
        userAgent: s.userAgent,
      }));
      return respond(req, reply, { json: { sessions: list }, page: () => <SessionsPage ctx={pageContext(req)} sessions={list} /> });
    },
  );

  // ── the change forced after an administrator's reset ──────────────────────────────────────────
  app.get(
    '/menu/changement-obligatoire',
    route({ operationId: 'pageChangementObligatoire', summary: '', tags: tags.infos, access: 'user-forced-change', hide: true }),
    async (req, reply) => {
      const u = req.auth!.user;
      if (!u.mustChangeCredentials) return redirect(reply, '/menu');
      return respond(req, reply, { page: () => <ForcedChangePage ctx={pageContext(req)} nom={u.nom} prenom={u.prenom} /> });
    },
  );
  app.post(
    '/menu/changement-obligatoire',
    route({
      operationId: 'changementObligatoire',
      summary: 'Nouveau mot de passe et question secrète imposés après une réinitialisation',
      tags: tags.infos,
      access: 'user-forced-change',
      body: forcedChange,
      responses: { 200: messageResponse },
    }),
    async (req, reply) => {
      const { user, session } = req.auth!;
      if (!user.mustChangeCredentials) return respond(req, reply, { json: { message: 'Rien à changer.' }, redirect: '/menu' });
      const parsed = parseBody(passwordSchema({ nom: user.nom, prenom: user.prenom }).and(secretQuestionSchema), req.body);
      if (!parsed.ok)
        return respond(req, reply, {
          problem: invalidForm(parsed.errors),
          page: () => (
            <ForcedChangePage ctx={pageContext(req)} nom={user.nom} prenom={user.prenom} values={parsed.values} errors={parsed.errors} />
          ),
        });
      await completeForcedChange(ctx, user, parsed.data, session.idHash, meta(req));
      return respond(req, reply, { json: { message: NOTICES['identifiants-changes'] }, redirect: '/menu', notice: 'identifiants-changes' });
    },
  );
}
