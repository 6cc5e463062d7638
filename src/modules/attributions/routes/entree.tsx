/**
 * The entry of « SOLTéA - Employeurs » for a habilitated person: the SIRETs they may act for (filtered
 * and paged), each opening its Synthèse, and the search of habilitated establishments. A person
 * habilitated on no SIRET is told the service is not open to them (403).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { MAX_FIELD_LENGTH } from '../../../domain/recherche.js';
import { problem } from '../../../shared/problem.js';
import { SolteaEmployeurPage } from '../../../web/pages/soltea-employeur.js';
import { currentCampaign } from '../../campagnes/repository.js';
import { searchQuerySchema } from '../../recherche/contracts.js';
import { diplomeTypes } from '../../recherche/search.js';
import { invalidCriteria, runSearch, searchJson, searchView } from '../../recherche/search-view.js';
import { firstString } from '../contracts.js';
import { employerList } from '../liste.js';
import { employerSirets } from '../scope.js';
import { tags } from './common.js';

const entreeQuery = searchQuerySchema.extend({
  siretFiltre: z.string().max(MAX_FIELD_LENGTH).optional().describe('SIRET, nom ou commune des établissements listés'),
  siretPage: z.string().optional().describe('Page de la liste des établissements'),
});

const NOT_OPEN = problem(
  'forbidden',
  'service_non_ouvert',
  'Ce service ne vous est pas ouvert : vous n’êtes pas habilité à « SOLTéA - Employeurs », ou le délai d’accès de 24 heures n’est pas écoulé.',
);

export async function entreeRoutes(app: FastifyInstance) {
  app.get(
    '/soltea/employeur',
    route({
      operationId: 'entreeEmployeur',
      summary: 'SOLTéA - Employeurs : établissements pour lesquels l’utilisateur agit, et recherche d’établissements habilités',
      tags,
      access: 'user',
      querystring: entreeQuery,
      responses: { 200: z.object({ campagne: z.number(), etablissements: z.array(z.any()) }).loose() },
    }),
    showEntree,
  );
}

async function showEntree(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const campaign = await currentCampaign(ctx);
  const sirets = await employerSirets(ctx, req.auth!.user, campaign.annee);
  if (sirets.length === 0) return respond(req, reply, { problem: NOT_OPEN, title: 'Service non accessible', tone: 'warning' });
  const q = (req.query ?? {}) as Record<string, unknown>;
  const run = await runSearch(ctx.db, q);
  const page = async () => {
    const filtre = firstString(q.siretFiltre).trim().slice(0, MAX_FIELD_LENGTH);
    const list = await employerList(ctx.db, campaign.annee, sirets, filtre, Number.parseInt(firstString(q.siretPage) || '1', 10) || 1);
    const view = searchView(run, await diplomeTypes(ctx.db));
    return <SolteaEmployeurPage ctx={pageContext(req)} annee={campaign.annee} sirets={list.sirets} liste={list.liste} view={view} />;
  };
  if (run.invalid) return respond(req, reply, { problem: invalidCriteria(run), page });
  return respond(req, reply, {
    json: {
      campagne: campaign.annee,
      etablissements: sirets.map((s) => ({ ...s, synthese: s.indisponible ? null : `/soltea/employeur/${s.siret}` })),
      recherche: run.parsed.submitted ? searchJson(run.parsed, run.outcome) : null,
    },
    page,
  });
}
