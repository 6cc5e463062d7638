/** « Versements »: the transfers the establishment received, by employer and reliquat share, as a page, JSON or CSV. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { VersementsPage } from '../../../web/pages/soltea-etablissement-versements.js';
import { paymentsResponse, siretParams } from '../contracts.js';
import { loadPayments, paymentsCsv, type PaymentsView } from '../versements.js';
import { tags, withSpace, type Space } from './common.js';

export async function versementsRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/etablissement/:siret/versements',
    route({
      operationId: 'versementsRecus',
      summary:
        'Versements reçus : date, libellé, montant, employeurs d’origine (nommés s’ils partagent leurs coordonnées), part du reliquat',
      tags,
      access: 'user',
      params: siretParams,
      responses: { 200: paymentsResponse },
    }),
    withSpace(showPayments),
  );
  app.get(
    '/soltea/etablissement/:siret/versements.csv',
    route({
      operationId: 'exporterVersementsCsv',
      summary: 'Versements reçus (CSV, séparateur ;)',
      tags,
      access: 'user',
      params: siretParams,
    }),
    withSpace(exportPayments),
  );
}

const share = (p: { regionaleCents: bigint; nationaleCents: bigint; formations: number; siret: string }) => ({
  siret: p.siret,
  regionaleCents: p.regionaleCents.toString(),
  nationaleCents: p.nationaleCents.toString(),
  formations: p.formations,
});

const paymentsJson = (v: PaymentsView) => ({
  campagne: v.annee,
  totalCents: v.totalCents.toString(),
  allocationsCents: v.allocationsCents.toString(),
  reliquatCents: v.reliquatCents.toString(),
  virements: v.virements.map((p) => ({
    numero: p.numero,
    libelle: p.libelle,
    date: p.jour,
    montantCents: p.cents.toString(),
    beneficiaire: { siret: p.beneficiaireSiret, nom: p.beneficiaireNom },
    nature: p.nature,
    statut: p.rejete ? 'rejete' : 'verse',
    motifRejet: p.motifRejet,
    employeurs: p.origines.map((o) => ({
      raisonSociale: o.employeurNom,
      siret: o.employeur?.siret ?? null,
      montantCents: o.cents.toString(),
    })),
    reliquat: p.reliquat ? share(p.reliquat) : null,
  })),
  partsReliquat: v.partsReliquat.map(share),
});

async function showPayments(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadPayments(req.server.ctx, s.etab);
  return respond(req, reply, {
    json: () => paymentsJson(view),
    page: () => <VersementsPage ctx={pageContext(req)} head={s.head} view={view} />,
  });
}

async function exportPayments(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadPayments(req.server.ctx, s.etab);
  return sendFile(reply, {
    name: `versements-${s.etab.siret}-${view.annee}.csv`,
    type: 'text/csv; charset=utf-8',
    body: paymentsCsv(view),
  });
}
