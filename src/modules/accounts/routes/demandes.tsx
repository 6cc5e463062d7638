/** « Demande en attente »: candidats AD to grant or refuse, passwords to reset, for administrators. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { messageResponse } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';
import { DemandesPage } from '../../../web/pages/menu.js';
import { MessagePage } from '../../../web/pages/public.js';
import { decideCandidat, listPendingDemandes, pendingResetRequester } from '../candidat.js';
import { adminResetPassword } from '../password-reset.js';
import { meta, notice, NOTICES, tags } from './common.js';

const decisionParams = z.object({ id: z.string().max(64), decision: z.enum(['accorder', 'refuser', 'reinitialiser']) });
const GONE = problem('not_found', 'demande_introuvable', 'Demande introuvable ou déjà traitée.');

export async function demandesRoutes(app: FastifyInstance) {
  app.get(
    '/menu/demandes',
    route({ operationId: 'demandesEnAttente', summary: 'Demande en attente (administrateurs)', tags: tags.espace, access: 'admin' }),
    showDemandes,
  );
  app.post(
    '/menu/demandes/:id/:decision',
    route({
      operationId: 'deciderDemande',
      summary: 'Accorder ou refuser un candidat administrateur, ou réinitialiser un mot de passe demandé',
      tags: tags.espace,
      access: 'admin',
      params: decisionParams,
      changes: true,
      responses: { 200: messageResponse },
    }),
    decide,
  );
}

async function showDemandes(req: FastifyRequest, reply: FastifyReply) {
  const list = await listPendingDemandes(req.server.ctx, req.auth!.user.espaceId);
  return respond(req, reply, {
    json: { demandes: list },
    page: () => <DemandesPage ctx={pageContext(req)} demandes={list} notice={notice(req)} />,
  });
}

/** Grants or refuses a candidat AD, or resets the password a person asked for; another espace's request is « introuvable ». */
async function decide(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const p = decisionParams.safeParse(req.params);
  const admin = req.auth!.user;
  let result: 'reinitialise' | 'accordee' | 'refusee' | null = null;
  if (p.success && p.data.decision === 'reinitialiser') {
    const userId = await pendingResetRequester(ctx, admin.espaceId, p.data.id);
    if (userId && (await adminResetPassword(ctx, admin, userId, meta(req))) === 'done') result = 'reinitialise';
  } else if (p.success) {
    const r = await decideCandidat(ctx, admin, p.data.id, p.data.decision === 'accorder', meta(req));
    if (r !== 'not_found') result = r === 'granted' ? 'accordee' : 'refusee';
  }
  if (!result)
    return respond(req, reply, {
      problem: GONE,
      page: () => (
        <MessagePage ctx={pageContext(req)} title="Demande introuvable" type="error">
          Cette demande est introuvable ou a déjà été traitée.
        </MessagePage>
      ),
    });
  return respond(req, reply, { json: { message: NOTICES[result] }, redirect: '/menu/demandes', notice: result });
}
