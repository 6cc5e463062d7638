/** « Récapitulatif » of the portefeuilles: on screen (50 clients a page), printable, and as CSV. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { RecapPage } from '../../../web/pages/portefeuilles-recapitulatif.js';
import { recapitulatifQuery } from '../contracts.js';
import { recapCsv, recapitulatif, recapitulatifPage } from '../portefeuilles-recapitulatif.js';
import { pageOf, queryText } from './common.js';
import { tiersRoute } from './portefeuilles-common.js';

export async function recapitulatifRoutes(app: FastifyInstance) {
  app.get(
    '/gestion/portefeuilles/recapitulatif',
    tiersRoute({
      access: 'admin',
      operationId: 'recapitulatifPortefeuilles',
      summary: 'Récapitulatif des portefeuilles',
      querystring: recapitulatifQuery,
    }),
    showRecapitulatif,
  );
  app.get(
    '/gestion/portefeuilles/recapitulatif.csv',
    tiersRoute({ access: 'admin', operationId: 'exporterRecapitulatifCsv', summary: 'Récapitulatif des portefeuilles (CSV ;)' }),
    exportRecapitulatif,
  );
}

async function showRecapitulatif(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const espaceId = req.auth!.user.espaceId;
  const print = queryText(req, 'impression') === '1';
  return respond(req, reply, {
    json: async () => ({
      recapitulatif: (await recapitulatif(ctx, espaceId)).map((r) => ({
        ...r,
        declarations: (r.declarations ?? '').split(',').filter(Boolean),
      })),
    }),
    page: async () => {
      if (print) return <RecapPage ctx={pageContext(req)} rows={await recapitulatif(ctx, espaceId)} print />;
      // On screen, 50 clients a page: a tiers with 2,000 clients gets a page in milliseconds.
      const r = await recapitulatifPage(ctx, espaceId, { page: pageOf(req) });
      return <RecapPage ctx={pageContext(req)} rows={r.rows} print={false} page={r.page} pages={r.pages} />;
    },
  });
}

async function exportRecapitulatif(req: FastifyRequest, reply: FastifyReply) {
  const rows = await recapitulatif(req.server.ctx, req.auth!.user.espaceId);
  return sendFile(reply, { name: 'recapitulatif-portefeuilles.csv', type: 'text/csv; charset=utf-8', body: recapCsv(rows) });
}
