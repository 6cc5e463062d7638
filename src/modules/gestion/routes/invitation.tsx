/** The invitation link of a new déclarant: choose a password and a secret question, then log in. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, readForm } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { problem } from '../../../shared/problem.js';
import { InvitationPage } from '../../../web/pages/invitation.js';
import { invitationSchema } from '../contracts.js';
import { acceptInvitation, invitedPerson } from '../invitation.js';
import { meta, queryText, tags } from './common.js';

const INVITATION_GONE = problem(
  'gone',
  'invitation_expiree',
  'Ce lien d’invitation n’est plus valable : il a déjà servi ou a expiré (48 heures). Demandez à votre administrateur de vous renvoyer l’invitation.',
);

export async function invitationRoutes(app: FastifyInstance) {
  app.get(
    '/invitation',
    route({
      operationId: 'pageInvitation',
      summary: '',
      tags: tags.compte,
      access: 'public',
      querystring: z.object({ jeton: z.string() }),
      hide: true,
    }),
    showInvitation,
  );
  app.post(
    '/invitation',
    route({
      operationId: 'accepterInvitation',
      summary: 'Invitation d’un déclarant : choisir son mot de passe et sa question secrète',
      tags: tags.compte,
      access: 'public',
      body: invitationSchema(),
    }),
    accept,
  );
}

/** The link is used or expired: 410. */
const gone = (req: FastifyRequest, reply: FastifyReply) =>
  respond(req, reply, { problem: INVITATION_GONE, title: 'Lien non valide', tone: 'error' });

async function showInvitation(req: FastifyRequest, reply: FastifyReply) {
  const token = queryText(req, 'jeton');
  const p = await invitedPerson(req.server.ctx, token);
  if (!p) return gone(req, reply);
  return respond(req, reply, { page: () => <InvitationPage ctx={pageContext(req)} token={token} person={p} /> });
}

async function accept(req: FastifyRequest, reply: FastifyReply) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const token = typeof body.jeton === 'string' ? body.jeton : '';
  const p = await invitedPerson(req.server.ctx, token);
  if (!p) return gone(req, reply);
  const parsed = readForm(req, reply, invitationSchema({ nom: p.nom, prenom: p.prenom }), (wrong) => (
    <InvitationPage
      ctx={pageContext(req)}
      token={token}
      person={p}
      values={{ secretQuestion: body.secretQuestion }}
      errors={wrong.errors}
    />
  ));
  if (!parsed.ok) return parsed.answer;
  if (!(await acceptInvitation(req.server.ctx, token, parsed.data, meta(req)))) return gone(req, reply);
  return respond(req, reply, {
    json: { message: 'Votre mot de passe est enregistré : vous pouvez vous connecter.' },
    redirect: '/connexion',
    notice: 'invitation-acceptee',
  });
}
