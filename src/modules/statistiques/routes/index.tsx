/**
 * The campaign's statistics (docs/regles.md#statistiques): « Statistiques » of the operator's space (both
 * roles) with a CSV for every table, and the public « Chiffres des campagnes » (/soltea/chiffres, no login)
 * of the campaigns that are over, with their CSV. The handlers call statistiques.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pageContext, respond, sendFile } from '../../../http/respond.js';
import { route } from '../../../http/route.js';
import { textField } from '../../../shared/fields.js';
import { notFound } from '../../../shared/problem.js';
import { ChiffresPage } from '../../../web/pages/soltea-chiffres.js';
import { StatistiquesPage } from '../../../web/pages/operateur-statistiques.js';
import { currentCampaign, listCampaigns } from '../../campagnes/repository.js';
import { campaignYear } from '../../versements/cli-commands.js';
import { figuresOf, isTableau, statistiquesCsv, type Tableau } from '../csv.js';
import { campaignStatistics, pastCampaigns, VENTILATION_TITRES, VENTILATIONS, type StatistiquesView } from '../statistiques.js';

const tags = { operateur: ['Opérateur - statistiques'], public: ['SOLTéA - Chiffres'] };
const yearQuery = z.object({ annee: z.string().optional() });
const fileParams = z.object({ fichier: z.string().max(40) });
const publicFileParams = z.object({ annee: z.string().max(4), fichier: z.string().max(40) });
/** The tables the public page publishes. */
const PUBLIC_TABLES: readonly Tableau[] = ['region', 'categorie', 'reliquat'];

export async function statistiquesRoutes(app: FastifyInstance) {
  const doc = { tags: tags.operateur, access: 'agent' as const };
  app.get(
    '/operateur/statistiques',
    route({ ...doc, operationId: 'operateurStatistiques', summary: 'Statistiques de la campagne', querystring: yearQuery }),
    showStatistics,
  );
  app.get(
    '/operateur/statistiques/:fichier',
    route({
      ...doc,
      operationId: 'operateurStatistiquesCsv',
      summary: 'Un tableau des statistiques (CSV) : campagne, region, departement, categorie, liste, niveau, jours, reliquat',
      params: fileParams,
      querystring: yearQuery,
    }),
    statisticsFile,
  );
  const open = { tags: tags.public, access: 'public' as const };
  app.get(
    '/soltea/chiffres',
    route({ ...open, operationId: 'chiffresCampagnes', summary: 'Chiffres des campagnes terminées', querystring: yearQuery }),
    showPublic,
  );
  app.get(
    '/soltea/chiffres/:annee/:fichier',
    route({
      ...open,
      operationId: 'chiffresCampagneCsv',
      summary: 'Un tableau des chiffres d’une campagne terminée (CSV) : region, categorie, reliquat',
      params: publicFileParams,
    }),
    publicFile,
  );
}

/** For JSON clients: amounts in cents as strings, as the other operator screens give them. */
const jsonOf = (value: StatistiquesView) =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as Record<string, unknown>;

async function yearOf(req: FastifyRequest): Promise<number> {
  return campaignYear(textField(req.query, 'annee')) ?? (await currentCampaign(req.server.ctx)).annee;
}

/** `region.csv` → 'region' when it is one of `allowed`. */
function tableOf(req: FastifyRequest, allowed?: readonly Tableau[]): Tableau | null {
  const m = /^([a-z]+)\.csv$/.exec(textField(req.params, 'fichier'));
  return m && isTableau(m[1]!) && (!allowed || allowed.includes(m[1])) ? m[1] : null;
}

const unknownTable = () => notFound('Ce tableau n’existe pas.', 'tableau_introuvable').problem;

async function showStatistics(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const view = await campaignStatistics(ctx, await yearOf(req));
  const annees = (await listCampaigns(ctx.db)).map((s) => s.campaign.annee);
  return respond(req, reply, {
    json: () => jsonOf(view),
    page: () => (
      <StatistiquesPage
        ctx={pageContext(req)}
        view={view}
        figures={figuresOf(view)}
        ventilations={VENTILATIONS.map((v) => ({ cle: v, titre: VENTILATION_TITRES[v], lignes: view.ventilations[v] }))}
        annees={annees.includes(view.annee) ? annees : [...annees, view.annee].sort()}
      />
    ),
  });
}

async function statisticsFile(req: FastifyRequest, reply: FastifyReply) {
  const table = tableOf(req);
  if (!table) return respond(req, reply, { problem: unknownTable() });
  const view = await campaignStatistics(req.server.ctx, await yearOf(req));
  return sendFile(reply, {
    name: `soltea-statistiques-${view.annee}-${table}.csv`,
    type: 'text/csv; charset=utf-8',
    body: statistiquesCsv(view, table),
  });
}

const notPublished = () =>
  notFound('Les chiffres de cette campagne ne sont pas publiés : elle n’est pas terminée ou n’existe pas.', 'campagne_non_publiee').problem;

async function showPublic(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.server.ctx;
  const annees = await pastCampaigns(ctx);
  const asked = textField(req.query, 'annee');
  const annee = asked ? campaignYear(asked) : (annees[0] ?? null);
  if (asked && (annee === null || !annees.includes(annee))) return respond(req, reply, { problem: notPublished() });
  const view = annee === null ? null : await campaignStatistics(ctx, annee);
  const parRegion = view?.ventilations.region ?? [];
  const parCategorie = view?.ventilations.categorie ?? [];
  return respond(req, reply, {
    json: () => ({ annees, campagne: view ? jsonOf(view) : null }),
    page: () => <ChiffresPage ctx={pageContext(req)} annees={annees} view={view} parRegion={parRegion} parCategorie={parCategorie} />,
  });
}

async function publicFile(req: FastifyRequest, reply: FastifyReply) {
  const table = tableOf(req, PUBLIC_TABLES);
  if (!table) return respond(req, reply, { problem: unknownTable() });
  const annee = campaignYear(textField(req.params, 'annee'));
  if (annee === null || !(await pastCampaigns(req.server.ctx)).includes(annee)) return respond(req, reply, { problem: notPublished() });
  const view = await campaignStatistics(req.server.ctx, annee);
  return sendFile(reply, {
    name: `soltea-chiffres-${annee}-${table}.csv`,
    type: 'text/csv; charset=utf-8',
    body: statistiquesCsv(view, table),
  });
}
