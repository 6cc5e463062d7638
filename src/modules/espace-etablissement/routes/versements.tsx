/** « Versements »: the transfers the establishment received, by employer and reliquat share, as a page, JSON or CSV. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { VersementsPage } from '../../../web/pages/soltea-etablissement-versements.js';
import { campaignQuery, paymentsResponse, siretParams } from '../contracts.js';
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
      querystring: campaignQuery,
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
      querystring: campaignQuery,
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

/** The campaigns whose payments the page offers: the current one and the two before (payments go on after a campaign). */
const campaignsOf = (current: number) => [current - 2, current - 1, current];

/** `?annee=`: one of the campaigns offered, else the current one (the space's). */
function campaignAsked(req: FastifyRequest, s: Space): number {
  const asked = Number((req.query as Record<string, unknown> | undefined)?.annee);
  return campaignsOf(s.etab.annee).includes(asked) ? asked : s.etab.annee;
}

async function showPayments(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadPayments(req.server.ctx, { ...s.etab, annee: campaignAsked(req, s) });
  return respond(req, reply, {
    json: () => paymentsJson(view),
    page: () => <VersementsPage ctx={pageContext(req)} head={s.head} view={view} campagnes={campaignsOf(s.etab.annee)} />,
  });
}

async function exportPayments(req: FastifyRequest, reply: FastifyReply, s: Space) {
  const view = await loadPayments(req.server.ctx, { ...s.etab, annee: campaignAsked(req, s) });
  return sendFile(reply, {
    name: `versements-${s.etab.siret}-${view.annee}.csv`,
    type: 'text/csv; charset=utf-8',
    body: paymentsCsv(view),
  });
}
