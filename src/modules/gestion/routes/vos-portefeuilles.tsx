/** The portefeuilles a déclarant (or an administrator) of a tiers-déclarant works on, read only. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond } from '../../../http/respond.js';
import { ViewerPortefeuillePage, ViewerPortefeuillesPage } from '../../../web/pages/portefeuilles-recapitulatif.js';
import { pageQuery, portefeuilleParams } from '../contracts.js';
import { listClients } from '../portefeuilles-clients.js';
import { portefeuillesOfViewer, viewerPortefeuille } from '../portefeuilles.js';
import { pageOf, param } from './common.js';
import { notFound, tiersRoute } from './portefeuilles-common.js';

export async function viewerRoutes(app: FastifyInstance) {
  app.get(
    '/portefeuilles',
    tiersRoute({ access: 'user', operationId: 'vosPortefeuilles', summary: 'Les portefeuilles sur lesquels vous travaillez' }),
    showPortefeuilles,
  );
  app.get(
    '/portefeuilles/:id',
    tiersRoute({
      access: 'user',
      operationId: 'entreprisesDeVotrePortefeuille',
      summary: 'Les entreprises d’un de vos portefeuilles',
      params: portefeuilleParams,
      querystring: pageQuery,
    }),
    showPortefeuille,
  );
}

async function showPortefeuilles(req: FastifyRequest, reply: FastifyReply) {
  const rows = await portefeuillesOfViewer(req.server.ctx, req.auth!.user);
  return respond(req, reply, { json: { portefeuilles: rows }, page: () => <ViewerPortefeuillesPage ctx={pageContext(req)} rows={rows} /> });
}

async function showPortefeuille(req: FastifyRequest, reply: FastifyReply) {
  const p = await viewerPortefeuille(req.server.ctx, req.auth!.user, param(req, 'id'));
  if (!p) return notFound(req, reply);
  const r = await listClients(req.server.ctx, p.id, pageOf(req));
  return respond(req, reply, {
    json: {
      portefeuille: { id: p.id, name: p.name },
      entreprises: r.rows,
      total: r.total,
      page: r.page,
      pages: r.pages,
    },
    page: () => (
      <ViewerPortefeuillePage ctx={pageContext(req)} portefeuille={p} clients={r.rows} total={r.total} page={r.page} pages={r.pages} />
    ),
  });
}
