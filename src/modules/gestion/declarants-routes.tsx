import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponse } from '../../http/legacy.js';
import { messageResponse } from '../../shared/fields.js';
import { passwordSchema, secretQuestionSchema } from '../accounts/contracts.js';
import { parseBody, type FieldErrors } from '../../shared/fields.js';
import { sendJsonErrors, wantsJson } from '../../http/legacy.js';
import { pageContext, redirect, sendPage } from '../../http/respond.js';
import { requireUser } from '../../http/security.js';
import { DeclarantEmailPage, DeclarantFormPage, DeclarantsPage, RemoveDeclarantPage } from '../../web/pages/declarants.js';
import { InvitationPage } from '../../web/pages/invitation.js';
import { MessagePage } from '../../web/pages/public.js';
import { adminResetPassword } from '../accounts/password-reset.js';
import { findActiveUserOfEspace } from '../accounts/personal-information.js';
import {
  acceptInvitation,
  addDeclarant,
  changeDeclarantEmail,
  declarantEmailSchema,
  editDeclarantSchema,
  findDeclarant,
  invitedPerson,
  listDeclarants,
  newDeclarantSchema,
  reactivateDeclarant,
  removeDeclarant,
  resendInvitation,
  suspendDeclarant,
  updateDeclarant,
  type ActionResult,
} from './declarants.js';

const NOTICES: Record<string, string> = {
  ajoute:
    'Le déclarant a été ajouté : il a reçu un courriel pour choisir son mot de passe et sa question secrète (lien valable 48 heures).',
  modifie: 'Les informations de la personne ont été enregistrées.',
  suspendu: 'La personne est suspendue : ses sessions ouvertes ont été fermées et elle ne peut plus se connecter.',
  reactive: 'La personne est réactivée.',
  supprime: 'La personne a été supprimée ; ses habilitations ont été retirées.',
  'courriel-envoye': 'Un lien de validation a été envoyé à la nouvelle adresse. Elle remplacera l’ancienne une fois validée.',
  'invitation-renvoyee': 'L’invitation a été renvoyée ; le lien précédent ne fonctionne plus.',
  reinitialise: 'Le mot de passe a été réinitialisé ; un mot de passe temporaire a été envoyé par courriel.',
};
const noticeOf = (req: FastifyRequest) => NOTICES[String((req.query as Record<string, unknown>).notice ?? '')];
const meta = (req: FastifyRequest) => ({ ip: req.ip });
const idOf = (req: FastifyRequest) => String((req.params as Record<string, unknown>).id ?? '');
const FORM_ERRORS = 'Le formulaire contient des erreurs.';
const INVITATION_GONE =
  'Ce lien d’invitation n’est plus valable : il a déjà servi ou a expiré (48 heures). Demandez à votre administrateur de vous renvoyer l’invitation.';

