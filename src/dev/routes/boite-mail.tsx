/** The development outbox: the mails kept when no SMTP server is configured, newest first. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../http/respond.js';
import { route } from '../../http/route.js';
import { listOutbox } from '../../infra/mail.js';
import { DevBoiteMailPage } from '../../web/pages/dev-boite-mail.js';

export async function boiteMailRoutes(app: FastifyInstance) {
  app.get(
    '/dev/boite-mail',
    route({ operationId: 'boiteMailDeveloppement', summary: '', tags: ['Développement'], access: 'public', hide: true }),
    showOutbox,
  );
}

async function showOutbox(req: FastifyRequest, reply: FastifyReply) {
  const mails = await listOutbox(req.server.ctx.db, 50);
  return respond(req, reply, { json: { mails }, page: () => <DevBoiteMailPage ctx={pageContext(req)} mails={mails} /> });
}
