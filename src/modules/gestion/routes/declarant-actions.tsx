/**
 * « Gérer les déclarants »: the buttons of each person — « Suspendre », « Réactiver », « Renvoyer
 * l’invitation », « Supprimer » (after a confirmation page) and « Réinitialiser le mot de passe ».
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { route, browserPage } from '../../../http/route.js';
import type { Outcome } from '../../../shared/problem.js';
import { RemoveDeclarantPage } from '../../../web/pages/declarants.js';
import type { AppContext } from '../../../app-context.js';
import { adminResetPassword } from '../../accounts/password-reset.js';
import { findActiveUserOfEspace } from '../../accounts/personal-information.js';
import { idParams } from '../contracts.js';
import { reactivateDeclarant, removeDeclarant, suspendDeclarant } from '../declarant-status.js';
import { findDeclarant, resendInvitation } from '../declarants.js';
import type { User } from '../scope.js';
import { answerAction, DECLARANT_NOTICES, personNotFound, type DeclarantNotice } from './declarant-answers.js';
import { meta, param, tags } from './common.js';

type Action = (ctx: AppContext, admin: User, id: string, meta: { ip?: string }) => Promise<Outcome>;

/** A handler calling `action` on the person of the path, answered with `notice`. */
const acting = (action: Action, notice: DeclarantNotice) => async (req: FastifyRequest, reply: FastifyReply) =>
  answerAction(req, reply, await action(req.server.ctx, req.auth!.user, param(req, 'id'), meta(req)), notice);

export async function declarantActionsRoutes(app: FastifyInstance) {
  const doc = { tags: tags.espace, access: 'admin' as const, params: idParams, changes: true };
  app.post(
    '/gestion/declarants/:id/suspendre',
    route({ ...doc, operationId: 'suspendreDeclarant', summary: 'Suspendre une personne (ses sessions sont fermées aussitôt)' }),
    acting(suspendDeclarant, 'suspendu'),
  );
  app.post(
    '/gestion/declarants/:id/reactiver',
    route({ ...doc, operationId: 'reactiverDeclarant', summary: 'Réactiver une personne suspendue' }),
    acting(reactivateDeclarant, 'reactive'),
  );
  app.post(
    '/gestion/declarants/:id/invitation',
    route({ ...doc, operationId: 'renvoyerInvitation', summary: 'Renvoyer l’invitation d’un déclarant' }),
    acting(resendInvitation, 'invitation-renvoyee'),
  );
  app.get('/gestion/declarants/:id/supprimer', route({ ...doc, ...browserPage('pageSupprimerDeclarant') }), removePage);
  app.post(
    '/gestion/declarants/:id/supprimer',
    route({ ...doc, operationId: 'supprimerDeclarant', summary: 'Supprimer une personne (sessions fermées, habilitations retirées)' }),
    acting(removeDeclarant, 'supprime'),
  );
  app.post(
    '/gestion/declarants/:id/reinitialiser',
    route({
      ...doc,
      operationId: 'reinitialiserMotDePasseDeclarant',
      summary: 'Réinitialiser le mot de passe d’une personne de l’entreprise',
    }),
    resetPassword,
  );
}

async function removePage(req: FastifyRequest, reply: FastifyReply) {
  const p = await findDeclarant(req.server.ctx, req.auth!.user, param(req, 'id'));
  if (!p) return personNotFound(req, reply);
  return respond(req, reply, { page: () => <RemoveDeclarantPage ctx={pageContext(req)} person={p} /> });
}

/** Administrator-initiated reset of one of the company's people: a temporary password by mail. */
async function resetPassword(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const admin = req.auth!.user;
  const target = await findActiveUserOfEspace(ctx, admin.espaceId, param(req, 'id'));
  const r = target ? await adminResetPassword(ctx, admin, target.id, meta(req)) : 'not_found';
  if (r === 'not_found') return personNotFound(req, reply);
  return respond(req, reply, {
    json: { message: DECLARANT_NOTICES.reinitialise },
    redirect: '/gestion/declarants',
    notice: 'reinitialise',
  });
}
