/** « Attributions reçues »: the employers' allocations to the establishment, as a page, JSON or CSV. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { formatPercent } from '../../../shared/format.js';
import { AttributionsPage } from '../../../web/pages/soltea-etablissement-attributions.js';
import { loadReceived, receivedCsv, type ReceivedView } from '../attributions.js';
import { receivedResponse, siretParams } from '../contracts.js';
import { tags, withSpace, type Space } from './common.js';

export async function attributionsRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissement/:siret/attributions',
    route({
      operationId: 'attributionsRecues',
      summary: 'Attributions reçues : pourcentages et montants attendus par employeur (nommé s’il partage ses coordonnées)',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: receivedResponse },
    }),
    withSpace(showReceived),
  );
  app.get(
    '/soltea/etablissement/:siret/attributions.csv',
    route({
      operationId: 'exporterAttributionsRecuesCsv',
      summary: 'Attributions reçues (CSV, séparateur ;)',
      tags,
      access: 'user',
      params: siretParams,
    }),
    withSpace(exportReceived),
  );
}

/** Amounts in cents as strings (bigint), the anonymous employer named as on the page. */
const receivedJson = (view: ReceivedView) => ({
  campagne: view.annee,
  totalCents: view.totalCents.toString(),
  employeurs: view.employeurs,
  attributions: view.lines.map((l) => ({
    employeur: l.employeur ? { raisonSociale: l.employeur.raisonSociale, siret: l.employeur.siret } : { raisonSociale: l.employeurNom },
    beneficiaire: l.beneficiaire,
    formation: l.formation,
    pointsBase: l.pointsBase,
    pourcentage: formatPercent(l.pointsBase),
    montantCents: l.montantCents?.toString() ?? null,
    statut: l.statut,
  })),
});

async function showReceived(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadReceived(req.server.ctx, s.etab);
  return respond(req, reply, {
    json: () => receivedJson(view),
    page: () => <AttributionsPage ctx={pageContext(req)} head={s.head} view={view} />,
  });
}

async function exportReceived(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadReceived(req.server.ctx, s.etab);
  return sendFile(reply, {
    name: `attributions-${s.etab.siret}-${view.annee}.csv`,
    type: 'text/csv; charset=utf-8',
    body: receivedCsv(view),
  });
}
