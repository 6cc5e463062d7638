/** « Historique des habilitations »: the page (50 entries a page) and the whole history as CSV. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDeclaration } from '../../../domain/declarations.js';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { formatDateTime } from '../../../shared/format.js';
import { HabilitationsHistoryPage } from '../../../web/pages/habilitations-historique.js';
import { historyQuery } from '../contracts.js';
import { historyCsv, listHistory } from '../habilitations-history.js';
import { queryText, tags } from './common.js';

export async function habilitationsHistoryRoutes(app: FastifyInstance) {
  const doc = { tags: tags.habilitations, access: 'admin' as const };
  app.get(
    '/gestion/habilitations/historique',
    route({ ...doc, operationId: 'historiqueHabilitations', summary: 'Historique des habilitations', querystring: historyQuery }),
    showHistory,
  );
  app.get(
    '/gestion/habilitations/historique.csv',
    route({ ...doc, operationId: 'exporterHistoriqueHabilitationsCsv', summary: 'Historique des habilitations (CSV)' }),
    exportHistory,
  );
}

async function showHistory(req: FastifyRequest, reply: FastifyReply) {
  const page = Number(queryText(req, 'page') || 1);
  const h = await listHistory(req.server.ctx.db, req.auth!.user, { page: Number.isInteger(page) && page > 0 ? page : 1 });
  const rows = h.entries.map((e) => ({
    id: e.id,
    at: formatDateTime(e.at),
    actor: e.actor,
    person: e.person,
    siret: e.siret,
    service: findDeclaration(e.code)?.name ?? e.code,
    declarer: e.declarer,
    payer: e.payer,
    payable: findDeclaration(e.code)?.payable ?? false,
  }));
  return respond(req, reply, {
    json: () => ({ ...h, entries: h.entries.map((e) => ({ ...e, at: e.at.toISOString() })) }),
    page: () => <HabilitationsHistoryPage ctx={pageContext(req)} rows={rows} page={h.page} pages={h.pages} total={h.total} />,
  });
}

async function exportHistory(req: FastifyRequest, reply: FastifyReply) {
  const h = await listHistory(req.server.ctx.db, req.auth!.user, { page: 1, all: true });
  return sendFile(reply, { name: 'historique-habilitations.csv', type: 'text/csv; charset=utf-8', body: historyCsv(h.entries) });
}
