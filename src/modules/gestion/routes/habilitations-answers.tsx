/** How « Gérer les habilitations » shows a refusal to a browser: « Introuvable », « Accès refusé » or « Demande refusée ». */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { respond } from '../../../http/respond.js';
import type { Problem } from '../../../shared/problem.js';

export function refused(req: FastifyRequest, reply: FastifyReply, p: Problem) {
  const title = p.kind === 'not_found' ? 'Introuvable' : p.kind === 'forbidden' ? 'Accès refusé' : 'Demande refusée';
  return respond(req, reply, { problem: p, title: title, tone: 'error' });
}
