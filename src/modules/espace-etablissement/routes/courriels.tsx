/**
 * « Mes courriels »: the signed-in person chooses whether they receive the daily digest of the
 * allocations received (notifications/preferences.ts); the choice is theirs, for all their establishments.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { CourrielsPage } from '../../../web/pages/soltea-etablissement-courriels.js';
import { spaceUrl } from '../../../web/pages/soltea-etablissement.js';
import { receivesDigest, setDigest } from '../../notifications/preferences.js';
import { siretParams } from '../contracts.js';
import { notice, tags, withSpace, type Space } from './common.js';

/** A browser's checkbox sends « 1 » when ticked and nothing otherwise; a program sends true or false. */
const courrielsBody = z.object({
  resumeQuotidien: z
    .union([z.boolean(), z.literal('1')])
    .optional()
    .describe('Recevoir chaque jour le récapitulatif des attributions reçues'),
});

const preferenceResponse = z.object({ resumeQuotidien: z.boolean() });

export async function courrielsRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissement/:siret/courriels',
    route({
      operationId: 'mesCourriels',
      summary: 'Mes courriels : le récapitulatif quotidien des attributions reçues (oui / non)',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: preferenceResponse },
    }),
    withSpace(showCourriels),
  );
  app.post(
    '/soltea/etablissement/:siret/courriels',
    route({
      operationId: 'changerMesCourriels',
      summary: 'Recevoir ou non le récapitulatif quotidien des attributions reçues',
      tags,
      access: 'user',
      params: siretParams,
      body: courrielsBody,
      responses: { 200: preferenceResponse },
    }),
    withSpace(changeCourriels),
  );
}

async function showCourriels(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const on = await receivesDigest(req.server.ctx, req.auth!.user.id);
  return respond(req, reply, {
    json: { resumeQuotidien: on },
    page: () => <CourrielsPage ctx={pageContext(req)} head={s.head} resumeQuotidien={on} notice={notice(req)} />,
  });
}

async function changeCourriels(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const parsed = courrielsBody.safeParse(req.body ?? {});
  const on = parsed.success && parsed.data.resumeQuotidien !== undefined && parsed.data.resumeQuotidien !== false;
  await setDigest(req.server.ctx, req.auth!.user.id, on);
  return respond(req, reply, {
    json: { resumeQuotidien: on },
    redirect: spaceUrl(s.etab.siret, 'courriels'),
    notice: on ? 'resume-oui' : 'resume-non',
  });
}
