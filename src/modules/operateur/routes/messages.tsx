/** « Messages » of the operator's space: the mail queue's backlog, the mails given up and the campaign's message events (messages/suivi.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { OperatorMessagesPage } from '../../../web/pages/operateur-messages.js';
import { queueOverview } from '../../messages/suivi.js';
import { tags } from './common.js';

export async function operateurMessagesRoutes(app: FastifyInstance) {
  app.get(
    '/operateur/messages',
    route({
      tags: tags.espace,
      access: 'agent',
      operationId: 'operateurMessages',
      summary: 'La file des courriels (en attente, abandonnés) et les messages de la campagne envoyés',
      responses: { 200: z.object({ waiting: z.number(), gaveUp: z.number() }).loose() },
    }),
    showMessages,
  );
}

async function showMessages(req: FastifyRequest, reply: FastifyReply) {
  const o = await queueOverview(req.server.ctx);
  return respond(req, reply, { json: o, page: () => <OperatorMessagesPage ctx={pageContext(req)} o={o} /> });
}
