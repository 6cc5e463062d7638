/** « Gérer les établissements »: the company's établissements from the registry, active and closed, with their declarations count. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { EtablissementsPage } from '../../../web/pages/etablissements.js';
import type { CompanyEtablissements } from '../declarations.js';
import { etablissementsCsv, etablissementsOfCompany } from '../etablissements.js';
import { companyProps, tags } from './common.js';

export async function etablissementsRoutes(app: FastifyInstance) {
  app.get(
    '/gestion/etablissements',
    route({
      tags: tags.espace,
      access: 'admin',
      operationId: 'gererEtablissements',
      summary: 'Gérer les établissements : les établissements de l’entreprise (répertoire SIRENE)',
    }),
    showEtablissements,
  );
  app.get(
    '/gestion/etablissements.csv',
    route({
      tags: tags.espace,
      access: 'admin',
      operationId: 'exporterEtablissementsCsv',
      summary: 'Gérer les établissements : la liste (CSV, séparateur ;)',
    }),
    async (req, reply) =>
      sendFile(reply, {
        name: 'etablissements.csv',
        type: 'text/csv; charset=utf-8',
        body: etablissementsCsv(await etablissementsOfCompany(req.server.ctx, req.auth!.user)),
      }),
  );
}

async function showEtablissements(req: FastifyRequest, reply: FastifyReply) {
  const company = await etablissementsOfCompany(req.server.ctx, req.auth!.user);
  return respond(req, reply, {
    json: () => companyJson(company, { siege: true }),
    page: () => <EtablissementsPage ctx={pageContext(req)} {...companyProps(company)} />,
  });
}

/** The company and its établissements as programs read them (« Gérer les établissements » says which one is the siège). */
export const companyJson = (company: CompanyEtablissements, opts: { siege: boolean }) => ({
  siren: company.siren,
  raisonSociale: company.raisonSociale,
  etablissements: company.etablissements.map((e) => ({
    siret: e.siret,
    denomination: e.denomination,
    ...(opts.siege ? { siege: e.estSiege } : {}),
    adresse: e.adresse,
    ferme: e.etatAdministratif !== 'A',
    declarations: e.declarations,
  })),
});
