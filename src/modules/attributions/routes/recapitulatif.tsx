/** The printable récapitulatif of one employer SIRET's allocations, and the same as a PDF (recapitulatif.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { RecapitulatifPage } from '../../../web/pages/soltea-employeur-recapitulatif.js';
import { siretParams } from '../contracts.js';
import { recapitulatifPdf } from '../recapitulatif.js';
import { loadSynthese } from '../synthese.js';
import { syntheseJson } from '../synthese-views.js';
import { employerOf, siretNotFound, tags } from './common.js';

export async function recapitulatifRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur/:siret/recapitulatif',
    route({
      operationId: 'recapitulatifEmployeur',
      summary: 'Récapitulatif imprimable des attributions de la campagne en cours',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: z.object({ campagne: z.number() }).loose().describe('Le récapitulatif (la synthèse)') },
    }),
    showRecapitulatif,
  );
  app.get(
    '/soltea/employeur/:siret/recapitulatif.pdf',
    route({
      operationId: 'recapitulatifEmployeurPdf',
      summary: 'Le récapitulatif des attributions en PDF',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: z.string().describe('Le fichier PDF') },
    }),
    downloadPdf,
  );
}

async function showRecapitulatif(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const s = await loadSynthese(ctx.db, ctx.clock.now(), r.annee, r.siret);
  return respond(req, reply, { json: () => syntheseJson(s), page: () => <RecapitulatifPage ctx={pageContext(req)} head={r.head} s={s} /> });
}

async function downloadPdf(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const r = await employerOf(req);
  if (!r) return siretNotFound(req, reply);
  const { name, pdf } = await recapitulatifPdf(ctx.db, ctx.clock.now(), r.annee, r.siret);
  return sendFile(reply, { name, type: 'application/pdf', body: Buffer.from(pdf) });
}
