/** SOLTéA's public calendar of the campaign (no login): each phase with its dates, today's marked. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { parseBody } from '../../../shared/fields.js';
import { problem } from '../../../shared/problem.js';
import { CalendrierPage } from '../../../web/pages/soltea-calendrier.js';
import { publicCalendar } from '../../campagnes/calendrier.js';
import { tags } from './recherche.js';

const NO_CALENDAR = 'Aucun calendrier n’est publié pour cette campagne.';
const calendrierQuery = z.object({
  annee: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : v),
    z
      .string()
      .regex(/^\d{4}$/, 'Campagne : une année sur 4 chiffres est attendue.')
      .transform(Number)
      .optional(),
  ),
});

export async function calendrierRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/calendrier',
    route({
      operationId: 'calendrierCampagne',
      summary: 'Calendrier de la campagne : les étapes et leurs dates, l’étape en cours, les versements',
      tags,
      access: 'public',
      querystring: calendrierQuery,
      problems: [404],
    }),
    showCalendrier,
  );
}

async function showCalendrier(req: FastifyRequest, reply: FastifyReply) {
  const q = parseBody(calendrierQuery, req.query);
  const calendar = q.ok ? await publicCalendar(req.server.ctx, q.data.annee) : null;
  if (!calendar)
    return respond(req, reply, {
      problem: q.ok
        ? problem('not_found', 'campagne_inconnue', NO_CALENDAR)
        : problem('invalid', 'campagne_invalide', q.errors.annee ?? NO_CALENDAR, { errors: q.errors }),
      title: 'Calendrier introuvable',
      tone: 'error',
    });
  return respond(req, reply, { json: calendar, page: () => <CalendrierPage ctx={pageContext(req)} calendar={calendar} /> });
}