/** Routes of « Gérer les déclarants » (PRODUCT.md §3.4) and of the invitation link. */
export async function declarantsRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  const admin = { preValidation: requireUser({ admin: true }) };
  const tags = ['Espace entreprise'];
  const idParams = z.object({ id: z.string().max(64) });
  const doc = (summary: string, body?: z.ZodType, withId = true) => ({
    schema: {
      summary,
      tags,
      ...(withId ? { params: idParams } : {}),
      ...(body ? { body } : {}),
      response: {
        200: messageResponse.loose(),
        201: z.any(),
        400: errorResponse.loose(),
        404: errorResponse.loose(),
        409: errorResponse.loose(),
      },
    },
    attachValidation: true,
  });
  const flush = () => void ctx.mail.flush().catch(() => undefined);

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    wantsJson(req)
      ? sendJsonErrors(reply, 404, 'Personne introuvable.')
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Personne introuvable" type="error">
            Cette personne est introuvable dans votre entreprise.
          </MessagePage>,
          404,
        );

  /** Answers a use case: 303 to the list with a notice, or the French refusal (404 / 409 / 400). */
  const answer = (
    req: FastifyRequest,
    reply: FastifyReply,
    r: ActionResult,
    notice: string,
    rerender?: (errors: FieldErrors) => unknown,
  ) => {
    if (r.ok) return wantsJson(req) ? reply.send({ message: NOTICES[notice]! }) : redirect(reply, '/gestion/declarants', notice);
    if (r.code === 'not_found') return notFound(req, reply);
    if (r.code === 'invalid') {
      if (wantsJson(req) || !rerender) return sendJsonErrors(reply, 400, r.message, { [r.field]: r.message });
      return rerender({ [r.field]: r.message });
    }
    if (wantsJson(req)) return sendJsonErrors(reply, 409, r.message);
    return sendPage(
      reply,
      <MessagePage ctx={pageContext(req)} title="Action impossible" type="warning">
        {r.message}
      </MessagePage>,
      409,
    );
  };

  // ── the list ────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/gestion/declarants',
    { ...admin, schema: { summary: 'Gérer les déclarants : les personnes de l’entreprise', tags } },
    async (req, reply) => {
      const rows = await listDeclarants(ctx, req.auth!.user);
      if (wantsJson(req)) return reply.send({ declarants: rows });
      return sendPage(reply, <DeclarantsPage ctx={pageContext(req)} rows={rows} notice={noticeOf(req)} />);
    },
  );

  // ── Nouveau déclarant ───────────────────────────────────────────────────────────────────────
  app.get('/gestion/declarants/nouveau', { ...admin, schema: { hide: true } }, async (req, reply) =>
    sendPage(reply, <DeclarantFormPage ctx={pageContext(req)} mode="new" />),
  );
  app.post(
    '/gestion/declarants/nouveau',
    { ...admin, ...doc('Ajouter un déclarant (il reçoit un courriel pour choisir son mot de passe)', newDeclarantSchema, false) },
    async (req, reply) => {
      const parsed = parseBody(newDeclarantSchema, req.body);
      const values = (req.body ?? {}) as Record<string, unknown>;
      const rerender = (errors: FieldErrors) =>
        wantsJson(req)
          ? sendJsonErrors(reply, 400, FORM_ERRORS, errors)
          : sendPage(reply, <DeclarantFormPage ctx={pageContext(req)} mode="new" values={values} errors={errors} />, 400);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await addDeclarant(ctx, req.auth!.user, parsed.data, meta(req));
      flush();
      if (!r.ok) return rerender({ [r.field]: r.message });
      if (wantsJson(req)) return reply.code(201).send({ message: NOTICES.ajoute!, id: r.userId });
      return redirect(reply, '/gestion/declarants', 'ajoute');
    },
  );

  // ── Modifier ────────────────────────────────────────────────────────────────────────────────
  app.get('/gestion/declarants/:id/modifier', { ...admin, schema: { hide: true } }, async (req, reply) => {
    const p = await findDeclarant(ctx, req.auth!.user, idOf(req));
    if (!p) return notFound(req, reply);
    return sendPage(
      reply,
      <DeclarantFormPage ctx={pageContext(req)} mode="edit" id={p.id} values={{ nom: p.nom, prenom: p.prenom, telephone: p.telephone }} />,
    );
  });
  app.post(
    '/gestion/declarants/:id/modifier',
    { ...admin, ...doc('Modifier une personne (nom, prénom, téléphone)', editDeclarantSchema) },
    async (req, reply) => {
      const id = idOf(req);
      const values = (req.body ?? {}) as Record<string, unknown>;
      const rerender = (errors: FieldErrors) =>
        wantsJson(req)
          ? sendJsonErrors(reply, 400, FORM_ERRORS, errors)
          : sendPage(reply, <DeclarantFormPage ctx={pageContext(req)} mode="edit" id={id} values={values} errors={errors} />, 400);
      if (!(await findDeclarant(ctx, req.auth!.user, id))) return notFound(req, reply);
      const parsed = parseBody(editDeclarantSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await updateDeclarant(ctx, req.auth!.user, id, parsed.data, meta(req));
      flush();
      return answer(req, reply, r, 'modifie', rerender);
    },
  );

  // ── Suspendre / Réactiver / Renvoyer l'invitation ───────────────────────────────────────────
  app.post(
    '/gestion/declarants/:id/suspendre',
    { ...admin, ...doc('Suspendre une personne (ses sessions sont fermées aussitôt)') },
    async (req, reply) => {
      const r = await suspendDeclarant(ctx, req.auth!.user, idOf(req), meta(req));
      flush();
      return answer(req, reply, r, 'suspendu');
    },
  );
  app.post('/gestion/declarants/:id/reactiver', { ...admin, ...doc('Réactiver une personne suspendue') }, async (req, reply) => {
    const r = await reactivateDeclarant(ctx, req.auth!.user, idOf(req), meta(req));
    flush();
    return answer(req, reply, r, 'reactive');
  });
  app.post('/gestion/declarants/:id/invitation', { ...admin, ...doc('Renvoyer l’invitation d’un déclarant') }, async (req, reply) => {
    const r = await resendInvitation(ctx, req.auth!.user, idOf(req), meta(req));
    flush();
    return answer(req, reply, r, 'invitation-renvoyee');
  });

  // ── Supprimer (with a confirmation page) ────────────────────────────────────────────────────
  app.get('/gestion/declarants/:id/supprimer', { ...admin, schema: { hide: true } }, async (req, reply) => {
    const p = await findDeclarant(ctx, req.auth!.user, idOf(req));
    if (!p) return notFound(req, reply);
    return sendPage(reply, <RemoveDeclarantPage ctx={pageContext(req)} person={p} />);
  });
  app.post(
    '/gestion/declarants/:id/supprimer',
    { ...admin, ...doc('Supprimer une personne (sessions fermées, habilitations retirées)') },
    async (req, reply) => {
      const r = await removeDeclarant(ctx, req.auth!.user, idOf(req), meta(req));
      flush();
      return answer(req, reply, r, 'supprime');
    },
  );

  // ── Changer le courriel ─────────────────────────────────────────────────────────────────────
  const emailPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: Record<string, unknown>; errors?: FieldErrors } = {},
    status = 200,
  ) => {
    const p = await findDeclarant(ctx, req.auth!.user, idOf(req));
    if (!p) return notFound(req, reply);
    return sendPage(
      reply,
      <DeclarantEmailPage ctx={pageContext(req)} person={{ ...p, invited: p.status === 'email_pending' && !p.passwordHash }} {...extra} />,
      status,
    );
  };
  app.get('/gestion/declarants/:id/courriel', { ...admin, schema: { hide: true } }, (req, reply) => emailPage(req, reply));
  app.post(
    '/gestion/declarants/:id/courriel',
    { ...admin, ...doc('Changer le courriel d’une personne (nouvelle adresse validée par un lien)', declarantEmailSchema) },
    async (req, reply) => {
      const values = (req.body ?? {}) as Record<string, unknown>;
      const rerender = (errors: FieldErrors) =>
        wantsJson(req) ? sendJsonErrors(reply, 400, FORM_ERRORS, errors) : emailPage(req, reply, { values, errors }, 400);
      if (!(await findDeclarant(ctx, req.auth!.user, idOf(req)))) return notFound(req, reply);
      const parsed = parseBody(declarantEmailSchema, req.body);
      if (!parsed.ok) return rerender(parsed.errors);
      const r = await changeDeclarantEmail(ctx, req.auth!.user, idOf(req), parsed.data, meta(req));
      flush();
      return answer(req, reply, r, 'courriel-envoye', rerender);
    },
  );

  // ── Réinitialiser le mot de passe (moved from accounts/routes.tsx, same behaviour) ─────────────
  /** Administrator-initiated reset of one of the company's people (also reachable from « Gérer les déclarants »). */
  app.post(
    '/gestion/declarants/:id/reinitialiser',
    {
      ...admin,
      schema: { summary: 'Réinitialiser le mot de passe d’une personne de l’entreprise', tags, params: idParams },
      attachValidation: true,
    },
    async (req, reply) => {
      const id = idOf(req);
      const target = await findActiveUserOfEspace(ctx, req.auth!.user.espaceId, id);
      const r = target ? await adminResetPassword(ctx, req.auth!.user, target.id, meta(req)) : 'not_found';
      flush();
      if (r === 'not_found') return notFound(req, reply);
      return wantsJson(req) ? reply.send({ message: NOTICES.reinitialise! }) : redirect(reply, '/gestion/declarants', 'reinitialise');
    },
  );

  // ── the invitation link ─────────────────────────────────────────────────────────────────────
  const gone = (req: FastifyRequest, reply: FastifyReply) =>
    wantsJson(req)
      ? sendJsonErrors(reply, 410, INVITATION_GONE)
      : sendPage(
          reply,
          <MessagePage ctx={pageContext(req)} title="Lien non valide" type="error">
            {INVITATION_GONE}
          </MessagePage>,
          410,
        );
  app.get('/invitation', { schema: { hide: true } }, async (req, reply) => {
    const token = String((req.query as Record<string, unknown>).jeton ?? '');
    const p = await invitedPerson(ctx, token);
    if (!p) return gone(req, reply);
    return sendPage(reply, <InvitationPage ctx={pageContext(req)} token={token} person={p} />);
  });
  const invitationBody = passwordSchema({})
    .and(secretQuestionSchema)
    .and(z.object({ jeton: z.string().max(100) }));
  app.post(
    '/invitation',
    {
      schema: {
        summary: 'Invitation d’un déclarant : choisir son mot de passe et sa question secrète',
        tags: ['Compte'],
        body: invitationBody,
        response: { 200: messageResponse.loose(), 400: errorResponse.loose(), 410: errorResponse.loose() },
      },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = typeof body.jeton === 'string' ? body.jeton : '';
      const p = await invitedPerson(ctx, token);
      if (!p) return gone(req, reply);
      const parsed = parseBody(passwordSchema({ nom: p.nom, prenom: p.prenom }).and(secretQuestionSchema), req.body);
      if (!parsed.ok) {
        if (wantsJson(req)) return sendJsonErrors(reply, 400, FORM_ERRORS, parsed.errors);
        return sendPage(
          reply,
          <InvitationPage
            ctx={pageContext(req)}
            token={token}
            person={p}
            values={{ secretQuestion: body.secretQuestion }}
            errors={parsed.errors}
          />,
          400,
        );
      }
      const ok = await acceptInvitation(ctx, token, parsed.data, meta(req));
      flush();
      if (!ok) return gone(req, reply);
      return wantsJson(req)
        ? reply.send({ message: 'Votre mot de passe est enregistré : vous pouvez vous connecter.' })
        : redirect(reply, '/connexion', 'invitation-acceptee');
    },
  );
}
