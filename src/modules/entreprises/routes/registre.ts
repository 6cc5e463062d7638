/**
 * The public look-up of the company registry (SIRENE data is public), used by the live check of the
 * inscription form. An API: it answers JSON whoever asks, its refusals as problem documents.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { parseBody } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';
import { registreParams, registreResponse } from '../contracts.js';
import { lookupEtablissement } from '../registry-repository.js';

const UNKNOWN = problem('not_found', 'siret_inconnu', 'Ce numéro SIRET est inconnu du répertoire des entreprises (SIRENE).');

export async function registreRoutes(app: FastifyInstance) {
  app.get(
    '/api/registre/etablissements/:siret',
    route({
      operationId: 'etablissementDuRepertoire',
      summary: 'Établissement du répertoire des entreprises (SIRENE)',
      tags: ['Répertoire'],
      access: 'public',
      params: registreParams,
      responses: { 200: registreResponse },
      rateLimits: RATE_LIMITS.registre,
    }),
    lookUp,
  );
}

async function lookUp(req: FastifyRequest, reply: FastifyReply) {
  const parsed = parseBody(registreParams, req.params);
  if (!parsed.ok) {
    const message = parsed.errors.siret ?? 'Le numéro SIRET doit comporter 14 chiffres.';
    return sendProblem(reply, problem('invalid', 'siret_invalide', message, { errors: parsed.errors }));
  }
  const entry = await lookupEtablissement(req.server.ctx.db, parsed.data.siret);
  if (!entry) return sendProblem(reply, UNKNOWN);
  return reply.send(entry);
}
