/**
 * SOLTéA's home and « Recherche établissement » (public): the GET form and its results, 20 a page, or
 * the same as JSON for programs, with the same French messages (a wrong criterion: 400, one message
 * per field).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, wantsJson } from '../../../http/respond.js';
import { RATE_LIMITS } from '../../../http/rate-limits.js';
import { route } from '../../../http/route.js';
import { SolteaAccueilPage } from '../../../web/pages/soltea-accueil.js';
import { RecherchePage } from '../../../web/pages/soltea-recherche.js';
import { searchQuerySchema } from '../contracts.js';
import { accueilSoltea, diplomeTypes, searchEtablissements } from '../search.js';
import { invalidCriteria, runSearch, searchJson, searchView } from '../search-view.js';

export const tags = ['SOLTéA - Recherche'];

const accueilResponse = z
  .object({ annee: z.number().nullable(), etablissementsHabilites: z.number(), recherche: z.string() })
  .loose()
  .describe('La campagne en cours et le nombre d’établissements habilités');
const searchResponse = z
  .object({ total: z.number(), resultats: z.array(z.any()) })
  .loose()
  .describe('Une page de résultats');

export async function rechercheEtablissementRoutes(app: FastifyInstance) {
  app.get(
    '/soltea',
    route({
      operationId: 'accueilSoltea',
      summary: 'Accueil SOLTéA : présentation, accès employeur et établissement, recherche',
      tags,
      access: 'public',
      responses: { 200: accueilResponse },
    }),
    showAccueil,
  );
  app.get(
    '/soltea/recherche',
    route({
      operationId: 'rechercherEtablissements',
      summary: 'Recherche établissement : par nom, SIRET ou UAI, lieu ou distance, formation ; 20 résultats par page',
      description:
        'Critères combinables. Tri : identifiant ou nom exact d’abord, puis pertinence, puis distance (quand une commune de référence est connue), puis nom. Erreur 400 avec un message par champ incorrect.',
      tags,
      access: 'public',
      querystring: searchQuerySchema,
      responses: { 200: searchResponse },
      rateLimits: RATE_LIMITS.recherche,
    }),
    search,
  );
}

async function showAccueil(req: FastifyRequest, reply: FastifyReply) {
  const { annee, etablissements } = await accueilSoltea(req.server.ctx.db);
  return respond(req, reply, {
    json: {
      annee,
      etablissementsHabilites: etablissements,
      recherche: '/soltea/recherche',
      employeur: '/soltea/employeur',
      etablissement: '/soltea/etablissement',
    },
    page: () => <SolteaAccueilPage ctx={pageContext(req)} annee={annee} etablissements={etablissements} />,
  });
}

/** The search; programs get the first page of everything when they send no criterion. */
async function search(req: FastifyRequest, reply: FastifyReply) {
  const db = req.server.ctx.db;
  // a page also lists the diploma types: read beside the search (two connections of the pool), not after it
  const [run, types] = await Promise.all([
    runSearch(db, (req.query ?? {}) as Record<string, unknown>),
    wantsJson(req) ? null : diplomeTypes(db),
  ]);
  const page = async () => <RecherchePage ctx={pageContext(req)} view={searchView(run, types ?? (await diplomeTypes(db)))} />;
  if (run.invalid) return respond(req, reply, { problem: invalidCriteria(run), page });
  return respond(req, reply, {
    json: async () => searchJson(run.parsed, run.outcome ?? (await searchEtablissements(db, run.parsed.criteria))),
    page,
  });
}
